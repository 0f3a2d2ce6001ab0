using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

public sealed partial class NdBuffer
{
    /// <summary>
    /// The elements as writable blocks a vectorised kernel (<c>TensorPrimitives</c>) takes whole, whatever the layout:
    /// contiguous runs in place where they are long, and elsewhere up to <paramref name="scratch"/>'s length of
    /// elements gathered from short or strided runs and scattered back before the next block (as NumPy's buffered
    /// <c>nditer</c>). <typeparamref name="T"/> must match the format in native byte order (or be <see cref="byte"/>).
    /// The enumeration holds a lease on the memory until it runs out or is disposed (<c>foreach</c> disposes it): a
    /// <see cref="Dispose"/> on another thread ends it with <see cref="ObjectDisposedException"/> at its next step, never
    /// with freed memory under the current block (as for <see cref="EnumerateRuns{T}"/>).
    /// </summary>
    /// <param name="scratch">Where gathered blocks go; a few KiB (<c>stackalloc T[1024]</c>) keeps them in cache.</param>
    /// <param name="preserveOrder">False (the default, as for <see cref="EnumerateRuns{T}"/>): memory order — dimensions
    /// sorted by stride, reversed ones walked forwards — which gives the longest runs. True: the blocks, concatenated, are
    /// the elements in C (logical) order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scratch"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The buffer is read-only, or <typeparamref name="T"/> does not match.</exception>
    public BufferedRunEnumerator<T> EnumerateBuffered<T>(Span<T> scratch, bool preserveOrder = false) where T : unmanaged
    {
        if (IsReadOnly)
            ThrowHelper.ThrowReadOnly($"EnumerateBuffered<{ElementType<T>.Name}>", $"read it with EnumerateReadOnlyBuffered<{ElementType<T>.Name}>(scratch), or enumerate a writable copy (ToContiguous())");
        var blocks = CreateBufferedWalker(scratch, preserveOrder, writeBack: true);
        return new BufferedRunEnumerator<T>(RunLease.Take(this), null, blocks);
    }

    /// <summary>The read-only twin of <see cref="EnumerateBuffered{T}"/>, for read-only buffers too: blocks are never written back.</summary>
    /// <param name="scratch">As in <see cref="EnumerateBuffered{T}"/>.</param>
    /// <param name="preserveOrder">As in <see cref="EnumerateBuffered{T}"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scratch"/> is empty.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match.</exception>
    public ReadOnlyBufferedRunEnumerator<T> EnumerateReadOnlyBuffered<T>(Span<T> scratch, bool preserveOrder = false) where T : unmanaged
    {
        var blocks = CreateBufferedWalker(scratch, preserveOrder, writeBack: false);
        return new ReadOnlyBufferedRunEnumerator<T>(RunLease.Take(this), null, blocks);
    }

    private unsafe RawBufferedEnumerator CreateBufferedWalker<T>(Span<T> scratch, bool preserveOrder, bool writeBack) where T : unmanaged
    {
        ThrowIfDisposed();
        if (typeof(T) != typeof(byte))
            CheckElementType<T>();
        var operand = Operand;
        // The memory is pinned or native for the buffer's life: its address stands for a reference.
        return new RawBufferedEnumerator(ref Unsafe.AsRef<byte>(operand.Origin), Shape, ItemSize, operand.ByteStrides, operand.Suboffsets,
            MemoryMarshal.AsBytes(scratch), preserveOrder, writeBack);
    }
}
