namespace NdBridge.Copying;

/// <summary>
/// The steps that turn a layout into few, long runs, on (count, byte stride, suboffset) triples with size-1 dimensions
/// already dropped: memory order (for walks that may reorder) and merging dimensions contiguous with each other.
/// </summary>
internal static class RunPlan
{
    /// <summary>Flips reversed dimensions and sorts by decreasing stride; returns the byte offset of the new first element.</summary>
    public static nint MemoryOrder(Span<nint> counts, Span<nint> byteStrides, int rank)
    {
        nint firstByteOffset = 0;
        for (var i = 0; i < rank; i++)
        {
            if (byteStrides[i] < 0)
            {
                firstByteOffset += (counts[i] - 1) * byteStrides[i];
                byteStrides[i] = -byteStrides[i];
            }
        }
        for (var i = 1; i < rank; i++)
        {
            nint count = counts[i], byteStride = byteStrides[i];
            var j = i - 1;
            while (j >= 0 && byteStrides[j] < byteStride)
            {
                counts[j + 1] = counts[j];
                byteStrides[j + 1] = byteStrides[j];
                j--;
            }
            counts[j + 1] = count;
            byteStrides[j + 1] = byteStride;
        }
        return firstByteOffset;
    }

    /// <summary>Merges each dimension into the one before it when that one steps exactly over it (and is direct); returns the new rank.</summary>
    public static int Coalesce(Span<nint> counts, Span<nint> byteStrides, Span<nint> suboffsets, int rank)
    {
        if (rank == 0)
            return 0;
        var last = 0;
        for (var i = 1; i < rank; i++)
        {
            if (suboffsets[last] < 0 && byteStrides[last] == byteStrides[i] * counts[i])
            {
                counts[last] *= counts[i];
                byteStrides[last] = byteStrides[i];
                suboffsets[last] = suboffsets[i];
            }
            else
            {
                last++;
                counts[last] = counts[i];
                byteStrides[last] = byteStrides[i];
                suboffsets[last] = suboffsets[i];
            }
        }
        return last + 1;
    }
}
