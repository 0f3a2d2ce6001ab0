using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowIO(string message, Exception? inner = null) => throw new IOException(message, inner);

    [DoesNotReturn]
    public static void ThrowFileNotFound(string message, string path) => throw new FileNotFoundException(message, path);

    /// <summary>A <c>.npy</c> image that is not what its header promises; <paramref name="source"/> names the parameter and its value.</summary>
    [DoesNotReturn]
    public static void ThrowBadNpy(string source, string reason) =>
        throw new InvalidDataException($"{source} is not a valid .npy image: {reason}");

    [DoesNotReturn]
    public static T ThrowBadNpy<T>(string source, string reason) =>
        throw new InvalidDataException($"{source} is not a valid .npy image: {reason}");

    [DoesNotReturn]
    public static void ThrowPlatformNotSupported(string message) => throw new PlatformNotSupportedException(message);
}
