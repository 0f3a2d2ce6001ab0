using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

public readonly ref partial struct ReadOnlyStridedSpan<T>
{
    /// <summary>The read-only twin of <see cref="StridedSpan{T}.EnumerateBuffered"/>: blocks are never written back.</summary>
    /// <param name="scratch">Where gathered blocks go.</param>
    /// <param name="preserveOrder">False (the default, as for <see cref="EnumerateRuns"/>): memory order, the longest runs.
    /// True: the blocks, concatenated, are the elements in C (logical) order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scratch"/> is empty.</exception>
    public ReadOnlyBufferedRunEnumerator<T> EnumerateBuffered(Span<T> scratch, bool preserveOrder = false) =>
        new(null, _buffer, new RawBufferedEnumerator(ref Unsafe.As<T, byte>(ref _origin), Shape, Unsafe.SizeOf<T>(), ByteStrides, default,
            MemoryMarshal.AsBytes(scratch), preserveOrder, writeBack: false));
}
