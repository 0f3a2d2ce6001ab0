using NdBridge.Testing;
using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests.Export;

/// <summary>
/// <c>ToNumPy</c> and <c>__array_interface__</c> against NumPy itself: the array NumPy makes from the export is
/// the array NumPy makes from the independently built <c>_testbuffer</c> oracle of the same family (dtype,
/// shape, strides, flags), on the .NET memory (same address), through the buffer protocol (base is a memoryview).
/// </summary>
public sealed unsafe class NumPyExportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const string Helpers = FlagsMatrixTests.Helpers + """

        import numpy as np
        class Wrapper:
            def __init__(self, interface):
                self.__array_interface__ = interface
        def fields(dtype):
            return dtype.itemsize, sorted((offset, str(t)) for t, offset in dtype.fields.values() if t.kind != 'V')
        def describe(a):
            return (str(a.dtype), a.dtype.descr, a.shape, a.strides, a.flags.writeable, a.flags.c_contiguous, a.flags.f_contiguous)
        """;

    public static TheoryData<string> DirectFamilies => new(ExportFamily.All.Where(f => !f.Indirect).Select(f => f.Name));

    private static (PythonObject Ns, NdBuffer Buffer) Prepare(ExportFamily family)
    {
        var ns = Python.NewNamespace();
        Python.Exec(Helpers, ns);
        Python.Exec($"oracle = {(family.Indirect ? "" : "np.asarray")}({family.OracleExpression})\nmemory = bytes(tb.ndarray({family.ItemsLiteral}, shape=[{family.ItemCount}], format='{family.OracleFormat}'))\n", ns);
        var memory = Python.EvalList<long>("list(memory)", ns).Select(b => (byte)b).ToArray();
        return (ns, family.Create(memory));
    }

    [Theory]
    [MemberData(nameof(DirectFamilies))]
    public void ToNumPy_IsTheArrayNumPyMakesFromTheOracle_OnTheSameMemory_ThroughABufferView(string familyName)
    {
        var family = ExportFamily.All.Single(f => f.Name == familyName);
        var (ns, buffer) = Prepare(family);
        using (ns)
        using (buffer)
        {
            using var array = buffer.ToNumPy();
            ns.SetItem("a", array);
            Assert.True(Python.Eval<bool>("type(a) is np.ndarray and type(a.base) is memoryview and type(a.base.obj).__name__ == 'BufferExport'", ns));
            Assert.Equal(Python.Eval("repr(describe(oracle))", ns).As<string>(), Python.Eval("repr(describe(a))", ns).As<string>());
            if (!buffer.Layout.IsEmpty)
                Assert.Equal((long)buffer.DangerousGetPointer(), Python.Eval<long>("a.__array_interface__['data'][0]", ns));
            Assert.Equal(family.ReadAll(buffer), Python.EvalList<double>("flat(a.tolist())", ns));
        }
    }

    [Theory]
    [MemberData(nameof(DirectFamilies))]
    public void ArrayInterface_MatchesNumPysOwn_AndSharesTheMemory(string familyName)
    {
        var family = ExportFamily.All.Single(f => f.Name == familyName);
        var (ns, buffer) = Prepare(family);
        using (ns)
        using (buffer)
        {
            using var export = buffer.ToPython();
            ns.SetItem("x", export);
            Python.Exec("ours = x.__array_interface__\ntheirs = oracle.__array_interface__\nviaInterface = np.array(Wrapper(ours), copy=False)\n", ns);
            // Every key but the address (and descr's field names, which NumPy invents for unnamed fields) as NumPy's own.
            Assert.True(Python.Eval<bool>("sorted(ours) == sorted(theirs) == ['data', 'descr', 'shape', 'strides', 'typestr', 'version']", ns));
            foreach (var key in new[] { "shape", "strides", "typestr", "version" })
                Assert.Equal(Python.Eval($"repr(theirs['{key}'])", ns).As<string>(), Python.Eval($"repr(ours['{key}'])", ns).As<string>());
            if (family.Format == "b3xi")
            {
                // NumPy reads every descr entry as a field, padding ('', '|V3') included (its own padded descr does not
                // even round-trip: names collide); the real fields keep their offsets and types, the item its size.
                Assert.Equal(Python.Eval("repr(fields(oracle.dtype))", ns).As<string>(), Python.Eval("repr(fields(viaInterface.dtype))", ns).As<string>());
                Assert.Equal("ValueError", Assert.Throws<PythonException>(() => Python.Eval("np.array(Wrapper(theirs), copy=False)", ns)).PythonTypeName);
            }
            else
            {
                Assert.Equal(Python.Eval("repr(describe(oracle))", ns).As<string>(), Python.Eval("repr(describe(viaInterface))", ns).As<string>());
            }
            Assert.Equal(Python.Eval("theirs['data'][1]", ns).As<bool>(), Python.Eval("ours['data'][1]", ns).As<bool>());
            Assert.Equal((long)buffer.DangerousGetPointer(), Python.Eval<long>("ours['data'][0]", ns));
            // The array made from the interface alone is the same memory: same address, same values.
            if (!buffer.Layout.IsEmpty)
                Assert.Equal((long)buffer.DangerousGetPointer(), Python.Eval<long>("viaInterface.__array_interface__['data'][0]", ns));
            Assert.Equal(family.ReadAll(buffer), Python.EvalList<double>("flat(viaInterface.tolist())", ns));
        }
    }

    [Fact]
    public void Writes_InPython_AreSeenInDotNet_AndTheReverse()
    {
        var values = new double[12];
        using var buffer = NdBuffer.FromArray(values, [3, 4], MemoryOrder.F);
        using var ns = Python.NewNamespace();
        using var array = buffer.ToNumPy();
        ns.SetItem("a", array);
        Python.Exec("a[1, 2] = 42.5\na[:, 3] += 1\n", ns);
        Assert.Equal(42.5, buffer.ReadUnaligned<double>(1, 2));
        Assert.Equal(42.5, values[1 + 2 * 3]); // F order: the .NET array itself changed
        Assert.Equal(1.0, values[2 + 3 * 3]);
        buffer.WriteUnaligned(-7.0, 2, 0);
        values[0] = 3.25;
        Assert.Equal(-7.0, Python.Eval<double>("a[2, 0]", ns));
        Assert.Equal(3.25, Python.Eval<double>("a[0, 0]", ns));
        Assert.True(Python.Eval<bool>("a.flags.writeable and a.base.readonly == False", ns));
    }

    [Fact]
    public void ReadOnly_StaysReadOnly_OnBothSides()
    {
        var values = new double[] { 1, 2, 3, 4, 5, 6 };
        using var buffer = NdBuffer.FromArray(values, [2, 3], readOnly: true);
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\n", ns);
        using var array = buffer.ToNumPy();
        using var export = buffer.ToPython();
        ns.SetItem("a", array);
        ns.SetItem("x", export);
        Assert.False(Python.Eval<bool>("a.flags.writeable", ns));
        var write = Assert.Throws<PythonException>(() => Python.Exec("a[0, 0] = 9", ns));
        Assert.Equal("ValueError", write.PythonTypeName);
        var unlock = Assert.Throws<PythonException>(() => Python.Exec("a.flags.writeable = True", ns));
        Assert.Equal("ValueError", unlock.PythonTypeName);
        Assert.True(Python.Eval<bool>("memoryview(x).readonly and x.readonly", ns));
        var writable = Assert.Throws<PythonException>(() => Python.Exec("import _testbuffer as tb\ntb.ndarray(x, getbuf=tb.PyBUF_WRITABLE)", ns));
        Assert.Equal("BufferError", writable.PythonTypeName);
        Assert.Throws<InvalidOperationException>(() => buffer.WriteUnaligned(9.0, 0, 0));
        Assert.Equal(1.0, values[0]);
    }

    [Fact]
    public void Attributes_AreMemoryviewsOfTheOracle_AndReprNamesShapeAndFormat()
    {
        var family = ExportFamily.All.Single(f => f.Name.StartsWith("negative and skipping", StringComparison.Ordinal));
        var (ns, buffer) = Prepare(family);
        using (ns)
        using (buffer)
        {
            using var export = buffer.ToPython();
            ns.SetItem("x", export);
            Python.Exec($"m = memoryview({family.OracleExpression})\n", ns);
            foreach (var name in new[] { "shape", "strides", "suboffsets", "format", "readonly", "nbytes", "ndim", "itemsize" })
                Assert.Equal(Python.Eval($"repr(m.{name})", ns).As<string>(), Python.Eval($"repr(x.{name})", ns).As<string>());
            var repr = export.Repr();
            Assert.StartsWith("ndbridge.BufferExport(shape=(2, 3), strides=(-24, 4), format='h'", repr, StringComparison.Ordinal);
            Assert.Contains($"data=0x{(nint)buffer.DangerousGetPointer():x}", repr, StringComparison.Ordinal);
            var set = Assert.Throws<PythonException>(() => Python.Exec("x.shape = (6,)", ns));
            Assert.Equal("AttributeError", set.PythonTypeName);
        }
    }

    [Fact]
    public void Type_IsMadeOnce_WithTheHandleSlotAfterTheObjectHeader_AndCannotBeInstantiatedOrSubclassed()
    {
        using var ns = Python.NewNamespace(); // the fixture's interpreter first: this test may be the first to run
        using var buffer = NdBuffer.FromArray(new int[] { 1, 2, 3 });
        using var first = buffer.ToPython();
        using var second = buffer.ToPython();
        ns.SetItem("x", first);
        ns.SetItem("y", second);
        Python.Exec("import ctypes, sys\nT = type(x)\n", ns);
        Assert.True(Python.Eval<bool>("type(y) is T", ns));
        Assert.Equal("ndbridge.BufferExport", Python.Eval<string>("T.__module__ + '.' + T.__qualname__", ns));
        // The slot is one pointer after the header: placed by PyObject_GetTypeData where the running CPython has it
        // (3.12+), else right after object.__basicsize__ (sizeof(PyObject), part of the stable ABI).
        Assert.Equal(Python.Eval<bool>("sys.version_info >= (3, 12)", ns), BufferExportType.UsesTypeData);
        Assert.Equal(Python.Eval<long>("T.__basicsize__", ns), (long)BufferExportType.InstanceByteSize);
        Assert.InRange((long)BufferExportType.SlotByteOffset, Python.Eval<long>("object.__basicsize__", ns), Python.Eval<long>("T.__basicsize__ - ctypes.sizeof(ctypes.c_void_p)", ns));
        if (!BufferExportType.UsesTypeData)
            Assert.Equal(Python.Eval<long>("object.__basicsize__", ns), (long)BufferExportType.SlotByteOffset);
        Assert.Equal("TypeError", Assert.Throws<PythonException>(() => Python.Exec("T()", ns)).PythonTypeName);
        Assert.Equal("TypeError", Assert.Throws<PythonException>(() => Python.Exec("class Sub(T): pass", ns)).PythonTypeName);
        // Each instance's slot leads to its own state.
        using (PythonGil.Acquire())
        {
            var a = BufferExportType.StateOf(first.DangerousGetBorrowedReference());
            var b = BufferExportType.StateOf(second.DangerousGetBorrowedReference());
            Assert.NotNull(a);
            Assert.NotNull(b);
            Assert.NotSame(a, b);
            Assert.Equal((nint)buffer.DangerousGetPointer(), (nint)a.Origin);
            Assert.Same(buffer.Owner, a.Owner);
        }
        // __sizeof__ (the method table's entry): basicsize + the native shape/strides/suboffsets/format block.
        Assert.Equal(Python.Eval<long>("T.__basicsize__", ns) + 3 * 8 + "i".Length + 1, Python.Eval<long>("x.__sizeof__()", ns));
    }

    [Fact]
    public void ToNumPy_RefusesSuboffsets_NamingTheCopy_AsNumPyRefusesThem()
    {
        var family = ExportFamily.All.Single(f => f.Indirect);
        var (ns, buffer) = Prepare(family);
        using (ns)
        using (buffer)
        {
            var refusal = Assert.Throws<ArgumentException>(() => buffer.ToNumPy());
            Assert.Equal("buffer", refusal.ParamName);
            Assert.Contains("suboffsets", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("ToContiguous()", refusal.Message, StringComparison.Ordinal);
            // The way the message names works: the contiguous copy goes to NumPy.
            using (var copy = buffer.ToContiguous())
            using (var copied = copy.ToNumPy())
            {
                ns.SetItem("c", copied);
                Assert.Equal(family.ReadAll(buffer), Python.EvalList<double>("flat(c.tolist())", ns));
            }
            // NumPy refuses suboffsets itself, from the export as from CPython's own indirect exporter.
            using var export = buffer.ToPython();
            ns.SetItem("x", export);
            Assert.Equal("BufferError", Assert.Throws<PythonException>(() => Python.Eval("np.asarray(x)", ns)).PythonTypeName);
            Assert.Equal("BufferError", Assert.Throws<PythonException>(() => Python.Eval($"np.asarray({family.OracleExpression})", ns)).PythonTypeName);
            Assert.Equal("AttributeError", Assert.Throws<PythonException>(() => Python.Eval("x.__array_interface__", ns)).PythonTypeName);
            // The buffer protocol path still serves it, suboffsets included.
            Assert.Equal(family.ReadAll(buffer), Python.EvalList<double>("flat(tb.ndarray(x).tolist())", ns));
        }
    }

    [Fact]
    public void ToNumPy_RefusesMoreDimensionsThanTheRunningNumPyAllows()
    {
        // NumPy's limit (32 in 1.x, 64 in 2.x), found by asking NumPy for arrays of more dimensions until it refuses.
        var limit = NumPyFacts.MaxDimensions;
        Assert.Equal("ValueError", Assert.Throws<PythonException>(() => Python.Eval($"__import__('numpy').empty((1,) * {limit + 1})")).PythonTypeName);
        if (limit < StridedLayout.MaxRank)
        {
            nint[] shape = [.. Enumerable.Repeat((nint)1, limit + 1)];
            using var buffer = NdBuffer.FromArray(new double[1], shape);
            var refusal = Assert.Throws<ArgumentException>(() => buffer.ToNumPy());
            Assert.Equal("buffer", refusal.ParamName);
            Assert.Contains($"at most {limit} dimensions", refusal.Message, StringComparison.Ordinal);
            Assert.Contains($"{limit + 1}", refusal.Message, StringComparison.Ordinal);
        }
        nint[] most = [.. Enumerable.Repeat((nint)1, Math.Min(limit, StridedLayout.MaxRank))];
        using var atLimit = NdBuffer.FromArray(new double[1], most);
        using var array = atLimit.ToNumPy();
        Assert.Equal(most.Length, array.GetAttr<long>("ndim"));
    }

    [Fact]
    public void PointerItems_ExportToMemoryview_ButNotToNumPy()
    {
        using var buffer = NdBuffer.FromArray(new nint[] { 1, 2, 3 }, BufferFormat.Parse("P"), StridedLayout.CreateContiguous([3], sizeof(nint)), 0);
        var refusal = Assert.Throws<ArgumentException>(() => buffer.ToNumPy());
        Assert.Contains("'P'", refusal.Message, StringComparison.Ordinal);
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\n", ns);
        Assert.Equal("ValueError", Assert.Throws<PythonException>(() => Python.Eval("np.asarray(memoryview(bytes(24)).cast('P'))", ns)).PythonTypeName);
        using var export = buffer.ToPython();
        ns.SetItem("x", export);
        Assert.Equal([1L, 2L, 3L], Python.EvalList<long>("memoryview(x).tolist()", ns));
        Assert.Equal("RuntimeError", Assert.Throws<PythonException>(() => Python.Eval("x.__array_interface__", ns)).PythonTypeName);
    }

    [Fact]
    public void ObjectItems_AreRefused_ByBothExports()
    {
        var memory = (nint*)NativeMemory.AllocZeroed(16);
        try
        {
            using var buffer = NdBuffer.CreateTrusted(new TestOwner(), memory, BufferFormat.Parse("O"), StridedLayout.CreateContiguous([2], 8), readOnly: false);
            foreach (var export in new Func<PythonObject>[] { buffer.ToPython, buffer.ToNumPy })
            {
                var refusal = Assert.Throws<ArgumentException>(() => export());
                Assert.Equal("buffer", refusal.ParamName);
                Assert.Contains("(O)", refusal.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            NativeMemory.Free(memory);
        }
    }

    [Fact]
    public void DisposedBuffers_AreRefused()
    {
        var buffer = NdBuffer.FromArray(new float[4]);
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.ToPython());
        Assert.Throws<ObjectDisposedException>(() => buffer.ToNumPy());
        Assert.Throws<ArgumentNullException>(() => ((NdBuffer)null!).ToNumPy());
    }

    private sealed class TestOwner : NdMemoryOwner
    {
        protected override void ReleaseMemory(bool onFinalizerThread)
        {
        }
    }
}
