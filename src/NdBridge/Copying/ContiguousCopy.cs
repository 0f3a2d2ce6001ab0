using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>
/// <c>PyBuffer_ToContiguous</c> and <c>PyBuffer_FromContiguous</c> with CPython 3.11's semantics, but
/// overlap-safe and with the merged/vectorised kernels instead of an element loop.
/// </summary>
/// <remarks>
/// Order 'A' means Fortran order only when the layout is F-contiguous and not C-contiguous (CPython
/// copies a contiguous layout's bytes as they are); otherwise C order.
/// </remarks>
internal static unsafe class ContiguousCopy
{
    /// <summary>Writes every element of <paramref name="src"/> into <paramref name="destination"/> in the given order.</summary>
    public static void ToContiguous(Span<byte> destination, ReadOnlySpan<nint> shape, nint itemSize, in StridedOperand src, char order)
    {
        fixed (byte* buffer = destination)
            ToContiguous(buffer, destination.Length, shape, itemSize, src, order);
    }

    /// <inheritdoc cref="ToContiguous(Span{byte}, ReadOnlySpan{nint}, nint, in StridedOperand, char)"/>
    public static void ToContiguous(byte* destination, nint destinationByteLength, ReadOnlySpan<nint> shape, nint itemSize,
        in StridedOperand src, char order)
    {
        ValidateOrder(order);
        StridedCopy.ValidateShape(shape, itemSize);
        src.Validate(shape.Length, nameof(src));
        nint byteLength = LayoutMath.ElementCount(shape) * itemSize;
        if (destinationByteLength != byteLength)
            ThrowHelper.ThrowContiguousLengthMismatch(nameof(destination), byteLength, destinationByteLength);

        if (LayoutMath.IsContiguous(shape, src.ByteStrides, src.Suboffsets, itemSize, order))
        {
            Buffer.MemoryCopy(src.Origin, destination, byteLength, byteLength); // glibc's memmove past 2 KiB: its large-copy path beats a plain streaming loop
            return;
        }
        Span<nint> byteStrides = stackalloc nint[shape.Length];
        LayoutMath.ContiguousStrides(shape, itemSize, order == 'F' ? 'F' : 'C', byteStrides);
        StridedCopy.Copy(shape, itemSize, new StridedOperand(destination, byteStrides), src);
    }

    /// <summary>
    /// Fills <paramref name="dst"/> from contiguous bytes in the given order. As CPython: a source longer
    /// than the layout is cut; a shorter one fills the first whole items in that order (a contiguous
    /// layout takes the bytes as they are).
    /// </summary>
    public static void FromContiguous(in StridedOperand dst, ReadOnlySpan<nint> shape, nint itemSize, ReadOnlySpan<byte> source, char order)
    {
        fixed (byte* buffer = source)
            FromContiguous(dst, shape, itemSize, buffer, source.Length, order);
    }

    /// <inheritdoc cref="FromContiguous(in StridedOperand, ReadOnlySpan{nint}, nint, ReadOnlySpan{byte}, char)"/>
    public static void FromContiguous(in StridedOperand dst, ReadOnlySpan<nint> shape, nint itemSize, byte* source,
        nint sourceByteLength, char order)
    {
        ValidateOrder(order);
        StridedCopy.ValidateShape(shape, itemSize);
        dst.Validate(shape.Length, nameof(dst));
        nint elementCount = LayoutMath.ElementCount(shape);
        nint byteLength = Math.Min(sourceByteLength, elementCount * itemSize);
        byte* buffer = source;
        {
            if (LayoutMath.IsContiguous(shape, dst.ByteStrides, dst.Suboffsets, itemSize, order))
            {
                Buffer.MemoryCopy(buffer, dst.Origin, byteLength, byteLength);
                return;
            }
            char walkOrder = order == 'F' ? 'F' : 'C';
            Span<nint> byteStrides = stackalloc nint[shape.Length];
            LayoutMath.ContiguousStrides(shape, itemSize, walkOrder, byteStrides);
            nint wholeItems = byteLength / itemSize;
            if (wholeItems == elementCount && (walkOrder == 'C' || !dst.HasIndirection))
            {
                if (walkOrder == 'C')
                {
                    StridedCopy.Copy(shape, itemSize, dst, new StridedOperand(buffer, byteStrides));
                    return;
                }
                // Fortran order is C order of the reversed axes (a direct layout only); the order matters
                // when the destination writes an element twice.
                int rank = shape.Length;
                Span<nint> reversed = stackalloc nint[3 * rank];
                Span<nint> reversedShape = reversed[..rank], reversedSource = reversed[rank..(2 * rank)];
                Span<nint> reversedDestination = reversed[(2 * rank)..];
                for (int i = 0; i < rank; i++)
                {
                    reversedShape[i] = shape[rank - 1 - i];
                    reversedSource[i] = byteStrides[rank - 1 - i];
                    reversedDestination[i] = dst.ByteStrides[rank - 1 - i];
                }
                StridedCopy.Copy(reversedShape, itemSize, new StridedOperand(dst.Origin, reversedDestination),
                    new StridedOperand(buffer, reversedSource));
                return;
            }
            FromContiguousPrefix(dst, shape, itemSize, buffer, wholeItems, walkOrder);
        }
    }

    /// <summary>
    /// The rare cases (a short source; Fortran order into an indirect layout): item by item, as CPython
    /// does, from a private copy of the bytes.
    /// </summary>
    private static void FromContiguousPrefix(in StridedOperand dst, ReadOnlySpan<nint> shape, nint itemSize,
        byte* source, nint itemCount, char walkOrder)
    {
        if (itemCount == 0)
            return;
        nint byteLength = itemCount * itemSize;
        byte* copy = (byte*)NativeMemory.Alloc((nuint)byteLength);
        try
        {
            Buffer.MemoryCopy(source, copy, byteLength, byteLength);
            Span<nint> index = stackalloc nint[shape.Length];
            index.Clear();
            for (nint item = 0; item < itemCount; item++)
            {
                DirectCopy.CopyItem(LayoutMath.GetPointer(dst, index), copy + item * itemSize, itemSize);
                if (walkOrder == 'F')
                {
                    for (int k = 0; k < shape.Length && ++index[k] == shape[k]; k++)
                        index[k] = 0;
                }
                else
                {
                    for (int k = shape.Length - 1; k >= 0 && ++index[k] == shape[k]; k--)
                        index[k] = 0;
                }
            }
        }
        finally
        {
            NativeMemory.Free(copy);
        }
    }

    private static void ValidateOrder(char order)
    {
        if (order is not ('C' or 'F' or 'A'))
            ThrowHelper.ThrowBadOrder(nameof(order), order);
    }
}
