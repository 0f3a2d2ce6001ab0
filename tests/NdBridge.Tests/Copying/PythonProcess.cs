using System.Diagnostics;

namespace NdBridge.Tests.Copying;

/// <summary>Runs a script in the interpreter named by NDBRIDGE_PYTHON, text in and out. Missing Python fails the test.</summary>
internal static class PythonProcess
{
    public static string Run(string script, string standardInput)
    {
        string? python = Environment.GetEnvironmentVariable("NDBRIDGE_PYTHON");
        Assert.False(string.IsNullOrEmpty(python), "NDBRIDGE_PYTHON is not set: point it at /usr/bin/python3 (make test sets it).");
        Assert.True(File.Exists(python), $"NDBRIDGE_PYTHON={python} does not exist.");
        var start = new ProcessStartInfo(python!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(standardInput);
        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{python} failed ({process.ExitCode}): {error.Result}");
        return output.Result;
    }
}
