namespace NdBridge.Python;

public sealed unsafe partial class PythonRuntime
{
    /// <summary><c>import name</c>: the module (a package's submodule too: <c>"os.path"</c>).</summary>
    /// <exception cref="PythonException">Python raised (ModuleNotFoundError, ...).</exception>
    public PythonObject Import(string name)
    {
        var utf8 = Utf8Z.Encode(name, nameof(name));
        using var gil = PythonGil.Acquire();
        fixed (byte* n = utf8)
            return PythonObject.FromNewReference(PythonErrors.Check(CPython.PyImport_ImportModule(n)));
    }

    /// <summary>A new namespace for <see cref="Exec"/>/<see cref="Eval"/>: a dict with <c>__builtins__</c> and <c>__name__</c>.</summary>
    /// <param name="moduleName">The namespace's <c>__name__</c> (classes defined there get it as <c>__module__</c>).</param>
    public PythonObject NewNamespace(string moduleName = "__main__")
    {
        using var gil = PythonGil.Acquire();
        var dict = PythonObject.FromNewReference(PythonErrors.Check(CPython.PyDict_New()));
        try
        {
            using var builtins = Import("builtins");
            dict.SetItem("__builtins__", builtins);
            dict.SetItem("__name__", moduleName);
            return dict;
        }
        catch
        {
            dict.Dispose();
            throw;
        }
    }

    /// <summary>Runs statements (<c>Py_CompileString</c> + <c>PyEval_EvalCode</c>) in <paramref name="globals"/>.</summary>
    /// <param name="code">Python source: a module body.</param>
    /// <param name="globals">The global namespace (a dict, see <see cref="NewNamespace"/>).</param>
    /// <param name="locals">The local namespace; null: <paramref name="globals"/>.</param>
    /// <exception cref="PythonException">The code did not compile or raised.</exception>
    public void Exec(string code, PythonObject globals, PythonObject? locals = null)
    {
        if (globals is null)
            ThrowHelper.ThrowArgumentNull(nameof(globals));
        using var result = Evaluate(code, CPython.Py_file_input, globals, locals);
    }

    /// <summary>Evaluates one expression in <paramref name="globals"/> (a fresh namespace when null).</summary>
    /// <exception cref="PythonException">The expression did not compile or raised.</exception>
    public PythonObject Eval(string expression, PythonObject? globals = null, PythonObject? locals = null)
    {
        if (globals is not null)
            return Evaluate(expression, CPython.Py_eval_input, globals, locals);
        using var fresh = NewNamespace();
        return Evaluate(expression, CPython.Py_eval_input, fresh, locals);
    }

    /// <summary>Evaluates one expression and converts the result (see <see cref="PythonObject.As{T}"/>).</summary>
    public T Eval<T>(string expression, PythonObject? globals = null, PythonObject? locals = null)
    {
        using var result = Eval(expression, globals, locals);
        return result.As<T>();
    }

    private static PythonObject Evaluate(string source, int start, PythonObject globals, PythonObject? locals)
    {
        var utf8 = Utf8Z.Encode(source, nameof(source));
        using var gil = PythonGil.Acquire();
        var globalsReference = globals.DangerousGetBorrowedReference();
        var localsReference = (locals ?? globals).DangerousGetBorrowedReference();
        nint code;
        fixed (byte* s = utf8)
        fixed (byte* file = "<string>\0"u8)
            code = PythonErrors.Check(CPython.Py_CompileString(s, file, start));
        var result = CPython.PyEval_EvalCode(code, globalsReference, localsReference);
        CPython.Py_DecRef(code);
        GC.KeepAlive(globals);
        GC.KeepAlive(locals);
        return PythonObject.FromNewReference(PythonErrors.Check(result));
    }

    /// <summary>
    /// <paramref name="value"/> as a Python object: null → None, bool, integers, float/double, string/char,
    /// <see cref="PythonObject"/> (shared), <see cref="System.Runtime.CompilerServices.ITuple"/> → tuple,
    /// <see cref="System.Collections.IDictionary"/> → dict, other <see cref="System.Collections.IEnumerable"/> → list.
    /// </summary>
    /// <exception cref="ArgumentException">No conversion exists for the value's type.</exception>
    public PythonObject ToPython(object? value)
    {
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(PythonConvert.ToPythonNew(value, nameof(value)));
    }

    /// <summary>
    /// A Python callable that runs <paramref name="body"/> with the call's positional arguments (a tuple).
    /// The result is converted as <see cref="ToPython"/> does (a returned <see cref="PythonObject"/> is shared, not
    /// consumed: it stays the caller's to dispose). A .NET exception never crosses into Python's C
    /// code: it becomes a Python <c>RuntimeError</c> naming the .NET type and message.
    /// </summary>
    /// <param name="name">The function's <c>__name__</c>.</param>
    /// <param name="body">Called with the GIL held; the tuple is valid only during the call.</param>
    public PythonObject CreateFunction(string name, Func<PythonObject, object?> body)
    {
        if (body is null)
            ThrowHelper.ThrowArgumentNull(nameof(body));
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(ManagedFunction.Create(name, body));
    }
}
