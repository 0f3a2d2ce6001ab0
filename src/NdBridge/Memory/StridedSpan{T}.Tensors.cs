using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

public readonly ref partial struct StridedSpan<T>
{
    /// <summary>
    /// Tries to express this view as a <see cref="TensorSpan{T}"/>, normalising what can be (rank 0 becomes
    /// shape <c>(1,)</c>; dimensions of length 0 or 1 get stride 0); false with the reason when TensorSpan's
    /// rules refuse the layout (negative or overlapping strides, more than <see cref="int.MaxValue"/> elements of memory).
    /// </summary>
    /// <param name="tensor">The tensor span, when possible.</param>
    /// <param name="reason">Why not, otherwise.</param>
    public bool TryAsTensorSpan(out TensorSpan<T> tensor, out string? reason)
    {
        tensor = default;
        if (!TensorSpanLayout.TryNormalize(Layout, Unsafe.SizeOf<T>(), out var lengths, out var elementStrides, out var linearLength, out reason))
            return false;
        tensor = new TensorSpan<T>(MemoryMarshal.CreateSpan(ref _origin, (int)linearLength), lengths, elementStrides);
        return true;
    }

    /// <summary>This view as a <see cref="TensorSpan{T}"/>; <see cref="InvalidOperationException"/> with the reason when TensorSpan cannot hold it.</summary>
    public TensorSpan<T> AsTensorSpan()
    {
        if (!TryAsTensorSpan(out var tensor, out var reason))
            ThrowHelper.ThrowInvalidOperation($"{ToString()} cannot be a TensorSpan<{ElementType<T>.Name}>: {reason}.");
        return tensor;
    }

    /// <summary>A strided view of the elements of <paramref name="tensor"/> (element strides become byte strides).</summary>
    /// <param name="tensor">Any tensor span.</param>
    public static StridedSpan<T> FromTensorSpan(TensorSpan<T> tensor) =>
        new(ref tensor.GetPinnableReference(), StridedSpanShared<T>.LayoutOf(tensor.Lengths, tensor.Strides, nameof(tensor)), null);

    /// <summary>A strided view of <paramref name="tensor"/>.</summary>
    /// <param name="tensor">Any tensor span.</param>
    public static implicit operator StridedSpan<T>(TensorSpan<T> tensor) => FromTensorSpan(tensor);
}
