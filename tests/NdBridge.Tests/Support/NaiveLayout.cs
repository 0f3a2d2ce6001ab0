namespace NdBridge.Tests.Support;

/// <summary>
/// A deliberately naive reference for strided layouts that uses no NdBridge type. A base layout computes
/// each address from its strides (and reads pointers for indirect dimensions); every derived layout is only
/// a mapping from its indices to its parent's, so operations are defined by where elements land, never by
/// stride formulas. Contiguity and extent come from enumerating every address.
/// </summary>
internal sealed class NaiveLayout
{
    private readonly Func<long[], long> _address;

    private NaiveLayout(long[] shape, long itemSize, bool hasSuboffsets, bool[] indirect, Func<long[], long> address)
    {
        Shape = shape;
        ItemSize = itemSize;
        HasSuboffsets = hasSuboffsets;
        Indirect = indirect;
        _address = address;
    }

    public static NaiveLayout FromStrides(long[] shape, long[] strides, long[]? suboffsets, long itemSize, Func<long, long>? readPointer = null) =>
        new(shape, itemSize, suboffsets is not null, shape.Select((_, i) => suboffsets is not null && suboffsets[i] >= 0).ToArray(), index =>
        {
            long address = 0;
            for (var i = 0; i < shape.Length; i++)
            {
                address += index[i] * strides[i];
                if (suboffsets is not null && suboffsets[i] >= 0)
                    address = readPointer!(address) + suboffsets[i];
            }
            return address;
        });

    public long[] Shape { get; }
    public long ItemSize { get; }
    public bool HasSuboffsets { get; }
    public bool[] Indirect { get; }
    public int Rank => Shape.Length;
    public bool IsIndirect => Indirect.Any(x => x);

    public long Count => Shape.Aggregate(1L, (product, length) => product * length);

    public long Address(long[] index) => _address(index);

    public long Origin => Count == 0 ? 0 : _address(new long[Rank]);

    public IEnumerable<long[]> Indices(bool fortran = false)
    {
        if (Shape.Any(length => length == 0))
            yield break;
        var index = new long[Rank];
        while (true)
        {
            yield return (long[])index.Clone();
            var k = 0;
            for (; k < Rank; k++)
            {
                var dim = fortran ? k : Rank - 1 - k;
                if (++index[dim] < Shape[dim])
                    break;
                index[dim] = 0;
            }
            if (k == Rank)
                yield break;
        }
    }

    public List<long> Addresses(bool fortran = false) => Indices(fortran).Select(Address).ToList();

    public bool IsContiguous(bool fortran)
    {
        if (HasSuboffsets)
            return false;
        var addresses = Addresses(fortran);
        for (var k = 0; k < addresses.Count; k++)
        {
            if (addresses[k] != addresses[0] + k * ItemSize)
                return false;
        }
        return true;
    }

    /// <summary>(lowest byte, one past the highest byte) relative to element [0, ..., 0]; (0, 0) when empty.</summary>
    public (long Lowest, long End) Extent()
    {
        var addresses = Addresses();
        if (addresses.Count == 0)
            return (0, 0);
        return (addresses.Min() - addresses[0], addresses.Max() - addresses[0] + ItemSize);
    }

    public NaiveLayout Map(long[] shape, bool[] indirect, Func<long[], long[]> toParent) =>
        new(shape, ItemSize, HasSuboffsets, indirect, index => _address(toParent(index)));

    public NaiveLayout Slice(int dim, long? start, long? stop, long step)
    {
        var picked = PythonSlice(Shape[dim], start, stop, step);
        var shape = (long[])Shape.Clone();
        shape[dim] = picked.Count;
        return Map(shape, Indirect, index =>
        {
            var parent = (long[])index.Clone();
            parent[dim] = picked[(int)index[dim]];
            return parent;
        });
    }

    public NaiveLayout Index(int dim, long index)
    {
        var kept = index < 0 ? index + Shape[dim] : index;
        return Map(Shape.Where((_, i) => i != dim).ToArray(), Indirect.Where((_, i) => i != dim).ToArray(),
            idx => idx.Take(dim).Append(kept).Concat(idx.Skip(dim)).ToArray());
    }

    public NaiveLayout Permute(int[] axes) =>
        Map(axes.Select(a => Shape[a]).ToArray(), axes.Select(a => Indirect[a]).ToArray(), index =>
        {
            var parent = new long[Rank];
            for (var i = 0; i < axes.Length; i++)
                parent[axes[i]] = index[i];
            return parent;
        });

    public NaiveLayout BroadcastTo(long[] shape)
    {
        var lead = shape.Length - Rank;
        return Map(shape, Enumerable.Repeat(false, lead).Concat(Indirect).ToArray(),
            index => Enumerable.Range(0, Rank).Select(i => Shape[i] == 1 ? 0 : index[lead + i]).ToArray());
    }

    public NaiveLayout ExpandDims(int dim) =>
        Map(Shape.Take(dim).Append(1).Concat(Shape.Skip(dim)).ToArray(),
            Indirect.Take(dim).Append(false).Concat(Indirect.Skip(dim)).ToArray(),
            index => index.Where((_, i) => i != dim).ToArray());

    /// <summary>
    /// Reshape by brute force: the new layout must put the k-th element (in <paramref name="fortran"/> order) where
    /// the old layout's k-th element is, with some fixed stride per dimension. Null when no such strides exist.
    /// </summary>
    public NaiveLayout? Reshape(long[] shape, bool fortran)
    {
        var old = Addresses(fortran);
        var fresh = FromStrides(shape, new long[shape.Length], null, ItemSize);
        var positions = fresh.Indices(fortran).ToList();
        if (positions.Count != old.Count)
            throw new ArgumentException("size mismatch");
        if (old.Count > 0)
        {
            var strides = new long[shape.Length];
            for (var d = 0; d < shape.Length; d++)
            {
                if (shape[d] < 2)
                    continue;
                var unit = new long[shape.Length];
                unit[d] = 1;
                var k = positions.FindIndex(p => p.SequenceEqual(unit));
                strides[d] = old[k] - old[0];
            }
            for (var k = 0; k < positions.Count; k++)
            {
                var predicted = old[0];
                for (var d = 0; d < shape.Length; d++)
                    predicted += positions[k][d] * strides[d];
                if (predicted != old[k])
                    return null;
            }
        }
        var lookup = positions.Select((p, k) => (Key: string.Join(",", p), k)).ToDictionary(x => x.Key, x => x.k);
        return new NaiveLayout(shape, ItemSize, false, new bool[shape.Length], index => old[lookup[string.Join(",", index)]]);
    }

    /// <summary>Python's <c>list(range(length))[start:stop:step]</c>, walking the list as the language reference describes.</summary>
    public static List<long> PythonSlice(long length, long? start, long? stop, long step)
    {
        long Clamp(long? bound, long fallback)
        {
            if (bound is null)
                return fallback;
            var value = bound.Value < 0 ? bound.Value + length : bound.Value;
            return step > 0 ? Math.Clamp(value, 0, length) : Math.Clamp(value, -1, length - 1);
        }
        var items = new List<long>();
        if (step > 0)
        {
            for (var i = Clamp(start, 0); i < Clamp(stop, length); i += step)
                items.Add(i);
        }
        else
        {
            for (var i = Clamp(start, length - 1); i > Clamp(stop, -1); i += step)
                items.Add(i);
        }
        return items;
    }
}
