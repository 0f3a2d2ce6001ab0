using System.Text.Json.Nodes;
using NdBridge.Testing;

namespace NdBridge.Tests.Support;

/// <summary>
/// Runs the interpreter named by <c>NDBRIDGE_PYTHON</c> once for a whole batch: the script reads a JSON array
/// from stdin and writes a JSON array to stdout. Fails (never skips) when the interpreter is missing.
/// </summary>
internal static class PythonOracle
{
    public static JsonArray Run(string script, JsonArray batch) =>
        JsonNode.Parse(PythonProcess.RunCode(script, batch.ToJsonString()))!.AsArray();
}
