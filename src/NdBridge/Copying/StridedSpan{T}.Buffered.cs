using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NdBridge.Copying;

namespace NdBridge;

public readonly ref partial struct StridedSpan<T>
{
    /// <summary>
    /// The view's elements as writable blocks a vectorised kernel takes whole: contiguous runs in place where they are
    /// long, and elsewhere up to <paramref name="scratch"/>'s length of elements gathered from short or strided runs,
    /// scattered back before the next block (as NumPy's buffered <c>nditer</c>).
    /// </summary>
    /// <param name="scratch">Where gathered blocks go; a few KiB (<c>stackalloc T[1024]</c>) keeps them in cache.</param>
    /// <param name="preserveOrder">False (the default, as for <see cref="EnumerateRuns"/>): memory order, the longest runs.
    /// True: the blocks, concatenated, are the elements in C (logical) order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scratch"/> is empty.</exception>
    public BufferedRunEnumerator<T> EnumerateBuffered(Span<T> scratch, bool preserveOrder = false) =>
        new(null, _buffer, new RawBufferedEnumerator(ref Unsafe.As<T, byte>(ref _origin), Shape, Unsafe.SizeOf<T>(), ByteStrides, default,
            MemoryMarshal.AsBytes(scratch), preserveOrder, writeBack: true));
}
