using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowItemSizeMismatch(string paramName, BufferFormat format, nint layoutItemSize) =>
        throw new ArgumentException(
            $"The layout's item size {layoutItemSize} does not match format '{format}' ({format.Describe()}), whose item size is {format.ItemSize}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowTypedViewRefused(string reason) => throw new InvalidOperationException(reason);

    [DoesNotReturn]
    public static void ThrowReadOnly(string operation, string instead) =>
        throw new InvalidOperationException($"The buffer is read-only, so {operation} is refused: {instead}.");

    [DoesNotReturn]
    public static void ThrowSpanTooLong(string paramName, nint elementCount) =>
        throw new ArgumentException($"{elementCount} elements do not fit in one Span<T> or array (int length): split the work.", paramName);
}
