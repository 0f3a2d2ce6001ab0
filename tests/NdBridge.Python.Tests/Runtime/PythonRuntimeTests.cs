namespace NdBridge.Python.Tests.Runtime;

public sealed class PythonRuntimeTests
{
    [Fact]
    public void Initialize_AgainWhileRunning_ReturnsTheSameRuntime_AndRefusesAnotherInterpreter()
    {
        var runtime = PythonFixture.Runtime;
        Assert.Same(runtime, PythonRuntime.Initialize());
        Assert.Same(runtime, PythonRuntime.Initialize(new PythonRuntimeOptions { PythonPath = PythonFixture.PythonPath }));
        Assert.Same(runtime, PythonRuntime.Current);
        Assert.True(runtime.IsRunning);
        Assert.False(runtime.IsAttached);
        var ex = Assert.Throws<InvalidOperationException>(() => PythonRuntime.Initialize(new PythonRuntimeOptions { PythonPath = "/opt/another/python3" }));
        Assert.Contains("one interpreter per process", ex.Message);
    }

    [Fact]
    public void Installation_IsTheOneNamedByTheEnvironmentVariable()
    {
        var oracle = PythonOracle.Ask(PythonFixture.PythonPath, PythonOracle.SysconfigQuery);
        var installation = PythonFixture.Runtime.Installation;
        Assert.Equal(PythonInstallation.EnvironmentVariable, installation.Source);
        Assert.Equal(oracle["library"], installation.LibraryPath);
        Assert.Equal(oracle["executable"], PythonFixture.Runtime.Eval<string>("__import__('sys').executable"));
    }
}
