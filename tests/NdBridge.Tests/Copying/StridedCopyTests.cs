using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

public sealed unsafe class StridedCopyTests : IDisposable
{
    private readonly TestArena _arena = new();

    public void Dispose() => _arena.Dispose();

    internal static StridedOperand Operand(TestLayout layout) =>
        new(layout.Origin, layout.StridesN, layout.SuboffsetsN);

    /// <summary>Runs the reference and the engine from the same memory; returns the memory each left.</summary>
    internal static (byte[] Expected, byte[] Actual) Both(TestArena arena, Action reference, Action engine)
    {
        byte[] before = arena.Snapshot();
        reference();
        byte[] expected = arena.Snapshot();
        arena.Restore(before);
        engine();
        return (expected, arena.Snapshot());
    }

    [Fact]
    public void RandomCopiesAgreeWithTheNaiveReference()
    {
        var arena = _arena;
        var random = new Random(4001);
        var generator = new ArenaLayoutGenerator(arena, random);
        int cases = 0, overlapping = 0, indirect = 0, aliasingDestinations = 0;
        while (cases < 6000)
        {
            TestLayout src = generator.Next(allowAliasing: true);
            long[] shape = src.Shape;
            int itemSize = src.ItemSize;
            bool near = random.Next(3) == 0 && src.Suboffsets == null;
            TestLayout? dst = generator.Any(shape, itemSize, allowAliasing: random.Next(4) == 0, near ? src.Origin : null, allowIndirect: !near);
            if (dst == null)
                continue;
            cases++;
            if (src.Suboffsets != null || dst.Suboffsets != null)
                indirect++;
            if (near)
                overlapping++;
            if (dst.Strides.Any(s => s == 0))
                aliasingDestinations++;

            var (expected, actual) = Both(arena,
                () => NaiveReference.Copy(dst, src),
                () => StridedCopy.Copy(shape.Select(x => (nint)x).ToArray(), itemSize, Operand(dst), Operand(src)));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases}: dst {dst} <- src {src}");
        }
        Assert.True(overlapping > 1000 && indirect > 1000 && aliasingDestinations > 50,
            $"coverage: overlapping {overlapping}, indirect {indirect}, aliasing {aliasingDestinations}");
    }

    [Fact]
    public void KernelLayoutsAgreeWithTheNaiveReference()
    {
        using var arena = new TestArena(1 << 18);
        var random = new Random(4002);
        var generator = new ArenaLayoutGenerator(arena, random);
        int cases = 0;
        while (cases < 1000)
        {
            arena.Reset(random);
            var made = generator.Kernel();
            if (made == null)
                continue;
            var (shape, src) = made.Value;
            // Half into a C-contiguous destination (the benchmark case), half into another kernel layout's strides.
            TestLayout? dst = random.Next(2) == 0
                ? generator.CContiguous(shape, src.ItemSize)
                : generator.Direct(shape, src.ItemSize, generator.RandomStrides(shape, src.ItemSize, src.ItemSize, false));
            if (dst == null)
                continue;
            cases++;
            var (expected, actual) = Both(arena,
                () => NaiveReference.Copy(dst, src),
                () => StridedCopy.Copy(src.ShapeN, src.ItemSize, Operand(dst), Operand(src)));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {cases}: dst {dst} <- src {src}");
        }
    }

    [Fact]
    public void CopyingALayoutOntoItselfChangesNothing()
    {
        var random = new Random(4003);
        var generator = new ArenaLayoutGenerator(_arena, random);
        _arena.Reset(random);
        TestLayout layout = generator.Direct([7, 5], 8, [-40, 8])!;
        byte[] before = _arena.Snapshot();
        StridedCopy.Copy(layout.ShapeN, 8, Operand(layout), Operand(layout));
        Assert.Equal(before, _arena.Snapshot());
    }

    [Fact]
    public void MismatchedRanksAndBadSizesAreRejectedNamingTheParameter()
    {
        byte* memory = _arena.Data;
        nint[] shape = [2, 3];
        var e1 = Assert.Throws<ArgumentException>(() =>
            StridedCopy.Copy(shape, 8, new StridedOperand(memory, [24, 8]), new StridedOperand(memory + 1024, [8])));
        Assert.Equal("src", e1.ParamName);
        var e2 = Assert.Throws<ArgumentException>(() =>
            StridedCopy.Copy(shape, 8, new StridedOperand(memory, [24, 8], [0]), new StridedOperand(memory + 1024, [24, 8])));
        Assert.Equal("dst", e2.ParamName);
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() =>
            StridedCopy.Copy(shape, 0, new StridedOperand(memory, [24, 8]), new StridedOperand(memory + 1024, [24, 8])));
        Assert.Equal("itemSize", e3.ParamName);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() =>
            StridedCopy.Copy([2, -1], 8, new StridedOperand(memory, [24, 8]), new StridedOperand(memory + 1024, [24, 8])));
        Assert.Equal("shape", e4.ParamName);
        var e5 = Assert.Throws<ArgumentException>(() =>
            StridedCopy.Copy(new nint[65], 8, new StridedOperand(memory, new nint[65]), new StridedOperand(memory, new nint[65])));
        Assert.Equal("shape", e5.ParamName);
    }
}
