using System.Runtime.CompilerServices;

namespace NdBridge;

/// <summary>What <see cref="StridedSpan{T}"/> and <see cref="ReadOnlyStridedSpan{T}"/> share.</summary>
internal static class StridedSpanShared<T> where T : unmanaged
{
    public static readonly StridedLayout EmptyLayout = StridedLayout.CreateContiguous([0], Unsafe.SizeOf<T>());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Offset(StridedLayout layout, nint index)
    {
        var shape = layout.ShapeArray;
        if (shape.Length != 1)
            ThrowHelper.ThrowLengthMismatch("index", "indices", 1, shape.Length);
        if ((nuint)index >= (nuint)shape[0])
            ThrowHelper.ThrowIndexOutOfRange(nameof(index), 0, index, shape[0]);
        return index * layout.ByteStridesArray[0];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Offset(StridedLayout layout, nint row, nint column)
    {
        var shape = layout.ShapeArray;
        if (shape.Length != 2)
            ThrowHelper.ThrowLengthMismatch(nameof(row), "indices", 2, shape.Length);
        if ((nuint)row >= (nuint)shape[0])
            ThrowHelper.ThrowIndexOutOfRange(nameof(row), 0, row, shape[0]);
        if ((nuint)column >= (nuint)shape[1])
            ThrowHelper.ThrowIndexOutOfRange(nameof(column), 1, column, shape[1]);
        var byteStrides = layout.ByteStridesArray;
        return row * byteStrides[0] + column * byteStrides[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint UncheckedOffset(StridedLayout layout, ReadOnlySpan<nint> indices)
    {
        var byteStrides = layout.ByteStridesArray;
        nint byteOffset = 0;
        for (var i = 0; i < indices.Length; i++)
            byteOffset += indices[i] * byteStrides[i];
        return byteOffset;
    }

    public static StridedLayout LayoutOf(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> elementStrides, string paramName)
    {
        var byteStrides = new nint[elementStrides.Length];
        for (var i = 0; i < byteStrides.Length; i++)
        {
            if (!StridedLayout.TryMultiply(elementStrides[i], Unsafe.SizeOf<T>(), out byteStrides[i]))
                ThrowHelper.ThrowLayoutOverflow(paramName, $"The byte stride of dimension {i}");
        }
        return StridedLayout.CreateOwned(lengths.ToArray(), byteStrides, null, Unsafe.SizeOf<T>(), paramName);
    }
}
