using System.Runtime.InteropServices;
using NdBridge.Python;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// A PIL-style array of row pointers (suboffsets): Python's memoryview reads it as it is; NumPy refuses
/// suboffsets, so it gets a contiguous repack.
/// </summary>
/// <remarks>
/// <code>
///   pointer table          rows, allocated apart
///   [ p0 ] ─────────────► [ 0  1  2  3 ]
///   [ p1 ] ─────────────► [ 10 11 12 13 ]
///   [ p2 ] ─────────────► [ 20 21 22 23 ]
///   shape (3, 4), strides (8, 4), suboffsets (0, -1): follow the pointer of dim 0, then index directly
/// </code>
/// </remarks>
internal static class SuboffsetsStep
{
    public static unsafe void Run(ShowcaseRun run)
    {
        run.BeginStep("A PIL-style array of row pointers (suboffsets)");
        const int rows = 3, columns = 4;
        var table = (int**)NativeMemory.Alloc(rows, (nuint)sizeof(int*));
        for (int i = 0; i < rows; i++)
        {
            table[i] = (int*)NativeMemory.Alloc(columns, sizeof(int));
            for (int j = 0; j < columns; j++)
                table[i][j] = 10 * i + j;
        }
        int frees = 0;
        var layout = new StridedLayout([rows, columns], [sizeof(int*), sizeof(int)], [0, -1], sizeof(int));
        using (var indirect = NdBuffer.DangerousFromPointer(table, BufferFormat.Of<int>(), layout, release: origin =>
               {
                   var rowPointers = (int**)origin;
                   for (int i = 0; i < rows; i++)
                       NativeMemory.Free(rowPointers[i]);
                   NativeMemory.Free(rowPointers);
                   frees++;
               }))
        {
            using (var exported = indirect.ToPython())
                run.Namespace.SetItem("x", exported);
            run.Check(run.Eval<string>("repr(memoryview(x).tolist())") == "[[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]" &&
                      run.Eval<string>("repr(memoryview(x).suboffsets)") == "(0, -1)",
                "Python's memoryview follows the row pointers: tolist() is the matrix, suboffsets (0, -1)");
            run.Exec("""
                try:
                    np.asarray(x)
                    numpy_refused = False
                except BufferError:
                    numpy_refused = True
                """);
            run.Check(run.Eval<bool>("numpy_refused"), "NumPy itself refuses suboffsets (BufferError)");
            run.CheckRefused<ArgumentException>(() => indirect.ToNumPy().Dispose(),
                "ToNumPy refuses the indirect buffer and says to repack it");
            using var packed = indirect.ToContiguous();
            using (var array = packed.ToNumPy())
                run.Namespace.SetItem("packed", array);
            run.Check(run.Eval<string>("repr(packed.tolist())") == run.Eval<string>("repr(memoryview(x).tolist())") &&
                      run.Eval<bool>("packed.flags.c_contiguous"),
                "the contiguous repack reaches NumPy with the same values");
            run.Exec("del x, packed");
        }
        run.Python.DrainReleaseQueue();
        run.Check(frees == 1, "the row pointers are freed exactly once, when NumPy and .NET have both let go");
    }
}
