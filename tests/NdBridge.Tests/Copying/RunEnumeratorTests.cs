using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

public sealed unsafe class RunEnumeratorTests : IDisposable
{
    private readonly TestArena _arena = new();

    public void Dispose() => _arena.Dispose();

    [Fact]
    public void RunsInOrderConcatenateToTheCOrderBytes()
    {
        var random = new Random(4401);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0, split = 0;
        while (cases < 2000)
        {
            TestLayout layout = generator.Next(allowAliasing: true);
            long[] shape = layout.Shape;
            int itemSize = layout.ItemSize;
            cases++;
            nint maxRun = random.Next(2) == 0 ? int.MaxValue : itemSize * random.Next(1, 4);
            var runs = new List<byte>();
            int runCount = 0;
            var enumerator = new RawRunEnumerator(layout.ShapeN, itemSize, StridedCopyTests.Operand(layout), preserveOrder: true, maxRun);
            foreach (Span<byte> run in enumerator)
            {
                Assert.True(run.Length > 0 && run.Length % itemSize == 0 && run.Length <= maxRun);
                runs.AddRange(run.ToArray());
                runCount++;
            }
            split += maxRun < int.MaxValue && runCount > NaiveRunCount(layout) ? 1 : 0;
            Assert.True(NaiveReference.Gather(layout, 'C').AsSpan().SequenceEqual(runs.ToArray()), $"case {cases}: {layout}");
        }
        Assert.True(split > 100, $"only {split} layouts had runs split");
    }

    /// <summary>How many maximal C-order runs the naive walk sees: element k+1 follows element k in memory.</summary>
    private static int NaiveRunCount(TestLayout layout)
    {
        int runs = 0;
        byte* previous = null;
        foreach (long[] index in NaiveReference.Indices(layout.Shape, 'C'))
        {
            byte* address = NaiveReference.Address(layout, index);
            if (address != previous + layout.ItemSize || previous == null)
                runs++;
            previous = address;
        }
        return runs;
    }

    [Fact]
    public void RunsInMemoryOrderCoverEveryElementOnce()
    {
        var random = new Random(4402);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int cases = 0, fewer = 0;
        while (cases < 2000)
        {
            TestLayout layout = generator.Next(allowAliasing: true);
            long[] shape = layout.Shape;
            int itemSize = layout.ItemSize;
            cases++;
            var expected = NaiveReference.Indices(shape, 'C').Select(i => (long)NaiveReference.Address(layout, i)).Order().ToArray();
            var actual = new List<long>();
            int runCount = 0;
            foreach (Span<byte> run in new RawRunEnumerator(layout.ShapeN, itemSize, StridedCopyTests.Operand(layout), preserveOrder: false))
            {
                fixed (byte* start = run)
                {
                    for (int at = 0; at < run.Length; at += itemSize)
                        actual.Add((long)(start + at));
                }
                runCount++;
            }
            Assert.True(expected.SequenceEqual(actual.Order()), $"case {cases}: {layout}");
            Assert.True(runCount <= expected.Length, $"case {cases}: {runCount} runs for {expected.Length} elements: {layout}");
            fewer += runCount < NaiveRunCount(layout) ? 1 : 0;
        }
        Assert.True(fewer > 100, $"memory order merged runs in only {fewer} layouts");
    }

    [Fact]
    public void AFortranArrayIsOneRunInMemoryOrder()
    {
        byte* memory = _arena.Data;
        int runs = 0;
        foreach (Span<byte> run in new RawRunEnumerator([3, 4, 5], 8, new StridedOperand(memory, [8, 24, 96]), preserveOrder: false))
        {
            Assert.Equal(3 * 4 * 5 * 8, run.Length);
            runs++;
        }
        Assert.Equal(1, runs);
    }
}
