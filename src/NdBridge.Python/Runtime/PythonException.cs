namespace NdBridge.Python;

/// <summary>
/// A Python exception seen from .NET: the Python type's name, its message (<c>str(exc)</c>) and the
/// formatted traceback (<c>traceback.format_exception</c>), and the classes of its type's <c>__mro__</c>, so C# can
/// catch by Python type with <c>issubclass</c> semantics (<see cref="Is"/>, <see cref="IsInstanceOf"/>). It holds no
/// Python object, so it outlives the GIL scope and the interpreter. When NdBridge throws it, Python's error
/// indicator is already clear.
/// </summary>
/// <example>
/// <code>
/// catch (PythonException e) when (e.IsInstanceOf("json", "JSONDecodeError")) { ... }   // also a ValueError
/// </code>
/// </example>
public sealed unsafe class PythonException : Exception
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

    internal PythonException(string pythonTypeName, string pythonMessage, string pythonTraceback, string[]? mro)
        : this(pythonTypeName, pythonMessage, pythonTraceback) => _mro = mro;

    // The module-qualified names of type(exc).__mro__ when it was raised: the classes issubclass would accept.
    private readonly string[]? _mro;

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

    /// <summary>
    /// Whether the Python exception is an instance of <paramref name="pythonType"/> or of a subclass of it, as
    /// <c>issubclass(type(exc), pythonType)</c> answers (a tuple of classes matches any of them): the class is looked
    /// for in <c>type(exc).__mro__</c>, recorded when the exception was raised. False for an exception made from strings.
    /// </summary>
    /// <param name="pythonType">A Python class (or a tuple of classes).</param>
    /// <exception cref="ArgumentException"><paramref name="pythonType"/> is not a class or a tuple of classes.</exception>
    /// <exception cref="InvalidOperationException">The interpreter is no longer running.</exception>
    public bool Is(PythonObject pythonType)
    {
        ArgumentNullException.ThrowIfNull(pythonType);
        using var gil = PythonGil.Acquire();
        var reference = pythonType.DangerousGetBorrowedReference();
        var count = CPython.PyTuple_Size(reference);
        bool found;
        if (count >= 0)
        {
            found = false;
            for (nint i = 0; i < count; i++)
                found |= Matches(CPython.PyTuple_GetItem(reference, i)); // borrowed; i is in range
        }
        else
        {
            CPython.PyErr_Clear();
            found = Matches(reference);
        }
        GC.KeepAlive(pythonType);
        return found;
    }

    private bool Matches(nint type)
    {
        if (PythonErrors.MroNames(type) is not { Length: > 0 } typeMro)
            return ThrowHelper.ThrowArgument<bool>("issubclass needs a class or a tuple of classes: pass the exception class itself (e.g. json.JSONDecodeError).", "pythonType");
        return _mro is not null && Array.IndexOf(_mro, typeMro[0]) >= 0;
    }

    /// <summary>
    /// <see cref="Is"/> for the class <paramref name="typeName"/> of module <paramref name="module"/>, imported
    /// (<c>IsInstanceOf("json", "JSONDecodeError")</c>, <c>IsInstanceOf("builtins", "ValueError")</c>,
    /// <c>IsInstanceOf("numpy.linalg", "LinAlgError")</c>).
    /// </summary>
    /// <param name="module">The module to import.</param>
    /// <param name="typeName">The class's attribute name in it.</param>
    /// <exception cref="PythonException">The module or the attribute does not exist, or it is not a class.</exception>
    public bool IsInstanceOf(string module, string typeName)
    {
        using var imported = PythonRuntime.Current.Import(module);
        using var type = imported.GetAttr(typeName);
        return Is(type);
    }

    /// <inheritdoc/>
    public override string ToString() => base.ToString() + Environment.NewLine + "--- Python traceback ---" + Environment.NewLine + PythonTraceback;
}
