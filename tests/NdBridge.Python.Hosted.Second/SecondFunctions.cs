using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using NdBridge.Python;

namespace NdBridge.Python.Hosted.Second;

/// <summary>A second library in the same Python process: it must see the same NdBridge (counters, types, load context).</summary>
[PythonModule("ndtest_second")]
public static class SecondFunctions
{
    public static long LiveExports() => MemoryDiagnostics.LiveExportCount;

    public static long LiveOwners() => MemoryDiagnostics.LiveOwnerCount;

    public static string NdbridgeIdentity() =>
        $"{typeof(NdBuffer).Assembly.Location}|{AssemblyLoadContext.GetLoadContext(typeof(NdBuffer).Assembly)?.Name}|{RuntimeHelpers.GetHashCode(typeof(NdBuffer))}|{RuntimeHelpers.GetHashCode(typeof(PythonObject))}";

    public static NdBuffer Ones(int count)
    {
        var buffer = NdBuffer.Allocate<double>([count]);
        buffer.AsStridedSpan<double>().Fill(1.0);
        return buffer;
    }
}
