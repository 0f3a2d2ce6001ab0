using NdBridge.Testing;
namespace NdBridge.Python.Tests.Import;

/// <summary>
/// Records whose struct size and NumPy size differ (native-mode formats without trailing padding), both ways: the
/// exporter's itemsize is the truth on import, and what NdBridge exports has a format NumPy sizes as the item.
/// </summary>
public sealed unsafe class RecordItemSizeTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    // NumPy exports a view with at most one element per dimension in native mode, without the trailing padding its
    // own parser would add (both NumPy 1.24 and 2.2): whatever it sends, the memoryview of it is the oracle.
    [Theory]
    [InlineData("np.zeros(2, [('a', '<i4'), ('b', 'u1')])[:1]")]
    [InlineData("np.zeros((), [('a', '<i4'), ('b', 'u1')])")]
    [InlineData("np.zeros((1, 1), [('a', '<i4'), ('b', 'u1')])")]
    public void OneElementRecordView_IsImportedWithTheExportersItemSize(string array)
    {
        using var ns = Python.NewNamespace();
        Python.Exec($"import numpy as np\na = {array}\na['a'] = -7\na['b'] = 200\nm = memoryview(a)\nsent = m.format\n", ns);
        using var source = ns.GetItem("a");
        using var buffer = source.AsNdBuffer();
        Assert.Equal(Python.Eval<long>("m.itemsize", ns), buffer.ItemSize);
        Assert.Equal(Python.Eval<long>("m.itemsize", ns), buffer.Format.ItemSize);
        Assert.Equal(Python.EvalList<long>("list(m.shape)", ns), buffer.Shape.ToArray().Select(v => (long)v));
        Assert.Equal(Python.EvalList<string>("list(a.dtype.names)", ns), buffer.Format.Fields.Select(f => f.Name!));
        Assert.Equal(Python.EvalList<long>("[a.dtype.fields[n][1] for n in a.dtype.names]", ns), buffer.Format.Fields.Select(f => (long)f.ByteOffset));
        Assert.Equal(Python.Eval<string>("m.tobytes().hex()", ns), Convert.ToHexStringLower(buffer.ToByteArray()));
        Assert.Equal(-7, buffer.Field("a").ReadUnaligned<int>(new nint[buffer.Rank]));
        Assert.Equal((byte)200, buffer.Field("b").ReadUnaligned<byte>(new nint[buffer.Rank]));
    }

    [Fact]
    public void ContradictingItemSize_ErrorQuotesTheFormatTheExporterSent()
    {
        // An aligned view of a packed nested record: NumPy writes '@' mode, whose rules put 's' at 4, in items of 7 bytes.
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\na = np.zeros(4, [('p', [('q', '<i2'), ('r', 'u1')]), ('s', '>f4')])[::2]\nsent = memoryview(a).format\n", ns);
        using var source = ns.GetItem("a");
        var error = Assert.Throws<ArgumentException>(() => source.AsNdBuffer());
        Assert.Equal("source", error.ParamName);
        Assert.Contains($"format '{Python.Eval<string>("sent", ns)}'", error.Message);
        Assert.Contains("exports items of 7 bytes", error.Message);
    }

    // A record whose struct size (no trailing padding) is the item size: NumPy's parser would size the same text larger.
    [Theory]
    [InlineData("qb")]
    [InlineData("ib")]
    [InlineData("dhb")]
    [InlineData("d(2)T{i:y:b:z:}b")]
    public void Record_WhoseStructSizeIsTheItemSize_GoesToNumPy_WithNumPysSizeAndOffsets(string formatText)
    {
        var format = BufferFormat.Parse(formatText);
        Assert.NotEqual(format.ItemSize, format.NumPyItemSize);
        using var ns = Python.NewNamespace();
        using var buffer = NdBuffer.Allocate(format, [3]);
        Assert.Equal(format.ItemSize, buffer.ItemSize);
        var bytes = new byte[buffer.ByteLength];
        for (var k = 0; k < bytes.Length; k++)
            bytes[k] = (byte)(k * 37 + 11);
        buffer.CopyFrom(bytes);
        using var array = buffer.ToNumPy();
        ns.SetItem("n", array);
        Python.Exec("import numpy as np\nm = memoryview(n)\n", ns);
        Assert.Equal(buffer.ItemSize, Python.Eval<long>("n.dtype.itemsize", ns));
        Assert.Equal(buffer.ItemSize, Python.Eval<long>("m.itemsize", ns));
        Assert.Equal((ulong)(nuint)buffer.DangerousGetPointer(), Python.Eval<ulong>("n.__array_interface__['data'][0]", ns));
        Assert.Equal(Convert.ToHexStringLower(bytes), Python.Eval<string>("n.tobytes().hex()", ns));
        // The fields sit where NdBridge has them, by NumPy's own reading of the exported format.
        Assert.Equal(format.Fields.Select(f => (long)f.ByteOffset), Python.EvalList<long>("[n.dtype.fields[k][1] for k in n.dtype.names]", ns));
        Assert.Equal(format.Fields.Select(f => (long)f.Format.NumPyItemSize), Python.EvalList<long>("[n.dtype.fields[k][0].itemsize for k in n.dtype.names]", ns));
    }

    [Theory]
    [InlineData("qb", 9)]
    [InlineData("ib", 5)]
    [InlineData("T{i:a:B:b:}", 5)]
    [InlineData("T{i:a:B:b:}", 6)]
    [InlineData("T{b:a:}", 4)]
    public void WithItemSize_GivesText_StructAndNumPySizeAsTheItem_WithTheFieldsInPlace(string formatText, long itemSize)
    {
        var format = BufferFormat.Parse(formatText);
        var resized = format.WithItemSize((nint)itemSize);
        Assert.Equal(itemSize, resized.ItemSize);
        Assert.Equal(itemSize, resized.NumPyItemSize);
        Assert.Same(resized, format.WithItemSize((nint)itemSize));
        using var ns = Python.NewNamespace();
        ns.SetItem("text", resized.ToString());
        Python.Exec("import numpy as np, struct\n" + NumPyFacts.ImportPep3118ParserAsP + "\nd = P(text)\n", ns);
        Assert.Equal(itemSize, Python.Eval<long>("d.itemsize", ns));
        Assert.Equal(format.Fields.Select(f => (long)f.ByteOffset), Python.EvalList<long>("[d.fields[k][1] for k in d.names]", ns));
        Assert.Equal(itemSize, Python.Eval<long>("struct.calcsize(text) if '{' not in text else d.itemsize", ns));
    }

    [Fact]
    public void WithItemSize_RefusesScalarsAndSizesTheFieldsDoNotFit_NamingTheSize()
    {
        var scalar = Assert.Throws<ArgumentOutOfRangeException>(() => BufferFormat.Parse("d").WithItemSize(16));
        Assert.Equal("itemSize", scalar.ParamName);
        Assert.Contains("only a record's size can change", scalar.Message);
        var tooShort = Assert.Throws<ArgumentOutOfRangeException>(() => BufferFormat.Parse("T{i:a:B:b:}").WithItemSize(4));
        Assert.Equal("itemSize", tooShort.ParamName);
        Assert.Contains("end at byte 5", tooShort.Message);
        var unchanged = BufferFormat.Parse("d");
        Assert.Same(unchanged, unchanged.WithItemSize(8));
    }
}
