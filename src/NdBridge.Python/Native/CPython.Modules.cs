namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyObject *PyModule_New(const char *name)</c>: new reference; <c>__name__</c> set, <c>__doc__</c> None.</summary>
    internal static delegate* unmanaged<byte*, nint> PyModule_New;

    /// <summary><c>PyObject *PyUnicode_InternFromString(const char *v)</c>: new reference to the interned <c>str</c>.</summary>
    internal static delegate* unmanaged<byte*, nint> PyUnicode_InternFromString;

    /// <summary><c>unsigned long PyType_GetFlags(PyTypeObject *type)</c>; leaf call.</summary>
    internal static delegate* unmanaged<nint, nuint> PyType_GetFlags;

    /// <summary><c>Py_TPFLAGS_LONG_SUBCLASS</c>: <c>int</c> and its subclasses (<c>bool</c> included).</summary>
    internal const nuint Py_TPFLAGS_LONG_SUBCLASS = 1u << 24;

    /// <summary><c>Py_TPFLAGS_LIST_SUBCLASS</c>: <c>list</c> and its subclasses.</summary>
    internal const nuint Py_TPFLAGS_LIST_SUBCLASS = 1u << 25;

    /// <summary><c>Py_TPFLAGS_TUPLE_SUBCLASS</c>: <c>tuple</c> and its subclasses.</summary>
    internal const nuint Py_TPFLAGS_TUPLE_SUBCLASS = 1u << 26;

    /// <summary><c>Py_TPFLAGS_UNICODE_SUBCLASS</c>: <c>str</c> and its subclasses.</summary>
    internal const nuint Py_TPFLAGS_UNICODE_SUBCLASS = 1u << 28;

    /// <summary><c>Py_TPFLAGS_DICT_SUBCLASS</c>: <c>dict</c> and its subclasses.</summary>
    internal const nuint Py_TPFLAGS_DICT_SUBCLASS = 1u << 29;

    /// <summary><c>PyLong_Check(o)</c> (a macro in C): <c>int</c> or a subclass (<c>bool</c> included), by the type's flags, not its name.</summary>
    internal static bool PyLong_Check(nint o) => PyType_FastSubclass(o, Py_TPFLAGS_LONG_SUBCLASS);

    /// <summary><c>PyList_Check(o)</c> (a macro in C).</summary>
    internal static bool PyList_Check(nint o) => PyType_FastSubclass(o, Py_TPFLAGS_LIST_SUBCLASS);

    /// <summary><c>PyTuple_Check(o)</c> (a macro in C).</summary>
    internal static bool PyTuple_Check(nint o) => PyType_FastSubclass(o, Py_TPFLAGS_TUPLE_SUBCLASS);

    /// <summary><c>PyUnicode_Check(o)</c> (a macro in C).</summary>
    internal static bool PyUnicode_Check(nint o) => PyType_FastSubclass(o, Py_TPFLAGS_UNICODE_SUBCLASS);

    /// <summary><c>PyDict_Check(o)</c> (a macro in C).</summary>
    internal static bool PyDict_Check(nint o) => PyType_FastSubclass(o, Py_TPFLAGS_DICT_SUBCLASS);

    // PyType_FastSubclass(Py_TYPE(o), flag): the subclass bits CPython sets on every subtype of a builtin.
    private static bool PyType_FastSubclass(nint o, nuint flag)
    {
        var type = PyObject_Type(o);
        var flags = PyType_GetFlags(type);
        Py_DecRef(type);
        return (flags & flag) != 0;
    }

    private static void BindModules(nint library)
    {
        PyModule_New = (delegate* unmanaged<byte*, nint>)Export(library, nameof(PyModule_New));
        PyUnicode_InternFromString = (delegate* unmanaged<byte*, nint>)Export(library, nameof(PyUnicode_InternFromString));
        PyType_GetFlags = (delegate* unmanaged<nint, nuint>)Export(library, nameof(PyType_GetFlags));
    }
}
