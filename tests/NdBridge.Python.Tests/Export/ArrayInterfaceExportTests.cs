using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests.Export;

/// <summary>
/// <c>ToArrayInterface</c>: a plugin layer attaches the dict and the keep-alive to an object of its own (the ROOT way);
/// NumPy views the memory through it, with no copy, and the memory lives while Python needs it. Frees are counted.
/// </summary>
public sealed unsafe class ArrayInterfaceExportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static void ForceGc()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Python.DrainReleaseQueue();
    }

    [Fact]
    public void AttachedToAPluginObject_NumPyViewsTheMemory_WhichOutlivesEveryDotNetReference()
    {
        var frees = 0;
        var native = (double*)NativeMemory.Alloc(12 * sizeof(double));
        for (var i = 0; i < 12; i++)
            native[i] = i;
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\nclass Plugin:\n    pass\no = Plugin()\n", ns);
        AttachReversedView(native, ns, () => frees++);
        ForceGc();
        Assert.Equal(0, frees); // the object holds the keep-alive

        Python.Exec("a = np.asarray(o)\nview_is_o = a.base is o\na[0, 0] = 42.0\n", ns);
        Assert.True(Python.Eval<bool>("view_is_o", ns)); // NumPy took the interface: no copy in between
        Assert.Equal((ulong)(nuint)(native + 11), Python.Eval<ulong>("a.__array_interface__['data'][0]", ns));
        Assert.Equal(42.0, native[11]); // a[0, 0] is the last element of the reversed view: the same memory
        Assert.Equal([42.0, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], Python.EvalList<double>("a.ravel().tolist()", ns));

        Python.Exec("del o\n", ns);
        ForceGc();
        Assert.Equal(0, frees); // the array's base chain still holds the object, and so the export
        Python.Exec("del a\n", ns);
        ForceGc();
        Assert.Equal(1, frees);
    }

    // Every .NET reference (buffer, dict, keep-alive) is dropped when this returns.
    private static void AttachReversedView(double* native, PythonObject ns, Action onFree)
    {
        using var buffer = NdBuffer.FromPointer(native, 12 * sizeof(double), BufferFormat.Parse("d"), StridedLayout.CreateContiguous([3, 4], 8), 0,
            release: p => { NativeMemory.Free((void*)p); onFree(); });
        using var reversed = buffer.Slice(0, null, null, -1).Slice(1, null, null, -1);
        var (arrayInterface, keepAlive) = reversed.ToArrayInterface();
        using (arrayInterface)
        using (keepAlive)
        using (var plugin = ns.GetItem("o"))
        {
            plugin.SetAttr("__array_interface__", arrayInterface);
            plugin.SetAttr("_keepalive", keepAlive);
        }
        // NumPy's own interface for the same view of its own array is the oracle for every key but the address.
        Python.Exec("b = np.arange(12.0).reshape(3, 4)[::-1, ::-1]\nmine = dict(o.__array_interface__)\ntheirs = dict(b.__array_interface__)\n", ns);
        Assert.True(Python.Eval<bool>("all(mine[k] == theirs[k] for k in ('version', 'shape', 'strides', 'typestr', 'descr'))", ns), Python.Eval<string>("repr((mine, theirs))", ns));
    }

    [Fact]
    public void ItemsNumPyHasNoTypeFor_AndDisposedBuffers_AreRefused_NamingTheBuffer()
    {
        using var pointers = NdBuffer.Allocate(BufferFormat.Parse("P"), [2]);
        var error = Assert.Throws<ArgumentException>(() => pointers.ToArrayInterface());
        Assert.Equal("buffer", error.ParamName);
        Assert.Contains("NumPy has no type", error.Message);
        using var disposed = NdBuffer.Allocate<double>([2]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.ToArrayInterface());
    }
}
