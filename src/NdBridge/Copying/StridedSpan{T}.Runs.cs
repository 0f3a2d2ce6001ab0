using System.Runtime.CompilerServices;
using NdBridge.Copying;

namespace NdBridge;

public readonly ref partial struct StridedSpan<T>
{
    /// <summary>
    /// The view's innermost contiguous runs as writable spans, after merging dimensions contiguous with each
    /// other, so <c>TensorPrimitives</c> can work on each; runs longer than a span holds are split.
    /// </summary>
    /// <param name="preserveOrder">True: the runs, concatenated, are the elements in C order. False: memory
    /// order (dimensions sorted by stride, reversed ones walked forwards), which gives longer runs.</param>
    public RunEnumerator<T> EnumerateRuns(bool preserveOrder = true) =>
        new(null, new RawRunEnumerator(ref Unsafe.As<T, byte>(ref _origin), Shape, Unsafe.SizeOf<T>(), ByteStrides, default, preserveOrder));
}
