using System.Diagnostics.CodeAnalysis;

namespace NdBridge.Python;

internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowPythonNotRunning() =>
        throw new InvalidOperationException("No Python interpreter is running: call PythonRuntime.Initialize first (it may also have been shut down, or finalised by its host).");
}
