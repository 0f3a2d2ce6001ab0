namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary>
    /// <c>void Py_IncRef(PyObject *o)</c>; NULL is allowed. Called without a GC transition: an increment never
    /// blocks and never calls back into .NET (unlike <see cref="Py_DecRef"/>, which can run a deallocator).
    /// </summary>
    internal static delegate* unmanaged[SuppressGCTransition]<nint, void> Py_IncRef;

    /// <summary><c>void Py_DecRef(PyObject *o)</c>; NULL is allowed.</summary>
    internal static delegate* unmanaged<nint, void> Py_DecRef;

    /// <summary><c>PyObject *PyObject_GetAttrString(PyObject *o, const char *name)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, byte*, nint> PyObject_GetAttrString;

    /// <summary><c>int PyObject_SetAttrString(PyObject *o, const char *name, PyObject *v)</c>; does not steal.</summary>
    internal static delegate* unmanaged<nint, byte*, nint, int> PyObject_SetAttrString;

    /// <summary><c>int PyObject_HasAttrString(PyObject *o, const char *name)</c>; swallows errors.</summary>
    internal static delegate* unmanaged<nint, byte*, int> PyObject_HasAttrString;

    /// <summary><c>PyObject *PyObject_Call(PyObject *callable, PyObject *args, PyObject *kwargs)</c>: new reference; kwargs may be NULL.</summary>
    internal static delegate* unmanaged<nint, nint, nint, nint> PyObject_Call;

    /// <summary><c>PyObject *PyObject_Str(PyObject *o)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyObject_Str;

    /// <summary><c>PyObject *PyObject_Repr(PyObject *o)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyObject_Repr;

    /// <summary><c>int PyObject_IsTrue(PyObject *o)</c>: 1, 0, or -1 with an error set.</summary>
    internal static delegate* unmanaged<nint, int> PyObject_IsTrue;

    /// <summary><c>PyObject *PyObject_Type(PyObject *o)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyObject_Type;

    /// <summary><c>PyObject *PyObject_GetItem(PyObject *o, PyObject *key)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint, nint> PyObject_GetItem;

    /// <summary><c>int PyObject_SetItem(PyObject *o, PyObject *key, PyObject *v)</c>; does not steal.</summary>
    internal static delegate* unmanaged<nint, nint, nint, int> PyObject_SetItem;

    /// <summary><c>PyObject *PyObject_GetIter(PyObject *o)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyObject_GetIter;

    /// <summary><c>PyObject *PyIter_Next(PyObject *o)</c>: new reference; NULL at the end (no error) or on error.</summary>
    internal static delegate* unmanaged<nint, nint> PyIter_Next;

    /// <summary><c>PyObject *PyImport_ImportModule(const char *name)</c>: new reference.</summary>
    internal static delegate* unmanaged<byte*, nint> PyImport_ImportModule;

    /// <summary><c>_Py_NoneStruct</c>: the address of <c>None</c>.</summary>
    internal static nint Py_None;

    /// <summary><c>_Py_TrueStruct</c>: the address of <c>True</c>.</summary>
    internal static nint Py_True;

    /// <summary><c>_Py_FalseStruct</c>: the address of <c>False</c>.</summary>
    internal static nint Py_False;

    private static void BindObject(nint library)
    {
        Py_IncRef = (delegate* unmanaged[SuppressGCTransition]<nint, void>)Export(library, nameof(Py_IncRef));
        Py_DecRef = (delegate* unmanaged<nint, void>)Export(library, nameof(Py_DecRef));
        PyObject_GetAttrString = (delegate* unmanaged<nint, byte*, nint>)Export(library, nameof(PyObject_GetAttrString));
        PyObject_SetAttrString = (delegate* unmanaged<nint, byte*, nint, int>)Export(library, nameof(PyObject_SetAttrString));
        PyObject_HasAttrString = (delegate* unmanaged<nint, byte*, int>)Export(library, nameof(PyObject_HasAttrString));
        PyObject_Call = (delegate* unmanaged<nint, nint, nint, nint>)Export(library, nameof(PyObject_Call));
        PyObject_Str = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyObject_Str));
        PyObject_Repr = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyObject_Repr));
        PyObject_IsTrue = (delegate* unmanaged<nint, int>)Export(library, nameof(PyObject_IsTrue));
        PyObject_Type = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyObject_Type));
        PyObject_GetItem = (delegate* unmanaged<nint, nint, nint>)Export(library, nameof(PyObject_GetItem));
        PyObject_SetItem = (delegate* unmanaged<nint, nint, nint, int>)Export(library, nameof(PyObject_SetItem));
        PyObject_GetIter = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyObject_GetIter));
        PyIter_Next = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyIter_Next));
        PyImport_ImportModule = (delegate* unmanaged<byte*, nint>)Export(library, nameof(PyImport_ImportModule));
        Py_None = Export(library, "_Py_NoneStruct");
        Py_True = Export(library, "_Py_TrueStruct");
        Py_False = Export(library, "_Py_FalseStruct");
    }
}
