using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

public sealed unsafe class ContiguousCopyTests : IDisposable
{
    private static readonly char[] Orders = ['C', 'F', 'A'];
    private readonly TestArena _arena = new();

    public void Dispose() => _arena.Dispose();

    [Fact]
    public void RandomLayoutsToContiguousAgreeWithTheNaiveReference()
    {
        var random = new Random(4101);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0, contiguous = 0;
        while (cases < 3000)
        {
            TestLayout src = generator.Next(allowAliasing: true);
            long[] shape = src.Shape;
            int itemSize = src.ItemSize;
            cases++;
            foreach (char order in Orders)
            {
                bool expectedContiguous = NaiveReference.IsContiguous(src, order);
                Assert.True(expectedContiguous == LayoutMath.IsContiguous(src.ShapeN, src.StridesN, src.SuboffsetsN, itemSize, order),
                    $"case {cases} order {order} contiguous {expectedContiguous}: {src}");
                contiguous += expectedContiguous ? 1 : 0;
                byte[] expected = NaiveReference.ToContiguous(src, order);
                var actual = new byte[expected.Length];
                ContiguousCopy.ToContiguous(actual, src.ShapeN, itemSize, StridedCopyTests.Operand(src), order);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases} order {order}: {src}");
            }
        }
        Assert.True(contiguous > 500, $"only {contiguous} contiguous layouts");
    }

    [Fact]
    public void RandomLayoutsFromContiguousAgreeWithTheNaiveReference()
    {
        var random = new Random(4102);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0, shortSources = 0;
        while (cases < 3000)
        {
            TestLayout dst = generator.Next(allowAliasing: random.Next(4) == 0);
            long[] shape = dst.Shape;
            int itemSize = dst.ItemSize;
            cases++;
            char order = Orders[random.Next(3)];
            long byteLength = NaiveReference.Count(shape) * itemSize;
            int lengthChoice = random.Next(8);
            long sourceLength = lengthChoice == 0 ? random.NextInt64(byteLength + 1) : lengthChoice == 1 ? byteLength + random.Next(1, 9) : byteLength;
            shortSources += sourceLength < byteLength ? 1 : 0;
            var source = new byte[sourceLength];
            random.NextBytes(source);
            var (expected, actual) = StridedCopyTests.Both(_arena,
                () => NaiveReference.FromContiguous(dst, source, order),
                () => ContiguousCopy.FromContiguous(StridedCopyTests.Operand(dst), dst.ShapeN, itemSize, source, order));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases} order {order} source {sourceLength} bytes: {dst}");
        }
        Assert.True(shortSources > 200, $"only {shortSources} short sources");
    }

    [Fact]
    public void FromContiguousOutOfTheLayoutsOwnMemoryActsAsThroughATemporary()
    {
        // The source bytes are the layout's own memory, read through a span over the arena.
        var random = new Random(4103);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0;
        while (cases < 1000)
        {
            TestLayout dst = generator.Next(allowAliasing: false, allowIndirect: false);
            long[] shape = dst.Shape;
            int itemSize = dst.ItemSize;
            long byteLength = NaiveReference.Count(shape) * itemSize;
            long start = Math.Clamp(dst.Origin - _arena.Data + random.Next(-64, 65), 0, _arena.DataLength - byteLength);
            if (start < 0)
                continue;
            cases++;
            char order = Orders[random.Next(3)];
            var (expected, actual) = StridedCopyTests.Both(_arena,
                () => NaiveReference.FromContiguous(dst, new Span<byte>(_arena.Data + start, (int)byteLength).ToArray(), order),
                () => ContiguousCopy.FromContiguous(StridedCopyTests.Operand(dst), dst.ShapeN, itemSize, new Span<byte>(_arena.Data + start, (int)byteLength), order));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases} order {order}: {dst}");
        }
    }

    [Fact]
    public void ElementAddressesAgreeWithTheNaiveReference()
    {
        var random = new Random(4104);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0;
        while (cases < 1000)
        {
            _arena.Reset(random);
            long[] shape = generator.RandomShape();
            TestLayout? layout = generator.Any(shape, 4, allowAliasing: true);
            if (layout == null)
                continue;
            cases++;
            foreach (long[] index in NaiveReference.Indices(shape, 'C'))
            {
                nint[] indices = Array.ConvertAll(index, x => (nint)x);
                Assert.True(NaiveReference.Address(layout, index) == LayoutMath.GetPointer(StridedCopyTests.Operand(layout), indices));
            }
        }
    }

    [Fact]
    public void WrongLengthsAndOrdersAreRejectedNamingTheParameter()
    {
        byte* memory = _arena.Data;
        var e1 = Assert.Throws<ArgumentException>(() => ContiguousCopy.ToContiguous(new byte[47], [2, 3], 8, new StridedOperand(memory, [24, 8]), 'C'));
        Assert.Equal("destination", e1.ParamName);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => ContiguousCopy.ToContiguous(new byte[48], [2, 3], 8, new StridedOperand(memory, [24, 8]), 'K'));
        Assert.Equal("order", e2.ParamName);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => ContiguousCopy.FromContiguous(new StridedOperand(memory, [24, 8]), [2, 3], 8, new byte[48], 'c'));
        Assert.Equal("order", e3.ParamName);
    }
}
