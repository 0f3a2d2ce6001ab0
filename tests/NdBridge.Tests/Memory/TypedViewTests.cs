using System.Buffers.Binary;

namespace NdBridge.Tests.Memory;

/// <summary>Typed views are granted only for the right type, byte order, alignment and writability; the rest get the unaligned path.</summary>
public sealed unsafe class TypedViewTests
{
    [Fact]
    public void MismatchedTypeNamesBothSides()
    {
        using var floats = NdBuffer.FromArray(new float[4]);
        var e = Assert.Throws<InvalidOperationException>(() => floats.AsReadOnlyStridedSpan<double>());
        Assert.Equal($"format 'f' ({floats.Format.Describe()}, 4 bytes) does not match double (8 bytes): its elements are float: ask for float", e.Message);
        using var longs = NdBuffer.FromArray(new double[4]);
        Assert.EndsWith("does not match long (8 bytes): its elements are double: ask for double",
            Assert.Throws<InvalidOperationException>(() => longs.AsStridedSpan<long>()).Message);
        Assert.Throws<InvalidOperationException>(() => floats.AsStridedSpan<int>());
        Assert.Throws<InvalidOperationException>(() => floats.ReadUnaligned<int>(0));
    }

    [Fact]
    public void NonNativeByteOrderPointsToTheByteOrderCopy()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteDoubleBigEndian(bytes.AsSpan(8), 2.5);
        using var bigEndian = NdBuffer.FromArray(bytes, BufferFormat.Parse(">d"), StridedLayout.CreateContiguous([2], 8), 0);
        var e = Assert.Throws<InvalidOperationException>(() => bigEndian.AsReadOnlyStridedSpan<double>());
        Assert.Equal("format '>d' (big-endian float64) does not match double: use the byte-order copy, ToContiguous(MemoryOrder.C, BufferFormat.Of<double>())", e.Message);
        Assert.False(bigEndian.CanViewAs<double>(writable: false, out var reason));
        Assert.Equal(e.Message, reason);
        Assert.Throws<InvalidOperationException>(() => bigEndian.ReadUnaligned<double>(1));
    }

    [Fact]
    public void MisalignedOriginOrStrideIsRefusedAndReadUnaligned()
    {
        // NumPy's a['y'] of [('x','u1'),('y','<f8')]: 4 records of 9 bytes, the double at byte 1 of each.
        var records = new byte[36];
        for (var k = 0; k < 4; k++)
        {
            records[k * 9] = (byte)k;
            BinaryPrimitives.WriteDoubleLittleEndian(records.AsSpan(k * 9 + 1), k + 0.25);
        }
        using var field = NdBuffer.FromArray(records, BufferFormat.Of<double>(), new StridedLayout([4], [9], 8), 1);
        var e = Assert.Throws<InvalidOperationException>(() => field.AsReadOnlyStridedSpan<double>());
        Assert.Contains("not aligned to alignof(double) = 8", e.Message);
        for (var k = 0; k < 4; k++)
            Assert.Equal(BinaryPrimitives.ReadDoubleLittleEndian(records.AsSpan(k * 9 + 1)), field.ReadUnaligned<double>(k));
        field.WriteUnaligned(-7.5, 2);
        Assert.Equal(-7.5, BinaryPrimitives.ReadDoubleLittleEndian(records.AsSpan(19)));
        Assert.Equal(2, records[18]);

        // Aligned origin, but a stride of 12 between doubles.
        var words = new double[6];
        using var strided = NdBuffer.FromArray(words, BufferFormat.Of<double>(), new StridedLayout([3], [12], 8), 0);
        var s = Assert.Throws<InvalidOperationException>(() => strided.AsStridedSpan<double>());
        Assert.Contains("byte stride 12 of dimension 0 is not a multiple of alignof(double) = 8", s.Message);
        // A stride on a dimension of length 1 is never used, and does not matter.
        using var single = NdBuffer.FromArray(words, BufferFormat.Of<double>(), new StridedLayout([1, 2], [12, 8], 8), 0);
        Assert.Equal(2, single.AsStridedSpan<double>().ElementCount);
    }

    [Fact]
    public void ReadOnlyBuffersRefuseWritableViewsAndWrites()
    {
        using var buffer = NdBuffer.FromArray(new int[3], readOnly: true);
        var e = Assert.Throws<InvalidOperationException>(() => buffer.AsStridedSpan<int>());
        Assert.Contains("read-only", e.Message);
        Assert.Throws<InvalidOperationException>(() => buffer.WriteUnaligned(1, 0));
        Assert.Equal(0, buffer.AsReadOnlyStridedSpan<int>()[2]);
    }

    [Fact]
    public void IndexersSlicesFillAndToArray()
    {
        var array = Enumerable.Range(0, 24).ToArray();
        using var buffer = NdBuffer.FromArray(array, [2, 3, 4]);
        var span = buffer.AsStridedSpan<int>();
        Assert.Equal(23, span[1, 2, 3]);
        Assert.Equal(23, span[[1, 2, 3]]);
        Assert.Equal(5, span.DangerousGetReferenceAt(0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.AsStridedSpan<int>()[2, 0, 0]);
        Assert.Throws<ArgumentException>(() => buffer.AsStridedSpan<int>()[0, 0]);

        // a[:, ::-1, 1::2]
        var view = span.Slice(1, null, null, -1).Slice(2, 1, null, 2);
        var expected = new List<int>();
        for (var i = 0; i < 2; i++)
            for (var j = 2; j >= 0; j--)
                for (var k = 1; k < 4; k += 2)
                    expected.Add(i * 12 + j * 4 + k);
        Assert.Equal(expected, view.ToArray());
        Assert.False(view.TryGetSpan(out _));
        view.Fill(-1);
        Assert.Equal(12, array.Count(x => x == -1));
        Assert.All(expected, index => Assert.Equal(-1, array[index]));
        Assert.Equal([12, 16, 20], span.Index(0, 1).Index(1, 0).ToArray());

        Assert.True(span.TryGetSpan(out var whole));
        Assert.Equal(24, whole.Length);
        span.Transpose().Fill(3);
        Assert.All(array, x => Assert.Equal(3, x));
        Assert.True(span.Transpose().TryGetSpan(out var fOrder));
        Assert.Equal(24, fOrder.Length);

        // Rank 0.
        using var scalar = NdBuffer.FromArray(array, []);
        var zero = scalar.AsStridedSpan<int>();
        Assert.Equal(0, zero.Rank);
        Assert.Equal(1, zero.ElementCount);
        zero[[]] = 9;
        Assert.Equal(9, array[0]);
        Assert.Equal([9], zero.ToArray());

        var empty = StridedSpan<int>.Empty;
        Assert.True(empty.IsEmpty);
        Assert.Empty(empty.ToArray());
        empty.Fill(1);
    }

    [Fact]
    public void SpansNeverTruncateBeyondIntLength()
    {
        // A contiguous layout of 2^31 + 8 bytes at an address never read: everything that hands out spans refuses.
        nint byteLength = int.MaxValue;
        byteLength += 9;
        var layout = StridedLayout.CreateContiguous([byteLength], 1);
        using var huge = NdBuffer.DangerousFromPointer((void*)0x1000, BufferFormat.UnsignedBytes, layout, readOnly: true);
        var span = huge.AsReadOnlyStridedSpan<byte>();
        Assert.False(span.TryGetSpan(out var none));
        Assert.True(none.IsEmpty);
        Assert.Throws<ArgumentException>(() => huge.AsReadOnlyStridedSpan<byte>().ToArray());
        Assert.False(span.TryAsTensorSpan(out _, out var reason));
        Assert.Contains("int.MaxValue", reason);
    }
}
