using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowBufferFormat(string format, int position, string reason) =>
        throw new BufferFormatException(format, position, reason);

    [DoesNotReturn]
    public static T ThrowNotSupported<T>(string message) => throw new NotSupportedException(message);
}
