namespace NdBridge.Python.Tests.Export;

/// <summary>
/// A .NET exception thrown inside each slot of the exported type (through the test-only
/// <see cref="BufferExportType.FaultInjection"/> hook, for this test's buffer only) never unwinds into C: it
/// becomes the Python exception of the failing call, or goes to <c>sys.unraisablehook</c> where the slot cannot
/// fail, and the process, the export and the memory's accounting go on working.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class ExportFaultInjectionTests : IDisposable
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private readonly PythonObject _ns;
    private int _frees;

    public ExportFaultInjectionTests()
    {
        _ns = Python.NewNamespace();
        Python.Exec("""
            import sys, numpy as np
            seen = []
            old_hook = sys.unraisablehook
            sys.unraisablehook = lambda u: seen.append((type(u.exc_value).__name__, str(u.exc_value), repr(u.object)))
            """, _ns);
    }

    public void Dispose()
    {
        BufferExportType.FaultInjection = null;
        Python.Exec("sys.unraisablehook = old_hook\n", _ns);
        _ns.Dispose();
    }

    private NdBuffer CreateBuffer(out nint address)
    {
        var native = (double*)System.Runtime.InteropServices.NativeMemory.Alloc(4 * sizeof(double));
        for (var i = 0; i < 4; i++)
            native[i] = i + 0.5;
        address = (nint)native;
        return NdBuffer.FromPointer(native, 4 * sizeof(double), BufferFormat.Parse("d"), StridedLayout.CreateContiguous([4], 8), 0,
            release: p => { System.Runtime.InteropServices.NativeMemory.Free((void*)p); _frees++; });
    }

    private static void InjectInto(ExportSlot slot, nint address) =>
        BufferExportType.FaultInjection = (s, a) =>
        {
            if (s == slot && a == address)
                throw new InvalidOperationException($"injected fault in {slot}");
        };

    [Fact]
    public void GetBuffer_Fault_BecomesTheCallersPythonException_AndTheNextRequestWorks()
    {
        using var buffer = CreateBuffer(out var address);
        using var export = buffer.ToPython();
        _ns.SetItem("x", export);
        InjectInto(ExportSlot.GetBuffer, address);
        var error = Assert.Throws<PythonException>(() => Python.Exec("memoryview(x)", _ns));
        Assert.Equal("RuntimeError", error.PythonTypeName);
        Assert.Contains("System.InvalidOperationException: injected fault in GetBuffer", error.PythonMessage, StringComparison.Ordinal);
        // Python code can catch it; NumPy sees the failure too.
        Assert.False(Python.Eval<bool>("_try()",
            GlobalsWith("def _try():\n    try:\n        memoryview(x)\n        return True\n    except RuntimeError:\n        return False\n")));
        Assert.Equal(0, BufferExportType.StateOf(export.DangerousGetBorrowedReference())!.ActiveViewCount);
        BufferExportType.FaultInjection = null;
        Assert.Equal([0.5, 1.5, 2.5, 3.5], Python.EvalList<double>("memoryview(x).tolist()", _ns));
        Assert.Equal(0, BufferExportType.StateOf(export.DangerousGetBorrowedReference())!.ActiveViewCount);
    }

    private PythonObject GlobalsWith(string code)
    {
        Python.Exec(code, _ns);
        return _ns;
    }

    [Fact]
    public void ReleaseBuffer_Fault_GoesToUnraisablehook_AndTheViewIsStillReleased()
    {
        using var buffer = CreateBuffer(out var address);
        using var export = buffer.ToPython();
        _ns.SetItem("x", export);
        InjectInto(ExportSlot.ReleaseBuffer, address);
        Python.Exec("m = memoryview(x)\nvalues = m.tolist()\nm.release()\n", _ns);
        Assert.Equal(1, Python.Eval<long>("len(seen)", _ns));
        Assert.Equal("RuntimeError", Python.Eval<string>("seen[0][0]", _ns));
        Assert.Contains("injected fault in ReleaseBuffer", Python.Eval<string>("seen[0][1]", _ns), StringComparison.Ordinal);
        Assert.Contains("ndbridge.BufferExport(shape=(4,)", Python.Eval<string>("seen[0][2]", _ns), StringComparison.Ordinal);
        Assert.Equal(0, BufferExportType.StateOf(export.DangerousGetBorrowedReference())!.ActiveViewCount);
        BufferExportType.FaultInjection = null;
        Assert.Equal([0.5, 1.5, 2.5, 3.5], Python.EvalList<double>("np.asarray(x).tolist()", _ns));
    }

    [Fact]
    public void Dealloc_Fault_GoesToUnraisablehook_AndTheMemoryIsStillFreed()
    {
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        using (var buffer = CreateBuffer(out var address))
        {
            using var array = buffer.ToNumPy();
            _ns.SetItem("a", array);
            InjectInto(ExportSlot.Dealloc, address);
        }
        Assert.Equal(0, _frees);
        Python.Exec("del a\n", _ns);
        Assert.Equal(1, _frees);
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
        Assert.Equal(1, Python.Eval<long>("len(seen)", _ns));
        Assert.Contains("injected fault in Dealloc", Python.Eval<string>("seen[0][1]", _ns), StringComparison.Ordinal);
        Assert.Contains("ndbridge.BufferExport", Python.Eval<string>("seen[0][2]", _ns), StringComparison.Ordinal); // the type, never the dying object
        Assert.Equal(6.0, Python.Eval<double>("float(np.arange(4.).sum())", _ns));
    }

    [Fact]
    public void Dealloc_WhenTheOwnersReleaseCallbackThrows_ReportsIt_AndFreesTheExport()
    {
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        var native = System.Runtime.InteropServices.NativeMemory.Alloc(8);
        using (var buffer = NdBuffer.FromPointer(native, 8, BufferFormat.Parse("q"), StridedLayout.CreateContiguous([1], 8), 0,
            release: p => { System.Runtime.InteropServices.NativeMemory.Free((void*)p); throw new IOException("release callback failed"); }))
        {
            using var array = buffer.ToNumPy();
            _ns.SetItem("a", array);
        }
        Python.Exec("del a\n", _ns);
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
        Assert.Contains("System.IO.IOException: release callback failed", Python.Eval<string>("seen[0][1]", _ns), StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayInterface_Fault_BecomesAPythonException_AndTheNextReadWorks()
    {
        using var buffer = CreateBuffer(out var address);
        using var export = buffer.ToPython();
        _ns.SetItem("x", export);
        InjectInto(ExportSlot.ArrayInterface, address);
        var error = Assert.Throws<PythonException>(() => Python.Eval("x.__array_interface__", _ns));
        Assert.Equal("RuntimeError", error.PythonTypeName);
        Assert.Contains("injected fault in ArrayInterface", error.PythonMessage, StringComparison.Ordinal);
        BufferExportType.FaultInjection = null;
        Assert.Equal((long)address, Python.Eval<long>("x.__array_interface__['data'][0]", _ns));
    }

    [Fact]
    public void Dealloc_WhileAPythonExceptionIsPending_KeepsIt()
    {
        // An export may die while an exception is being raised: its report must not replace or clear that exception.
        using var buffer = CreateBuffer(out var address);
        using var gil = PythonGil.Acquire();
        var export = BufferExportType.Create(buffer);
        InjectInto(ExportSlot.Dealloc, address);
        fixed (byte* message = "pending before dealloc\0"u8)
            CPython.PyErr_SetString(CPython.PyExc_BufferError, message);
        CPython.Py_DecRef(export); // the last reference: tp_dealloc runs now, with the exception pending
        Assert.True(RawPython.ErrorPending);
        var pending = PythonErrors.FetchPending();
        Assert.Equal("BufferError", pending.PythonTypeName);
        Assert.Equal("pending before dealloc", pending.PythonMessage);
        Assert.Contains("injected fault in Dealloc", Python.Eval<string>("seen[-1][1]", _ns), StringComparison.Ordinal);
    }
}
