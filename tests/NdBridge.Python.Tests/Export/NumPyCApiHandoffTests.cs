using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests.Export;

/// <summary>
/// <c>ToNumPy</c> through NumPy's C API (<c>PyArray_NewFromDescr</c> over the export) against the path it replaces,
/// <c>numpy.asarray(export)</c> (NumPy's own buffer import, kept for unserved C API versions): the same array in every
/// observable respect (dtype, shape, strides, every flag, address, values), with the export as base instead of a
/// <c>memoryview</c> of it.
/// </summary>
public sealed unsafe class NumPyCApiHandoffTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const string Helpers = FlagsMatrixTests.Helpers + """

        import numpy as np
        FLAGS = ('C_CONTIGUOUS', 'F_CONTIGUOUS', 'OWNDATA', 'WRITEABLE', 'ALIGNED', 'WRITEBACKIFCOPY')
        def describe(a):
            d = a.dtype
            return (type(a), str(d), d.descr, d.char, d.num, d.str, d.byteorder, d.itemsize, d.alignment, d.names,
                    d.isalignedstruct, d.subdtype, a.shape, a.strides, a.ndim, a.nbytes, tuple(a.flags[f] for f in FLAGS),
                    a.__array_interface__['data'], repr(a.tolist()), a.tobytes())
        """;

    public static TheoryData<string> DirectFamilies => new(ExportFamily.All.Where(f => !f.Indirect).Select(f => f.Name));

    /// <summary>Formats whose dtypes NumPy tells apart although NdBridge treats some as one type (l/q), records, sub-arrays, byte orders.</summary>
    public static TheoryData<string> Formats => new(
        "l", "q", "L", "Q", "i", "I", "h", "H", "b", "B", "?", "e", "f", "d", "Zf", "Zd", "<d", ">d", "=i", "<q", ">H",
        "4s", "(2,3)h", "T{<b:a:3x<i:b:}", "T{d:x:d:y:}", "T{<H:k:(2)f:v:}");

    private static PythonObject Namespace()
    {
        var ns = Python.NewNamespace();
        Python.Exec(Helpers, ns);
        return ns;
    }

    private static void AssertSameArray(NdBuffer buffer, PythonObject ns)
    {
        using var viaCApi = buffer.ToNumPy();
        using var viaAsarray = NdBufferPythonExtensions.ToNumPyThrough(buffer, api: null);
        ns.SetItem("c", viaCApi);
        ns.SetItem("o", viaAsarray);
        Assert.True(Python.Eval<bool>("type(o.base) is memoryview and type(o.base.obj).__name__ == 'BufferExport'", ns));
        Assert.True(Python.Eval<bool>("type(c.base).__name__ == 'BufferExport' and c.base is not o.base.obj", ns));
        Assert.Equal(Python.Eval("repr(describe(o))", ns).As<string>(), Python.Eval("repr(describe(c))", ns).As<string>());
        Python.Exec("del c, o\n", ns);
    }

    [Theory]
    [MemberData(nameof(DirectFamilies))]
    public void CApiHandoff_EqualsTheAsarrayPath_ForEveryExportFamily(string familyName)
    {
        var family = ExportFamily.All.Single(f => f.Name == familyName);
        using var ns = Namespace();
        Python.Exec($"memory = bytes(tb.ndarray({family.ItemsLiteral}, shape=[{family.ItemCount}], format='{family.OracleFormat}'))\n", ns);
        var memory = Python.EvalList<long>("list(memory)", ns).Select(b => (byte)b).ToArray();
        using var buffer = family.Create(memory);
        AssertSameArray(buffer, ns);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void CApiHandoff_EqualsTheAsarrayPath_ForEachFormat_OnEveryLayoutOfIt(string format)
    {
        using var ns = Namespace();
        using var whole = NdBuffer.Allocate(BufferFormat.Parse(format), [4, 6]);
        var bytes = new Span<byte>(whole.DangerousGetPointer(), checked((int)whole.Layout.ByteLength));
        new Random(14).NextBytes(bytes);
        for (var k = 0; k < bytes.Length; k++)
        {
            if ((bytes[k] & 0x7c) == 0x7c)
                bytes[k] &= 0x3f; // no NaN or infinity in any float's exponent: tolist() values compare by repr
        }
        AssertSameArray(whole, ns);
        using var transposed = whole.Transpose();
        AssertSameArray(transposed, ns);
        using var reversed = whole.Slice(1, null, null, -2);
        AssertSameArray(reversed, ns);
    }

    [Fact]
    public void RunningNumPy_IsServed_AndItsTableReportsThePythonSideAbiVersion()
    {
        using var ns = Namespace();
        using var array = NdBuffer.Allocate<double>([1]).ToNumPy(); // loads NumPy
        var api = NumPyModule.Api;
        Assert.NotNull(api);
        Python.Exec("""
            try:
                import numpy._core._multiarray_umath as mu
            except ImportError:
                import numpy.core._multiarray_umath as mu
            """, ns);
        Assert.Equal(Python.Eval<long>("mu._get_ndarray_c_version()", ns), (long)api.AbiVersion);
        Assert.Contains((api.AbiVersion, api.FeatureVersion), NumPyArrayApi.Serves);
        Assert.Equal(Python.Eval<long>("id(np.ndarray)", ns), (long)api.PyArray_Type);
    }

    [Fact]
    public void UnknownTableVersion_GetsNoApi_AndTheHandoffFallsBackToAsarray()
    {
        using var ns = Namespace();
        using var buffer = NdBuffer.FromArray(new[] { 1.5, 2.5, 3.5, 4.5, 5.5, 6.5 }, [2, 3]);
        using (buffer.ToNumPy())
        {
        }
        var table = NumPyModule.Table;
        var (abi, feature) = NumPyArrayApi.ReadVersions(table);
        Assert.NotNull(NumPyArrayApi.TryBind(table, abi, feature));
        Assert.Null(NumPyArrayApi.TryBind(table, abi, feature + 1)); // a newer NumPy of the same ABI
        Assert.Null(NumPyArrayApi.TryBind(table, abi + 1, feature));
        Assert.Null(NumPyArrayApi.TryBind(table, 0x01000009, 0x13)); // served pairs only, not their cross product
        using var faked = NdBufferPythonExtensions.ToNumPyThrough(buffer, NumPyArrayApi.TryBind(table, abi, feature + 1));
        using var real = buffer.ToNumPy();
        ns.SetItem("f", faked);
        ns.SetItem("r", real);
        Assert.True(Python.Eval<bool>("type(f.base) is memoryview and type(r.base).__name__ == 'BufferExport'", ns));
        Assert.Equal(Python.Eval("repr(describe(r))", ns).As<string>(), Python.Eval("repr(describe(f))", ns).As<string>());
        Python.Exec("del f, r\n", ns);
    }

    [Fact]
    public void RecordDType_RenamedOnOneArray_LeavesTheNextHandoffsDTypeAlone()
    {
        using var ns = Namespace();
        using var buffer = NdBuffer.Allocate(BufferFormat.Parse("T{<b:a:3x<i:b:}"), [3]);
        using var first = buffer.ToNumPy();
        ns.SetItem("a", first);
        Python.Exec("a.dtype.names = ('x', 'y')\n", ns);
        using var second = buffer.ToNumPy();
        ns.SetItem("b", second);
        Assert.Equal("('x', 'y') ('a', 'b')", Python.Eval("f'{a.dtype.names} {b.dtype.names}'", ns).As<string>());
        Python.Exec("del a, b\n", ns);
    }

    [Fact]
    public void CApiArray_HoldsTheMemory_UntilItAndItsViewsDie_ThenItIsFreedOnce()
    {
        using var ns = Namespace();
        var frees = 0;
        var block = (double*)NativeMemory.Alloc(6 * sizeof(double));
        for (var k = 0; k < 6; k++)
            block[k] = k;
        var buffer = NdBuffer.FromPointer(block, 6 * sizeof(double), BufferFormat.Of<double>(),
            new StridedLayout([2, 3], [24, 8], sizeof(double)), 0, false, start => { NativeMemory.Free((void*)start); frees++; });
        var array = buffer.ToNumPy();
        buffer.Dispose();
        ns.SetItem("a", array);
        array.Dispose();
        Python.Exec("v = a[:, 1]\ndel a\n", ns);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Python.DrainReleaseQueue();
        Assert.Equal(0, frees);
        Assert.Equal([1.0, 4.0], Python.EvalList<double>("v.tolist()", ns));
        Python.Exec("del v\n", ns);
        Python.DrainReleaseQueue();
        Assert.Equal(1, frees);
    }
}
