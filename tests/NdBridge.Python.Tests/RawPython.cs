namespace NdBridge.Python.Tests;

/// <summary>
/// Measurements through the raw C API only (no PythonObject, no scope entry), so what they observe is
/// not changed by the API under test. The caller holds the GIL.
/// </summary>
internal static unsafe class RawPython
{
    /// <summary><c>sys.getrefcount(o)</c> (includes the call's own temporary reference).</summary>
    public static long RefCount(nint o) => CallModule("sys", "getrefcount", o);

    /// <summary><c>sys.getallocatedblocks()</c>.</summary>
    public static long AllocatedBlocks() => CallModule("sys", "getallocatedblocks", 0);

    /// <summary>
    /// <c>sys.getallocatedblocks()</c> once the garbage of both runtimes is gone: .NET's (collected, finalised, its
    /// queued releases drained) and Python's cycles (<c>gc.collect()</c>, twice, since freeing a cycle can drop the
    /// last reference to a .NET object and back). Otherwise the count depends on where each collector's schedule
    /// stood, which other threads' timing shifts: a loaded machine saw 55 blocks of an exception's garbage.
    /// </summary>
    public static long SettledAllocatedBlocks()
    {
        for (var round = 0; round < 2; round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers(); // finalizers only queue their releases: they never take the GIL held here
            PythonRuntime.DrainQueuedReleases();
            CallModule("gc", "collect", 0);
        }
        return AllocatedBlocks();
    }

    /// <summary>True when Python's error indicator is set.</summary>
    public static bool ErrorPending => CPython.PyErr_Occurred() != 0;

    private static long CallModule(string module, string name, nint argument)
    {
        Assert.True(PythonGil.IsHeldByCurrentThread, "RawPython needs the caller to hold the GIL");
        Assert.False(ErrorPending);
        nint sys, function, args;
        fixed (byte* s = System.Text.Encoding.UTF8.GetBytes(module + "\0"))
            sys = CPython.PyImport_ImportModule(s);
        fixed (byte* n = System.Text.Encoding.UTF8.GetBytes(name + "\0"))
            function = CPython.PyObject_GetAttrString(sys, n);
        args = CPython.PyTuple_New(argument == 0 ? 0 : 1);
        if (argument != 0)
        {
            CPython.Py_IncRef(argument);
            CPython.PyTuple_SetItem(args, 0, argument);
        }
        var result = CPython.PyObject_Call(function, args, 0);
        // The argument tuple holds one reference while the call runs; release it before reading.
        CPython.Py_DecRef(args);
        var value = CPython.PyLong_AsLongLong(result);
        CPython.Py_DecRef(result);
        CPython.Py_DecRef(function);
        CPython.Py_DecRef(sys);
        Assert.False(ErrorPending);
        return value;
    }
}
