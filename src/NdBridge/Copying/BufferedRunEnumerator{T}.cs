using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// Enumerates a view's elements as writable blocks a vectorised kernel takes whole (<see cref="NdBuffer.EnumerateBuffered{T}"/>,
/// <see cref="StridedSpan{T}.EnumerateBuffered"/>): long contiguous runs in place, and elsewhere up to a scratch-full of
/// elements gathered from short or strided runs, scattered back to the view before the next block. Use with
/// <c>foreach</c>, which also writes the last block back when the loop ends or is left early.
/// </summary>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct BufferedRunEnumerator<T> where T : unmanaged
{
    // A RunLease (an NdBuffer's enumeration) or a span's NdBuffer: passed to every step, which keeps it reachable.
    private readonly object? _owner;
    private RawBufferedEnumerator _blocks;

    // `lease` holds an NdBuffer's memory for the enumeration; `keepAlive` is a span's buffer (the span's own guarantee).
    internal BufferedRunEnumerator(RunLease? lease, object? keepAlive, RawBufferedEnumerator blocks)
    {
        _owner = (object?)lease ?? keepAlive;
        _blocks = blocks;
    }

    /// <summary>The current block: the view's own memory or the scratch; what is written to it reaches the view.</summary>
    public readonly Span<T> Current => MemoryMarshal.Cast<byte, T>(_blocks.Current);

    /// <summary>Whether <see cref="Current"/> is the view's memory itself (false: a gathered copy in the scratch).</summary>
    public readonly bool CurrentIsInPlace => _blocks.CurrentIsInPlace;

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly BufferedRunEnumerator<T> GetEnumerator() => this;

    /// <summary>Writes the previous block back (when it was gathered) and advances to the next.</summary>
    /// <exception cref="InvalidOperationException">A run in place is not aligned to <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public bool MoveNext() => BufferedBlocks.MoveNext<T>(_owner, ref _blocks);

    /// <summary>Writes the last gathered block back (unless the buffer was disposed meanwhile) and ends the enumeration's hold on the memory.</summary>
    public void Dispose() => BufferedBlocks.Dispose(_owner, ref _blocks);
}
