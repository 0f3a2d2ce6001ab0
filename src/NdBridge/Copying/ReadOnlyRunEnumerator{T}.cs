using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// Enumerates an <see cref="NdBuffer"/>'s innermost contiguous runs as <see cref="ReadOnlySpan{T}"/>
/// (<see cref="NdBuffer.EnumerateReadOnlyRuns{T}"/>). Use with <c>foreach</c>.
/// </summary>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct ReadOnlyRunEnumerator<T> where T : unmanaged
{
    private readonly NdBuffer? _buffer;
    private RawRunEnumerator _runs;

    internal ReadOnlyRunEnumerator(NdBuffer? buffer, RawRunEnumerator runs)
    {
        _buffer = buffer;
        _runs = runs;
    }

    /// <inheritdoc cref="RunEnumerator{T}.Current"/>
    public readonly ReadOnlySpan<T> Current => MemoryMarshal.Cast<byte, T>(_runs.Current);

    /// <inheritdoc cref="RunEnumerator{T}.GetEnumerator"/>
    public readonly ReadOnlyRunEnumerator<T> GetEnumerator() => this;

    /// <inheritdoc cref="RunEnumerator{T}.MoveNext"/>
    public bool MoveNext() => RunAlignment.MoveNext<T>(_buffer, ref _runs);
}
