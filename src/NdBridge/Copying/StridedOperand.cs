namespace NdBridge.Copying;

/// <summary>
/// One side of a copy, as raw memory: the address of element [0,...,0], signed byte strides and
/// optional PEP 3118 suboffsets (empty = direct). Shape and item size are shared by both sides and
/// passed separately.
/// </summary>
/// <remarks>
/// Suboffsets follow PIL / <c>PyBuffer_GetPointer</c>: after applying dimension i's stride, if
/// <c>suboffsets[i] &gt;= 0</c> the pointer is dereferenced and <c>suboffsets[i]</c> added.
/// </remarks>
internal readonly unsafe ref struct StridedOperand
{
    /// <summary>PyBUF_MAX_NDIM.</summary>
    public const int MaxRank = StridedLayout.MaxRank;

    public readonly byte* Origin;
    public readonly ReadOnlySpan<nint> ByteStrides;
    public readonly ReadOnlySpan<nint> Suboffsets;

    public StridedOperand(byte* origin, ReadOnlySpan<nint> byteStrides, ReadOnlySpan<nint> suboffsets = default)
    {
        Origin = origin;
        ByteStrides = byteStrides;
        Suboffsets = suboffsets;
    }

    /// <summary>True when some dimension dereferences a pointer (a suboffset &gt;= 0).</summary>
    public bool HasIndirection => LastIndirectDimension >= 0;

    /// <summary>The last dimension whose suboffset is &gt;= 0, or -1.</summary>
    public int LastIndirectDimension
    {
        get
        {
            for (int i = Suboffsets.Length - 1; i >= 0; i--)
            {
                if (Suboffsets[i] >= 0)
                    return i;
            }
            return -1;
        }
    }

    public void Validate(int rank, string paramName)
    {
        if (ByteStrides.Length != rank)
            ThrowHelper.ThrowRankMismatch(paramName, rank, ByteStrides.Length);
        if (!Suboffsets.IsEmpty && Suboffsets.Length != rank)
            ThrowHelper.ThrowRankMismatch(paramName, rank, Suboffsets.Length);
    }
}
