using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// NumPy in this process, for columns timed next to the C# code: statements run in one namespace,
/// each call a <c>Py_CompileString</c> + <c>PyEval_EvalCode</c> under the GIL (microseconds, beside
/// copies of milliseconds).
/// </summary>
internal sealed class NumPySession : IDisposable
{
    private readonly PythonRuntime _runtime;
    private readonly PythonObject _globals;

    private NumPySession(PythonRuntime runtime)
    {
        _runtime = runtime;
        _globals = runtime.NewNamespace();
        runtime.Exec("import numpy as np", _globals);
        Version = runtime.Eval<string>("np.__version__", _globals);
        PythonVersion = runtime.Eval<string>("__import__('platform').python_version()", _globals);
    }

    /// <summary>NumPy's version, for the report.</summary>
    public string Version { get; }

    /// <summary>The interpreter's version, for the report.</summary>
    public string PythonVersion { get; }

    /// <summary>Why there is no session, when <see cref="TryStart"/> failed.</summary>
    public static string? Unavailable { get; private set; }

    /// <summary>Starts the interpreter named by <c>NDBRIDGE_PYTHON</c> (as <c>make bench</c> sets it), or says why not.</summary>
    public static NumPySession? TryStart()
    {
        try
        {
            return new NumPySession(PythonRuntime.Initialize());
        }
        catch (Exception e) when (e is PythonNotFoundException or PythonException)
        {
            Unavailable = e.Message.Split('\n')[0];
            return null;
        }
    }

    public void Exec(string code) => _runtime.Exec(code, _globals);

    public T Eval<T>(string expression) => _runtime.Eval<T>(expression, _globals);

    /// <summary>The object a name or expression evaluates to (dispose it).</summary>
    public PythonObject Get(string expression) => _runtime.Eval(expression, _globals);

    /// <summary>An action that runs <paramref name="statement"/> once per call.</summary>
    public Action Statement(string statement) => () => _runtime.Exec(statement, _globals);

    public void Dispose() => _globals.Dispose();
}
