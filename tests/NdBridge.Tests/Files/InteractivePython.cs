using System.Diagnostics;
using NdBridge.Testing;

namespace NdBridge.Tests.Files;

/// <summary>A separate Python process (<c>NDBRIDGE_PYTHON</c>) driven line by line over stdin/stdout, killed if still
/// running on dispose; every read waits at most <see cref="Timeout"/>.</summary>
internal sealed class InteractivePython : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly Task<string> _stderr;

    public InteractivePython(string code)
    {
        var start = new ProcessStartInfo(PythonProcess.Executable())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        _process = Process.Start(start)!;
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public string ReadLine()
    {
        var line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(Timeout))
            Assert.Fail($"The Python process wrote no line within {Timeout}.");
        if (line.Result is null)
        {
            _process.WaitForExit();
            Assert.Fail($"The Python process ended ({_process.ExitCode}): {_stderr.Result}");
        }
        return line.Result!;
    }

    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    public void WaitForSuccess()
    {
        _process.StandardInput.Close();
        Assert.True(_process.WaitForExit(Timeout), $"The Python process did not end within {Timeout}.");
        Assert.True(_process.ExitCode == 0, $"The Python process failed ({_process.ExitCode}): {_stderr.Result}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
