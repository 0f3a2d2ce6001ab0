namespace NdBridge.Python;

/// <summary>
/// A Python exception seen from .NET: the Python type's name, its message (<c>str(exc)</c>) and the
/// formatted traceback (<c>traceback.format_exception</c>). It holds no Python object, so it outlives the
/// GIL scope and the interpreter. When NdBridge throws it, Python's error indicator is already clear.
/// </summary>
public sealed class PythonException : Exception
{
    /// <summary>Creates the exception from what Python reported.</summary>
    /// <param name="pythonTypeName">The exception type's name, qualified by its module unless builtin (<c>ValueError</c>, <c>mymodule.MyError</c>).</param>
    /// <param name="pythonMessage"><c>str(exc)</c>.</param>
    /// <param name="pythonTraceback">The formatted traceback, as Python would print it.</param>
    public PythonException(string pythonTypeName, string pythonMessage, string pythonTraceback)
        : base(pythonMessage.Length == 0 ? pythonTypeName : pythonTypeName + ": " + pythonMessage)
    {
        PythonTypeName = pythonTypeName;
        PythonMessage = pythonMessage;
        PythonTraceback = pythonTraceback;
    }

    /// <summary>The Python exception type's name, module-qualified unless it is a builtin.</summary>
    public string PythonTypeName { get; }

    /// <summary><c>str(exc)</c>.</summary>
    public string PythonMessage { get; }

    /// <summary>The formatted traceback (<c>"Traceback (most recent call last):..."</c>), or just the last line when there is no traceback.</summary>
    public string PythonTraceback { get; }

    /// <summary>
    /// The Python exception object itself, kept only when Python is the host (<see cref="PythonRuntime.IsHostedByPython"/>):
    /// a hosted function that lets this exception out raises that very object again in Python.
    /// </summary>
    internal PythonObject? Original { get; init; }

    /// <inheritdoc/>
    public override string ToString() => base.ToString() + Environment.NewLine + "--- Python traceback ---" + Environment.NewLine + PythonTraceback;
}
