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

        // What NumPy does with its from_dlpack array differs by version, so the step asks it: NumPy marks the array
        // read-only (writable only from a versioned capsule without READ_ONLY, from NumPy 2.2.5); NumPy 1.x refuses
        // to DLPack-export a read-only array (legacy capsules cannot say read-only), NumPy 2.x exports it as a
        // versioned capsule flagged READ_ONLY when asked for one, as NdBridge asks.
        string numPy = run.Eval<string>("np.__version__");
        bool fromDLPackWritable = run.Eval<bool>("d.flags.writeable");
        run.Exec("""
            try:
                d.__dlpack__(max_version=(1, 0))
                numpy_exports_it = True
            except (BufferError, TypeError):
                numpy_exports_it = False
            """);
        bool numPyExportsIt = run.Eval<bool>("numpy_exports_it");
        run.Say($"NumPy {numPy}: from_dlpack gives a {(fromDLPackWritable ? "writable" : "read-only")} array, which its __dlpack__ {(numPyExportsIt ? "exports as a versioned capsule" : "refuses to export")}");
        using (var back = run.Eval("d"))
        {
            if (numPyExportsIt)
            {
                using var viaDLPack = PythonDLPack.Import(back);
                run.Check((long)viaDLPack.DangerousGetPointer() == address && viaDLPack.IsReadOnly == !fromDLPackWritable,
                    $"NumPy {numPy} DLPack-exports its from_dlpack array back: the original .NET memory, read-only exactly as NumPy marks it");
            }
            else
            {
                run.CheckRefused<PythonException>(() => PythonDLPack.Import(back).Dispose(),
                    $"NumPy {numPy} refuses to DLPack-export its read-only from_dlpack array (NumPy's rule, not NdBridge's)");
            }
            using var imported = back.AsNdBuffer();
            run.Check((long)imported.DangerousGetPointer() == address && imported.IsReadOnly == !fromDLPackWritable &&
                      imported.Layout.ByteStrides.SequenceEqual(buffer.Layout.ByteStrides),
                "back through the buffer protocol too: the original .NET memory, same layout, read-only as NumPy says");
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
        run.Exec("del x, d, a, y, b, numpy_exports_it");
    }
}
