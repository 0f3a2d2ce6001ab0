using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NdBridge.Python.Tests.Export;

/// <summary>Runs <c>samples/PaddedMatrix</c> (what <c>make demo</c> runs) in its own process: it exits 0, and both sides printed one address.</summary>
public sealed partial class PaddedMatrixSampleTests
{
    [GeneratedRegex(@"^C#\s+layout .* data at (0x[0-9a-f]+)$", RegexOptions.Multiline)]
    private static partial Regex DotNetAddress();

    [GeneratedRegex(@"^Python data at (0x[0-9a-f]+),", RegexOptions.Multiline)]
    private static partial Regex PythonAddress();

    [Fact]
    public async Task Sample_ExitsZero_AndBothSidesPrintTheSameAddress()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "PaddedMatrix.dll");
        Assert.True(File.Exists(sample), $"{sample} is missing: the test project references samples/PaddedMatrix.");
        var start = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(sample);
        start.Environment[PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath;
        using var process = Process.Start(start)!;
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var stdout = await stdoutTask;
        var stderr = await stderrTask;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");
        var dotNet = DotNetAddress().Match(stdout);
        var python = PythonAddress().Match(stdout);
        Assert.True(dotNet.Success && python.Success, stdout);
        Assert.Equal(dotNet.Groups[1].Value, python.Groups[1].Value);
        Assert.Contains("nothing copied", stdout, StringComparison.Ordinal);
        // Python's in-place changes, as .NET printed them afterwards.
        Assert.Contains("[  40.5   -1.0]", stdout, StringComparison.Ordinal);
    }
}
