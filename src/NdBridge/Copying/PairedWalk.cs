namespace NdBridge.Copying;

/// <summary>Receives the addresses the walk reaches in both operands; false stops the walk.</summary>
internal unsafe interface IPairVisitor
{
    bool Visit(byte* a, byte* b);
}

/// <summary>
/// Walks the leading dimensions of two layouts of one shape together in C order, applying strides and
/// dereferencing suboffsets as <c>PyBuffer_GetPointer</c> does, and hands each pair of addresses reached to
/// a visitor (which handles the remaining, direct dimensions).
/// </summary>
internal static unsafe class PairedWalk
{
    /// <returns>False when the visitor stopped the walk.</returns>
    public static bool Walk<TVisitor>(int dimension, int stopBefore, ReadOnlySpan<nint> shape,
        in StridedOperand a, byte* aPointer, in StridedOperand b, byte* bPointer, ref TVisitor visitor)
        where TVisitor : IPairVisitor, allows ref struct
    {
        if (dimension == stopBefore)
            return visitor.Visit(aPointer, bPointer);
        nint aByteStride = a.ByteStrides[dimension], bByteStride = b.ByteStrides[dimension];
        nint aSuboffset = a.Suboffsets.IsEmpty ? -1 : a.Suboffsets[dimension];
        nint bSuboffset = b.Suboffsets.IsEmpty ? -1 : b.Suboffsets[dimension];
        for (nint i = 0; i < shape[dimension]; i++)
        {
            byte* p = aPointer + i * aByteStride;
            byte* q = bPointer + i * bByteStride;
            if (aSuboffset >= 0)
                p = *(byte**)p + aSuboffset;
            if (bSuboffset >= 0)
                q = *(byte**)q + bSuboffset;
            if (!Walk(dimension + 1, stopBefore, shape, a, p, b, q, ref visitor))
                return false;
        }
        return true;
    }
}
