using System.Numerics.Tensors;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// The buffered enumeration against the naive element-by-element walk (<see cref="NaiveReference"/>), on the copy
/// tests' seeded layouts (C, Fortran, padded, stepped, reversed, zero and overlapping strides, indirect): reads, writes,
/// read-modify-writes, scratch sizes from one item to more than the view.
/// </summary>
public sealed unsafe class BufferedRunEnumeratorTests : IDisposable
{
    private const int Cases = 2000;
    private readonly TestArena _arena = new();

    public void Dispose() => _arena.Dispose();

    private static byte[] Scratch(Random random, int itemSize) =>
        new byte[itemSize * (random.Next(3) switch { 0 => 1, 1 => random.Next(2, 9), _ => random.Next(9, 300) })];

    private static RawBufferedEnumerator Blocks(TestLayout layout, byte[] scratch, bool preserveOrder, bool writeBack) =>
        new(ref *layout.Origin, layout.ShapeN, layout.ItemSize, layout.StridesN, layout.SuboffsetsN, scratch, preserveOrder, writeBack);

    [Fact]
    public void Reads_InCOrder_ConcatenateToTheNaiveWalk_InPlaceWhereRunsAreLong()
    {
        var random = new Random(1401);
        var generator = new ArenaLayoutGenerator(_arena, random);
        int inPlace = 0, gathered = 0;
        for (var n = 0; n < Cases; n++)
        {
            var layout = generator.Next(allowAliasing: true);
            var scratch = Scratch(random, layout.ItemSize);
            var blocks = new List<byte>();
            foreach (var block in Blocks(layout, scratch, preserveOrder: true, writeBack: false))
            {
                Assert.True(block.Length > 0 && block.Length % layout.ItemSize == 0, $"case {n}: a block of {block.Length} bytes: {layout}");
                fixed (byte* start = block)
                fixed (byte* scratchStart = scratch)
                {
                    var isScratch = start == scratchStart;
                    Assert.True(!isScratch || block.Length <= scratch.Length, $"case {n}: {layout}");
                    inPlace += isScratch ? 0 : 1;
                    gathered += isScratch ? 1 : 0;
                }
                blocks.AddRange(block.ToArray());
            }
            Assert.True(NaiveReference.Gather(layout, 'C').AsSpan().SequenceEqual(blocks.ToArray()), $"case {n}: {layout}");
        }
        Assert.True(inPlace > 500 && gathered > 500, $"in place {inPlace}, gathered {gathered}");
    }

    [Fact]
    public void Reads_InMemoryOrder_HoldEveryElementOnce()
    {
        var random = new Random(1402);
        var generator = new ArenaLayoutGenerator(_arena, random);
        for (var n = 0; n < Cases; n++)
        {
            var layout = generator.Next(allowAliasing: true);
            var scratch = Scratch(random, layout.ItemSize);
            var items = new List<string>();
            foreach (var block in Blocks(layout, scratch, preserveOrder: false, writeBack: false))
            {
                for (var at = 0; at < block.Length; at += layout.ItemSize)
                    items.Add(Convert.ToHexString(block.Slice(at, layout.ItemSize)));
            }
            var naive = NaiveReference.Gather(layout, 'C').Chunk(layout.ItemSize).Select(Convert.ToHexString);
            Assert.True(naive.Order().SequenceEqual(items.Order()), $"case {n}: {layout}");
        }
    }

    [Fact]
    public void Writes_InCOrder_LeaveTheMemoryTheNaiveWalkLeaves_AliasedElementsIncluded()
    {
        var random = new Random(1403);
        var generator = new ArenaLayoutGenerator(_arena, random);
        for (var n = 0; n < Cases; n++)
        {
            var layout = generator.Next(allowAliasing: true);
            var scratch = Scratch(random, layout.ItemSize);
            var values = new byte[NaiveReference.Count(layout.Shape) * layout.ItemSize];
            random.NextBytes(values);
            var (expected, actual) = StridedCopyTests.Both(_arena,
                () => NaiveReference.Scatter(layout, values, NaiveReference.Count(layout.Shape), 'C'),
                () =>
                {
                    var written = 0;
                    foreach (var block in Blocks(layout, scratch, preserveOrder: true, writeBack: true))
                    {
                        values.AsSpan(written, block.Length).CopyTo(block);
                        written += block.Length;
                    }
                });
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {n}: {layout}");
        }
    }

    [Fact]
    public void ReadModifyWrites_InEitherOrder_LeaveTheMemoryTheNaiveWalkLeaves()
    {
        var random = new Random(1404);
        var generator = new ArenaLayoutGenerator(_arena, random) { DisjointBlocks = true };
        for (var n = 0; n < Cases; n++)
        {
            var layout = generator.Next(allowAliasing: false);
            var scratch = Scratch(random, layout.ItemSize);
            var preserveOrder = random.Next(2) == 0;
            var (expected, actual) = StridedCopyTests.Both(_arena,
                () =>
                {
                    var bytes = NaiveReference.Gather(layout, 'C');
                    Transform(bytes);
                    NaiveReference.Scatter(layout, bytes, NaiveReference.Count(layout.Shape), 'C');
                },
                () =>
                {
                    foreach (var block in Blocks(layout, scratch, preserveOrder, writeBack: true))
                        Transform(block);
                });
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {n}: {layout} preserveOrder={preserveOrder}");
        }
    }

    private static void Transform(Span<byte> bytes)
    {
        for (var k = 0; k < bytes.Length; k++)
            bytes[k] = (byte)(bytes[k] * 7 + 3);
    }

    [Fact]
    public void LeavingEarly_StillWritesTheLastGatheredBlockBack()
    {
        var values = new double[24];
        using var buffer = NdBuffer.FromArray(values, [4, 6]);
        using var columns = buffer.Slice(1, null, null, 2); // a[:, ::2]: every run is one element
        var blocks = 0;
        foreach (var block in columns.EnumerateBuffered<double>(stackalloc double[5]))
        {
            block.Fill(1.5);
            if (++blocks == 2)
                break;
        }
        double[] expected = [1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 1.5, 0, 0, 0, 0, 0];
        Assert.Equal(expected, values); // two blocks of 5: the first ten of a[:, ::2] in C order
    }

    [Fact]
    public void TypedBlocks_FeedTensorPrimitives_OnAStridedColumnView()
    {
        var values = Enumerable.Range(0, 64 * 50).Select(k => (double)(k % 97)).ToArray();
        using var buffer = NdBuffer.FromArray(values, [64, 50]);
        using var view = buffer.Slice(1, null, null, 2).Slice(0, null, null, -1);
        double naive = 0;
        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 50; j += 2)
                naive += values[i * 50 + j];
        }
        double total = 0;
        var blockCount = 0;
        var enumerator = view.EnumerateReadOnlyBuffered<double>(new double[256]);
        foreach (var block in enumerator)
        {
            total += TensorPrimitives.Sum(block);
            blockCount++;
        }
        Assert.Equal(naive, total);
        Assert.Equal((64 * 25 + 255) / 256, blockCount);
        var span = buffer.AsStridedSpan<double>().Slice(1, null, null, 2);
        foreach (var block in span.EnumerateBuffered(stackalloc double[7]))
            TensorPrimitives.Multiply(block, 2.0, block);
        for (var k = 0; k < values.Length; k++)
            Assert.Equal((k % 50) % 2 == 0 ? 2.0 * (k % 97) : k % 97, values[k]);
    }

    [Fact]
    public void DefaultOrder_IsMemoryOrder_AsForRuns_AndLogicalOrderIsOneArgumentAway()
    {
        var values = Enumerable.Range(0, 24).Select(k => (double)k).ToArray();
        using var buffer = NdBuffer.FromArray(values, [4, 6]);
        using var reversed = buffer.Slice(1, null, null, -1); // a[:, ::-1]: memory order walks the values forwards
        var runs = new List<double>();
        foreach (ReadOnlySpan<double> run in reversed.EnumerateReadOnlyRuns<double>())
            runs.AddRange(run.ToArray());
        var buffered = new List<double>();
        foreach (var block in reversed.EnumerateReadOnlyBuffered<double>(new double[5]))
            buffered.AddRange(block.ToArray());
        var span = new List<double>();
        foreach (var block in reversed.AsReadOnlyStridedSpan<double>().EnumerateBuffered(new double[5]))
            span.AddRange(block.ToArray());
        Assert.Equal(values, runs);
        Assert.Equal(runs, buffered);
        Assert.Equal(runs, span);

        var logical = new List<double>();
        foreach (var block in reversed.EnumerateReadOnlyBuffered<double>(new double[5], preserveOrder: true))
            logical.AddRange(block.ToArray());
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(i => Enumerable.Range(0, 6).Select(j => values[i * 6 + 5 - j])), logical);
    }

    [Fact]
    public void BadArguments_AreRefusedByName()
    {
        using var buffer = NdBuffer.FromArray(new double[6], [2, 3]);
        var empty = Assert.Throws<ArgumentOutOfRangeException>(() => buffer.EnumerateBuffered<double>(Span<double>.Empty));
        Assert.Equal("scratch", empty.ParamName);
        Assert.Contains("at least one element", empty.Message);
        Assert.Throws<InvalidOperationException>(() => buffer.EnumerateBuffered<int>(new int[4]));
        using var readOnly = NdBuffer.FromArray(new double[6], [2, 3], readOnly: true);
        Assert.Throws<InvalidOperationException>(() => readOnly.EnumerateBuffered<double>(new double[4]));
        var readable = 0;
        foreach (var block in readOnly.EnumerateReadOnlyBuffered<double>(new double[4]))
            readable += block.Length;
        Assert.Equal(6, readable);
    }

    [Fact]
    public void DisposingTheBuffer_MidEnumeration_StopsTheNextStep()
    {
        var buffer = NdBuffer.FromArray(new double[24], [4, 6]);
        var view = buffer.Slice(1, null, null, 2);
        buffer.Dispose();
        var enumerator = view.EnumerateBuffered<double>(new double[2]);
        Assert.True(enumerator.MoveNext());
        view.Dispose();
        try
        {
            enumerator.MoveNext();
            Assert.Fail("MoveNext after disposal");
        }
        catch (ObjectDisposedException)
        {
        }
        enumerator.Dispose(); // no write-back into memory that may be gone
    }
}
