using System.Diagnostics;

namespace NdBridge.Testing;

/// <summary>
/// Runs a Python interpreter as a separate process — the oracle side of tests, which never goes through
/// NdBridge. The interpreter is the one <c>NDBRIDGE_PYTHON</c> names (<c>make test</c> sets
/// <c>/usr/bin/python3</c>); tests fail, never skip, when it is missing.
/// </summary>
public static class PythonProcess
{
    /// <summary>The interpreter <c>NDBRIDGE_PYTHON</c> names; fails the test when unset or missing.</summary>
    public static string Executable()
    {
        string? python = Environment.GetEnvironmentVariable("NDBRIDGE_PYTHON");
        Assert.False(string.IsNullOrEmpty(python), "NDBRIDGE_PYTHON is not set: it must name a CPython 3.11 with NumPy (make test sets /usr/bin/python3).");
        Assert.True(File.Exists(python), $"NDBRIDGE_PYTHON='{python}' does not exist.");
        return python!;
    }

    /// <summary>Runs <paramref name="python"/> with <paramref name="arguments"/>, feeding <paramref name="stdin"/>; fails the test unless it exits 0; returns stdout.</summary>
    public static string Run(string python, IEnumerable<string> arguments, string? stdin = null)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{python} {string.Join(' ', start.ArgumentList)} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs <c>python -c <paramref name="code"/></c> under <c>NDBRIDGE_PYTHON</c>.</summary>
    public static string RunCode(string code, string? stdin = null) => Run(Executable(), ["-c", code], stdin);
}
