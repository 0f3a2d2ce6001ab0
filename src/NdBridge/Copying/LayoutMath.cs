namespace NdBridge.Copying;

/// <summary>
/// The layout arithmetic CPython's buffer API defines: contiguity (<c>PyBuffer_IsContiguous</c>),
/// element address (<c>PyBuffer_GetPointer</c>), contiguous strides and byte extents.
/// </summary>
internal static unsafe class LayoutMath
{
    public static nint ElementCount(ReadOnlySpan<nint> shape)
    {
        nint elementCount = 1;
        foreach (nint dimension in shape)
            elementCount *= dimension;
        return elementCount;
    }

    /// <summary><c>PyBuffer_IsContiguous</c> with CPython's order letters ('C', 'F', 'A'); see <see cref="StridedLayout.IsContiguous(ReadOnlySpan{nint}, ReadOnlySpan{nint}, bool, nint, MemoryOrder)"/>.</summary>
    public static bool IsContiguous(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides,
        ReadOnlySpan<nint> suboffsets, nint itemSize, char order) => order switch
        {
            'C' => StridedLayout.IsContiguous(shape, byteStrides, !suboffsets.IsEmpty, itemSize, MemoryOrder.C),
            'F' => StridedLayout.IsContiguous(shape, byteStrides, !suboffsets.IsEmpty, itemSize, MemoryOrder.F),
            'A' => StridedLayout.IsContiguous(shape, byteStrides, !suboffsets.IsEmpty, itemSize, MemoryOrder.Any),
            _ => false,
        };

    /// <summary>Writes the strides of a C-ordered (<paramref name="order"/> 'C') or Fortran-ordered ('F') layout.</summary>
    public static void ContiguousStrides(ReadOnlySpan<nint> shape, nint itemSize, char order, Span<nint> byteStrides)
    {
        nint byteStride = itemSize;
        if (order == 'F')
        {
            for (int i = 0; i < shape.Length; i++)
            {
                byteStrides[i] = byteStride;
                byteStride *= shape[i];
            }
        }
        else
        {
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                byteStrides[i] = byteStride;
                byteStride *= shape[i];
            }
        }
    }

    /// <summary><c>PyBuffer_GetPointer</c>: the address of the element at <paramref name="indices"/>.</summary>
    public static byte* GetPointer(in StridedOperand operand, ReadOnlySpan<nint> indices)
    {
        byte* pointer = operand.Origin;
        ReadOnlySpan<nint> suboffsets = operand.Suboffsets;
        for (int i = 0; i < indices.Length; i++)
        {
            pointer += operand.ByteStrides[i] * indices[i];
            if (!suboffsets.IsEmpty && suboffsets[i] >= 0)
                pointer = *(byte**)pointer + suboffsets[i];
        }
        return pointer;
    }

    /// <summary>
    /// The lowest and one-past-highest byte a direct layout touches, relative to its origin, over
    /// dimensions <paramref name="firstDimension"/> onward. Undefined for an empty layout.
    /// </summary>
    public static (nint LowByteOffset, nint HighByteOffset) Extent(ReadOnlySpan<nint> shape,
        ReadOnlySpan<nint> byteStrides, nint itemSize, int firstDimension = 0)
    {
        nint low = 0, high = 0;
        for (int i = firstDimension; i < shape.Length; i++)
        {
            nint span = (shape[i] - 1) * byteStrides[i];
            if (span < 0)
                low += span;
            else
                high += span;
        }
        return (low, high + itemSize);
    }
}
