using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// Enumerates an <see cref="NdBuffer"/>'s innermost contiguous runs as <see cref="ReadOnlySpan{T}"/>
/// (<see cref="NdBuffer.EnumerateReadOnlyRuns{T}"/>). Use with <c>foreach</c>; the lifetime rules of <see cref="RunEnumerator{T}"/>.
/// </summary>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct ReadOnlyRunEnumerator<T> where T : unmanaged
{
    // A RunLease (an NdBuffer's enumeration) or a span's NdBuffer: passed to every step, which keeps it reachable.
    private readonly object? _owner;
    private RawRunEnumerator _runs;

    // `lease` holds an NdBuffer's memory for the enumeration; `keepAlive` is a span's buffer (the span's own guarantee).
    internal ReadOnlyRunEnumerator(RunLease? lease, object? keepAlive, RawRunEnumerator runs)
    {
        _owner = (object?)lease ?? keepAlive;
        _runs = runs;
    }

    /// <inheritdoc cref="RunEnumerator{T}.Current"/>
    public readonly ReadOnlySpan<T> Current => MemoryMarshal.Cast<byte, T>(_runs.Current);

    /// <inheritdoc cref="RunEnumerator{T}.GetEnumerator"/>
    public readonly ReadOnlyRunEnumerator<T> GetEnumerator() => this;

    /// <inheritdoc cref="RunEnumerator{T}.MoveNext"/>
    public bool MoveNext() => RunAlignment.MoveNext<T>(_owner, ref _runs);

    /// <inheritdoc cref="RunEnumerator{T}.Dispose"/>
    public readonly void Dispose() => (_owner as RunLease)?.Release();
}
