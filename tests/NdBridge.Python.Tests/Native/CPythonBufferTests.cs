using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python.Tests.Native;

public sealed unsafe class CPythonBufferTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    // ctypes lays the same C fields out by the platform's C rules: the oracle for sizes and offsets.
    private const string LayoutOracle = """
        import ctypes as c
        class Py_buffer(c.Structure):
            _fields_ = [('buf', c.c_void_p), ('obj', c.c_void_p), ('len', c.c_ssize_t), ('itemsize', c.c_ssize_t),
                        ('readonly', c.c_int), ('ndim', c.c_int), ('format', c.c_char_p), ('shape', c.c_void_p),
                        ('strides', c.c_void_p), ('suboffsets', c.c_void_p), ('internal', c.c_void_p)]
        class PyType_Slot(c.Structure):
            _fields_ = [('slot', c.c_int), ('pfunc', c.c_void_p)]
        class PyType_Spec(c.Structure):
            _fields_ = [('name', c.c_char_p), ('basicsize', c.c_int), ('itemsize', c.c_int), ('flags', c.c_uint), ('slots', c.c_void_p)]
        class PyMethodDef(c.Structure):
            _fields_ = [('ml_name', c.c_char_p), ('ml_meth', c.c_void_p), ('ml_flags', c.c_int), ('ml_doc', c.c_char_p)]
        layout = {t.__name__: [c.sizeof(t)] + [getattr(t, f[0]).offset for f in t._fields_] for t in (Py_buffer, PyType_Slot, PyType_Spec, PyMethodDef)}
        """;

    private static long[] Layout<T>(params string[] fields) where T : unmanaged =>
        [sizeof(T), .. fields.Select(f => (long)Marshal.OffsetOf<T>(f))];

    [Fact]
    public void Structs_MatchTheCLayout()
    {
        using var ns = Python.NewNamespace();
        Python.Exec(LayoutOracle, ns);
        using var layoutObject = ns.GetItem("layout");
        var layout = layoutObject.ToDictionary<string, PythonObject>();
        try
        {
            Assert.Equal(80, sizeof(Py_buffer));
            Assert.Equal(layout["Py_buffer"].ToList<long>(), Layout<Py_buffer>("buf", "obj", "len", "itemsize", "readonly", "ndim", "format", "shape", "strides", "suboffsets", "internal"));
            Assert.Equal(layout["PyType_Slot"].ToList<long>(), Layout<PyType_Slot>("slot", "pfunc"));
            Assert.Equal(layout["PyType_Spec"].ToList<long>(), Layout<PyType_Spec>("name", "basicsize", "itemsize", "flags", "slots"));
            Assert.Equal(layout["PyMethodDef"].ToList<long>(), Layout<PyMethodDef>("ml_name", "ml_meth", "ml_flags", "ml_doc"));
        }
        finally
        {
            PythonConvert.DisposeAll(layout.Values);
        }
    }

    [Fact]
    public void BufferFlags_MatchCPythonsOwn()
    {
        using var testbuffer = Python.Import("_testbuffer");
        var ours = new Dictionary<string, int>
        {
            ["PyBUF_SIMPLE"] = PyBUF_SIMPLE, ["PyBUF_WRITABLE"] = PyBUF_WRITABLE, ["PyBUF_FORMAT"] = PyBUF_FORMAT,
            ["PyBUF_ND"] = PyBUF_ND, ["PyBUF_STRIDES"] = PyBUF_STRIDES, ["PyBUF_C_CONTIGUOUS"] = PyBUF_C_CONTIGUOUS,
            ["PyBUF_F_CONTIGUOUS"] = PyBUF_F_CONTIGUOUS, ["PyBUF_ANY_CONTIGUOUS"] = PyBUF_ANY_CONTIGUOUS,
            ["PyBUF_INDIRECT"] = PyBUF_INDIRECT, ["PyBUF_CONTIG"] = PyBUF_CONTIG, ["PyBUF_CONTIG_RO"] = PyBUF_CONTIG_RO,
            ["PyBUF_STRIDED"] = PyBUF_STRIDED, ["PyBUF_STRIDED_RO"] = PyBUF_STRIDED_RO, ["PyBUF_RECORDS"] = PyBUF_RECORDS,
            ["PyBUF_RECORDS_RO"] = PyBUF_RECORDS_RO, ["PyBUF_FULL"] = PyBUF_FULL, ["PyBUF_FULL_RO"] = PyBUF_FULL_RO,
        };
        foreach (var (name, value) in ours)
            Assert.True(testbuffer.GetAttr<long>(name) == value, $"{name}: ours {value}, CPython {testbuffer.GetAttr<long>(name)}");
    }

    [Fact]
    public void GetBuffer_OfAStridedNumPyView_AgreesWithMemoryview_AndReleaseRestoresTheRefcount()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\na = np.arange(24, dtype='<i4').reshape(4, 6)[::-1, ::2]\nm = memoryview(a)\n", ns);
        using var array = ns.GetItem("a");
        var view = (Py_buffer*)NativeMemory.AllocZeroed((nuint)sizeof(Py_buffer));
        try
        {
            using var gil = PythonGil.Acquire();
            var raw = array.DangerousGetBorrowedReference();
            var baseline = RawPython.RefCount(raw);
            PythonErrors.CheckStatus(PyObject_GetBuffer(raw, view, PyBUF_RECORDS_RO));
            Assert.Equal(baseline + 1, RawPython.RefCount(raw));
            Assert.Equal(raw, view->obj);
            Assert.Equal(Python.Eval<long>("m.ndim", ns), view->ndim);
            Assert.Equal(Python.Eval<long>("m.itemsize", ns), view->itemsize);
            Assert.Equal(Python.Eval<long>("m.nbytes", ns), view->len);
            Assert.Equal(Python.Eval<bool>("m.readonly", ns), view->@readonly != 0);
            Assert.Equal(Python.Eval<string>("m.format", ns), Marshal.PtrToStringUTF8((nint)view->format));
            Assert.Equal(Python.EvalList<long>("m.shape", ns), new[] { view->shape[0], view->shape[1] }.Select(v => (long)v));
            Assert.Equal(Python.EvalList<long>("m.strides", ns), new[] { view->strides[0], view->strides[1] }.Select(v => (long)v));
            Assert.True(view->suboffsets == null);
            // a[0, 1] is element (3, 2) of the base: 3 * 6 + 2 = 20
            Assert.Equal(Python.Eval<long>("int(a[0, 1])", ns), *(int*)((byte*)view->buf + view->strides[1]));
            PyBuffer_Release(view);
            Assert.Equal(baseline, RawPython.RefCount(raw));
        }
        finally
        {
            NativeMemory.Free(view);
        }
    }

    [Fact]
    public void GetBuffer_WritableOfBytes_FailsWithBufferError_AndLeavesObjNull()
    {
        using var bytes = Python.Eval("b'abc'");
        var view = (Py_buffer*)NativeMemory.AllocZeroed((nuint)sizeof(Py_buffer));
        try
        {
            using var gil = PythonGil.Acquire();
            Assert.Equal(-1, PyObject_GetBuffer(bytes.DangerousGetBorrowedReference(), view, PyBUF_WRITABLE));
            Assert.Equal(0, view->obj);
            var ex = PythonErrors.FetchPending();
            Assert.Equal("BufferError", ex.PythonTypeName);
            Assert.False(RawPython.ErrorPending);
        }
        finally
        {
            NativeMemory.Free(view);
        }
    }

    [Fact]
    public void GetBuffer_WritableBytearray_WritesAreSeenByPython()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("b = bytearray(b'abcdef')\n", ns);
        using var b = ns.GetItem("b");
        var view = (Py_buffer*)NativeMemory.AllocZeroed((nuint)sizeof(Py_buffer));
        try
        {
            using var gil = PythonGil.Acquire();
            PythonErrors.CheckStatus(PyObject_GetBuffer(b.DangerousGetBorrowedReference(), view, PyBUF_SIMPLE | PyBUF_WRITABLE));
            Assert.Equal(6, view->len);
            Assert.True(view->format == null); // no FORMAT requested
            ((byte*)view->buf)[1] = (byte)'X'; // index 1 < len 6
            PyBuffer_Release(view);
            Assert.Equal("aXcdef", Python.Eval<string>("b.decode()", ns));
        }
        finally
        {
            NativeMemory.Free(view);
        }
    }

    private static int s_capsuleDestructions;

    [UnmanagedCallersOnly]
    private static void CountCapsuleDestruction(nint capsule) => Interlocked.Increment(ref s_capsuleDestructions);

    [Fact]
    public void Capsule_NamePointerValidityAndDestructor()
    {
        var name = Utf8Z.Permanent("ndbridge.test_capsule");
        var other = Utf8Z.Permanent("ndbridge.other");
        var before = Volatile.Read(ref s_capsuleDestructions);
        using var gil = PythonGil.Acquire();
        var capsule = PythonErrors.Check(PyCapsule_New((void*)0x1234, name, &CountCapsuleDestruction));
        Assert.Equal((nint)0x1234, (nint)PyCapsule_GetPointer(capsule, name));
        Assert.Equal("ndbridge.test_capsule", Marshal.PtrToStringUTF8((nint)PyCapsule_GetName(capsule)));
        Assert.Equal(1, PyCapsule_IsValid(capsule, name));
        Assert.Equal(0, PyCapsule_IsValid(capsule, other));
        Assert.True(PyCapsule_GetPointer(capsule, other) == null);
        Assert.Equal("ValueError", PythonErrors.FetchPending().PythonTypeName);
        Assert.Equal(0, PyCapsule_SetName(capsule, other));
        Assert.Equal(1, PyCapsule_IsValid(capsule, other));
        using (var wrapped = PythonObject.FromBorrowedReference(capsule))
            Assert.StartsWith("<capsule object \"ndbridge.other\"", wrapped.Repr());
        Assert.Equal(before, Volatile.Read(ref s_capsuleDestructions));
        Py_DecRef(capsule);
        Assert.Equal(before + 1, Volatile.Read(ref s_capsuleDestructions));
    }

    private static readonly byte* s_probeBytes = Utf8Z.Permanent("NdBr");
    private static readonly byte* s_formatB = Utf8Z.Permanent("B");
    private static readonly nint* s_probeShape = AllocShape();
    private static int s_releases;

    private static nint* AllocShape()
    {
        var shape = (nint*)NativeMemory.Alloc(2, (nuint)sizeof(nint));
        shape[0] = 4; // shape
        shape[1] = 1; // stride
        return shape;
    }

    [UnmanagedCallersOnly]
    private static int ProbeGetBuffer(nint exporter, Py_buffer* view, int flags)
    {
        if ((flags & PyBUF_WRITABLE) != 0)
        {
            fixed (byte* message = "probe is read-only\0"u8)
                PyErr_SetString(PyExc_BufferError, message);
            view->obj = 0;
            return -1;
        }
        view->buf = s_probeBytes;
        view->obj = exporter;
        Py_IncRef(exporter);
        view->len = 4;
        view->itemsize = 1;
        view->@readonly = 1;
        view->ndim = 1;
        view->format = (flags & PyBUF_FORMAT) != 0 ? s_formatB : null;
        view->shape = (flags & PyBUF_ND) != 0 ? s_probeShape : null;
        view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? s_probeShape + 1 : null;
        view->suboffsets = null;
        view->@internal = null;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void ProbeReleaseBuffer(nint exporter, Py_buffer* view) => Interlocked.Increment(ref s_releases);

    [Fact]
    public void TypeFromSpec_WithBufferSlots_ExportsToMemoryview()
    {
        _ = Python; // the interpreter must exist before the GIL is taken below
        var slots = (PyType_Slot*)NativeMemory.AllocZeroed(4, (nuint)sizeof(PyType_Slot)); // lives as long as the type: never freed
        slots[0] = new PyType_Slot { slot = Py_bf_getbuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, int, int>)&ProbeGetBuffer };
        slots[1] = new PyType_Slot { slot = Py_bf_releasebuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, void>)&ProbeReleaseBuffer };
        slots[2] = new PyType_Slot { slot = Py_tp_doc, pfunc = Utf8Z.Permanent("A probe exporting four bytes.") };
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent("ndbridge_probe.Probe");
        spec->flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
        spec->slots = slots;

        PythonObject type;
        using (PythonGil.Acquire())
            type = PythonObject.FromNewReference(PythonErrors.Check(PyType_FromSpec(spec)));
        using (type)
        {
            using var ns = Python.NewNamespace();
            ns.SetItem("Probe", type);
            var releasesBefore = Volatile.Read(ref s_releases);
            Python.Exec("""
                p = Probe()
                with memoryview(p) as m:
                    seen = (m.tobytes(), m.format, m.shape, m.strides, m.readonly)
                try:
                    memoryview(p).cast('B')[0] = 1
                    writable_refused = False
                except TypeError:
                    writable_refused = True
                try:
                    bytearray(b'xxxx')[0:4] = p
                    ok = True
                except Exception:
                    ok = False
                class Sub(Probe):
                    pass
                """, ns);
            Assert.Equal("(b'NdBr', 'B', (4,), (1,), True)", Python.Eval<string>("repr(seen)", ns));
            Assert.True(Python.Eval<bool>("writable_refused and ok", ns));
            Assert.Equal("Probe ndbridge_probe A probe exporting four bytes.", Python.Eval<string>("' '.join([Probe.__name__, Probe.__module__, Probe.__doc__])", ns));
            Assert.Equal("b'NdBr'", Python.Eval<string>("repr(bytes(Sub()))", ns));
            Assert.True(Volatile.Read(ref s_releases) - releasesBefore >= 3);
            var ex = Assert.Throws<PythonException>(() => Python.Exec("import _testbuffer\n_testbuffer.ndarray(p, getbuf=_testbuffer.PyBUF_WRITABLE)\n", ns));
            Assert.Equal("BufferError", ex.PythonTypeName);
            Assert.Equal("probe is read-only", ex.PythonMessage);
        }
    }

    private static int s_deallocs;

    // A heap type's dealloc by the stable ABI: free through the type's tp_free, then drop the instance's reference to its type.
    [UnmanagedCallersOnly]
    private static void CountingDealloc(nint self)
    {
        Interlocked.Increment(ref s_deallocs);
        var type = PyObject_Type(self);
        var free = (delegate* unmanaged<nint, void>)PyType_GetSlot(type, Py_tp_free);
        free(self);
        Py_DecRef(type); // PyObject_Type's reference
        Py_DecRef(type); // the instance's reference to its heap type
    }

    [Fact]
    public void TypeFromSpec_DeallocSlot_RunsForEachInstance_AndBalancesTheTypesReferences()
    {
        var slots = (PyType_Slot*)NativeMemory.AllocZeroed(2, (nuint)sizeof(PyType_Slot)); // lives as long as the type: never freed
        slots[0] = new PyType_Slot { slot = Py_tp_dealloc, pfunc = (delegate* unmanaged<nint, void>)&CountingDealloc };
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent("ndbridge_probe.Counted");
        spec->flags = Py_TPFLAGS_DEFAULT;
        spec->slots = slots;

        using var gil = PythonGil.Acquire();
        var type = PythonErrors.Check(PyType_FromSpec(spec));
        Assert.True(PyType_GetSlot(type, Py_tp_dealloc) == (void*)(delegate* unmanaged<nint, void>)&CountingDealloc);
        Assert.True(PyType_GetSlot(type, Py_tp_free) != null);
        var typeReferences = RawPython.RefCount(type);
        var deallocsBefore = Volatile.Read(ref s_deallocs);
        var args = PythonErrors.Check(PyTuple_New(0));
        for (var i = 0; i < 1_000; i++)
        {
            var instance = PythonErrors.Check(PyObject_Call(type, args, 0));
            Py_DecRef(instance);
        }
        Py_DecRef(args);
        Assert.Equal(deallocsBefore + 1_000, Volatile.Read(ref s_deallocs));
        Assert.Equal(typeReferences, RawPython.RefCount(type));
        Py_DecRef(type);
    }

    [Fact]
    public void WriteUnraisable_ReportsThroughTheHook_AndClearsTheIndicator()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import sys\nseen = []\nold_hook = sys.unraisablehook\nsys.unraisablehook = lambda u: seen.append((type(u.exc_value).__name__, str(u.exc_value), u.object))\n", ns);
        try
        {
            using var marker = Python.Eval("'the object'");
            using (PythonGil.Acquire())
            {
                fixed (byte* message = "slot could not fail\0"u8)
                    PyErr_SetString(PyExc_RuntimeError, message);
                PyErr_WriteUnraisable(marker.DangerousGetBorrowedReference());
                Assert.False(RawPython.ErrorPending);
            }
            Assert.Equal("[('RuntimeError', 'slot could not fail', 'the object')]", Python.Eval<string>("repr(seen)", ns));
        }
        finally
        {
            Python.Exec("sys.unraisablehook = old_hook\n", ns);
        }
    }

    [Fact]
    public void Lifecycle_IsInitialized_AndVersion()
    {
        _ = Python;
        Assert.Equal(1, Py_IsInitialized());
        var version = Marshal.PtrToStringUTF8((nint)Py_GetVersion())!;
        Assert.StartsWith(Python.Eval<string>("__import__('sys').version"), version);
        Assert.Equal(Python.Installation.Version.ToString(), version.Split(' ')[0]);
    }
}
