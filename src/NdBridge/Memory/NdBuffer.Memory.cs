using System.Buffers;
using System.Runtime.InteropServices;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// The elements of a C-contiguous buffer as a <see cref="Memory{T}"/> over the same memory (no copy).
    /// <typeparamref name="T"/> must match the format in native byte order, as for <see cref="AsStridedSpan{T}"/>.
    /// </summary>
    /// <remarks>
    /// <para><b>Lifetime.</b> The <see cref="Memory{T}"/>'s <see cref="MemoryManager{T}"/> holds a view of this buffer, so
    /// the memory stays alive while the <see cref="Memory{T}"/> (or any copy of it) is reachable, whatever happens to
    /// this buffer (disposing it releases only its own hold). Once nothing reaches the manager, the view's finalizer
    /// releases the memory, as for a buffer that handed out a <see cref="StridedSpan{T}"/>; disposing the manager
    /// (<c>MemoryMarshal.TryGetMemoryManager</c>) leaves the release to that finalizer too. <c>memory.Pin()</c> holds the
    /// memory until the handle is disposed.</para>
    /// <para><b>The caller's duty</b>, as for every memory manager over native memory: a <see cref="Span{T}"/> taken from
    /// it (<c>memory.Span</c>) is a bare pointer that keeps nothing alive; use it while the <see cref="Memory{T}"/> is
    /// reachable (keep it in a variable used after the span, or hold <c>memory.Pin()</c> around the use). A span that
    /// must outlive everything else is <see cref="AsStridedSpan{T}"/>'s, which holds the buffer.</para>
    /// </remarks>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match, the buffer is read-only
    /// (use <see cref="AsReadOnlyMemory{T}"/>), indirect, or not C-contiguous (use <see cref="ToContiguous"/> for a
    /// contiguous copy, or <see cref="AsStridedSpan{T}"/>).</exception>
    /// <exception cref="ArgumentException">More than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public Memory<T> AsMemory<T>() where T : unmanaged => CreateMemoryManager<T>(writable: true).Memory;

    /// <summary>The read-only twin of <see cref="AsMemory{T}"/>, for read-only buffers too; the same lifetime.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match, or the buffer is indirect or not C-contiguous.</exception>
    /// <exception cref="ArgumentException">More than <see cref="int.MaxValue"/> elements.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public ReadOnlyMemory<T> AsReadOnlyMemory<T>() where T : unmanaged => CreateMemoryManager<T>(writable: false).Memory;

    private OwnerMemoryManager<T> CreateMemoryManager<T>(bool writable) where T : unmanaged
    {
        if (!CanViewAs<T>(writable, out var reason))
            ThrowHelper.ThrowTypedViewRefused(writable && IsReadOnly ? $"the buffer is read-only: ask for AsReadOnlyMemory<{ElementType<T>.Name}>()" : reason);
        if (!Layout.IsCContiguous)
            ThrowHelper.ThrowTypedViewRefused(
                $"a Memory<{ElementType<T>.Name}> needs C-contiguous elements, and this buffer is {Layout}: make a contiguous copy " +
                $"(ToContiguous()), or view it in place with {(writable ? "AsStridedSpan" : "AsReadOnlyStridedSpan")}<{ElementType<T>.Name}>()");
        if (ElementCount > int.MaxValue)
            ThrowHelper.ThrowSpanTooLong("T", ElementCount);
        var view = CreateView(Layout, 0, IsReadOnly || !writable);
        view.MarkSpansHandedOut();
        return new OwnerMemoryManager<T>(view, (int)ElementCount);
    }
}
