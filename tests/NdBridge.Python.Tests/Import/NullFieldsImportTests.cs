using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python.Tests.Import;

/// <summary>
/// The NULL <c>format</c>/<c>shape</c>/<c>strides</c> the protocol allows, from an exporter that gives them even to a
/// full request: the import reads them as <c>memoryview</c> (the oracle) reconstructs them.
/// </summary>
public sealed unsafe class NullFieldsImportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static readonly byte* s_memory = Fill();
    private static readonly nint* s_shape = Shape();
    private static readonly byte* s_formatD = Utf8Z.Permanent("d");
    private static readonly byte* s_formatH = Utf8Z.Permanent("h");
    private static readonly byte* s_formatI = Utf8Z.Permanent("i");
    private static readonly byte* s_formatU = Utf8Z.Permanent("u"); // UCS-2: struct and NumPy refuse it, and so does NdBridge
    private static readonly Lazy<PythonObject> s_type = new(CreateType);

    private static byte* Fill()
    {
        var memory = (byte*)NativeMemory.AlignedAlloc(48, 16); // the exporter's memory: lives for the process
        for (var i = 0; i < 6; i++)
            ((double*)memory)[i] = i * 1.5 - 2; // readable as 6 doubles, 12 shorts, 48 bytes
        return memory;
    }

    private static nint* Shape()
    {
        var shape = (nint*)NativeMemory.Alloc(2, (nuint)sizeof(nint));
        shape[0] = 2;
        shape[1] = 3;
        return shape;
    }

    // Which NULLs to give is the subclass's `mode` attribute, so the type needs no instance data.
    [UnmanagedCallersOnly]
    private static int GetBuffer(nint exporter, Py_buffer* view, int flags)
    {
        nint mode;
        fixed (byte* name = "mode\0"u8)
        {
            var attribute = PyObject_GetAttrString(exporter, name);
            mode = attribute == 0 ? -1 : (nint)PyLong_AsLongLong(attribute);
            Py_DecRef(attribute);
        }
        if (mode < 0)
        {
            view->obj = 0;
            return -1; // the attribute lookup's error stays set
        }
        *view = default;
        view->buf = s_memory;
        view->obj = exporter;
        Py_IncRef(exporter);
        view->@readonly = 1;
        switch (mode)
        {
            case 0: // format NULL ("B"), shape and strides given
                view->len = 3; view->itemsize = 1; view->ndim = 1; view->shape = s_shape + 1; view->strides = s_shape + 0; // shape (3,), strides (2,)
                break;
            case 1: // shape NULL: one dimension of len / itemsize
                view->format = s_formatD; view->len = 48; view->itemsize = 8; view->ndim = 1;
                break;
            case 2: // strides NULL: C-contiguous
                view->format = s_formatH; view->len = 12; view->itemsize = 2; view->ndim = 2; view->shape = s_shape;
                break;
            case 4: // as 1, but the view does not name its exporter (obj NULL), as some C exporters leave it
                view->format = s_formatD; view->len = 48; view->itemsize = 8; view->ndim = 1;
                Py_DecRef(exporter);
                view->obj = 0;
                break;
            case 5: // a format NdBridge cannot read
                view->format = s_formatU; view->len = 48; view->itemsize = 2; view->ndim = 1;
                break;
            default: // ndim 0, shape and strides NULL: a scalar
                view->format = s_formatI; view->len = 4; view->itemsize = 4; view->ndim = 0;
                break;
        }
        return 0;
    }

    private static PythonObject CreateType()
    {
        var slots = (PyType_Slot*)NativeMemory.AllocZeroed(2, (nuint)sizeof(PyType_Slot)); // lives as long as the type: never freed
        slots[0] = new PyType_Slot { slot = Py_bf_getbuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, int, int>)&GetBuffer };
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent("ndbridge_tests.NullFields");
        spec->flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
        spec->slots = slots;
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(PythonErrors.Check(PyType_FromSpec(spec)));
    }

    [Theory]
    [InlineData(0, "B")]
    [InlineData(1, "d")]
    [InlineData(2, "h")]
    [InlineData(3, "i")]
    public void NullFormatShapeOrStrides_AreReadAsMemoryviewReadsThem(int mode, string format)
    {
        using var ns = Python.NewNamespace();
        ns.SetItem("Base", s_type.Value);
        Python.Exec($"class E(Base):\n    mode = {mode}\ne = E()\nm = memoryview(e)\nr = (m.format, list(m.shape), list(m.strides), m.itemsize, m.tolist() if m.ndim else [m.tolist()])\n", ns);
        using var exporter = ns.GetItem("e");
        using var buffer = exporter.AsNdBuffer();
        Assert.Equal(format, Python.Eval<string>("r[0]", ns));
        Assert.Equal(BufferFormat.Parse(format), buffer.Format);
        Assert.Equal(Python.EvalList<long>("r[1]", ns), buffer.Shape.ToArray().Select(v => (long)v));
        Assert.Equal(Python.EvalList<long>("r[2]", ns), buffer.Layout.ByteStrides.ToArray().Select(v => (long)v));
        Assert.Equal(Python.Eval<long>("r[3]", ns), buffer.ItemSize);
        Assert.Equal((nint)s_memory, (nint)buffer.DangerousGetPointer());
        Assert.Equal(Python.Eval<string>("' '.join(repr(float(x)) for x in __import__('numpy').ravel(r[4]))", ns),
            string.Join(' ', ImportOracleTests.Decode(buffer).Select(Token)));
    }

    // Decode's tokens as Python's repr(float(x)) of the same number.
    private static string Token(string token) =>
        token[0] == 'i' ? Repr(double.Parse(token[1..], System.Globalization.CultureInfo.InvariantCulture))
        : Repr(BitConverter.ToDouble(Convert.FromHexString(token[1..])));

    private static string Repr(double value) =>
        value == Math.Floor(value) ? value.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void ViewWithoutObj_StillKeepsTheExporterAlive_UntilReleased()
    {
        using var ns = Python.NewNamespace();
        ns.SetItem("Base", s_type.Value);
        Python.Exec("class E(Base):\n    mode = 4\ne = E()\n", ns);
        using var exporter = ns.GetItem("e");
        long baseline;
        using (PythonGil.Acquire())
            baseline = RawPython.RefCount(exporter.DangerousGetBorrowedReference());
        var buffer = exporter.AsNdBuffer();
        using (PythonGil.Acquire())
            Assert.Equal(baseline + 1, RawPython.RefCount(exporter.DangerousGetBorrowedReference()));
        Assert.Equal(6, buffer.ElementCount);
        buffer.Dispose();
        using (PythonGil.Acquire())
            Assert.Equal(baseline, RawPython.RefCount(exporter.DangerousGetBorrowedReference()));
    }

    [Fact]
    public void UnreadableFormat_IsRefused_NamingItAndTheType_AndReleasesTheView()
    {
        using var ns = Python.NewNamespace();
        ns.SetItem("Base", s_type.Value);
        Python.Exec("class E(Base):\n    mode = 5\ne = E()\nfmt = memoryview(e).format\n", ns);
        Assert.Equal("u", Python.Eval<string>("fmt", ns)); // memoryview passes it through; struct cannot read it
        using var exporter = ns.GetItem("e");
        long baseline;
        using (PythonGil.Acquire())
            baseline = RawPython.RefCount(exporter.DangerousGetBorrowedReference());
        var error = Assert.Throws<NotSupportedException>(() => exporter.AsNdBuffer());
        Assert.Contains("exports the format 'u'", error.Message);
        Assert.Contains("E object", error.Message);
        Assert.IsType<BufferFormatException>(error.InnerException);
        using (PythonGil.Acquire())
            Assert.Equal(baseline, RawPython.RefCount(exporter.DangerousGetBorrowedReference()));
    }
}
