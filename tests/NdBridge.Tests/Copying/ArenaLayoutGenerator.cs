namespace NdBridge.Tests.Copying;

/// <summary>
/// Seeded random layouts: C, Fortran, permuted with padding, random and zero strides, sign flips,
/// and indirect (PIL-style) dimensions whose pointer tables it builds itself.
/// </summary>
internal sealed unsafe class ArenaLayoutGenerator(TestArena arena, Random random)
{
    public static readonly int[] ItemSizes = [1, 2, 3, 4, 5, 8, 12, 16];

    /// <summary>When set, an indirect layout's element blocks never overlap one another (each element held once).</summary>
    public bool DisjointBlocks { get; set; }

    private long _dataBump;

    /// <summary>Refills the arena with random bytes and draws layouts (any item size) until one fits.</summary>
    public TestLayout Next(bool allowAliasing, bool allowIndirect = true)
    {
        while (true)
        {
            arena.Reset(random);
            long[] shape = RandomShape();
            int itemSize = ItemSizes[random.Next(ItemSizes.Length)];
            TestLayout? layout = Any(shape, itemSize, allowAliasing, allowIndirect: allowIndirect);
            if (layout != null)
                return layout;
        }
    }

    public long[] RandomShape(int maxRank = 4, int maxDim = 5)
    {
        int rank = random.Next(maxRank + 1);
        var shape = new long[rank];
        for (int i = 0; i < rank; i++)
            shape[i] = random.Next(20) == 0 ? 0 : random.Next(1, maxDim + 1);
        return shape;
    }

    /// <summary>Strides for the given dims; every stride is a multiple of <paramref name="unit"/>.</summary>
    public long[] RandomStrides(long[] shape, int itemSize, int unit, bool allowAliasing)
    {
        int rank = shape.Length;
        var strides = new long[rank];
        int mode = random.Next(allowAliasing ? 6 : 4);
        if (mode <= 2)
        {
            int[] order = Enumerable.Range(0, rank).ToArray();
            if (mode == 1)
                Array.Reverse(order);
            else if (mode == 2)
                random.Shuffle(order);
            long extent = RoundUp(itemSize, unit);
            for (int k = rank - 1; k >= 0; k--)
            {
                int dim = order[k];
                strides[dim] = extent;
                long pad = mode == 2 && random.Next(3) == 0 ? unit * random.Next(1, 4) : 0;
                extent = extent * Math.Max(shape[dim], 1) + pad;
            }
        }
        else if (mode == 3)
        {
            // Steps like a[::k]: multiples of a contiguous stride, some negative.
            long extent = RoundUp(itemSize, unit);
            for (int dim = rank - 1; dim >= 0; dim--)
            {
                long step = random.Next(1, 4);
                strides[dim] = extent * step;
                extent = extent * step * Math.Max(shape[dim], 1);
            }
        }
        else
        {
            // Arbitrary strides, possibly zero or overlapping.
            for (int dim = 0; dim < rank; dim++)
                strides[dim] = unit * random.Next(-6, 7) * (random.Next(2) == 0 ? 1 : Math.Max(1, itemSize / unit));
        }
        for (int dim = 0; dim < rank; dim++)
        {
            if (random.Next(4) == 0)
                strides[dim] = -strides[dim];
        }
        return strides;
    }

    private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

    public static (long Low, long High) Extent(long[] shape, long[] strides, long itemSize, int from = 0, int to = -1)
    {
        if (to < 0)
            to = shape.Length;
        long low = 0, high = 0;
        for (int i = from; i < to; i++)
        {
            long span = (shape[i] - 1) * strides[i];
            if (shape[i] == 0)
                span = 0;
            if (span < 0)
                low += span;
            else
                high += span;
        }
        return (low, high + itemSize);
    }

    /// <summary>A direct layout placed at a random place in the data region, or near <paramref name="near"/>.</summary>
    public TestLayout? Direct(long[] shape, int itemSize, long[] strides, byte* near = null)
    {
        var (low, high) = Extent(shape, strides, itemSize);
        if (high - low > arena.DataLength)
            return null;
        long minOffset = -low, maxOffset = arena.DataLength - high;
        long offset;
        if (near != null)
            offset = Math.Clamp(near - arena.Data + random.Next(-3 * itemSize, 3 * itemSize + 1), minOffset, maxOffset);
        else
            offset = minOffset + (long)(random.NextDouble() * (maxOffset - minOffset + 1));
        offset = Math.Min(offset, maxOffset);
        return new TestLayout { Origin = arena.Data + offset, Shape = shape, Strides = strides, ItemSize = itemSize };
    }

    /// <summary>
    /// A layout with suboffsets: dimensions in <paramref name="indirect"/> dereference a pointer. The
    /// pointer tables (strides multiples of 8) go to the pointer region, the element blocks to random places
    /// in the data region. Null when it does not fit.
    /// </summary>
    public TestLayout? Indirect(long[] shape, int itemSize, bool[] indirect, bool allowAliasing)
    {
        int rank = shape.Length;
        var strides = new long[rank];
        var suboffsets = new long[rank];
        int start = 0;
        for (int dim = 0; dim < rank; dim++)
        {
            suboffsets[dim] = indirect[dim] ? random.Next(0, 48) : (random.Next(5) == 0 ? -random.Next(2, 9) : -1);
            if (indirect[dim] || dim == rank - 1)
            {
                long[] segmentShape = shape[start..(dim + 1)];
                bool slots = indirect[dim];
                long[] segmentStrides = RandomStrides(segmentShape, slots ? 8 : itemSize, slots ? 8 : (random.Next(2) == 0 ? 1 : itemSize), allowAliasing);
                segmentStrides.CopyTo(strides, start);
                start = dim + 1;
            }
        }
        var layout = new TestLayout { Origin = null, Shape = shape, Strides = strides, Suboffsets = suboffsets, ItemSize = itemSize };
        _dataBump = 0;
        byte* origin = BuildSegment(layout, 0);
        if (origin == null)
            return null;
        layout.Origin = origin;
        return layout;
    }

    private byte* BuildSegment(TestLayout layout, int start)
    {
        int rank = layout.Shape.Length;
        int end = start;
        while (end < rank && layout.Suboffsets![end] < 0)
            end++;
        if (end == rank)
        {
            var (low, high) = Extent(layout.Shape, layout.Strides, layout.ItemSize, start);
            if (high - low > arena.DataLength)
                return null;
            if (DisjointBlocks)
            {
                if (_dataBump + high - low > arena.DataLength)
                    return null;
                _dataBump += high - low;
                return arena.Data + _dataBump - high;
            }
            long offset = -low + (long)(random.NextDouble() * (arena.DataLength - (high - low)));
            return arena.Data + offset;
        }
        var (slotLow, slotHigh) = Extent(layout.Shape, layout.Strides, 8, start, end + 1);
        byte* table = arena.AllocatePointers(slotHigh - slotLow);
        if (table == null)
            return null;
        byte* basePointer = table - slotLow;
        long[] segmentShape = layout.Shape[start..(end + 1)];
        foreach (long[] index in NaiveReference.Indices(segmentShape, 'C'))
        {
            byte* slot = basePointer;
            for (int k = 0; k < index.Length; k++)
                slot += index[k] * layout.Strides[start + k];
            byte* child = BuildSegment(layout, end + 1);
            if (child == null)
                return null;
            *(byte**)slot = child - layout.Suboffsets![end];
        }
        return basePointer;
    }

    /// <summary>Any layout of the shape: direct (maybe near another), indirect, or with all-negative suboffsets.</summary>
    public TestLayout? Any(long[] shape, int itemSize, bool allowAliasing, byte* near = null, bool allowIndirect = true)
    {
        int kind = random.Next(10);
        if (allowIndirect && shape.Length > 0 && kind < 3)
        {
            var indirect = new bool[shape.Length];
            for (int i = 0; i < shape.Length; i++)
                indirect[i] = random.Next(3) == 0;
            indirect[random.Next(shape.Length)] = true;
            return Indirect(shape, itemSize, indirect, allowAliasing);
        }
        int unit = random.Next(3) == 0 ? 1 : itemSize;
        var layout = Direct(shape, itemSize, RandomStrides(shape, itemSize, unit, allowAliasing), near);
        if (layout != null && allowIndirect && kind == 3 && shape.Length > 0)
            layout.Suboffsets = Enumerable.Repeat(-1L, shape.Length).ToArray();
        return layout;
    }

    /// <summary>
    /// Larger 2-D/3-D layouts of 1/2/4/8-byte items for the kernels: transposes, steps, reversed rows,
    /// padded rows.
    /// </summary>
    public (long[] Shape, TestLayout Layout)? Kernel()
    {
        int[] sizes = [1, 2, 4, 8, 8, 8];
        int itemSize = sizes[random.Next(sizes.Length)];
        int rank = random.Next(2, 4);
        var baseShape = new long[rank];
        for (int i = 0; i < rank; i++)
            baseShape[i] = random.Next(1, rank == 2 ? 70 : 20);
        var steps = new long[rank];
        for (int i = 0; i < rank; i++)
            steps[i] = random.Next(4) == 0 ? (random.Next(2) == 0 ? 2 : -1) * (random.Next(4) == 0 ? -1 : 1) : 1;
        // C-contiguous base with optional row padding, then steps, then a random axis permutation.
        var baseStrides = new long[rank];
        long extent = itemSize;
        for (int i = rank - 1; i >= 0; i--)
        {
            baseStrides[i] = extent;
            extent = extent * baseShape[i] + (random.Next(3) == 0 ? itemSize * random.Next(1, 9) : 0);
        }
        var shape = new long[rank];
        var strides = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            shape[i] = (baseShape[i] + Math.Abs(steps[i]) - 1) / Math.Abs(steps[i]);
            strides[i] = baseStrides[i] * steps[i];
        }
        int[] axes = Enumerable.Range(0, rank).ToArray();
        if (random.Next(2) == 0)
            random.Shuffle(axes);
        long[] permutedShape = axes.Select(a => shape[a]).ToArray();
        long[] permutedStrides = axes.Select(a => strides[a]).ToArray();
        var layout = Direct(permutedShape, itemSize, permutedStrides);
        return layout == null ? null : (permutedShape, layout);
    }

    public TestLayout CContiguous(long[] shape, int itemSize)
    {
        var strides = new long[shape.Length];
        long extent = itemSize;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = extent;
            extent *= Math.Max(shape[i], 1);
        }
        return Direct(shape, itemSize, strides)!;
    }
}
