namespace NdBridge.Python.Tests.Export;

/// <summary>
/// The per-instance slot holds an index into a table of recycled states: many live exports each find their own
/// state, states and their native blocks are reused by later exports of other shapes and formats, and the
/// accounting stays balanced whether the table keeps a state or lets it go.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ExportTableTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    [Fact]
    public void ManyLiveExports_EachFindTheirOwnState_AndAllAreReleased()
    {
        const int Count = 1_000; // beyond the 256 free states the table keeps
        using var ns = Python.NewNamespace();
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        var buffers = Enumerable.Range(0, Count).Select(i => NdBuffer.FromArray(new int[] { i, -i, 2 * i })).ToArray();
        var exports = buffers.Select(b => b.ToPython()).ToList();
        Assert.Equal(exportsBefore + Count, MemoryDiagnostics.LiveExportCount);
        ns.SetItem("xs", exports);
        Assert.True(Python.Eval<bool>($"all(memoryview(x).tolist() == [i, -i, 2 * i] for i, x in enumerate(xs))", ns));
        PythonConvert.DisposeAll(exports);
        Python.Exec("del xs\n", ns);
        foreach (var buffer in buffers)
            buffer.Dispose();
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
        using var again = NdBuffer.FromArray(new short[] { 5, 6 });
        using var export = again.ToPython();
        ns.SetItem("x", export);
        Assert.Equal([5L, 6L], Python.EvalList<long>("memoryview(x).tolist()", ns));
    }

    [Fact]
    public void RecycledStates_ServeExportsOfOtherRanksAndFormats()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import struct\n", ns);
        nint[] bigShape = [.. Enumerable.Repeat((nint)1, 64)]; // a native block over 1 KiB: freed, not kept
        var layouts = new (NdBuffer Buffer, string Shape, string Format)[]
        {
            (NdBuffer.FromArray(new double[] { 1.5 }, bigShape), "(1,) * 64", "d"),
            (NdBuffer.FromArray(new byte[16], BufferFormat.Parse("T{b:a:3xi:b:d:c:}"), StridedLayout.CreateContiguous([1], 16), 0), "(1,)", "T{b:a:3xi:b:d:c:}"),
            (NdBuffer.FromArray(new long[] { 7 }, [1]), "(1,)", "q"),
            (NdBuffer.FromArray(new float[6], [2, 3], MemoryOrder.F), "(2, 3)", "f"),
        };
        for (var round = 0; round < 3; round++)
        {
            foreach (var (buffer, shape, format) in layouts)
            {
                using var export = buffer.ToPython();
                ns.SetItem("x", export);
                Assert.True(Python.Eval<bool>($"memoryview(x).shape == {shape} and x.shape == {shape}", ns), $"{format} round {round}");
                Assert.Equal(BufferFormat.Parse(format), BufferFormat.Parse(Python.Eval<string>("memoryview(x).format", ns)));
                Assert.Equal(buffer.ItemSize, Python.Eval<long>("memoryview(x).itemsize", ns));
                Python.Exec("del x\n", ns);
            }
        }
        foreach (var (buffer, _, _) in layouts)
            buffer.Dispose();
    }
}
