using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// Enumerates an <see cref="NdBuffer"/>'s innermost contiguous runs as <see cref="Span{T}"/>
/// (<see cref="NdBuffer.EnumerateRuns{T}"/>). Use with <c>foreach</c>.
/// </summary>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct RunEnumerator<T> where T : unmanaged
{
    private readonly NdBuffer? _buffer;
    private RawRunEnumerator _runs;

    internal RunEnumerator(NdBuffer? buffer, RawRunEnumerator runs)
    {
        _buffer = buffer;
        _runs = runs;
    }

    /// <summary>The current run.</summary>
    public readonly Span<T> Current => MemoryMarshal.Cast<byte, T>(_runs.Current);

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly RunEnumerator<T> GetEnumerator() => this;

    /// <summary>Advances to the next run.</summary>
    /// <exception cref="InvalidOperationException">The run is not aligned to <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public bool MoveNext() => RunAlignment.MoveNext<T>(_buffer, ref _runs);
}
