using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>
/// A copy that reverses the bytes of listed scalars in every item (big-endian records to native, and back),
/// with the same overlap and suboffset rules as <see cref="StridedCopy"/>.
/// </summary>
internal static unsafe class ByteOrderCopy
{
    public static void Copy(ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand dst, in StridedOperand src,
        ReadOnlySpan<SwapLeaf> swapLeaves)
    {
        StridedCopy.Validate(shape, itemSize, dst, src);
        ValidateLeaves(swapLeaves, itemSize);
        nint itemCount = LayoutMath.ElementCount(shape);
        if (itemCount == 0)
            return;
        if (!NeedsSwap(swapLeaves))
        {
            StridedCopy.Copy(shape, itemSize, dst, src);
            return;
        }
        nint byteLength = itemCount * itemSize;
        foreach (char order in "CF")
        {
            if (LayoutMath.IsContiguous(shape, dst.ByteStrides, dst.Suboffsets, itemSize, order)
                && LayoutMath.IsContiguous(shape, src.ByteStrides, src.Suboffsets, itemSize, order)
                && (dst.Origin == src.Origin || dst.Origin + byteLength <= src.Origin || src.Origin + byteLength <= dst.Origin))
            {
                // Both packed in one order, apart or in place: one pass that swaps as it copies.
                SwapCopy(src.Origin, dst.Origin, itemCount, itemSize, swapLeaves);
                return;
            }
        }
        if (LayoutMath.IsContiguous(shape, dst.ByteStrides, dst.Suboffsets, itemSize, 'A'))
        {
            // A contiguous destination holds each item once: copy, then swap there.
            StridedCopy.Copy(shape, itemSize, dst, src);
            SwapCopy(dst.Origin, dst.Origin, itemCount, itemSize, swapLeaves);
            return;
        }
        Span<nint> byteStrides = stackalloc nint[shape.Length];
        LayoutMath.ContiguousStrides(shape, itemSize, 'C', byteStrides);
        byte* temporary = (byte*)NativeMemory.Alloc((nuint)byteLength);
        try
        {
            var contiguous = new StridedOperand(temporary, byteStrides);
            StridedCopy.CopyNoOverlap(shape, itemSize, contiguous, src);
            SwapCopy(temporary, temporary, itemCount, itemSize, swapLeaves);
            StridedCopy.CopyNoOverlap(shape, itemSize, dst, contiguous);
        }
        finally
        {
            NativeMemory.Free(temporary);
        }
    }

    /// <summary>
    /// Copies <paramref name="itemCount"/> packed items reversing the listed scalars; the two ranges are either
    /// the same or apart.
    /// </summary>
    public static void SwapCopy(byte* source, byte* items, nint itemCount, nint itemSize, ReadOnlySpan<SwapLeaf> swapLeaves)
    {
        nint scalarSize = UniformScalarSize(swapLeaves, itemSize);
        if (scalarSize is 2 or 4 or 8 && StreamingCopy.Applies(source, items, itemCount * itemSize, scalarSize))
        {
            StreamingCopy.Copy(source, items, itemCount * itemSize, scalarSize);
            return;
        }
        if (scalarSize is 2 or 4 or 8)
        {
            nint scalarCount = itemCount * itemSize / scalarSize;
            const int chunk = 1 << 28;
            for (nint done = 0; done < scalarCount; done += chunk)
            {
                int chunkScalarCount = (int)Math.Min(chunk, scalarCount - done);
                byte* from = source + done * scalarSize;
                byte* at = items + done * scalarSize;
                // Vectorised by the runtime (BinaryPrimitives span overloads; in place or apart).
                switch (scalarSize)
                {
                    case 2: BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<ushort>(from, chunkScalarCount), new Span<ushort>(at, chunkScalarCount)); break;
                    case 4: BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<uint>(from, chunkScalarCount), new Span<uint>(at, chunkScalarCount)); break;
                    default: BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<ulong>(from, chunkScalarCount), new Span<ulong>(at, chunkScalarCount)); break;
                }
            }
            return;
        }
        if (source != items)
            Buffer.MemoryCopy(source, items, itemCount * itemSize, itemCount * itemSize);
        for (nint item = 0; item < itemCount; item++)
        {
            byte* itemStart = items + item * itemSize;
            foreach (SwapLeaf leaf in swapLeaves)
                ReverseBytes(itemStart + leaf.ByteOffset, leaf.ByteSize);
        }
    }

    private static void ReverseBytes(byte* scalar, nint byteSize)
    {
        switch (byteSize)
        {
            case 1: break;
            case 2: *(ushort*)scalar = BinaryPrimitives.ReverseEndianness(*(ushort*)scalar); break;
            case 4: *(uint*)scalar = BinaryPrimitives.ReverseEndianness(*(uint*)scalar); break;
            case 8: *(ulong*)scalar = BinaryPrimitives.ReverseEndianness(*(ulong*)scalar); break;
            default: new Span<byte>(scalar, (int)byteSize).Reverse(); break;
        }
    }

    /// <summary>The leaf size when the leaves tile the item exactly with one size (d, Zd, 4i), else 0.</summary>
    private static nint UniformScalarSize(ReadOnlySpan<SwapLeaf> swapLeaves, nint itemSize)
    {
        if (swapLeaves.IsEmpty)
            return 0;
        nint size = swapLeaves[0].ByteSize;
        if (size * swapLeaves.Length != itemSize)
            return 0;
        for (int i = 0; i < swapLeaves.Length; i++)
        {
            if (swapLeaves[i].ByteSize != size || swapLeaves[i].ByteOffset != i * size)
                return 0;
        }
        return size;
    }

    private static bool NeedsSwap(ReadOnlySpan<SwapLeaf> swapLeaves)
    {
        foreach (SwapLeaf leaf in swapLeaves)
        {
            if (leaf.ByteSize > 1)
                return true;
        }
        return false;
    }

    private static void ValidateLeaves(ReadOnlySpan<SwapLeaf> swapLeaves, nint itemSize)
    {
        for (int i = 0; i < swapLeaves.Length; i++)
        {
            SwapLeaf leaf = swapLeaves[i];
            if (leaf.ByteOffset < 0 || leaf.ByteSize < 1 || leaf.ByteSize > itemSize - leaf.ByteOffset)
                ThrowHelper.ThrowLeafOutsideItem(nameof(swapLeaves), i, leaf.ByteOffset, leaf.ByteSize, itemSize);
        }
    }
}
