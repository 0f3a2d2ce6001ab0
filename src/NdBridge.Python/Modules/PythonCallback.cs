namespace NdBridge.Python;

/// <summary>
/// The Python side of a callback delegate (<see cref="CallbackConverters"/>): the callable (a strong reference, released
/// through <see cref="PythonObject"/>'s queue when .NET collects the delegate) and what messages call it.
/// </summary>
internal sealed unsafe class PythonCallback
{
    private static long s_liveCount;

    internal PythonCallback(PythonObject callable, string description)
    {
        Callable = callable;
        Result = new ParameterBinding(typeof(object), "result", description, $"the result of the Python callback passed as {description}");
        Interlocked.Increment(ref s_liveCount);
    }

    ~PythonCallback() => Interlocked.Decrement(ref s_liveCount); // counts only; the reference is PythonObject's to release

    /// <summary>Callbacks .NET has not collected yet.</summary>
    internal static long LiveCount => Interlocked.Read(ref s_liveCount);

    internal PythonObject Callable { get; }

    /// <summary>Describes the result for conversion messages.</summary>
    internal ParameterBinding Result { get; }

    internal TResult Invoke<TResult>(object?[] arguments, Func<object?, nint>[] converters, Func<nint, ParameterBinding, TResult> convertResult)
    {
        using var gil = PythonGil.Acquire(); // from any thread; re-entrant inside a hosted call
        var result = Call(arguments, converters);
        try
        {
            return convertResult(result, Result);
        }
        finally
        {
            CPython.Py_DecRef(result);
        }
    }

    internal void InvokeVoid(object?[] arguments, Func<object?, nint>[] converters)
    {
        using var gil = PythonGil.Acquire();
        CPython.Py_DecRef(Call(arguments, converters));
    }

    // A new reference to what the callable returned; a Python exception as PythonException (its original object kept).
    private nint Call(object?[] arguments, Func<object?, nint>[] converters)
    {
        var tuple = PythonErrors.Check(CPython.PyTuple_New(arguments.Length));
        try
        {
            for (var i = 0; i < arguments.Length; i++)
                _ = CPython.PyTuple_SetItem(tuple, i, converters[i](arguments[i])); // steals; a new tuple, index in range
            return PythonErrors.Check(CPython.PyObject_Call(Callable.DangerousGetBorrowedReference(), tuple, 0));
        }
        finally
        {
            CPython.Py_DecRef(tuple);
        }
    }
}
