using System.Runtime.CompilerServices;
using System.Text.Json;
using NdBridge.Testing;

namespace NdBridge.Tests.Formats;

/// <summary>What CPython's <c>struct</c> and NumPy's PEP 3118 parser say about one format string.</summary>
internal sealed record OracleAnswer(long? StructSize, string? NumPyDescription, long? NumPySize, string? Lenient, string? Descr)
{
    public bool StructAccepts => StructSize is not null;

    /// <summary>NumPy accepts, not merely through one of the leniencies NdBridge documents as rejected.</summary>
    public bool NumPyAccepts => NumPyDescription is not null && Lenient is null;

    public bool NumPyAcceptsLeniently => NumPyDescription is not null && Lenient is not null;
}

/// <summary>
/// Runs <c>format_oracle.py</c> under the interpreter named by <c>NDBRIDGE_PYTHON</c>, one process per batch,
/// JSON in and out. Fails (never skips) when the interpreter is missing.
/// </summary>
internal static class FormatOracle
{
    public static string PythonExecutable() => PythonProcess.Executable();

    private static string ScriptPath([CallerFilePath] string thisFile = "") =>
        Path.Combine(Path.GetDirectoryName(thisFile)!, "format_oracle.py");

    public static OracleAnswer[] Ask(IReadOnlyList<string> formats) =>
        RunJson(ScriptPath(), JsonSerializer.Serialize(formats), root =>
            root.EnumerateArray().Select(e => new OracleAnswer(
                e.TryGetProperty("struct", out var s) ? s.GetInt64() : null,
                e.TryGetProperty("numpy", out var n) ? n.GetString() : null,
                e.TryGetProperty("numpySize", out var ns) ? ns.GetInt64() : null,
                e.TryGetProperty("lenient", out var l) ? l.GetString() : null,
                e.TryGetProperty("descr", out var d) ? d.GetString() : null)).ToArray());

    /// <summary>Runs a Python script file with <paramref name="stdin"/> and parses its stdout as JSON.</summary>
    public static T RunJson<T>(string scriptPath, string stdin, Func<JsonElement, T> read)
    {
        using var document = JsonDocument.Parse(PythonProcess.Run(PythonProcess.Executable(), [scriptPath], stdin));
        return read(document.RootElement);
    }

    /// <summary>Runs Python code given inline (<c>-c</c>) and returns its stdout, trimmed.</summary>
    public static string RunCode(string code) => PythonProcess.RunCode(code).Trim();
}
