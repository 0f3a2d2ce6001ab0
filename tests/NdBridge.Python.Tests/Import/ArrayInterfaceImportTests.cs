namespace NdBridge.Python.Tests.Import;

/// <summary><c>__array_interface__</c> import against NumPy's reading of the same interface (<c>np.asarray</c>).</summary>
public sealed unsafe class ArrayInterfaceImportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    // An object that offers only __array_interface__ (no buffer protocol), as NumPy reads it.
    private const string Prelude = """
        import numpy as np, gc, weakref
        class Interface:
            def __init__(self, interface, keep=None):
                self.__array_interface__ = interface
                self.keep = keep
        # Classes that only borrow a builtin's name: the type checks must see through them.
        FakeStr, FakeTuple, FakeDict, FakeInt = (type(n, (), {}) for n in ('str', 'tuple', 'dict', 'int'))
        def numpy_reading(h):
            x = np.asarray(h)
            assert type(x.base) is not memoryview  # NumPy took the interface, not a buffer
            return (x.__array_interface__['data'][0], list(x.shape), list(x.strides), x.tobytes().hex(), x.flags.writeable)
        """;

    private static PythonObject Namespace(string code)
    {
        var ns = Python.NewNamespace();
        Python.Exec(Prelude + "\n" + code, ns);
        return ns;
    }

    [Theory]
    [InlineData("a = np.arange(12, dtype='<f8').reshape(3, 4)")]
    [InlineData("a = np.arange(24, dtype='>i4').reshape(4, 6)[::-1, ::2]")]
    [InlineData("a = np.zeros(5, dtype=[('x', 'u1'), ('y', '<f8', (2,)), ('z', [('p', '>i2')])]); a['y'] = 1.5; a['z']['p'] = 7")]
    [InlineData("a = np.arange(6, dtype='<u2'); a.flags.writeable = False")]
    [InlineData("a = np.zeros((2, 0), dtype='<c8')")]
    public void AddressInterface_IsViewedInPlace_AsNumPyReadsIt(string code)
    {
        using var ns = Namespace(code + "\nh = Interface(a.__array_interface__, keep=a)\nr = numpy_reading(h)\n");
        using var holder = ns.GetItem("h");
        using var buffer = holder.AsNdBuffer();
        AssertSameAsNumPy(buffer, ns);
    }

    [Fact]
    public void BufferDataWithOffset_IsViewedInPlace_AndWritesReachTheBuffer()
    {
        using var ns = Namespace("""
            data = bytearray(range(32))
            h = Interface({'version': 3, 'shape': (2, 3), 'typestr': '<i4', 'data': data, 'offset': 4, 'strides': (12, 4)})
            r = numpy_reading(h)
            """);
        using var holder = ns.GetItem("h");
        using (var buffer = NdBufferImport.FromArrayInterface(holder, writable: true))
        {
            AssertSameAsNumPy(buffer, ns);
            Assert.Equal(Python.Eval<ulong>("np.frombuffer(data, 'u1').__array_interface__['data'][0] + 4", ns), (ulong)(nuint)buffer.DangerousGetPointer());
            buffer.WriteUnaligned(-1, 1, 2);
            Assert.StartsWith("BufferError", Resize(ns)); // the import holds the bytearray's buffer
        }
        Assert.Equal(-1L, Python.Eval<long>("int.from_bytes(data[4 + 20:4 + 24], 'little', signed=True)", ns));
        Assert.Equal("grew", Resize(ns));
    }

    private static string Resize(PythonObject ns)
    {
        Python.Exec("try:\n    data.append(0)\n    resized = 'grew'\nexcept BufferError as e:\n    resized = 'BufferError: ' + str(e)\n", ns);
        return Python.Eval<string>("resized", ns);
    }

    [Fact]
    public void PilImage_IsImportedFromItsInterface_HoldingTheBytesCopy_NotZeroCopy()
    {
        using var ns = Namespace("""
            from PIL import Image
            im = Image.new('RGB', (4, 3), (10, 20, 30))
            im.putpixel((1, 2), (200, 100, 50))
            assert not hasattr(type(im), '__buffer__') and type(im.__array_interface__['data']) is bytes
            r = numpy_reading(im)
            """);
        using var image = ns.GetItem("im");
        Assert.False(Python.Eval<bool>("im.__array_interface__['data'] is im.__array_interface__['data']", ns)); // a fresh copy each time
        using var buffer = image.AsNdBuffer();
        AssertSameAsNumPy(buffer, ns, sameAddress: false);
        Assert.Equal((byte)200, *(byte*)buffer.DangerousGetElementPointer(2, 1, 0));
        // The import holds its own copy: it outlives collections, and later changes to the image do not reach it.
        Python.Exec("im.putpixel((1, 2), (1, 2, 3))\ngc.collect()\njunk = [bytes(36) for _ in range(1000)]\n", ns);
        Assert.Equal((byte)200, *(byte*)buffer.DangerousGetElementPointer(2, 1, 0));
        var refusal = Assert.Throws<ArgumentException>(() => image.AsNdBuffer(writable: true));
        Assert.Contains("PIL.Image.Image", refusal.Message);
        Assert.Contains("read-only buffer, asked writable", refusal.Message);
    }

    [Fact]
    public void AddressInterface_KeepsTheObjectAlive_UntilReleased()
    {
        using var ns = Namespace("a = np.arange(8.0)\nh = Interface(a.__array_interface__, keep=a)\nalive = weakref.ref(a)\n");
        var holder = ns.GetItem("h");
        var buffer = holder.AsNdBuffer();
        holder.Dispose();
        Python.Exec("del h, a\ngc.collect()\n", ns);
        Assert.True(Python.Eval<bool>("alive() is not None", ns));
        Assert.Equal(7.0, buffer.ReadUnaligned<double>(7));
        buffer.Dispose();
        Python.Exec("gc.collect()\n", ns);
        Assert.True(Python.Eval<bool>("alive() is None", ns));
    }

    [Fact]
    public void Interface_IsReadOnce_PerImport()
    {
        // PIL builds the interface (a copy of every pixel) at each access: the import must not ask twice.
        using var ns = Namespace("""
            class Counted:
                reads = 0
                def __init__(self):
                    self.a = np.arange(4.0)
                @property
                def __array_interface__(self):
                    Counted.reads += 1
                    return self.a.__array_interface__
            h = Counted()
            """);
        using var holder = ns.GetItem("h");
        using (holder.AsNdBuffer())
            Assert.Equal(1L, Python.Eval<long>("Counted.reads", ns));
        using var plain = Python.Eval("object()");
        var missing = Assert.Throws<ArgumentException>(() => NdBufferImport.FromArrayInterface(plain));
        Assert.Contains("is missing (no __array_interface__ attribute)", missing.Message);
    }

    [Fact]
    public void WritableImport_OfReadOnlyAddress_IsRefused()
    {
        using var ns = Namespace("a = np.arange(3.0)\na.flags.writeable = False\nh = Interface(a.__array_interface__, keep=a)\n");
        using var holder = ns.GetItem("h");
        Assert.True(Python.Eval<bool>("h.__array_interface__['data'][1]", ns));
        var error = Assert.Throws<ArgumentException>(() => holder.AsNdBuffer(writable: true));
        Assert.Contains("read-only buffer, asked writable", error.Message);
    }

    [Theory]
    [InlineData("{'version': 3, 'shape': (2,)}", "lacks 'shape' or 'typestr'")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (0, False)}", "NULL data address")]
    [InlineData("{'version': 3, 'shape': (2, 2), 'typestr': '<f8', 'strides': (8,), 'data': (a.__array_interface__['data'][0], False)}", "has 1 strides for 2 dimensions")]
    [InlineData("{'version': 3, 'shape': (4,), 'typestr': '<i4', 'data': bytearray(8), 'offset': 0}", "reaches outside its data (8 bytes)")]
    [InlineData("{'version': 3, 'shape': (1,), 'typestr': '<i4', 'data': bytearray(8), 'offset': 6}", "reaches outside its data (8 bytes)")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '|V8', 'descr': [('x', '<f4')], 'data': (a.__array_interface__['data'][0], False)}", "has a descr of 4 bytes")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<q8', 'data': (a.__array_interface__['data'][0], False)}", "unreadable typestr")]
    [InlineData("{'version': 3, 'shape': [2], 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "'shape' of type list, not a tuple")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': 'text'}", "neither an (address, readonly) tuple nor a buffer")]
    [InlineData("{'version': 3, 'shape': (2**63,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "'shape' outside -2**63 to 2**63-1")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'strides': (2**63,), 'data': (a.__array_interface__['data'][0], False)}", "'strides' outside -2**63 to 2**63-1")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': bytearray(16), 'offset': 2**63}", "'offset' outside -2**63 to 2**63-1")]
    [InlineData("{'version': 2**63, 'shape': (2,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "'version' outside -2**63 to 2**63-1")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (2**64, False)}", "'data address' outside -2**63 to 2**63-1")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (-8, False)}", "negative data address (-8)")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False), 1: 2}", "has a key of type int; its keys are str")]
    [InlineData("{'version': 3, 'shape': (1,), 'typestr': '|V8', 'descr': [(('t',), '<f8')], 'data': (a.__array_interface__['data'][0], False)}", "has a descr name ('t',) of type tuple")]
    [InlineData("{'version': 3, 'shape': (1,), 'typestr': '|V8', 'descr': [('x', '<f8')], 'data': (a.__array_interface__['data'][0], False), '\\ud800': 1}", "has a key that is not valid text (UnicodeEncodeError")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8\\ud800', 'data': (a.__array_interface__['data'][0], False)}", "has a typestr that is not valid text (UnicodeEncodeError")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': FakeStr(), 'data': (a.__array_interface__['data'][0], False)}", "has a 'typestr' of type __main__.str, not str")]
    [InlineData("{'version': 3, 'shape': FakeTuple(), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "has a 'shape' of type __main__.tuple, not a tuple")]
    [InlineData("{'version': 3, 'shape': (FakeInt(),), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "has a 'shape' of type __main__.int, not int")]
    [InlineData("FakeDict()", "is a __main__.dict, not a dict")]
    [InlineData("[('shape', (2,))]", "is a list, not a dict")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'strides': [8], 'data': (a.__array_interface__['data'][0], False)}", "'strides' of type list, not a tuple")]
    [InlineData("{'version': 3, 'shape': (1,), 'typestr': '|V8', 'descr': (('x', '<f8'),), 'data': (a.__array_interface__['data'][0], False)}", "has a descr of type tuple, not a list")]
    [InlineData("{'version': 3, 'shape': (1,), 'typestr': '|V8', 'descr': [['x', '<f8']], 'data': (a.__array_interface__['data'][0], False)}", "has a descr entry of type list, not a tuple")]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0],)}", "has a data tuple of 1 items")]
    public void MalformedInterface_IsRefused_NamingTheProblem_AndLeaksNothing(string interfaceCode, string message)
    {
        using var ns = Namespace($"a = np.zeros(4)\nh = Interface({interfaceCode}, keep=a)\n");
        using var holder = ns.GetItem("h");
        long baseline;
        using (PythonGil.Acquire())
            baseline = RawPython.RefCount(holder.DangerousGetBorrowedReference());
        var error = Assert.Throws<ArgumentException>(() => holder.AsNdBuffer());
        Assert.Contains(message, error.Message);
        Assert.Contains("Interface", error.Message);
        using (PythonGil.Acquire())
            Assert.Equal(baseline, RawPython.RefCount(holder.DangerousGetBorrowedReference()));
    }

    [Theory]
    [InlineData("{'version': 3, 'shape': (2,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False), 'mask': a}", "has a mask")]
    [InlineData("{'version': 2, 'shape': (2,), 'typestr': '<f8', 'data': (a.__array_interface__['data'][0], False)}", "has version 2")]
    public void UnsupportedInterface_IsRefused(string interfaceCode, string message)
    {
        using var ns = Namespace($"a = np.zeros(4)\nh = Interface({interfaceCode}, keep=a)\n");
        using var holder = ns.GetItem("h");
        var error = Assert.Throws<NotSupportedException>(() => holder.AsNdBuffer());
        Assert.Contains(message, error.Message);
    }

    // r = (address, shape, strides, C-order bytes hex, writeable) as NumPy read the same interface.
    private static void AssertSameAsNumPy(NdBuffer buffer, PythonObject ns, bool sameAddress = true)
    {
        using var reading = ns.GetItem("r");
        var parts = reading.ToList<PythonObject>();
        try
        {
            if (sameAddress && !buffer.Layout.IsEmpty)
                Assert.Equal(parts[0].As<ulong>(), (ulong)(nuint)buffer.DangerousGetPointer());
            Assert.Equal(parts[1].ToList<long>(), buffer.Shape.ToArray().Select(v => (long)v));
            if (!buffer.Layout.IsEmpty)
                Assert.Equal(parts[2].ToList<long>(), buffer.Layout.ByteStrides.ToArray().Select(v => (long)v));
            Assert.Equal(parts[3].As<string>(), Convert.ToHexStringLower(ImportOracleTests.ContiguousBytes(buffer, MemoryOrder.C)));
            Assert.Equal(parts[3].As<string>(), Convert.ToHexStringLower(buffer.ToByteArray(MemoryOrder.C)));
        }
        finally
        {
            PythonConvert.DisposeAll(parts);
        }
    }
}
