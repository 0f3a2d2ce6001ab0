using NdBridge.Python;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// The seed problem: a column-major matrix (Eigen/MathNet style) whose columns are padded so each starts on a
/// 32-byte boundary, shared with NumPy; Python changes it in place; C# sees the change.
/// </summary>
/// <remarks>
/// <code>
///   doubles, column stride 32 bytes:   [ a00 a10 a20 pad ][ a01 a11 a21 pad ]
///                                      ^ 32-byte aligned  ^ 32-byte aligned
/// </code>
/// </remarks>
internal static class PaddedMatrixStep
{
    public static unsafe void Run(ShowcaseRun run)
    {
        run.BeginStep("A padded column-major matrix shared with NumPy");
        const int rows = 3, columns = 2, alignment = 32;
        using var matrix = NdBuffer.Allocate<double>([rows, columns], MemoryOrder.F, leadingDimension: alignment / sizeof(double), byteAlignment: alignment);
        var view = matrix.AsStridedSpan<double>();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                view[i, j] = 10 * i + j;
        nint address = (nint)matrix.DangerousGetPointer();
        run.Say($"C#: {matrix.Layout}, data at 0x{address:x}");
        run.Check(Enumerable.Range(0, columns).All(j => (nint)matrix.DangerousGetElementPointer(0, j) % alignment == 0),
            "every column starts on a 32-byte boundary");

        using (var array = matrix.ToNumPy())
            run.Namespace.SetItem("m", array);
        run.Exec("m *= 2; m[2, 1] = -1.0; m[:, 0] += 0.5");
        long numPyAddress = run.Eval<long>("m.ctypes.data");
        run.Say($"NumPy: {run.Eval<string>("f'{type(m).__name__} {m.dtype} shape {m.shape} strides {m.strides}, base {type(m.base).__name__}'")}, data at 0x{numPyAddress:x}");
        run.Check(numPyAddress == address, "NumPy's array has the same data address as the .NET matrix: nothing was copied");
        run.Check(run.Eval<bool>("m.strides == (8, 32) and type(m.base).__name__ == 'BufferExport' and m.flags.writeable"),
            "NumPy sees strides (8, 32) over the .NET export (its base), writable");
        bool seen = true;
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                seen &= view[i, j] == (i == 2 && j == 1 ? -1.0 : 2 * (10 * i + j) + (j == 0 ? 0.5 : 0));
        run.Check(seen, "C# reads the values Python wrote in place (m *= 2; m[2, 1] = -1; m[:, 0] += 0.5)");
        view[0, 1] = 42;
        run.Check(run.Eval<double>("float(m[0, 1])") == 42, "a write from C# is seen by NumPy");
        run.Exec("del m");
    }
}
