using System.Diagnostics.CodeAnalysis;

namespace NdBridge.Python;

internal static partial class ThrowHelper
{
    /// <summary>An export to Python refused for the reason given (the buffer is the parameter).</summary>
    [DoesNotReturn]
    public static void ThrowExportRefused(string message, string paramName) =>
        throw new ArgumentException(message, paramName);
}
