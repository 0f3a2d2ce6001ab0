namespace NdBridge.Python.Tests.Import;

/// <summary>
/// Round trips give back the same memory with the same layout, no copy: .NET → Python (export) → .NET (import), and
/// Python → .NET (import) → Python (export). Addresses and strides are compared with what NumPy reports.
/// </summary>
public sealed unsafe class RoundTripTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    public static TheoryData<string> DotNetLayouts => new()
    {
        "C 3x4 double",
        "F 3x4 double, leading dimension 5",
        "C 4x6 int32, [::-1, ::2]",
        "C 2x3x4 int16, transposed",
        "record {x: uint8, y: float64} 5 (packed)",
        "0-d double",
        "C 3x0 double",
    };

    private static NdBuffer MakeDotNet(string name)
    {
        switch (name)
        {
            case "C 3x4 double":
                return NdBuffer.FromArray(Enumerable.Range(0, 12).Select(i => i * 0.5).ToArray(), [3, 4]);
            case "F 3x4 double, leading dimension 5":
                return NdBuffer.Allocate<double>([3, 4], MemoryOrder.F, leadingDimension: 5);
            case "C 4x6 int32, [::-1, ::2]":
            {
                using var full = NdBuffer.FromArray(Enumerable.Range(0, 24).ToArray(), [4, 6]);
                using var rows = full.Slice(0, null, null, -1);
                return rows.Slice(1, null, null, 2);
            }
            case "C 2x3x4 int16, transposed":
            {
                using var full = NdBuffer.FromArray(Enumerable.Range(0, 24).Select(i => (short)i).ToArray(), [2, 3, 4]);
                return full.Transpose();
            }
            case "record {x: uint8, y: float64} 5 (packed)":
                return NdBuffer.Allocate(BufferFormat.Parse("T{<B:x:<d:y:}"), [5]);
            case "0-d double":
                return NdBuffer.FromArray(new[] { 42.0 }, ReadOnlySpan<nint>.Empty);
            default:
                return NdBuffer.Allocate<double>([3, 0]);
        }
    }

    [Theory]
    [MemberData(nameof(DotNetLayouts))]
    public void DotNet_ToNumPy_AsNdBuffer_IsTheSameMemoryWithTheSameLayout(string name)
    {
        using var original = MakeDotNet(name);
        using var array = original.ToNumPy();
        using var back = array.AsNdBuffer(writable: true);
        AssertSameView(original, back);
        using var ns = Python.NewNamespace();
        ns.SetItem("a", array);
        // NumPy's own report of the array it made agrees with both.
        if (original.Layout.IsEmpty)
            return; // NumPy gives empty arrays strides of its own
        Assert.Equal(Python.Eval<ulong>("a.__array_interface__['data'][0]", ns), (ulong)(nuint)original.DangerousGetPointer());
        Assert.Equal(Python.EvalList<long>("list(memoryview(a).strides)", ns), original.Layout.ByteStrides.ToArray().Select(v => (long)v));
    }

    [Theory]
    [MemberData(nameof(DotNetLayouts))]
    public void DotNet_ToPython_AsNdBuffer_IsTheSameMemoryWithTheSameLayout(string name)
    {
        using var original = MakeDotNet(name);
        using var exported = original.ToPython();
        using var back = exported.AsNdBuffer(writable: true);
        AssertSameView(original, back);
    }

    [Fact]
    public void DotNet_RoundTrip_WritesThroughTheImport_ReachTheOriginal_AndReadOnlyStaysReadOnly()
    {
        var values = new double[12];
        using (var original = NdBuffer.FromArray(values, [3, 4]))
        using (var array = original.ToNumPy())
        using (var back = array.AsNdBuffer(writable: true))
            back.WriteUnaligned(7.5, 2, 1);
        Assert.Equal(7.5, values[9]);

        using var readOnly = NdBuffer.FromArray(values, [3, 4], readOnly: true);
        using var readOnlyArray = readOnly.ToNumPy();
        var error = Assert.Throws<ArgumentException>(() => readOnlyArray.AsNdBuffer(writable: true));
        Assert.Contains("read-only buffer, asked writable", error.Message);
    }

    [Theory]
    [InlineData("a = np.arange(24, dtype='<f8').reshape(4, 6)")]
    [InlineData("a = np.arange(24, dtype='<f8').reshape(4, 6)[::-1, ::2]")]
    [InlineData("a = np.arange(24, dtype='>i4').reshape(2, 3, 4).transpose(2, 0, 1)")]
    [InlineData("a = np.zeros(5, dtype=[('x', 'u1'), ('y', '<f8')])")]
    [InlineData("a = np.zeros(4, dtype=np.dtype([('a', 'u1'), ('b', '<i4')], align=True))[::-1]")]
    [InlineData("a = np.broadcast_to(np.arange(3.0), (4, 3))")]
    [InlineData("a = np.asfortranarray(np.arange(12, dtype='<c16').reshape(3, 4))")]
    public void Python_AsNdBuffer_ToNumPy_IsTheSameMemoryWithTheSameLayout(string code)
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\n" + code, ns);
        using var array = ns.GetItem("a");
        var writable = Python.Eval<bool>("a.flags.writeable", ns);
        using (var imported = array.AsNdBuffer(writable))
        using (var again = imported.ToNumPy())
            ns.SetItem("b", again);
        Python.Exec("same = (b.__array_interface__['data'][0] == a.__array_interface__['data'][0], b.shape == a.shape, " +
            "memoryview(b).strides == memoryview(a).strides, b.dtype == a.dtype, b.flags.writeable == a.flags.writeable, np.shares_memory(a, b))", ns);
        Assert.Equal("(True, True, True, True, True, True)", Python.Eval<string>("repr(same)", ns));
        if (writable)
        {
            Python.Exec("b.flat[-1] = b.flat[0]\n", ns);
            Assert.True(Python.Eval<bool>("a.flat[-1] == a.flat[0]", ns));
        }
        // The .NET import in the middle keeps `a` alive for `b`: drop every other reference, then read.
        Python.Exec("import gc\ndel a\ngc.collect()\nafter = b.tobytes()\n", ns);
        Assert.True(Python.Eval<bool>("len(after) == b.nbytes", ns));
    }

    private static void AssertSameView(NdBuffer original, NdBuffer back)
    {
        Assert.Equal((nint)original.DangerousGetPointer(), (nint)back.DangerousGetPointer());
        Assert.Equal(original.Shape.ToArray(), back.Shape.ToArray());
        if (!original.Layout.IsEmpty)
            Assert.Equal(original.Layout.ByteStrides.ToArray(), back.Layout.ByteStrides.ToArray());
        Assert.Equal(original.ItemSize, back.ItemSize);
        Assert.Equal(original.Format, back.Format);
        Assert.Equal(original.IsReadOnly, back.IsReadOnly);
        Assert.True(original.ValueEquals(back));
    }
}
