using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// The copies of blocks past <see cref="StreamingCopy.ThresholdByteLength"/> (non-temporal stores), through the public
/// paths that reach them (packed byte-order conversion, contiguous copy out, the rows of a large strided copy), against a
/// per-scalar reference loop, with destinations off the 32-byte grid and lengths that leave a head and a tail.
/// </summary>
public sealed unsafe class StreamingCopyTests
{
    private static readonly nint Length = StreamingCopy.ThresholdByteLength + 200;

    [Theory]
    [InlineData(2, 0, 0)]
    [InlineData(4, 4, 12)]
    [InlineData(8, 8, 24)]
    [InlineData(8, 16, 0)]
    public void LargePackedSwaps_ReverseEveryScalar_FromHeadToTail(int scalarSize, int sourceOffset, int destinationOffset)
    {
        var source = (byte*)NativeMemory.AlignedAlloc((nuint)(Length + 64), 64);
        var destination = (byte*)NativeMemory.AlignedAlloc((nuint)(Length + 64), 64);
        try
        {
            new Random(1405).NextBytes(new Span<byte>(source, (int)Length + 64));
            new Span<byte>(destination, (int)Length + 64).Fill(0xEE);
            var itemCount = Length / scalarSize;
            var byteLength = itemCount * scalarSize;
            Assert.True(StreamingCopy.Applies(source + sourceOffset, destination + destinationOffset, byteLength, scalarSize));
            ByteOrderCopy.SwapCopy(source + sourceOffset, destination + destinationOffset, itemCount, scalarSize, [new SwapLeaf(0, scalarSize)]);
            for (nint k = 0; k < itemCount; k++)
            {
                var from = source + sourceOffset + k * scalarSize;
                var to = destination + destinationOffset + k * scalarSize;
                for (var b = 0; b < scalarSize; b++)
                {
                    if (to[b] != from[scalarSize - 1 - b])
                        Assert.Fail($"scalar {k} byte {b}: {to[b]:x2}, expected {from[scalarSize - 1 - b]:x2}");
                }
            }
            // Nothing written around the block.
            for (var b = 0; b < destinationOffset; b++)
                Assert.Equal(0xEE, destination[b]);
            for (var b = destinationOffset + byteLength; b < Length + 64; b++)
                Assert.Equal(0xEE, destination[b]);
        }
        finally
        {
            NativeMemory.AlignedFree(source);
            NativeMemory.AlignedFree(destination);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(40)]
    public void LargeContiguousCopiesOut_AreTheBytes(int destinationOffset)
    {
        var values = new long[Length / 8];
        var random = new Random(1406);
        for (var k = 0; k < values.Length; k++)
            values[k] = random.NextInt64();
        using var buffer = NdBuffer.FromArray(values, [values.Length / 4, 4]);
        var destination = new byte[buffer.ByteLength + 64];
        destination.AsSpan().Fill(0xEE);
        buffer.CopyTo(destination.AsSpan(destinationOffset, (int)buffer.ByteLength), MemoryOrder.C);
        for (var k = 0; k < buffer.ElementCount; k++)
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(destination.AsSpan(destinationOffset + 8 * k));
            if (value != values[k])
                Assert.Fail($"element {k}: {value}, expected {values[k]}");
        }
        Assert.All(destination[..destinationOffset], b => Assert.Equal(0xEE, b));
        Assert.All(destination[(destinationOffset + (int)buffer.ByteLength)..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void SmallOrOverlappingBlocks_DoNotStream()
    {
        var block = (byte*)NativeMemory.Alloc((nuint)(2 * Length));
        try
        {
            Assert.False(StreamingCopy.Applies(block, block + Length, StreamingCopy.ThresholdByteLength - 1, 1));
            Assert.False(StreamingCopy.Applies(block, block + 8, Length, 1));
            Assert.False(StreamingCopy.Applies(block, block + Length + 1, Length - 8, 8)); // off the scalar grid
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    public static TheoryData<string, int> LargeRowLayouts() => new()
    {
        { "padded rows", 0 }, { "padded rows", 8 }, { "padded rows", 3 },
        { "rows reversed", 0 }, { "rows reversed", 40 },
        { "each row reversed", 0 }, { "each row reversed", 8 }, { "each row reversed", 5 },
        { "every other column", 0 }, { "every other column", 24 }, { "every other column, padded rows", 16 },
    };

    // Destinations past the threshold written row by row (non-temporal stores from a 32-byte boundary on, each row's
    // head and tail stored plainly): every element equals the source's, and nothing outside the destination changes.
    [Theory]
    [MemberData(nameof(LargeRowLayouts))]
    public void LargeStridedCopies_StreamedRowByRow_AreTheElements(string layout, int destinationOffset)
    {
        const int rows = 1030, columns = 1027; // 8.07 MiB of doubles: past the threshold, rows of 8216 bytes (not whole lines)
        // Every other column of rows twice as long is one strided row of rows × columns items; padded, a row each.
        var paddedColumns = layout == "every other column" ? 2 * columns : layout == "every other column, padded rows" ? 2 * columns + 6 : columns + 5;
        var values = new long[rows * paddedColumns];
        var random = new Random(1407);
        for (var k = 0; k < values.Length; k++)
            values[k] = random.NextInt64();
        using var all = NdBuffer.FromArray(values, [rows, paddedColumns]);
        using var view = layout switch
        {
            "padded rows" => all.Slice(1, 0, columns),
            "rows reversed" => all.Slice(1, 0, columns).Slice(0, null, null, -1),
            "each row reversed" => all.Slice(1, 0, columns).Slice(1, null, null, -1),
            _ => all.Slice(1, 0, 2 * columns, 2),
        };
        Assert.Equal([rows, columns], view.Shape.ToArray());
        Assert.True(view.ByteLength >= StreamingCopy.ThresholdByteLength);
        var destination = new byte[view.ByteLength + 64];
        destination.AsSpan().Fill(0xEE);
        view.CopyTo(destination.AsSpan(destinationOffset, (int)view.ByteLength), MemoryOrder.C);
        var source = view.AsReadOnlyStridedSpan<long>();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var value = BinaryPrimitives.ReadInt64LittleEndian(destination.AsSpan(destinationOffset + 8 * (r * columns + c)));
                if (value != source[r, c])
                    Assert.Fail($"{layout}, destination offset {destinationOffset}: element [{r}, {c}] is {value}, expected {source[r, c]}");
            }
        }
        Assert.All(destination[..destinationOffset], b => Assert.Equal(0xEE, b));
        Assert.All(destination[(destinationOffset + (int)view.ByteLength)..], b => Assert.Equal(0xEE, b));
    }
}
