using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowRankMismatch(string paramName, int expectedRank, int actualRank) =>
        throw new ArgumentException(
            $"Expected {expectedRank} entries (one per dimension) but got {actualRank}.", paramName);

    [DoesNotReturn]
    public static void ThrowTooManyDimensions(string paramName, int rank) =>
        throw new ArgumentException(
            $"A layout has at most {Copying.StridedOperand.MaxRank} dimensions (PyBUF_MAX_NDIM); got {rank}.", paramName);

    [DoesNotReturn]
    public static void ThrowContiguousLengthMismatch(string paramName, nint expectedByteLength, nint actualByteLength) =>
        throw new ArgumentException(
            $"The contiguous buffer must be exactly {expectedByteLength} bytes (product(shape) * itemSize); got {actualByteLength}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowBadOrder(string paramName, char order) =>
        throw new ArgumentOutOfRangeException(paramName, order, "The order must be 'C', 'F' or 'A'.");

    [DoesNotReturn]
    public static void ThrowLeafOutsideItem(string paramName, int leafIndex, nint byteOffset, nint byteSize, nint itemSize) =>
        throw new ArgumentException(
            $"Scalar leaf {leafIndex} (byte offset {byteOffset}, {byteSize} bytes) does not lie inside an item of {itemSize} bytes.",
            paramName);

    [DoesNotReturn]
    public static ScalarKind ThrowNotComparable(string paramName, BufferFormat format) =>
        throw new NotSupportedException(
            $"Format '{format}' ({format.Describe()}) holds Python objects ('O'): comparing them needs Python, not their bytes. (Parameter '{paramName}')");

    [DoesNotReturn]
    public static void ThrowShapeMismatch(string paramName, ReadOnlySpan<nint> expected, ReadOnlySpan<nint> actual) =>
        throw new ArgumentException(
            $"The shapes differ: ({string.Join(", ", expected.ToArray())}) and ({string.Join(", ", actual.ToArray())}).", paramName);

    [DoesNotReturn]
    public static void ThrowFormatMismatch(string paramName, BufferFormat source, nint sourceItemSize, BufferFormat destination, nint destinationItemSize) =>
        throw new ArgumentException(
            $"Cannot copy items of format '{source}' ({source.Describe()}, {sourceItemSize} bytes) into '{destination}' " +
            $"({destination.Describe()}, {destinationItemSize} bytes): a copy needs the same scalars at the same offsets " +
            "(byte order may differ).", paramName);
}
