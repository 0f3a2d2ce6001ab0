using System.Diagnostics;
using System.Text.Json.Nodes;

namespace NdBridge.Tests.Support;

/// <summary>
/// Runs the interpreter named by <c>NDBRIDGE_PYTHON</c> once for a whole batch: the script reads a JSON array
/// from stdin and writes a JSON array to stdout. Fails (never skips) when the interpreter is missing.
/// </summary>
internal static class PythonOracle
{
    public static JsonArray Run(string script, JsonArray batch)
    {
        var python = Environment.GetEnvironmentVariable("NDBRIDGE_PYTHON");
        if (string.IsNullOrEmpty(python) || !File.Exists(python))
            Assert.Fail($"NDBRIDGE_PYTHON is '{python}': set it to a CPython with NumPy (make test sets /usr/bin/python3).");
        var scriptPath = Path.Combine(Path.GetTempPath(), $"ndbridge-oracle-{Guid.NewGuid():N}.py");
        File.WriteAllText(scriptPath, script);
        try
        {
            var start = new ProcessStartInfo(python, [scriptPath])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(batch.ToJsonString());
            process.StandardInput.Close();
            process.WaitForExit();
            if (process.ExitCode != 0)
                Assert.Fail($"{python} failed ({process.ExitCode}): {stderr.Result}");
            return JsonNode.Parse(stdout.Result)!.AsArray();
        }
        finally
        {
            File.Delete(scriptPath);
        }
    }
}
