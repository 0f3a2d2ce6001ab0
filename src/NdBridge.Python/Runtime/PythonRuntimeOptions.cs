namespace NdBridge.Python;

/// <summary>How <see cref="PythonRuntime.Initialize"/> finds the interpreter.</summary>
public sealed class PythonRuntimeOptions
{
    /// <summary>
    /// A Python executable (a venv's <c>bin/python</c> included) or a libpython shared library. When null,
    /// the <c>NDBRIDGE_PYTHON</c> environment variable is used, then <c>python3</c> on <c>PATH</c>.
    /// </summary>
    public string? PythonPath { get; init; }
}
