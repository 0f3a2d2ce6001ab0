namespace NdBridge.Python.Tests.Runtime;

public sealed class PythonTimingTests
{
    [Fact]
    public void BestPerExecution_MeasuresTheStatementInThisProcess()
    {
        var python = PythonFixture.Runtime;
        using var ns = python.NewNamespace();
        python.Exec("import time\n", ns);
        var perSleep = PythonTiming.BestPerExecution(python, "time.sleep(0.002)", ns, number: 3, repeat: 2);
        Assert.InRange(perSleep.TotalMilliseconds, 2.0, 500.0);
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonTiming.BestPerExecution(python, "pass", ns, number: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PythonTiming.BestPerExecution(python, "pass", ns, number: 1, repeat: 0));
        Assert.Equal("NameError", Assert.Throws<PythonException>(() => PythonTiming.BestPerExecution(python, "undefined_name", ns, number: 1)).PythonTypeName);
    }
}
