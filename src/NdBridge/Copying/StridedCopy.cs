using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>
/// Copy between two layouts of one shape and item size, with <c>memmove</c> semantics: when the byte
/// ranges overlap the result is that of copying through a temporary. Indirect (suboffset) operands are
/// walked pointer by pointer down to their last indirect dimension; below it the direct kernel runs.
/// Never allocates per element; allocates one temporary only when the operands may overlap.
/// </summary>
internal static unsafe class StridedCopy
{
    public static void Copy(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand dst, in StridedOperand src)
    {
        Validate(shape, itemSize, dst, src);
        if (LayoutMath.ElementCount(shape) == 0)
            return;

        bool dstIndirect = dst.HasIndirection, srcIndirect = src.HasIndirection;
        if (!dstIndirect && !srcIndirect)
        {
            var (dstLow, dstHigh) = LayoutMath.Extent(shape, dst.ByteStrides, itemSize);
            var (srcLow, srcHigh) = LayoutMath.Extent(shape, src.ByteStrides, itemSize);
            if (dst.Origin + dstLow < src.Origin + srcHigh && src.Origin + srcLow < dst.Origin + dstHigh)
            {
                if (dst.Origin == src.Origin && SameStrides(shape, dst.ByteStrides, src.ByteStrides))
                    return;
                CopyThroughTemporary(shape, itemSize, dst, src);
                return;
            }
            DirectCopy.Copy(shape, itemSize, dst.Origin, dst.ByteStrides, src.Origin, src.ByteStrides);
            return;
        }

        bool mayOverlap;
        if (dstIndirect && srcIndirect)
            mayOverlap = true;
        else if (dstIndirect)
            mayOverlap = IndirectTouches(shape, itemSize, dst, src);
        else
            mayOverlap = IndirectTouches(shape, itemSize, src, dst);
        if (mayOverlap)
            CopyThroughTemporary(shape, itemSize, dst, src);
        else
            CopyNoOverlap(shape, itemSize, dst, src);
    }

    /// <summary>Copy for operands known not to overlap (either side may be indirect).</summary>
    internal static void CopyNoOverlap(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand dst, in StridedOperand src)
    {
        int lastIndirect = Math.Max(dst.LastIndirectDimension, src.LastIndirectDimension);
        if (lastIndirect < 0)
            DirectCopy.Copy(shape, itemSize, dst.Origin, dst.ByteStrides, src.Origin, src.ByteStrides);
        {
            int direct = lastIndirect + 1;
            var remainder = new DirectRemainder(shape[direct..], itemSize, dst.ByteStrides[direct..], src.ByteStrides[direct..]);
            PairedWalk.Walk(0, direct, shape, dst, dst.Origin, src, src.Origin, ref remainder);
        }
    }

    /// <summary>Copies the direct dimensions below the last indirect one, for each pair of addresses the walk reaches.</summary>
    private readonly ref struct DirectRemainder(ReadOnlySpan<nint> shape, nint itemSize,
        ReadOnlySpan<nint> dstByteStrides, ReadOnlySpan<nint> srcByteStrides) : IPairVisitor
    {
        private readonly ReadOnlySpan<nint> _shape = shape;
        private readonly ReadOnlySpan<nint> _dstByteStrides = dstByteStrides;
        private readonly ReadOnlySpan<nint> _srcByteStrides = srcByteStrides;

        public bool Visit(byte* dst, byte* src)
        {
            DirectCopy.Copy(_shape, itemSize, dst, _dstByteStrides, src, _srcByteStrides);
            return true;
        }
    }

    private static void CopyThroughTemporary(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand dst, in StridedOperand src)
    {
        nint byteLength = LayoutMath.ElementCount(shape) * itemSize;
        Span<nint> byteStrides = stackalloc nint[shape.Length];
        LayoutMath.ContiguousStrides(shape, itemSize, 'C', byteStrides);
        byte* temporary = (byte*)NativeMemory.Alloc((nuint)byteLength);
        try
        {
            var contiguous = new StridedOperand(temporary, byteStrides);
            CopyNoOverlap(shape, itemSize, contiguous, src);
            CopyNoOverlap(shape, itemSize, dst, contiguous);
        }
        finally
        {
            NativeMemory.Free(temporary);
        }
    }

    /// <summary>
    /// Whether any pointer slot or element block the indirect operand reads or writes intersects the
    /// byte range of the direct one.
    /// </summary>
    private static bool IndirectTouches(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand indirect, in StridedOperand direct)
    {
        var (low, high) = LayoutMath.Extent(shape, direct.ByteStrides, itemSize);
        return Touches(0, indirect.LastIndirectDimension, shape, itemSize, indirect, indirect.Origin,
            direct.Origin + low, direct.Origin + high);
    }

    private static bool Touches(int dimension, int lastIndirect, ReadOnlySpan<nint> shape, nint itemSize,
        in StridedOperand operand, byte* pointer, byte* low, byte* high)
    {
        if (dimension > lastIndirect)
        {
            var (blockLow, blockHigh) = LayoutMath.Extent(shape, operand.ByteStrides, itemSize, dimension);
            return pointer + blockLow < high && low < pointer + blockHigh;
        }
        nint byteStride = operand.ByteStrides[dimension];
        nint suboffset = operand.Suboffsets[dimension];
        for (nint i = 0; i < shape[dimension]; i++)
        {
            byte* p = pointer + i * byteStride;
            if (suboffset >= 0)
            {
                if (p < high && low < p + sizeof(byte*))
                    return true;
                p = *(byte**)p + suboffset;
            }
            if (Touches(dimension + 1, lastIndirect, shape, itemSize, operand, p, low, high))
                return true;
        }
        return false;
    }

    private static bool SameStrides(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> a, ReadOnlySpan<nint> b)
    {
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] > 1 && a[i] != b[i])
                return false;
        }
        return true;
    }

    internal static void Validate(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand dst, in StridedOperand src)
    {
        ValidateShape(shape, itemSize);
        dst.Validate(shape.Length, nameof(dst));
        src.Validate(shape.Length, nameof(src));
    }

    internal static void ValidateShape(ReadOnlySpan<nint> shape, nint itemSize)
    {
        if (shape.Length > StridedOperand.MaxRank)
            ThrowHelper.ThrowTooManyDimensions(nameof(shape), shape.Length);
        if (itemSize <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(itemSize), itemSize, "The item size must be positive.");
        foreach (nint count in shape)
        {
            if (count < 0)
                ThrowHelper.ThrowArgumentOutOfRange(nameof(shape), count, "Dimension sizes cannot be negative.");
        }
    }
}
