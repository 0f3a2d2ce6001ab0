using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

/// <summary>
/// Enumerates an <see cref="NdBuffer"/>'s innermost contiguous runs as <see cref="Span{T}"/>
/// (<see cref="NdBuffer.EnumerateRuns{T}"/>). Use with <c>foreach</c>.
/// </summary>
/// <remarks>
/// An enumeration of an <see cref="NdBuffer"/> holds a lease on its memory from its creation until it runs out or is
/// disposed (<c>foreach</c> disposes it, also on <c>break</c> and exceptions): the buffer's <see cref="NdBuffer.Dispose"/>
/// on another thread ends the enumeration with <see cref="ObjectDisposedException"/> at its next step, never with freed
/// memory under the current run. Each run is valid until the enumeration ends. An enumeration abandoned without
/// <c>Dispose</c> releases its lease when the garbage collector finds it.
/// </remarks>
/// <typeparam name="T">The element type, or <see cref="byte"/> for raw bytes.</typeparam>
public ref struct RunEnumerator<T> where T : unmanaged
{
    // A RunLease (an NdBuffer's enumeration) or a span's NdBuffer: passed to every step, which keeps it reachable.
    private readonly object? _owner;
    private RawRunEnumerator _runs;

    // `lease` holds an NdBuffer's memory for the enumeration; `keepAlive` is a span's buffer (the span's own guarantee).
    internal RunEnumerator(RunLease? lease, object? keepAlive, RawRunEnumerator runs)
    {
        _owner = (object?)lease ?? keepAlive;
        _runs = runs;
    }

    /// <summary>The current run.</summary>
    public readonly Span<T> Current => MemoryMarshal.Cast<byte, T>(_runs.Current);

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly RunEnumerator<T> GetEnumerator() => this;

    /// <summary>Advances to the next run.</summary>
    /// <exception cref="InvalidOperationException">The run is not aligned to <typeparamref name="T"/>.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public bool MoveNext() => RunAlignment.MoveNext<T>(_owner, ref _runs);

    /// <summary>Ends the enumeration's hold on the memory (<c>foreach</c> calls this; also released when the runs run out).</summary>
    public readonly void Dispose() => (_owner as RunLease)?.Release();
}
