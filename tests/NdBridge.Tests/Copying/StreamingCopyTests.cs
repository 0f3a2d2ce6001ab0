using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// The copies of blocks past <see cref="StreamingCopy.ThresholdByteLength"/> (non-temporal stores), through the public
/// paths that reach them (packed byte-order conversion, contiguous copy out), against a per-scalar reference loop, with
/// destinations off the 32-byte grid and lengths that leave a head and a tail.
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
}
