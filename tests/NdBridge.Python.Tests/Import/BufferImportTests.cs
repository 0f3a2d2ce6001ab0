using NdBridge.Testing;
namespace NdBridge.Python.Tests.Import;

/// <summary>The buffer-protocol import against what NumPy, ctypes and CPython say about the same objects.</summary>
public sealed unsafe class BufferImportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static PythonObject Run(string code, string result = "a")
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\n" + code, ns);
        return ns.GetItem(result);
    }

    [Theory]
    [InlineData("a = np.arange(24, dtype='<f8').reshape(4, 6)")]
    [InlineData("a = np.arange(24, dtype='<f8').reshape(4, 6)[::-1, ::2]")]
    [InlineData("a = np.arange(24, dtype='>i4').reshape(2, 3, 4).transpose(2, 0, 1)")]
    [InlineData("a = np.arange(6, dtype='u1')[::-2]")]
    [InlineData("a = np.broadcast_to(np.arange(3.0), (4, 3))")]
    [InlineData("a = np.zeros((), dtype=[('x', 'u1'), ('y', '<f8')])")]
    [InlineData("a = np.zeros((3, 0, 2), dtype='<c16')")]
    public void NumPyArray_IsViewedInPlace_AtNumPysAddress_WithMemoryviewsShapeAndStrides(string code)
    {
        using var ns = Namespace("import numpy as np\n" + code + "\nr = (a.__array_interface__['data'][0], list(a.shape), list(memoryview(a).strides), a.itemsize)");
        using var array = ns.GetItem("a");
        using var buffer = array.AsNdBuffer();
        using var expected = ns.GetItem("r");
        var parts = expected.ToList<PythonObject>();
        try
        {
            Assert.Equal(parts[0].As<ulong>(), (ulong)(nuint)buffer.DangerousGetPointer());
            Assert.Equal(parts[1].ToList<long>(), buffer.Shape.ToArray().Select(v => (long)v));
            Assert.Equal(parts[2].ToList<long>(), buffer.Layout.ByteStrides.ToArray().Select(v => (long)v));
            Assert.Equal(parts[3].As<long>(), buffer.ItemSize);
            Assert.True(buffer.IsReadOnly);
            Assert.False(buffer.HasKnownExtent);
        }
        finally
        {
            PythonConvert.DisposeAll(parts);
        }
    }

    [Fact]
    public void WritableImport_WritesAreSeenByNumPy_AtTheSameElement()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\na = np.zeros((3, 4), dtype='<f8')\nv = a[::-1, 1::2]", ns);
        using var view = ns.GetItem("v");
        using (var buffer = view.AsNdBuffer(writable: true))
        {
            Assert.False(buffer.IsReadOnly);
            buffer.WriteUnaligned(2.5, 0, 1); // v[0, 1] is a[2, 3]
            buffer.WriteUnaligned(-1.0, 2, 0); // v[2, 0] is a[0, 1]
        }
        Assert.Equal(1.5, Python.Eval<double>("a.sum()", ns)); // nothing else was touched
        Assert.Equal(-1.0, Python.Eval<double>("a[0, 1]", ns));
        Assert.Equal(2.5, Python.Eval<double>("a[2, 3]", ns));
    }

    [Fact]
    public void ReadOnlyImport_OfWritableMemory_RefusesWrites()
    {
        using var array = Run("a = np.zeros(4)");
        using var buffer = array.AsNdBuffer();
        Assert.True(buffer.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => buffer.WriteUnaligned(1.0, 0));
    }

    [Theory]
    [InlineData("a = b'abc'", "A bytes object is a read-only buffer, asked writable")]
    [InlineData("a = np.arange(3.0)\na.flags.writeable = False", "A numpy.ndarray object is a read-only buffer, asked writable")]
    [InlineData("a = memoryview(bytearray(b'abc')).toreadonly()", "A memoryview object is a read-only buffer, asked writable")]
    public void WritableImport_OfReadOnlySource_IsRefused_NamingTheType(string code, string message)
    {
        using var source = Run(code);
        // The exporter's own answer to a writable request: a refusal (BufferError; NumPy raises ValueError).
        using (var ns = Namespace("import numpy as np\nimport _testbuffer\n" + code + "\ntry:\n    _testbuffer.ndarray(a, getbuf=_testbuffer.PyBUF_WRITABLE)\n    r = 'accepted'\nexcept (BufferError, ValueError):\n    r = 'refused'\n"))
            Assert.Equal("refused", Python.Eval<string>("r", ns));
        var error = Assert.Throws<ArgumentException>(() => source.AsNdBuffer(writable: true));
        Assert.Contains(message, error.Message);
        Assert.Equal("source", error.ParamName);
        using var readOnly = source.AsNdBuffer();
        Assert.True(readOnly.IsReadOnly);
    }

    [Theory]
    [InlineData("a = 5", "A int object supports neither the buffer protocol nor __array_interface__")]
    [InlineData("a = 'text'", "A str object supports neither the buffer protocol nor __array_interface__")]
    public void Import_OfObjectWithoutMemory_IsRefused(string code, string message)
    {
        using var source = Run(code);
        var error = Assert.Throws<ArgumentException>(() => source.AsNdBuffer());
        Assert.Contains(message, error.Message);
        var direct = Assert.Throws<ArgumentException>(() => NdBufferImport.FromBufferProtocol(source));
        Assert.Contains("does not support the buffer protocol", direct.Message);
    }

    [Fact]
    public void Import_OfDisposedObject_OrNull_IsRefused()
    {
        var source = Run("a = bytearray(4)");
        source.Dispose();
        Assert.Throws<ObjectDisposedException>(() => source.AsNdBuffer());
        Assert.Throws<ObjectDisposedException>(() => NdBufferImport.FromBufferProtocol(source));
        Assert.Throws<ObjectDisposedException>(() => NdBufferImport.FromArrayInterface(source));
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => ((PythonObject)null!).AsNdBuffer()).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => NdBufferImport.DangerousFromBorrowedReference(0)).ParamName);
    }

    [Fact]
    public void Import_OfObjectArray_IsRefused()
    {
        using var source = Run("a = np.array([1, 'x', None], dtype=object)");
        using (var ns = Namespace("import numpy as np\na = np.array([1, 'x', None], dtype=object)"))
            Assert.Equal("O", Python.Eval<string>("memoryview(a).format", ns));
        var error = Assert.Throws<NotSupportedException>(() => source.AsNdBuffer());
        Assert.Contains("Python object pointers", error.Message);
    }

    [Fact]
    public void CtypesStruct_WithTrailingAlignmentPadding_IsAccepted_WithThePaddingWrittenOut_AndExportsAgain()
    {
        const string code = "import ctypes as c\nclass S(c.Structure):\n    _fields_ = [('a', c.c_byte), ('b', c.c_int)]\na = (S * 3)()\na[1].a = 7\n";
        using var ns = Namespace(code);
        using var array = ns.GetItem("a");
        // ctypes 3.11 leaves the 3 bytes between a and b out of the format ("T{<b:a:<i:b:}": b at 1, 5 bytes, though
        // ctypes itself keeps b at 4), 3.13 writes them ("T{<b:a:3x<i:b:}"); neither writes the trailing padding. The
        // itemsize (8) is the truth for the size, the format for the fields: they sit where NumPy's PEP 3118 parser
        // puts them for the format this interpreter's ctypes wrote.
        Python.Exec(NumPyFacts.ImportPep3118ParserAsP + "\nparsed = P(memoryview(a).format)\n", ns);
        Assert.Equal(8L, Python.Eval<long>("memoryview(a).itemsize", ns));
        using var buffer = array.AsNdBuffer(writable: true);
        Assert.Equal(8, buffer.ItemSize);
        Assert.Equal(8, buffer.Format.ItemSize); // the padding written out
        Assert.Equal(["a", "b"], buffer.Format.Fields.Select(f => f.Name));
        Assert.Equal(Python.EvalList<long>("[parsed.fields[n][1] for n in ('a', 'b')]", ns), buffer.Format.Fields.Select(f => (long)f.ByteOffset));
        Assert.Equal([BufferFormat.Of<sbyte>(), BufferFormat.Of<int>()], buffer.Format.Fields.Select(f => f.Format));
        Assert.Equal(Python.Eval<ulong>("c.addressof(a)", ns), (ulong)(nuint)buffer.DangerousGetPointer());
        Assert.Equal((sbyte)7, *(sbyte*)buffer.DangerousGetElementPointer(1));
        // Exported again, NumPy reads it with the same item size at the same address (it refuses a format that says 5).
        using var again = buffer.ToNumPy();
        ns.SetItem("n", again);
        Assert.Equal("(8, (3,), True, 7)", Python.Eval<string>("repr((n.itemsize, n.shape, n.__array_interface__['data'][0] == c.addressof(a), int(n[1]['a'])))", ns));
    }

    [Fact]
    public void FormatContradictingItemSize_IsRefused_AsNumPyRefusesIt()
    {
        // NumPy exports this aligned view of a packed nested record in '@' mode, whose struct rules pad the inner record.
        const string code = "dt = np.dtype([('p', [('q', '<i2'), ('r', 'u1')]), ('s', '>f4')])\na = np.zeros(4, dt)[::2]\n";
        using var ns = Namespace("import numpy as np\n" + code + "m = memoryview(a)\nf, n = m.format, m.itemsize\ntry:\n    np.asarray(m)\n    numpy_says = ''\nexcept RuntimeError as e:\n    numpy_says = str(e)\n");
        Assert.Equal("T{T{h:q:B:r:}:p:>f:s:}", Python.Eval<string>("f", ns));
        Assert.Contains("does not match", Python.Eval<string>("numpy_says", ns));
        using var array = ns.GetItem("a");
        var error = Assert.Throws<ArgumentException>(() => array.AsNdBuffer());
        Assert.Contains("exports items of 7 bytes", error.Message);
        Assert.Contains("the format does not describe the items", error.Message);
    }

    [Fact]
    public void Indirect_TestBufferArray_IsImportedWithSuboffsets()
    {
        using var ns = Namespace("from _testbuffer import ndarray, ND_PIL\na = ndarray(list(range(12)), shape=[3, 4], format='i', flags=ND_PIL)\nm = memoryview(a)\n");
        using var array = ns.GetItem("a");
        using var buffer = array.AsNdBuffer();
        Assert.True(buffer.Layout.HasSuboffsets);
        Assert.Equal(Python.EvalList<long>("list(m.suboffsets)", ns), buffer.Layout.Suboffsets.ToArray().Select(v => (long)v));
        Assert.Equal(Python.Eval<long>("a[2][3]", ns), *(int*)buffer.DangerousGetElementPointer(2, 3));
        var refusal = Assert.Throws<ArgumentException>(() => array.WithReadOnlyStridedSpan<int>(_ => { }));
        Assert.Contains("indirect", refusal.Message);
    }

    [Fact]
    public void BytearrayHeldByAnImport_CannotBeResized_UntilReleased()
    {
        using var ns = Namespace("b = bytearray(b'abc')\ndef grow():\n    try:\n        b.append(1)\n        return 'grew'\n    except BufferError as e:\n        return 'BufferError: ' + str(e)\n");
        using var bytes = ns.GetItem("b");
        var buffer = bytes.AsNdBuffer(writable: true);
        Assert.StartsWith("BufferError", Python.Eval<string>("grow()", ns));
        using (var view = buffer.Slice(0, 1, null))
        {
            buffer.Dispose(); // the view still holds the export
            Assert.StartsWith("BufferError", Python.Eval<string>("grow()", ns));
        }
        Assert.Equal("grew", Python.Eval<string>("grow()", ns));
        Assert.Equal(4L, Python.Eval<long>("len(b)", ns));
    }

    private static PythonObject Namespace(string code)
    {
        var ns = Python.NewNamespace();
        Python.Exec(code, ns);
        return ns;
    }
}
