using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

public sealed unsafe class ByteOrderCopyTests : IDisposable
{
    private readonly TestArena _arena = new();

    public void Dispose() => _arena.Dispose();

    /// <summary>Cuts an item into scalars of 1, 2, 4, 8 or 16 bytes with gaps (padding); some are swapped.</summary>
    private static (int Offset, int Size)[] RandomLeaves(Random random, int itemSize)
    {
        int mode = random.Next(4);
        if (mode == 0 && itemSize is 2 or 4 or 8)
            return [(0, itemSize)];
        if (mode == 1 && itemSize is 8 or 16)
            return [(0, itemSize / 2), (itemSize / 2, itemSize / 2)];
        var leaves = new List<(int, int)>();
        int offset = 0;
        while (offset < itemSize)
        {
            int[] sizes = [1, 2, 3, 4, 8, 16];
            int size = sizes[random.Next(sizes.Length)];
            if (offset + size > itemSize)
                size = itemSize - offset;
            if (random.Next(3) != 0)
                leaves.Add((offset, size));
            offset += size;
        }
        return leaves.ToArray();
    }

    [Fact]
    public void RandomSwappingCopiesAgreeWithTheNaiveReference()
    {
        var random = new Random(4301);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0, overlapping = 0;
        while (cases < 2500)
        {
            TestLayout src = generator.Next(allowAliasing: true);
            long[] shape = src.Shape;
            int itemSize = src.ItemSize;
            bool near = random.Next(3) == 0 && src.Suboffsets == null;
            TestLayout? dst = random.Next(3) == 0
                ? generator.CContiguous(shape, itemSize)
                : generator.Any(shape, itemSize, allowAliasing: random.Next(4) == 0, near ? src.Origin : null, allowIndirect: !near);
            if (dst == null)
                continue;
            cases++;
            overlapping += near ? 1 : 0;
            var leaves = RandomLeaves(random, itemSize);
            var (expected, actual) = StridedCopyTests.Both(_arena,
                () => NaiveReference.CopySwapped(dst, src, leaves),
                () => ByteOrderCopy.Copy(src.ShapeN, itemSize, StridedCopyTests.Operand(dst), StridedCopyTests.Operand(src),
                    leaves.Select(l => new SwapLeaf(l.Offset, l.Size)).ToArray()));
            Assert.True(expected.AsSpan().SequenceEqual(actual),
                $"case {cases}: leaves {string.Join(" ", leaves)} dst {dst} <- src {src}");
        }
        Assert.True(overlapping > 300, $"only {overlapping} overlapping");
    }

    [Fact]
    public void BigEndianRecordsBecomeNative()
    {
        // Two records '>i4 >d' (12 bytes) written by hand in big-endian order, read as native values.
        byte[] records =
        [
            0x00, 0x00, 0x01, 0x02, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0,
            0xFF, 0xFF, 0xFF, 0xFE, 0xC0, 0x04, 0, 0, 0, 0, 0, 0,
        ];
        var native = new byte[24];
        fixed (byte* source = records)
        fixed (byte* destination = native)
        {
            ByteOrderCopy.Copy([2], 12, new StridedOperand(destination, [12]), new StridedOperand(source, [12]),
                [new SwapLeaf(0, 4), new SwapLeaf(4, 8)]);
        }
        Assert.Equal(0x0102, BitConverter.ToInt32(native, 0));
        Assert.Equal(1.5, BitConverter.ToDouble(native, 4));
        Assert.Equal(-2, BitConverter.ToInt32(native, 12));
        Assert.Equal(-2.5, BitConverter.ToDouble(native, 16));
    }

    [Fact]
    public void LeavesOutsideTheItemAreRejected()
    {
        byte* memory = _arena.Data;
        var e = Assert.Throws<ArgumentException>(() => ByteOrderCopy.Copy([2], 8,
            new StridedOperand(memory, [8]), new StridedOperand(memory + 64, [8]), [new SwapLeaf(4, 8)]));
        Assert.Equal("swapLeaves", e.ParamName);
        Assert.Contains("leaf 0", e.Message);
    }
}
