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

    /// <summary><c>Py_TPFLAGS_UNICODE_SUBCLASS</c>: <c>str</c> and its subclasses.</summary>
    internal const nuint Py_TPFLAGS_UNICODE_SUBCLASS = 1u << 28;

    private static void BindModules(nint library)
    {
        PyModule_New = (delegate* unmanaged<byte*, nint>)Export(library, nameof(PyModule_New));
        PyUnicode_InternFromString = (delegate* unmanaged<byte*, nint>)Export(library, nameof(PyUnicode_InternFromString));
        PyType_GetFlags = (delegate* unmanaged<nint, nuint>)Export(library, nameof(PyType_GetFlags));
    }
}
