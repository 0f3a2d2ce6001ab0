using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowLayoutOverflow(string paramName, string what) =>
        throw new ArgumentException($"{what} overflows a native-sized integer.", paramName);

    [DoesNotReturn]
    public static void ThrowRankTooLarge(string paramName, int rank) =>
        throw new ArgumentException($"Rank {rank} exceeds the maximum of {StridedLayout.MaxRank} dimensions (PyBUF_MAX_NDIM).", paramName);

    [DoesNotReturn]
    public static void ThrowLengthMismatch(string paramName, string what, int actual, int rank) =>
        throw new ArgumentException($"{what} has {actual} entries but the shape has {rank}.", paramName);

    [DoesNotReturn]
    public static void ThrowNegativeDimension(string paramName, int dimension, nint length) =>
        throw new ArgumentException($"Dimension {dimension} has negative length {length}.", paramName);

    [DoesNotReturn]
    public static void ThrowDimensionOutOfRange(string paramName, int dimension, int rank) =>
        throw new ArgumentOutOfRangeException(paramName, dimension, $"Dimension {dimension} is outside a layout of rank {rank}.");

    [DoesNotReturn]
    public static void ThrowIndexOutOfRange(string paramName, int dimension, nint index, nint length) =>
        throw new ArgumentOutOfRangeException(paramName, index, $"Index {index} is outside dimension {dimension} of length {length}.");

    [DoesNotReturn]
    public static void ThrowIndirectDimension(string operation, int dimension) =>
        throw new InvalidOperationException(
            $"{operation} is not possible without reading memory: dimension {dimension} is indirect (it has a suboffset).");

    [DoesNotReturn]
    public static void ThrowReshapeNeedsCopy(StridedLayout layout, string newShape, MemoryOrder order) =>
        throw new InvalidOperationException(
            $"Cannot reshape {layout} into {newShape} in {order} order without copying: the strides do not allow a view. Copy to a contiguous buffer first.");

    [DoesNotReturn]
    public static void ThrowOutsideExtent(string paramName, nint lowest, nint end, nint origin, nint extentByteLength, nint packedByteLength) =>
        throw new ArgumentException(
            $"The layout reaches bytes [{lowest}, {end}) relative to its first element at offset {origin}, " +
            $"i.e. [{(Int128)origin + lowest}, {(Int128)origin + end}) of an extent of {extentByteLength} bytes: outside the memory. " +
            ((Int128)origin + lowest >= 0
                ? $"The memory must hold at least {(Int128)origin + end} bytes (the layout's ByteSpan {end - lowest} from its lowest byte, not its ByteLength {packedByteLength}, which counts the elements packed)."
                : $"Its lowest byte lies {-((Int128)origin + lowest)} bytes before the memory: the first element must sit at least {-lowest} bytes in (originByteOffset)."),
            paramName);

    [DoesNotReturn]
    public static void ThrowSuboffsetBelowZero(int dimension, int indirectDimension, nint suboffset, nint byteShift) =>
        throw new InvalidOperationException(
            $"Moving the start of dimension {dimension} by {byteShift} bytes would take the suboffset {suboffset} of indirect " +
            $"dimension {indirectDimension} below zero, which the buffer protocol reads as 'direct'.");
}
