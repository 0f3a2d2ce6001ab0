using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// The read-only twin of <see cref="BufferedRunEnumerator{T}"/> (<see cref="NdBuffer.EnumerateReadOnlyBuffered{T}"/>,
/// <see cref="ReadOnlyStridedSpan{T}.EnumerateBuffered"/>): blocks are read, never written back. Use with <c>foreach</c>.
/// </summary>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct ReadOnlyBufferedRunEnumerator<T> where T : unmanaged
{
    // A RunLease (an NdBuffer's enumeration) or a span's NdBuffer: passed to every step, which keeps it reachable.
    private readonly object? _owner;
    private RawBufferedEnumerator _blocks;

    // `lease` holds an NdBuffer's memory for the enumeration; `keepAlive` is a span's buffer (the span's own guarantee).
    internal ReadOnlyBufferedRunEnumerator(RunLease? lease, object? keepAlive, RawBufferedEnumerator blocks)
    {
        _owner = (object?)lease ?? keepAlive;
        _blocks = blocks;
    }

    /// <summary>The current block: a run of the view's memory or the filled part of the scratch.</summary>
    public readonly ReadOnlySpan<T> Current => MemoryMarshal.Cast<byte, T>(_blocks.Current);

    /// <inheritdoc cref="BufferedRunEnumerator{T}.CurrentIsInPlace"/>
    public readonly bool CurrentIsInPlace => _blocks.CurrentIsInPlace;

    /// <inheritdoc cref="BufferedRunEnumerator{T}.GetEnumerator"/>
    public readonly ReadOnlyBufferedRunEnumerator<T> GetEnumerator() => this;

    /// <summary>Advances to the next block.</summary>
    /// <exception cref="InvalidOperationException">A run in place is not aligned to <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public bool MoveNext() => BufferedBlocks.MoveNext<T>(_owner, ref _blocks);

    /// <summary>Ends the enumeration's hold on the memory (<c>foreach</c> calls this; also released when the blocks run out).</summary>
    public void Dispose() => BufferedBlocks.Dispose(_owner, ref _blocks);
}
