using System.Runtime.CompilerServices;
using NdBridge.Copying;

namespace NdBridge;

public readonly ref partial struct StridedSpan<T>
{
    /// <summary>
    /// The view's innermost contiguous runs as writable spans, after merging dimensions contiguous with each
    /// other, so <c>TensorPrimitives</c> can work on each; runs longer than a span holds are split.
    /// </summary>
    /// <param name="preserveOrder">False (the default): memory order — dimensions sorted by stride, reversed ones walked
    /// forwards, contiguous ones merged — the fewest and longest runs (<c>a[:, ::-1]</c> of 6×6 is one run, a
    /// Fortran-ordered array one run). True: logical order, the runs concatenated are the elements in C order.</param>
    public RunEnumerator<T> EnumerateRuns(bool preserveOrder = false) =>
        new(null, _buffer, new RawRunEnumerator(ref Unsafe.As<T, byte>(ref _origin), Shape, Unsafe.SizeOf<T>(), ByteStrides, default, preserveOrder));
}
