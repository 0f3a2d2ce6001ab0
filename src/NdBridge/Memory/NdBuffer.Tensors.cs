using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// The elements copied, in C order, into a new dense <see cref="Tensor{T}"/> of the same shape (always a copy: a
    /// tensor's memory is a managed array it owns). <typeparamref name="T"/> must match the format in native byte order.
    /// A rank-0 buffer gives shape <c>(1,)</c>, as <see cref="StridedSpan{T}.AsTensorSpan"/> does. For a view without
    /// copying, use <see cref="AsStridedSpan{T}"/> and <see cref="StridedSpan{T}.AsTensorSpan"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match.</exception>
    /// <exception cref="ArgumentException">More elements than an array holds.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed (also when <see cref="Dispose"/> races the copy).</exception>
    public Tensor<T> ToTensor<T>() where T : unmanaged
    {
        var values = ToArray<T>();
        return Rank == 0 ? Tensor.Create(values, [1]) : Tensor.Create(values, Shape);
    }

    /// <summary>
    /// Views the elements of <paramref name="tensor"/> without copying: its backing array is pinned
    /// (<see cref="Tensor{T}.GetPinnedHandle"/>) until the buffer and every view and export of it are released, so the
    /// buffer is as safe as one made by <see cref="FromArray{T}(T[], bool)"/>. Element strides become byte strides;
    /// a broadcast dimension (stride 0) makes the buffer read-only, as NumPy's <c>broadcast_to</c> does.
    /// </summary>
    /// <param name="tensor">The tensor; its array stays pinned while the buffer lives.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    public static NdBuffer FromTensor<T>(Tensor<T> tensor, bool readOnly = false) where T : unmanaged
    {
        if (tensor is null)
            ThrowHelper.ThrowArgumentNull(nameof(tensor));
        var layout = StridedSpanShared<T>.LayoutOf(tensor.Lengths, tensor.Strides, nameof(tensor));
        var handle = tensor.GetPinnedHandle();
        var owner = new MemoryHandleOwner(handle);
        // Pinned by `owner` from here: element [0, ..., 0] stays at this address while the buffer lives.
        // Element [0, ..., 0] by the indexer: GetPinnableReference of a sliced tensor is its array's first element.
        var origin = layout.IsEmpty ? (byte*)handle.Pointer : (byte*)Unsafe.AsPointer(ref tensor[stackalloc nint[layout.Rank]]);
        return new NdBuffer(owner, origin, null, 0, BufferFormat.Of<T>(), layout, readOnly || HasBroadcastDimension(layout));
    }

    /// <summary>
    /// Views the elements of <paramref name="tensor"/> without copying or pinning anything: the caller promises that
    /// its memory is native or pinned, and stays alive and in place until the buffer and every view and export of it
    /// are released. A <see cref="TensorSpan{T}"/> is a stack-only view that nothing can hold; for a tensor that can be
    /// held, use <see cref="FromTensor{T}"/>.
    /// </summary>
    /// <param name="tensor">The tensor span over native or pinned memory.</param>
    /// <param name="readOnly">Whether writes are refused (a broadcast dimension makes it read-only anyway).</param>
    /// <param name="release">Called once when the last holder is released; null when the caller keeps the memory alive some other way.</param>
    public static NdBuffer DangerousFromTensorSpan<T>(TensorSpan<T> tensor, bool readOnly = false, Action<nint>? release = null) where T : unmanaged
    {
        var layout = StridedSpanShared<T>.LayoutOf(tensor.Lengths, tensor.Strides, nameof(tensor));
        var origin = layout.IsEmpty ? null : (byte*)Unsafe.AsPointer(ref tensor[stackalloc nint[layout.Rank]]); // the caller's promise: native or pinned
        return new NdBuffer(new CallbackOwner((nint)origin, release), origin, null, 0, BufferFormat.Of<T>(), layout, readOnly || HasBroadcastDimension(layout));
    }

    private static bool HasBroadcastDimension(StridedLayout layout)
    {
        for (var i = 0; i < layout.Rank; i++)
        {
            if (layout.Shape[i] > 1 && layout.ByteStrides[i] == 0)
                return true;
        }
        return false;
    }
}
