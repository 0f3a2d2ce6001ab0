using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

public readonly ref partial struct ReadOnlyStridedSpan<T>
{
    /// <inheritdoc cref="StridedSpan{T}.TryAsTensorSpan"/>
    public bool TryAsTensorSpan(out ReadOnlyTensorSpan<T> tensor, out string? reason)
    {
        tensor = default;
        if (!TensorSpanLayout.TryNormalize(Layout, Unsafe.SizeOf<T>(), out var lengths, out var elementStrides, out var linearLength, out reason))
            return false;
        tensor = new ReadOnlyTensorSpan<T>(MemoryMarshal.CreateReadOnlySpan(ref _origin, (int)linearLength), lengths, elementStrides);
        return true;
    }

    /// <inheritdoc cref="StridedSpan{T}.AsTensorSpan"/>
    public ReadOnlyTensorSpan<T> AsTensorSpan()
    {
        if (!TryAsTensorSpan(out var tensor, out var reason))
            ThrowHelper.ThrowInvalidOperation($"{ToString()} cannot be a ReadOnlyTensorSpan<{ElementType<T>.Name}>: {reason}.");
        return tensor;
    }

    /// <inheritdoc cref="StridedSpan{T}.FromTensorSpan"/>
    public static ReadOnlyStridedSpan<T> FromTensorSpan(ReadOnlyTensorSpan<T> tensor) =>
        new(ref Unsafe.AsRef(in tensor.GetPinnableReference()), StridedSpanShared<T>.LayoutOf(tensor.Lengths, tensor.Strides, nameof(tensor)), null);

    /// <inheritdoc cref="StridedSpan{T}.op_Implicit(TensorSpan{T})"/>
    public static implicit operator ReadOnlyStridedSpan<T>(ReadOnlyTensorSpan<T> tensor) => FromTensorSpan(tensor);
}
