namespace NdBridge.Python.Tests.Runtime;

/// <summary>Shutdown and attach, each in a child process (NumPy cannot be initialised twice in one process).</summary>
public sealed class PythonRuntimeLifecycleTests
{
    private static readonly Dictionary<string, string?> Environment = new() { [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath };

    [Fact]
    public void Child_Shutdown_RefusesWhileObjectsLive_ThenFinalises_AndNeverReinitialises()
    {
        var child = TestHostProcess.Run(["shutdown"], Environment);
        child.AssertSucceeded();
        Assert.Equal("10", child["numpy.sum"]);
        Assert.Contains("101 PythonObject(s) or other NdBridge objects holding Python references are still alive", child["refused.live"]); // 100 garbage + 1 held
        Assert.Contains("must run on the thread that initialised", child["refused.other.thread"]);
        Assert.Contains("inside a PythonGil scope", child["refused.in.scope"]);
        Assert.Contains("must run on the thread that initialised", child["refused.other.thread.without.objects"]);
        Assert.Equal("linux", child["live.after.refusal"]);                             // refusal left Python working
        Assert.Equal("100", child["queued.by.finalizers"]);
        Assert.Equal("100", child["drained"]);
        Assert.Equal("0", child["liveobjects.before"]);
        Assert.Equal("False", child["running"]);
        Assert.StartsWith("InvalidOperationException: No Python interpreter is running", child["current.refuses"]);
        Assert.StartsWith("InvalidOperationException: No Python interpreter is running", child["gil.refuses"]);
        Assert.Contains("cannot be initialised twice", child["reinitialize.refuses"]);
    }

    [Fact]
    public void Child_Attach_UsesTheHostsInterpreter_AndDetachesWithoutFinalisingIt()
    {
        var child = TestHostProcess.Run(["attach"], Environment);
        child.AssertSucceeded();
        Assert.Equal("True", child["attached"]);
        Assert.Equal("set by the foreign host", child["marker"]);
        Assert.Equal("45", child["numpy.sum"]);
        Assert.Contains("1 PythonObject(s) or other NdBridge objects holding Python references are still alive", child["refused.live"]);
        Assert.Equal("False", child["running"]);
        Assert.Equal("True", child["host.initialized.after.detach"]);
        Assert.Equal("0", child["host.run.after.detach"]);
        Assert.Equal("True", child["reattached"]);
        Assert.Equal("0", child["host.finalize"]);
    }

    [Fact]
    public void Child_HostFinalises_ThenReleasesAreNoOpsAndScopesRefuse()
    {
        var child = TestHostProcess.Run(["host-finalises"], Environment);
        child.AssertSucceeded();
        Assert.Equal("0", child["host.finalize"]);
        Assert.StartsWith("InvalidOperationException: No Python interpreter is running", child["gil.refuses"]);
        Assert.Equal("0", child["liveobjects.after"]);
    }
}
