using NdBridge.Tests.Support;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace NdBridge.Tests.Memory;

/// <summary>
/// The TensorSpan bridge against the real <c>System.Numerics.Tensors</c> 11 constructor: what NdBridge hands over,
/// the constructor accepts and addresses identically; what NdBridge refuses, the constructor refuses too.
/// </summary>
public sealed class TensorSpanBridgeTests(ITestOutputHelper output)
{
    [Fact]
    public void RandomLayoutsAgreeWithTheRealConstructor()
    {
        var random = new Random(11);
        var data = new double[4096];
        int granted = 0, refusedNegative = 0, refusedOverlap = 0, rawAccepted = 0;
        for (var n = 0; n < 5_000; n++)
        {
            var rank = random.Next(0, 5);
            var lengths = new nint[rank];
            var elementStrides = new nint[rank];
            for (var i = 0; i < rank; i++)
            {
                lengths[i] = random.Next(6) switch { 0 => 0, 1 => 1, _ => random.Next(2, 5) };
                elementStrides[i] = random.Next(-4, 13);
            }
            var layout = new StridedLayout(lengths, elementStrides.Select(s => s * sizeof(double)).ToArray(), sizeof(double));
            var originByteOffset = -layout.LowestByteOffset;
            using var buffer = NdBuffer.FromArray(data, BufferFormat.Of<double>(), layout, originByteOffset);
            var span = buffer.AsStridedSpan<double>();
            var ok = span.TryAsTensorSpan(out var tensor, out var reason);

            // Whatever the constructor accepts as given (non-negative strides), NdBridge grants.
            if (rank > 0 && elementStrides.All(s => s >= 0))
            {
                var linearLength = (int)(layout.EndByteOffset / sizeof(double));
                if (Accepts(data.AsSpan((int)(originByteOffset / sizeof(double)), Math.Max(linearLength, 0)), lengths, elementStrides))
                {
                    rawAccepted++;
                    Assert.True(ok, $"the constructor accepts {layout} as given, NdBridge refused: {reason}");
                }
            }

            if (ok)
            {
                granted++;
                Assert.Equal(Math.Max(rank, 1), tensor.Rank);
                Assert.Equal(span.ElementCount, tensor.FlattenedLength);
                if (rank == 0)
                {
                    Assert.True(Unsafe.AreSame(ref span[[]], ref tensor[[0]]));
                    continue;
                }
                foreach (var index in IndexSpace.COrder(lengths))
                    Assert.True(Unsafe.AreSame(ref span[index], ref tensor[index]), $"element [{string.Join(",", index)}] of {layout}");
                var back = StridedSpan<double>.FromTensorSpan(tensor);
                foreach (var index in IndexSpace.COrder(lengths))
                    Assert.True(Unsafe.AreSame(ref span[index], ref back[index]));
                continue;
            }

            Assert.NotNull(reason);
            Assert.Throws<InvalidOperationException>(() => buffer.AsStridedSpan<double>().AsTensorSpan());
            // Refused: the constructor, given the same normalised strides, refuses as well.
            var normalised = elementStrides.Select((s, i) => lengths[i] <= 1 ? 0 : s).ToArray();
            var memory = data.AsSpan((int)((originByteOffset + layout.LowestByteOffset) / sizeof(double)));
            if (reason!.Contains("negative"))
            {
                refusedNegative++;
                Assert.Contains(normalised, s => s < 0);
                Assert.False(Accepts(memory, lengths, normalised));
            }
            else
            {
                refusedOverlap++;
                Assert.Contains("overlap", reason);
                Assert.False(Accepts(memory[..(int)(layout.ByteSpan / sizeof(double))], lengths, normalised));
            }
        }
        output.WriteLine($"5000 layouts: {granted} granted ({rawAccepted} accepted as given by the constructor), {refusedNegative} refused for negative strides, {refusedOverlap} for overlap");
        Assert.True(granted > 1000 && refusedNegative > 100 && refusedOverlap > 100);
    }

    [Fact]
    public void TensorSpansBecomeStridedSpans()
    {
        var data = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var tensor = new TensorSpan<float>(data.AsSpan(), [3, 4], [4, 1]);
        var strided = StridedSpan<float>.FromTensorSpan(tensor);
        Assert.Equal([16, 4], strided.ByteStrides.ToArray());
        Assert.Equal(7, strided[1, 3]);
        strided[2, 0] = -1;
        Assert.Equal(-1, data[8]);

        // A broadcast tensor: stride 0.
        var broadcast = new ReadOnlyTensorSpan<float>(data.AsSpan(0, 4), [3, 4], [0, 1]);
        ReadOnlyStridedSpan<float> view = broadcast;
        Assert.Equal(3, view[2, 3]);
        Assert.Equal(12, view.ToArray().Length);
        Assert.True(view.TryAsTensorSpan(out var again, out _));
        Assert.Equal(broadcast.Strides.ToArray(), again.Strides.ToArray());
    }

    [Fact]
    public void RankZeroAndEmptyAreNormalised()
    {
        var data = new[] { 5.0, 6.0 };
        using var scalar = NdBuffer.FromArray(data, []);
        var tensor = scalar.AsStridedSpan<double>().AsTensorSpan();
        Assert.Equal([1], tensor.Lengths.ToArray());
        Assert.Equal(5.0, tensor[[0]]);
        using var empty = NdBuffer.FromArray(data, [0, 2]);
        var emptyTensor = empty.AsReadOnlyStridedSpan<double>().AsTensorSpan();
        Assert.Equal(0, emptyTensor.FlattenedLength);
        Assert.Equal([0, 2], emptyTensor.Lengths.ToArray());
        using var reversed = NdBuffer.FromArray(data).Slice(0, null, null, -1);
        var e = Assert.Throws<InvalidOperationException>(() => reversed.AsReadOnlyStridedSpan<double>().AsTensorSpan());
        Assert.Contains("negative byte stride -8", e.Message);
    }

    private static bool Accepts(Span<double> memory, nint[] lengths, nint[] strides)
    {
        try
        {
            _ = new TensorSpan<double>(memory, lengths, strides);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
