namespace NdBridge.Tests.Support;

/// <summary>Random layouts of every kind the acceptance names, as plain arrays (no NdBridge type).</summary>
internal static class LayoutGenerator
{
    public static readonly long[] ItemSizes = [1, 2, 4, 8, 3, 9, 12, 16];

    public sealed record Spec(string Kind, long[] Shape, long[] Strides, long[]? Suboffsets, long ItemSize);

    public static Spec Next(Random random, long maxElements = 256)
    {
        while (true)
        {
            var spec = Candidate(random);
            if (spec.Shape.Aggregate(1L, (p, n) => p * n) <= maxElements)
                return spec;
        }
    }

    private static Spec Candidate(Random random)
    {
        var rank = random.Next(10) switch { 0 => 0, 1 or 2 => 1, 3 or 4 or 5 => 2, 6 or 7 => 3, 8 => 4, _ => 5 };
        var shape = new long[rank];
        for (var i = 0; i < rank; i++)
            shape[i] = random.Next(12) switch { 0 => 0, 1 or 2 => 1, _ => random.Next(2, 5) };
        var itemSize = ItemSizes[random.Next(ItemSizes.Length)];
        var kinds = new[] { "C", "F", "padded", "negative", "zero", "random", "overlap", "indirect" };
        var kind = kinds[random.Next(kinds.Length)];
        if (kind == "indirect" && (rank == 0 || itemSize is not (1 or 2 or 4 or 8)))
            kind = "C";
        var strides = new long[rank];
        long[]? suboffsets = null;
        switch (kind)
        {
            case "C":
            case "negative":
            case "padded":
            {
                var stride = itemSize;
                for (var i = rank - 1; i >= 0; i--)
                {
                    strides[i] = stride;
                    var padded = kind == "padded" && i == rank - 1 ? shape[i] + random.Next(1, 4) : shape[i];
                    stride *= Math.Max(padded, 1);
                }
                if (kind == "negative")
                {
                    for (var i = 0; i < rank; i++)
                        strides[i] = random.Next(2) == 0 ? -strides[i] : strides[i];
                }
                break;
            }
            case "F":
            {
                var stride = itemSize;
                for (var i = 0; i < rank; i++)
                {
                    strides[i] = stride;
                    stride *= Math.Max(shape[i], 1);
                }
                break;
            }
            case "zero":
                for (var i = 0; i < rank; i++)
                    strides[i] = random.Next(3) == 0 ? 0 : itemSize * random.Next(-6, 7);
                break;
            case "random":
                for (var i = 0; i < rank; i++)
                    strides[i] = random.Next(-40, 41);
                break;
            case "overlap":
                for (var i = 0; i < rank; i++)
                    strides[i] = itemSize * random.Next(-2, 3);
                break;
            case "indirect":
            {
                var indirectDim = random.Next(rank);
                suboffsets = new long[rank];
                for (var i = 0; i < rank; i++)
                {
                    suboffsets[i] = i == indirectDim ? random.Next(0, 5) * itemSize : -1;
                    strides[i] = i <= indirectDim ? 8 * random.Next(-2, 3) : itemSize * random.Next(-3, 4);
                }
                break;
            }
        }
        return new Spec(kind, shape, strides, suboffsets, itemSize);
    }
}
