namespace NdBridge.Python.Tests.Import;

/// <summary>Imports and the interpreter's end, each in a child process (NumPy cannot be initialised twice in one process).</summary>
public sealed class ImportShutdownTests
{
    private static readonly Dictionary<string, string?> Environment = new() { [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath };

    [Fact]
    public void Child_ShutdownRefusesWhileImportsLive_ThenFinalisesOnceTheyAreReleased()
    {
        var child = TestHostProcess.Run(["import-shutdown"], Environment);
        child.AssertSucceeded();
        Assert.Contains("holding Python references are still alive", child["import.refused.live"]);
        Assert.Equal("5", child["import.value.after.refusal"]); // a[::-1][0] of arange(6.0): the memory stayed valid
        Assert.Equal("1", child["import.drained"]); // the abandoned import, released by its finalizer's queue
        Assert.Equal("0", child["import.liveobjects.before"]);
        Assert.Equal("False", child["import.running"]);
    }

    [Fact]
    public void Child_ReleasingImportsAfterTheHostFinalisedPython_IsANoOp()
    {
        var child = TestHostProcess.Run(["import-host-finalises"], Environment);
        child.AssertSucceeded();
        Assert.Equal("0", child["import.host.finalize"]);
        Assert.Equal("0", child["import.liveobjects.after"]);
    }
}
