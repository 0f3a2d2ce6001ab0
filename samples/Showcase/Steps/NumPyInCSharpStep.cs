using NdBridge.Python;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// NumPy arrays of every layout — transposed, <c>a[::-1, ::2]</c>, big-endian, records — read and written in C#
/// as typed strided views over NumPy's own memory.
/// </summary>
internal static class NumPyInCSharpStep
{
    public static unsafe void Run(ShowcaseRun run)
    {
        run.BeginStep("NumPy arrays read and written in C#");
        run.Exec("a = np.arange(12.0).reshape(3, 4)");

        using (var transposed = run.Eval("a.T"))
        {
            bool same = transposed.WithStridedSpan<double, bool>(t =>
            {
                bool ok = t.Shape[0] == 4 && t.Shape[1] == 3;
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 3; j++)
                        ok &= t[i, j] == 4 * j + i;
                t[0, 2] = -5;
                return ok;
            });
            run.Check(same, "a.T as StridedSpan<double>: t[i, j] == a[j, i] for every element");
            run.Check(run.Eval<double>("float(a[2, 0])") == -5, "t[0, 2] = -5 written in C# is a[2, 0] in NumPy");
        }

        using (var strided = run.Eval("a[::-1, ::2]"))
        using (var view = strided.AsNdBuffer(writable: true))
        {
            run.Say($"a[::-1, ::2] imported: {view.Layout}");
            run.Check((long)view.DangerousGetPointer() == run.Eval<long>("a[::-1, ::2].ctypes.data") &&
                      view.Layout.ByteStrides[0] == -32 && view.Layout.ByteStrides[1] == 16,
                "a[::-1, ::2] imports over NumPy's own memory: same address, byte strides (-32, 16)");
            view.AsStridedSpan<double>()[0, 1] = 100;
            run.Check(run.Eval<double>("float(a[2, 2])") == 100, "writing [0, 1] of the view writes a[2, 2]");
        }

        run.Exec("b = np.arange(6, dtype='>f8')");
        using (var bigEndian = run.Eval("b"))
        using (var view = bigEndian.AsNdBuffer(writable: true))
        {
            run.CheckRefused<InvalidOperationException>(() => view.AsStridedSpan<double>(),
                "a '>f8' array is refused as StridedSpan<double>, pointing to the byte-order copy");
            using var native = view.ToContiguous(MemoryOrder.C, BufferFormat.Of<double>());
            var values = native.AsReadOnlyStridedSpan<double>().ToArray();
            run.Check(values.SequenceEqual([0.0, 1, 2, 3, 4, 5]), "the byte-order copy to native doubles reads 0..5");
            using var source = NdBuffer.FromArray(new double[] { 6, 5, 4, 3, 2, 1 });
            source.CopyTo(view);
            run.Check(run.Eval<string>("repr(b.tolist())") == "[6.0, 5.0, 4.0, 3.0, 2.0, 1.0]" && run.Eval<string>("b.dtype.str") == ">f8",
                "native doubles copied into the '>f8' array are swapped on the way: NumPy reads 6..1, still big-endian");
        }

        run.Exec("r = np.zeros(3, dtype=[('tag', 'u1'), ('value', '<f8')])");   // packed: 'value' at offset 1, stride 9
        using (var records = run.Eval("r"))
        using (var view = records.AsNdBuffer(writable: true))
        using (var values = view.Field("value"))
        {
            run.Say($"record array imported: format '{view.Format}', field 'value': {values.Layout}");
            values.WriteUnaligned(2.5, 1);
            run.Check(run.Eval<double>("float(r['value'][1])") == 2.5 && values.Layout.ByteStrides[0] == 9,
                "the unaligned 'value' field (stride 9) is written through WriteUnaligned; NumPy reads 2.5");
        }
        run.Exec("del a, b, r");
    }
}
