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
    public void Sample_ExitsZero_AndBothSidesPrintTheSameAddress()
    {
        var result = TestHostProcess.RunProgram("PaddedMatrix", [],
            new Dictionary<string, string?> { [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath });
        var stdout = result.Stdout;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{stdout}\n{result.Stderr}");
        var dotNet = DotNetAddress().Match(stdout);
        var python = PythonAddress().Match(stdout);
        Assert.True(dotNet.Success && python.Success, stdout);
        Assert.Equal(dotNet.Groups[1].Value, python.Groups[1].Value);
        Assert.Contains("nothing copied", stdout, StringComparison.Ordinal);
        // Python's in-place changes, as .NET printed them afterwards.
        Assert.Contains("[  40.5   -1.0]", stdout, StringComparison.Ordinal);
    }
}
