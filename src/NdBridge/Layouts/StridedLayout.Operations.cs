using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

public sealed partial class StridedLayout
{
    /// <summary>
    /// Slices one dimension with Python's semantics (<c>a[start:stop:step]</c>, negative indices count
    /// from the end, out-of-range bounds are clamped, negative steps walk backwards).
    /// </summary>
    /// <param name="dimension">The dimension to slice.</param>
    /// <param name="start">The first index, or null for the natural start.</param>
    /// <param name="stop">The index to stop before, or null for the natural end.</param>
    /// <param name="step">The step, not 0.</param>
    /// <param name="originByteOffset">Bytes to add to the address of element [0, ..., 0] (0 for an empty result).</param>
    public StridedLayout Slice(int dimension, nint? start, nint? stop, nint step, out nint originByteOffset)
    {
        CheckDimension(dimension, nameof(dimension));
        if (step == 0 || step == nint.MinValue)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(step), step, "The slice step must be non-zero and greater than nint.MinValue.");
        var length = _shape[dimension];
        var first = AdjustBound(start, length, step, isStart: true);
        var last = AdjustBound(stop, length, step, isStart: false);
        nint count = step < 0
            ? (last < first ? (first - last - 1) / -step + 1 : 0)
            : (first < last ? (last - first - 1) / step + 1 : 0);

        if (count == 0)
        {
            // As NumPy: an empty slice keeps the stride and the origin.
            step = 1;
            first = 0;
        }
        var shape = (nint[])_shape.Clone();
        var byteStrides = (nint[])_byteStrides.Clone();
        var suboffsets = (nint[]?)_suboffsets?.Clone();
        shape[dimension] = count;
        // Like NumPy, the new stride is stride * step; over a single element it is never used, so when
        // that product overflows the old stride stands in for it.
        if (!TryMultiply(_byteStrides[dimension], step, out byteStrides[dimension]))
        {
            if (count > 1)
                ThrowHelper.ThrowLayoutOverflow(nameof(step), $"The stride {_byteStrides[dimension]} times the step {step}");
            byteStrides[dimension] = _byteStrides[dimension];
        }
        originByteOffset = 0;
        if (count > 0 && !IsEmpty)
            originByteOffset = Shift(suboffsets, dimension, first * _byteStrides[dimension]);
        return CreateOwned(shape, byteStrides, suboffsets, ItemSize, nameof(step));
    }

    private static nint AdjustBound(nint? bound, nint length, nint step, bool isStart)
    {
        if (bound is not { } value)
            return step < 0 ? (isStart ? length - 1 : -1) : (isStart ? 0 : length);
        if (value < 0)
        {
            value += length;
            if (value < 0)
                value = step < 0 ? -1 : 0;
        }
        else if (value >= length)
        {
            value = step < 0 ? length - 1 : length;
        }
        return value;
    }

    /// <summary>Selects one index of a dimension and drops it (<c>a[..., index, ...]</c>); a negative index counts from the end.</summary>
    /// <param name="dimension">The dimension to drop.</param>
    /// <param name="index">The index kept, in <c>[-length, length)</c>.</param>
    /// <param name="originByteOffset">Bytes to add to the address of element [0, ..., 0] (0 when the layout is empty).</param>
    public StridedLayout Index(int dimension, nint index, out nint originByteOffset)
    {
        CheckDimension(dimension, nameof(dimension));
        var length = _shape[dimension];
        var adjusted = index < 0 ? index + length : index;
        if ((nuint)adjusted >= (nuint)length)
            ThrowHelper.ThrowIndexOutOfRange(nameof(index), dimension, index, length);
        if (_suboffsets is not null && _suboffsets[dimension] >= 0)
            ThrowHelper.ThrowIndirectDimension("Indexing", dimension);
        var suboffsets = (nint[]?)_suboffsets?.Clone();
        // An empty layout reaches no byte, so its origin stays where it was proven; otherwise the element
        // exists, so its offset fits nint.
        originByteOffset = IsEmpty ? 0 : Shift(suboffsets, dimension, adjusted * _byteStrides[dimension]);
        return CreateOwned(Remove(_shape, dimension), Remove(_byteStrides, dimension),
            suboffsets is null ? null : Remove(suboffsets, dimension), ItemSize, nameof(index));
    }

    /// <summary>Reverses the order of the dimensions (NumPy's <c>a.T</c>).</summary>
    public StridedLayout Transpose()
    {
        Span<int> axes = stackalloc int[Rank];
        for (var i = 0; i < axes.Length; i++)
            axes[i] = axes.Length - 1 - i;
        return Permute(axes);
    }

    /// <summary>Reorders the dimensions: dimension <c>i</c> of the result is dimension <c>axes[i]</c> of this layout.</summary>
    /// <param name="axes">A permutation of <c>0 .. Rank-1</c>.</param>
    public StridedLayout Permute(params ReadOnlySpan<int> axes)
    {
        if (axes.Length != Rank)
            ThrowHelper.ThrowLengthMismatch(nameof(axes), "axes", axes.Length, Rank);
        ulong seen = 0;
        var identity = true;
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = axes[i];
            if ((uint)axis >= (uint)Rank || (seen & (1UL << axis)) != 0)
                ThrowHelper.ThrowArgument($"axes ({string.Join(", ", axes.ToArray())}) is not a permutation of 0..{Rank - 1}.", nameof(axes));
            seen |= 1UL << axis;
            identity &= axis == i;
        }
        if (identity)
            return this;
        if (IsIndirect)
            ThrowHelper.ThrowIndirectDimension("Reordering the dimensions", FirstIndirectDimension());
        var shape = new nint[Rank];
        var byteStrides = new nint[Rank];
        var suboffsets = _suboffsets is null ? null : new nint[Rank];
        for (var i = 0; i < axes.Length; i++)
        {
            shape[i] = _shape[axes[i]];
            byteStrides[i] = _byteStrides[axes[i]];
            if (suboffsets is not null)
                suboffsets[i] = _suboffsets![axes[i]];
        }
        return CreateOwned(shape, byteStrides, suboffsets, ItemSize, nameof(axes));
    }

    /// <summary>
    /// Gives the same elements a new shape without copying, with NumPy's rule (<c>a.reshape(newShape, order)</c>
    /// when it returns a view); throws <see cref="InvalidOperationException"/> when only a copy can do it.
    /// </summary>
    /// <param name="newShape">The new shape; one entry may be -1, inferred from the element count.</param>
    /// <param name="order">The order in which elements are read and placed: C or F.</param>
    public StridedLayout Reshape(ReadOnlySpan<nint> newShape, MemoryOrder order = MemoryOrder.C)
    {
        if (!TryReshape(newShape, order, out var result))
            ThrowHelper.ThrowReshapeNeedsCopy(this, FormatTuple(newShape), order);
        return result;
    }

    /// <summary>
    /// Tries to reshape without copying (see <see cref="Reshape"/>): false when only a copy can do it.
    /// Invalid shapes (a size mismatch, negative lengths) still throw.
    /// </summary>
    /// <param name="newShape">The new shape; one entry may be -1, inferred from the element count.</param>
    /// <param name="order">The order in which elements are read and placed: C or F.</param>
    /// <param name="result">The reshaped layout, when possible.</param>
    public bool TryReshape(ReadOnlySpan<nint> newShape, MemoryOrder order, [NotNullWhen(true)] out StridedLayout? result)
    {
        if (order is not (MemoryOrder.C or MemoryOrder.F))
            ThrowHelper.ThrowArgument("Reshape reads elements in C or F order.", nameof(order));
        if (newShape.Length > MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(newShape), newShape.Length);
        if (HasSuboffsets)
            ThrowHelper.ThrowArgument("A layout with suboffsets cannot be reshaped.", nameof(newShape));

        if (newShape.SequenceEqual(_shape))
        {
            result = this;
            return true;
        }
        var dims = newShape.ToArray();
        FixUnknownDimension(dims);

        var isF = order == MemoryOrder.F;
        if (IsContiguous(order))
        {
            result = CreateOwned(dims, ContiguousStrides(dims, ItemSize, isF), null, ItemSize, nameof(newShape));
            return true;
        }
        var newStrides = new nint[dims.Length];
        if (!AttemptNoCopyReshape(dims, newStrides, isF))
        {
            result = null;
            return false;
        }
        result = CreateOwned(dims, newStrides, null, ItemSize, nameof(newShape));
        return true;
    }

    private void FixUnknownDimension(nint[] dims)
    {
        var unknown = -1;
        nint knownCount = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1 && unknown < 0)
                unknown = i;
            else if (dims[i] < 0)
                ThrowHelper.ThrowArgument($"newShape {FormatTuple(dims)} has a negative length other than a single -1.", "newShape");
            else if (!TryMultiply(knownCount, dims[i], out knownCount))
                ThrowHelper.ThrowLayoutOverflow("newShape", "The product of the new shape");
        }
        if (unknown >= 0)
        {
            if (knownCount == 0 || ElementCount % knownCount != 0)
                ThrowHelper.ThrowArgument($"Cannot reshape {ElementCount} elements into shape {FormatTuple(dims)}.", "newShape");
            dims[unknown] = ElementCount / knownCount;
        }
        else if (knownCount != ElementCount)
        {
            ThrowHelper.ThrowArgument($"Cannot reshape {ElementCount} elements into shape {FormatTuple(dims)}.", "newShape");
        }
    }

    private static nint[] ContiguousStrides(nint[] dims, nint itemSize, bool isF)
    {
        var byteStrides = new nint[dims.Length];
        var byteStride = itemSize;
        for (var k = 0; k < dims.Length; k++)
        {
            var dim = isF ? k : dims.Length - 1 - k;
            byteStrides[dim] = byteStride;
            if (dims[dim] != 0)
                byteStride *= dims[dim];
        }
        return byteStrides;
    }

    // NumPy's _attempt_nocopy_reshape (numpy/core/src/multiarray/shape.c), step for step.
    private bool AttemptNoCopyReshape(nint[] newDims, nint[] newStrides, bool isF)
    {
        Span<nint> oldDims = stackalloc nint[Rank];
        Span<nint> oldStrides = stackalloc nint[Rank];
        var oldRank = 0;
        for (var i = 0; i < Rank; i++)
        {
            if (_shape[i] != 1)
            {
                oldDims[oldRank] = _shape[i];
                oldStrides[oldRank] = _byteStrides[i];
                oldRank++;
            }
        }

        var newRank = newDims.Length;
        int oi = 0, oj = 1, ni = 0, nj = 1;
        while (ni < newRank && oi < oldRank)
        {
            var np = newDims[ni];
            var op = oldDims[oi];
            while (np != op)
            {
                if (np < op)
                    np *= newDims[nj++];
                else
                    op *= oldDims[oj++];
            }
            for (var ok = oi; ok < oj - 1; ok++)
            {
                if (isF ? oldStrides[ok + 1] != oldDims[ok] * oldStrides[ok] : oldStrides[ok] != oldDims[ok + 1] * oldStrides[ok + 1])
                    return false;
            }
            if (isF)
            {
                newStrides[ni] = oldStrides[oi];
                for (var nk = ni + 1; nk < nj; nk++)
                    newStrides[nk] = newStrides[nk - 1] * newDims[nk - 1];
            }
            else
            {
                newStrides[nj - 1] = oldStrides[oj - 1];
                for (var nk = nj - 1; nk > ni; nk--)
                    newStrides[nk - 1] = newStrides[nk] * newDims[nk];
            }
            ni = nj++;
            oi = oj++;
        }

        var lastStride = ni >= 1 ? newStrides[ni - 1] : ItemSize;
        if (isF && ni >= 1)
            lastStride *= newDims[ni - 1];
        for (var nk = ni; nk < newRank; nk++)
            newStrides[nk] = lastStride;
        return true;
    }

    /// <summary>
    /// Broadcasts to <paramref name="shape"/> with NumPy's rules (<c>np.broadcast_to</c>): new leading
    /// dimensions and dimensions of length 1 get stride 0 (even when they stay 1); other lengths must match.
    /// </summary>
    /// <param name="shape">The target shape, of rank at least <see cref="Rank"/>.</param>
    public StridedLayout BroadcastTo(ReadOnlySpan<nint> shape)
    {
        if (shape.Length > MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(shape), shape.Length);
        if (shape.Length < Rank)
            ThrowHelper.ThrowArgument($"Cannot broadcast {FormatTuple(_shape)} to the lower-rank shape {FormatTuple(shape)}.", nameof(shape));
        var lead = shape.Length - Rank;
        var byteStrides = new nint[shape.Length];
        var suboffsets = _suboffsets is null ? null : new nint[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                ThrowHelper.ThrowNegativeDimension(nameof(shape), i, shape[i]);
            if (suboffsets is not null)
                suboffsets[i] = i < lead ? -1 : _suboffsets![i - lead];
            if (i < lead)
                continue;
            var length = _shape[i - lead];
            // Like NumPy, a dimension of length 1 gets stride 0 even when its length stays 1.
            if (length != 1 && length == shape[i])
                byteStrides[i] = _byteStrides[i - lead];
            else if (length != 1)
                ThrowHelper.ThrowArgument($"Cannot broadcast {FormatTuple(_shape)} to {FormatTuple(shape)}: dimension {i - lead} has length {length}, not 1 or {shape[i]}.", nameof(shape));
        }
        return CreateOwned(shape.ToArray(), byteStrides, suboffsets, ItemSize, nameof(shape));
    }

    /// <summary>Removes every dimension of length 1.</summary>
    public StridedLayout Squeeze()
    {
        var layout = this;
        for (var i = Rank - 1; i >= 0; i--)
        {
            if (_shape[i] == 1)
                layout = layout.Squeeze(i);
        }
        return layout;
    }

    /// <summary>Removes one dimension of length 1.</summary>
    /// <param name="dimension">A dimension of length 1.</param>
    public StridedLayout Squeeze(int dimension)
    {
        CheckDimension(dimension, nameof(dimension));
        if (_shape[dimension] != 1)
            ThrowHelper.ThrowArgument($"Dimension {dimension} has length {_shape[dimension]}, not 1.", nameof(dimension));
        // Index 0 moves nothing: the origin (or a suboffset) shifts by 0 * stride.
        return Index(dimension, 0, out _);
    }

    /// <summary>Inserts a dimension of length 1 (stride 0) before <paramref name="dimension"/> (NumPy's <c>np.newaxis</c>).</summary>
    /// <param name="dimension">The position of the new dimension, 0 to <see cref="Rank"/>.</param>
    public StridedLayout ExpandDims(int dimension)
    {
        if ((uint)dimension > (uint)Rank)
            ThrowHelper.ThrowDimensionOutOfRange(nameof(dimension), dimension, Rank + 1);
        if (Rank == MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(dimension), Rank + 1);
        return CreateOwned(Insert(_shape, dimension, 1), Insert(_byteStrides, dimension, 0),
            _suboffsets is null ? null : Insert(_suboffsets, dimension, -1), ItemSize, nameof(dimension));
    }

    /// <summary>
    /// Merges neighbouring dimensions that step through memory as one and drops dimensions of length 1,
    /// keeping every element's address and the C iteration order. An empty layout becomes shape <c>(0,)</c>;
    /// a layout of one element becomes rank 0. Indirect dimensions are kept apart.
    /// </summary>
    public StridedLayout Coalesce()
    {
        if (IsEmpty)
            return CreateOwned([0], [ItemSize], null, ItemSize, "this");
        var shape = new List<nint>(Rank);
        var byteStrides = new List<nint>(Rank);
        var suboffsets = _suboffsets is null ? null : new List<nint>(Rank);
        for (var i = 0; i < Rank; i++)
        {
            var suboffset = _suboffsets is null ? -1 : _suboffsets[i];
            if (_shape[i] == 1 && suboffset < 0)
                continue;
            var last = shape.Count - 1;
            var lastDirect = suboffsets is null || (last >= 0 && suboffsets[last] < 0);
            if (last >= 0 && lastDirect && byteStrides[last] == _shape[i] * _byteStrides[i])
            {
                shape[last] *= _shape[i];
                byteStrides[last] = _byteStrides[i];
                if (suboffsets is not null)
                    suboffsets[last] = suboffset;
                continue;
            }
            shape.Add(_shape[i]);
            byteStrides.Add(_byteStrides[i]);
            suboffsets?.Add(suboffset);
        }
        return CreateOwned([.. shape], [.. byteStrides], suboffsets is null ? null : [.. suboffsets], ItemSize, "this");
    }

    /// <summary>
    /// Views a part of each item: the <paramref name="itemSize"/> bytes at <paramref name="byteOffset"/> inside every
    /// element (a record field), as NumPy's <c>a['name']</c>. A field that is itself an array of
    /// <paramref name="subArrayShape"/> adds its dimensions, C-contiguous, after the existing ones.
    /// </summary>
    /// <param name="byteOffset">The offset of the part inside an item, in bytes.</param>
    /// <param name="itemSize">The size of the part, or of one element of its sub-array, in bytes.</param>
    /// <param name="subArrayShape">The sub-array shape of the part; empty for a scalar.</param>
    /// <param name="originByteOffset">Bytes to add to the address of element [0, ..., 0].</param>
    public StridedLayout SelectItemBytes(nint byteOffset, nint itemSize, ReadOnlySpan<nint> subArrayShape, out nint originByteOffset)
    {
        var subArray = CreateContiguous(subArrayShape, itemSize);
        if (byteOffset < 0 || (Int128)byteOffset + subArray.EndByteOffset > ItemSize)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(byteOffset), byteOffset,
                $"{subArray.EndByteOffset} bytes at offset {byteOffset} do not fit inside an item of {ItemSize} bytes.");
        var rank = Rank + subArray.Rank;
        if (rank > MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(subArrayShape), rank);
        nint[]? suboffsets = _suboffsets is null ? null : [.. _suboffsets, .. Enumerable.Repeat((nint)(-1), subArray.Rank)];
        originByteOffset = IsEmpty ? 0 : Shift(suboffsets, Rank, byteOffset);
        return CreateOwned([.. _shape, .. subArray.Shape], [.. _byteStrides, .. subArray.ByteStrides], suboffsets, itemSize, nameof(itemSize));
    }

    // Moves where dimension `dimension` starts: before any indirect dimension the origin moves,
    // after one the shift is added to the suboffset of the last indirect dimension before it.
    private static nint Shift(nint[]? suboffsets, int dimension, nint byteShift)
    {
        if (suboffsets is not null)
        {
            for (var j = dimension - 1; j >= 0; j--)
            {
                if (suboffsets[j] >= 0)
                {
                    // A negative suboffset means "direct" to every consumer: the shift cannot make one.
                    if (!TryAdd(suboffsets[j], byteShift, out var moved) || moved < 0)
                        ThrowHelper.ThrowSuboffsetBelowZero(dimension, j, suboffsets[j], byteShift);
                    suboffsets[j] = moved;
                    return 0;
                }
            }
        }
        return byteShift;
    }

    private void CheckDimension(int dimension, string paramName)
    {
        if ((uint)dimension >= (uint)Rank)
            ThrowHelper.ThrowDimensionOutOfRange(paramName, dimension, Rank);
    }

    private static nint[] Remove(nint[] values, int index)
    {
        var result = new nint[values.Length - 1];
        values.AsSpan(0, index).CopyTo(result);
        values.AsSpan(index + 1).CopyTo(result.AsSpan(index));
        return result;
    }

    private static nint[] Insert(nint[] values, int index, nint value)
    {
        var result = new nint[values.Length + 1];
        values.AsSpan(0, index).CopyTo(result);
        result[index] = value;
        values.AsSpan(index).CopyTo(result.AsSpan(index + 1));
        return result;
    }
}
