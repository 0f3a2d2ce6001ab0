using NdBridge.Python;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// A DLPack round trip: .NET memory to NumPy through <c>numpy.from_dlpack</c>, and a NumPy array back to .NET
/// through its <c>__dlpack__</c> capsule — the same memory all the way.
/// </summary>
internal static class DLPackStep
{
    public static unsafe void Run(ShowcaseRun run)
    {
        run.BeginStep("DLPack round trip");
        float[] samples = [0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f];
        using var buffer = NdBuffer.FromArray(samples, [2, 3]);
        using (var exported = buffer.ToPython())
            run.Namespace.SetItem("x", exported);
        run.Exec("d = np.from_dlpack(x)");
        long address = (long)buffer.DangerousGetPointer();
        run.Say($"np.from_dlpack(export): {run.Eval<string>("f'{d.dtype} shape {d.shape} strides {d.strides}'")}, data at 0x{run.Eval<long>("d.ctypes.data"):x}");
        run.Check(run.Eval<long>("d.ctypes.data") == address && run.Eval<string>("repr(d.tolist())") == "[[0.5, 1.5, 2.5], [3.5, 4.5, 5.5]]",
            ".NET float[] → __dlpack__ → numpy.from_dlpack: same address, same values");
        samples[4] = -1;
        run.Check(run.Eval<double>("float(d[1, 1])") == -1, "a write to the .NET array is seen through the DLPack view");

        // NumPy 1.24 marks from_dlpack arrays read-only, and its own __dlpack__ refuses read-only arrays (legacy
        // DLPack cannot say read-only): the way back for this one is the buffer protocol.
        using (var back = run.Eval("d"))
        {
            run.CheckRefused<PythonException>(() => PythonDLPack.Import(back).Dispose(),
                "NumPy refuses to DLPack-export its read-only from_dlpack array (NumPy's rule, not NdBridge's)");
            using var imported = back.AsNdBuffer();
            run.Check((long)imported.DangerousGetPointer() == address && imported.IsReadOnly &&
                      imported.Layout.ByteStrides.SequenceEqual(buffer.Layout.ByteStrides),
                "back through the buffer protocol instead: the original .NET memory, same layout, read-only as NumPy says");
        }

        run.Exec("a = np.arange(6, dtype=np.int64)[::-2]");
        using (var reversed = run.Eval("a"))
        using (var imported = PythonDLPack.Import(reversed))
        {
            run.Say($"a = np.arange(6)[::-2] through DLPack: {imported.Layout}");
            run.Check((long)imported.DangerousGetPointer() == run.Eval<long>("a.ctypes.data") &&
                      imported.AsReadOnlyStridedSpan<long>().ToArray().SequenceEqual([5L, 3, 1]),
                "NumPy → .NET: a negative-stride view imports through DLPack without a copy (values 5, 3, 1)");
            using (var again = imported.ToPython())
                run.Namespace.SetItem("y", again);
            run.Exec("b = np.from_dlpack(y)");
            run.Check(run.Eval<bool>("b.ctypes.data == a.ctypes.data and b.strides == a.strides and b.tolist() == a.tolist()"),
                ".NET → NumPy again through DLPack: np.from_dlpack gives NumPy's original memory and strides back");
        }
        run.Exec("del x, d, a, y, b");
    }
}
