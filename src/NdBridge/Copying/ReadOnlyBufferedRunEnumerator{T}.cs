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
    private readonly NdBuffer? _buffer;
    private RawBufferedEnumerator _blocks;

    internal ReadOnlyBufferedRunEnumerator(NdBuffer? buffer, RawBufferedEnumerator blocks)
    {
        _buffer = buffer;
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
    public bool MoveNext() => BufferedBlocks.MoveNext<T>(_buffer, ref _blocks);
}
