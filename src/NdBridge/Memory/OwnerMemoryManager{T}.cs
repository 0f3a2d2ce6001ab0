using System.Buffers;

namespace NdBridge;

/// <summary>
/// The <see cref="MemoryManager{T}"/> behind <see cref="NdBuffer.AsMemory{T}"/>: it holds a private view of the
/// buffer that has handed out spans, so the view's hold on the memory is released by its finalizer only, once no
/// <see cref="Memory{T}"/> reaches the manager (no finalizer here: CA2015); <see cref="Pin"/> adds a holder its
/// <see cref="MemoryHandle"/> releases.
/// </summary>
internal sealed unsafe class OwnerMemoryManager<T>(NdBuffer view, int length) : MemoryManager<T> where T : unmanaged
{
    public override Span<T> GetSpan() => new(view.DangerousGetPointer(), length); // C-contiguous: length elements from the origin

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)length)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(elementIndex), elementIndex, $"The memory holds {length} elements.");
        if (!view.TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(Memory<T>));
        return new MemoryHandle((T*)view.DangerousGetPointer() + elementIndex, default, this); // native or pinned: it never moves
    }

    public override void Unpin() => view.Owner.Release();

    // A span taken earlier may still be in use: the view's finalizer releases the memory, never this call.
    protected override void Dispose(bool disposing) => view.Dispose();
}
