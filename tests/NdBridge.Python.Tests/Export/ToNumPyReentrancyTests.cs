namespace NdBridge.Python.Tests.Export;

/// <summary>
/// A <c>ToNumPy</c> reached from inside another handoff's <c>numpy.asarray</c> call (the path of a NumPy whose C API
/// version is not served; here from the outer export's <c>getbuffer</c>, through the test-only hook) leaves the outer
/// call alone: both arrays view their own memory, and every export ends.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class ToNumPyReentrancyTests : IDisposable
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    public void Dispose() => BufferExportType.FaultInjection = null;

    [Fact]
    public unsafe void ToNumPy_FromInsideAnotherToNumPysAsarrayCall_BothArraysViewTheirOwnMemory()
    {
        using var ns = Python.NewNamespace();
        using var outer = NdBuffer.Allocate<double>([3]);
        using var inner = NdBuffer.Allocate<double>([2]);
        outer.AsStridedSpan<double>()[0] = 1.5;
        outer.AsStridedSpan<double>()[2] = 3.5;
        inner.AsStridedSpan<double>()[1] = -2.25;
        using (outer.ToNumPy())
        {
            // NumPy is loaded.
        }
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        PythonObject? innerArray = null;
        var outerAddress = (nint)outer.DangerousGetPointer();
        BufferExportType.FaultInjection = (slot, address) =>
        {
            if (slot == ExportSlot.GetBuffer && address == outerAddress && innerArray is null)
                innerArray = inner.ToNumPy(); // inside asarray(outer export)
        };
        using var outerArray = NdBufferPythonExtensions.ToNumPyThrough(outer, api: null);
        BufferExportType.FaultInjection = null;
        Assert.NotNull(innerArray);
        using (innerArray)
        {
            ns.SetItem("a", outerArray);
            ns.SetItem("b", innerArray);
            Assert.Equal([1.5, 0, 3.5], Python.EvalList<double>("a.tolist()", ns));
            Assert.Equal([0, -2.25], Python.EvalList<double>("b.tolist()", ns));
            Assert.True(Python.Eval<bool>("type(a.base) is memoryview and type(b.base).__name__ == 'BufferExport'", ns));
            Assert.Equal((long)outerAddress, Python.Eval<long>("a.ctypes.data", ns));
            Assert.Equal((long)inner.DangerousGetPointer(), Python.Eval<long>("b.ctypes.data", ns));
            Python.Exec("del a, b\n", ns);
        }
        outerArray.Dispose();
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
        using var again = NdBufferPythonExtensions.ToNumPyThrough(outer, api: null);
        ns.SetItem("c", again);
        Assert.Equal([1.5, 0, 3.5], Python.EvalList<double>("c.tolist()", ns));
        Python.Exec("del c\n", ns);
    }
}
