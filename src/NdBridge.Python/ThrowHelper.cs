using System.Diagnostics.CodeAnalysis;

namespace NdBridge.Python;

/// <summary>
/// The one place NdBridge.Python throws from (the core keeps its own, internal to it). Every argument exception
/// names its parameter. Each concern adds its own members in a partial file (<c>ThrowHelper.Import.cs</c>, ...).
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

    [DoesNotReturn]
    public static T ThrowNotSupported<T>(string message) => throw new NotSupportedException(message);
}
