using System.Runtime.CompilerServices;
using NdBridge.Copying;

namespace NdBridge;

public readonly ref partial struct ReadOnlyStridedSpan<T>
{
    /// <inheritdoc cref="StridedSpan{T}.EnumerateRuns(bool)"/>
    public ReadOnlyRunEnumerator<T> EnumerateRuns(bool preserveOrder = false) =>
        new(null, _buffer, new RawRunEnumerator(ref Unsafe.As<T, byte>(ref _origin), Shape, Unsafe.SizeOf<T>(), ByteStrides, default, preserveOrder));
}
