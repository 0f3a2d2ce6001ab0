using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

/// <summary>
/// The one place NdBridge throws from. Every argument exception names its parameter.
/// Each concern adds its own members in a partial file (<c>ThrowHelper.Formats.cs</c>, ...).
/// </summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actualValue, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actualValue, message);

    [DoesNotReturn]
    public static void ThrowArgumentNull(string paramName) =>
        throw new ArgumentNullException(paramName);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string? objectName) =>
        throw new ObjectDisposedException(objectName);

    [DoesNotReturn]
    public static void ThrowNotSupported(string message) =>
        throw new NotSupportedException(message);

    [DoesNotReturn]
    public static T ThrowArgument<T>(string message, string paramName) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static T ThrowInvalidOperation<T>(string message) =>
        throw new InvalidOperationException(message);
}
