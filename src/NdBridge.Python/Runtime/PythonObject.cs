using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// An owned reference to a Python object. Disposing releases it (taking the GIL if needed); a finalizer
/// only queues the release, which the next <see cref="PythonGil"/> entry performs; after the interpreter
/// was finalised, releasing is a no-op. Every member takes the GIL itself (re-entrantly).
/// </summary>
public sealed unsafe class PythonObject : SafeHandle
{
    private volatile bool _finalizing;

    private PythonObject(nint newReference)
        : base(0, ownsHandle: true)
    {
        SetHandle(newReference);
        PythonRuntime.RegisterDependent();
    }

    /// <inheritdoc/>
    public override bool IsInvalid => handle == 0;

    /// <summary>Wraps a new (owned) <c>PyObject*</c>: the returned object takes over that reference.</summary>
    /// <param name="newReference">A non-NULL new reference, e.g. a C API function's result.</param>
    public static PythonObject FromNewReference(nint newReference)
    {
        if (newReference == 0)
            ThrowHelper.ThrowArgument("The reference is NULL.", nameof(newReference));
        return new PythonObject(newReference);
    }

    /// <summary>Wraps a borrowed <c>PyObject*</c>: the returned object takes a reference of its own (<c>Py_IncRef</c>).</summary>
    /// <param name="borrowedReference">A non-NULL reference someone else owns.</param>
    public static PythonObject FromBorrowedReference(nint borrowedReference)
    {
        if (borrowedReference == 0)
            ThrowHelper.ThrowArgument("The reference is NULL.", nameof(borrowedReference));
        using var gil = PythonGil.Acquire();
        unsafe
        {
            CPython.Py_IncRef(borrowedReference);
        }
        return new PythonObject(borrowedReference);
    }

    /// <summary>The <c>PyObject*</c> as a borrowed reference: valid only while this object is neither disposed nor finalised.</summary>
    public nint DangerousGetBorrowedReference()
    {
        if (IsClosed)
            ThrowHelper.ThrowObjectDisposed(nameof(PythonObject));
        return handle;
    }

    /// <summary>A new reference (<c>Py_IncRef</c>ed) that the caller owns and must <c>Py_DecRef</c>.</summary>
    public unsafe nint ToNewReference()
    {
        using var gil = PythonGil.Acquire();
        var added = false;
        DangerousAddRef(ref added);
        try
        {
            CPython.Py_IncRef(handle);
            return handle;
        }
        finally
        {
            if (added)
                DangerousRelease();
        }
    }

    /// <summary>The attribute <paramref name="name"/> (<c>getattr(o, name)</c>).</summary>
    /// <exception cref="PythonException">Python raised (AttributeError, ...).</exception>
    public unsafe PythonObject GetAttr(string name)
    {
        var utf8 = Utf8Z.Encode(name, nameof(name));
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        fixed (byte* n = utf8)
            return new PythonObject(PythonErrors.Check(CPython.PyObject_GetAttrString(handle, n)));
    }

    /// <summary>The attribute <paramref name="name"/> converted to <typeparamref name="T"/> (see <see cref="As{T}"/>).</summary>
    public T GetAttr<T>(string name)
    {
        using var attribute = GetAttr(name);
        return attribute.As<T>();
    }

    /// <summary>Sets the attribute <paramref name="name"/> to <paramref name="value"/> converted to Python.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> has no Python conversion.</exception>
    /// <exception cref="PythonException">Python raised.</exception>
    public unsafe void SetAttr(string name, object? value)
    {
        var utf8 = Utf8Z.Encode(name, nameof(name));
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        var converted = PythonConvert.ToPythonNew(value, nameof(value));
        fixed (byte* n = utf8)
        {
            var status = CPython.PyObject_SetAttrString(handle, n, converted);
            CPython.Py_DecRef(converted);
            PythonErrors.CheckStatus(status);
        }
    }

    /// <summary><c>hasattr(o, name)</c>.</summary>
    public unsafe bool HasAttr(string name)
    {
        var utf8 = Utf8Z.Encode(name, nameof(name));
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        fixed (byte* n = utf8)
            return CPython.PyObject_HasAttrString(handle, n) == 1;
    }

    /// <summary><c>o[key]</c>.</summary>
    public PythonObject GetItem(object? key)
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        var pythonKey = PythonConvert.ToPythonNew(key, nameof(key));
        var result = CPython.PyObject_GetItem(handle, pythonKey);
        CPython.Py_DecRef(pythonKey);
        return new PythonObject(PythonErrors.Check(result));
    }

    /// <summary><c>o[key] = value</c>.</summary>
    public void SetItem(object? key, object? value)
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        var (pythonKey, pythonValue) = PythonConvert.ToPythonNewPair(key, nameof(key), value, nameof(value));
        var status = CPython.PyObject_SetItem(handle, pythonKey, pythonValue);
        CPython.Py_DecRef(pythonKey);
        CPython.Py_DecRef(pythonValue);
        PythonErrors.CheckStatus(status);
    }

    /// <summary>Calls this object with positional arguments (each converted as <see cref="PythonRuntime.ToPython"/> does).</summary>
    /// <exception cref="ArgumentException">An argument has no Python conversion (nothing is called).</exception>
    /// <exception cref="PythonException">Python raised.</exception>
    public PythonObject Call(params ReadOnlySpan<object?> args) => CallWithKeywords(args, null);

    /// <summary>Calls this object with positional and keyword arguments.</summary>
    /// <param name="args">Positional arguments.</param>
    /// <param name="kwargs">Keyword arguments, or null.</param>
    /// <exception cref="ArgumentException">An argument has no Python conversion (nothing is called).</exception>
    /// <exception cref="PythonException">Python raised.</exception>
    public PythonObject CallWithKeywords(ReadOnlySpan<object?> args, IEnumerable<KeyValuePair<string, object?>>? kwargs)
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        var tuple = PythonErrors.Check(CPython.PyTuple_New(args.Length));
        nint dict = 0;
        try
        {
            for (var i = 0; i < args.Length; i++)
                _ = CPython.PyTuple_SetItem(tuple, i, PythonConvert.ToPythonNew(args[i], nameof(args))); // steals; i < length
            if (kwargs is not null)
            {
                dict = PythonErrors.Check(CPython.PyDict_New());
                foreach (var (key, value) in kwargs)
                {
                    var utf8 = Utf8Z.Encode(key, nameof(kwargs));
                    var pythonValue = PythonConvert.ToPythonNew(value, nameof(kwargs));
                    int status;
                    unsafe
                    {
                        fixed (byte* k = utf8)
                            status = CPython.PyDict_SetItemString(dict, k, pythonValue);
                    }
                    CPython.Py_DecRef(pythonValue);
                    PythonErrors.CheckStatus(status);
                }
            }
            return new PythonObject(PythonErrors.Check(CPython.PyObject_Call(handle, tuple, dict)));
        }
        finally
        {
            CPython.Py_DecRef(dict);
            CPython.Py_DecRef(tuple);
        }
    }

    /// <summary>Calls the method <paramref name="name"/> with positional arguments.</summary>
    public PythonObject CallMethod(string name, params ReadOnlySpan<object?> args)
    {
        using var method = GetAttr(name);
        return method.Call(args);
    }

    /// <summary>
    /// This object as <typeparamref name="T"/>: <c>long</c>, <c>int</c>, <c>ulong</c> (Python <c>int</c>, via
    /// <c>__index__</c>), <c>double</c>, <c>float</c> (via <c>__float__</c>), <c>bool</c> (<c>bool(o)</c>), <c>string</c>
    /// (a <c>str</c> only), <see cref="PythonObject"/> or <c>object</c> (a new handle).
    /// </summary>
    /// <exception cref="PythonException">Python refused the conversion (TypeError, OverflowError).</exception>
    /// <exception cref="OverflowException">The value does not fit an <c>int</c>.</exception>
    public T As<T>()
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        return PythonConvert.FromPython<T>(handle);
    }

    /// <summary>Every item of this iterable (list, tuple, set, generator, ...), converted as <see cref="As{T}"/> does.</summary>
    public List<T> ToList<T>()
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        return PythonConvert.IterateToList<T>(handle);
    }

    /// <summary>The (key, value) pairs of this mapping, converted as <see cref="As{T}"/> does.</summary>
    public Dictionary<TKey, TValue> ToDictionary<TKey, TValue>()
        where TKey : notnull
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        return PythonConvert.MappingToDictionary<TKey, TValue>(handle);
    }

    /// <summary><c>str(o)</c>.</summary>
    public string Str() => TextOf(CPython.PyObject_Str);

    /// <summary><c>repr(o)</c>.</summary>
    public string Repr() => TextOf(CPython.PyObject_Repr);

    private string TextOf(delegate* unmanaged<nint, nint> toText)
    {
        using var gil = PythonGil.Acquire();
        using var use = new Use(this);
        var text = PythonErrors.Check(toText(handle));
        try
        {
            return PythonConvert.ToStringExact(text);
        }
        finally
        {
            CPython.Py_DecRef(text);
        }
    }

    /// <summary>True when this is Python's <c>None</c>.</summary>
    public bool IsNone
    {
        get
        {
            if (IsClosed)
                ThrowHelper.ThrowObjectDisposed(nameof(PythonObject));
            return handle == CPython.Py_None;
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
            _finalizing = true;
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        PythonRuntime.Release(handle, &PythonRuntime.DecRef, fromFinalizer: _finalizing);
        return true;
    }

    /// <summary>Keeps the handle from being released by a concurrent Dispose while a call uses it.</summary>
    private readonly ref struct Use
    {
        private readonly PythonObject _owner;

        public Use(PythonObject owner)
        {
            var added = false;
            owner.DangerousAddRef(ref added); // throws ObjectDisposedException when already released
            _owner = owner;
        }

        public void Dispose() => _owner.DangerousRelease();
    }
}
