using System.Text.RegularExpressions;

namespace NdBridge.Python.Tests.Samples;

/// <summary>
/// Runs <c>samples/Showcase</c> (what <c>make demo</c> runs) in its own process: every check holds and it exits 0;
/// with the test-only switch that inverts one check, it reports that check and exits non-zero.
/// </summary>
[Collection(SerialCollection.Name)] // allocates and copies 1 GiB: not beside the lifetime tests' RSS bounds
public sealed partial class ShowcaseTests
{
    [GeneratedRegex(@"All (\d+) checks held")]
    private static partial Regex AllHeld();

    private static TestHostResult RunShowcase(params string[] arguments) =>
        TestHostProcess.RunProgram("Showcase", arguments, new Dictionary<string, string?>
        {
            [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath,
            ["NO_COLOR"] = "1",
        });

    [Fact]
    public void Showcase_EveryCheckHolds_AndExitsZero()
    {
        var result = RunShowcase();
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        var held = AllHeld().Match(result.Stdout);
        Assert.True(held.Success, result.Stdout);
        Assert.True(int.Parse(held.Groups[1].Value) >= 30, $"only {held.Groups[1].Value} checks ran:\n{result.Stdout}");
        Assert.DoesNotContain("FAILED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Showcase_WithABrokenCheck_ReportsItAndExitsNonZero()
    {
        var result = RunShowcase("--break-check", "nothing was copied");
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        Assert.Contains("✗ FAILED: NumPy's array has the same data address as the .NET matrix: nothing was copied", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 of ", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Showcase_RefusesUnknownArguments()
    {
        var result = RunShowcase("--frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown argument '--frobnicate'", result.Stderr, StringComparison.Ordinal);
    }
}
