using System.Diagnostics;

namespace NdBridge.Python.Tests;

/// <summary>Runs <c>NdBridge.Python.TestHost</c> in a child process (one interpreter per process) and parses its "key=value" lines.</summary>
internal sealed record TestHostResult(int ExitCode, string Stdout, string Stderr, IReadOnlyDictionary<string, string> Values)
{
    public string this[string key] => Values.TryGetValue(key, out var value)
        ? value
        : throw new KeyNotFoundException($"The child printed no '{key}'. stdout:\n{Stdout}\nstderr:\n{Stderr}");

    public void AssertSucceeded()
    {
        Assert.True(ExitCode == 0 && Stdout.TrimEnd().EndsWith("OK", StringComparison.Ordinal),
            $"child exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }
}

internal static class TestHostProcess
{
    public static TestHostResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        RunProgram("NdBridge.Python.TestHost", arguments, environment);

    /// <summary>
    /// Runs a program this test project references (the test host, a sample) in its own process, with
    /// <paramref name="environment"/> changes (null removes a variable); fails the test after 120 s.
    /// </summary>
    public static TestHostResult RunProgram(string assemblyName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(hostDll), $"{hostDll} is missing: the test project must reference {assemblyName}.");
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                    start.Environment.Remove(key);
                else
                    start.Environment[key] = value;
            }
        }
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{assemblyName} did not finish within 120 s");
        }
        var stdout = stdoutTask.GetAwaiter().GetResult();
        var values = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n'))
        {
            var equals = line.IndexOf('=');
            if (equals > 0)
                values[line[..equals]] = line[(equals + 1)..].TrimEnd('\r');
        }
        return new TestHostResult(process.ExitCode, stdout, stderrTask.GetAwaiter().GetResult(), values);
    }

    /// <summary>The dotnet host's own directory, so a child with a constructed PATH still finds its runtime.</summary>
    public static string DotnetDirectory =>
        Path.GetDirectoryName(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "/usr/bin/dotnet")!;
}
