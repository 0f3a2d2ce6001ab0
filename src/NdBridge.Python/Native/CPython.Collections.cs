namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyObject *PyTuple_New(Py_ssize_t len)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyTuple_New;

    /// <summary><c>int PyTuple_SetItem(PyObject *p, Py_ssize_t pos, PyObject *o)</c>: steals <c>o</c>, even on failure.</summary>
    internal static delegate* unmanaged<nint, nint, nint, int> PyTuple_SetItem;

    /// <summary><c>Py_ssize_t PyTuple_Size(PyObject *p)</c>: -1 with an error set when not a tuple.</summary>
    internal static delegate* unmanaged<nint, nint> PyTuple_Size;

    /// <summary><c>PyObject *PyTuple_GetItem(PyObject *p, Py_ssize_t pos)</c>: borrowed reference.</summary>
    internal static delegate* unmanaged<nint, nint, nint> PyTuple_GetItem;

    /// <summary><c>PyObject *PyList_New(Py_ssize_t len)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint> PyList_New;

    /// <summary><c>int PyList_Append(PyObject *list, PyObject *item)</c>; does not steal.</summary>
    internal static delegate* unmanaged<nint, nint, int> PyList_Append;

    /// <summary><c>Py_ssize_t PyList_Size(PyObject *list)</c>: the list's own length (a subclass's <c>__len__</c> is not called).</summary>
    internal static delegate* unmanaged<nint, nint> PyList_Size;

    /// <summary><c>PyObject *PyList_GetItem(PyObject *list, Py_ssize_t index)</c>: borrowed reference, from the list's own storage.</summary>
    internal static delegate* unmanaged<nint, nint, nint> PyList_GetItem;

    /// <summary><c>PyObject *PyDict_New(void)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint> PyDict_New;

    /// <summary><c>int PyDict_SetItem(PyObject *p, PyObject *key, PyObject *val)</c>; does not steal.</summary>
    internal static delegate* unmanaged<nint, nint, nint, int> PyDict_SetItem;

    /// <summary><c>int PyDict_SetItemString(PyObject *p, const char *key, PyObject *val)</c>; does not steal.</summary>
    internal static delegate* unmanaged<nint, byte*, nint, int> PyDict_SetItemString;

    /// <summary><c>int PyDict_Next(PyObject *p, Py_ssize_t *ppos, PyObject **pkey, PyObject **pvalue)</c>: borrowed references; 0 at the end.</summary>
    internal static delegate* unmanaged<nint, nint*, nint*, nint*, int> PyDict_Next;

    /// <summary><c>PyObject *PyMapping_Items(PyObject *o)</c>: new reference to a list of (key, value) tuples.</summary>
    internal static delegate* unmanaged<nint, nint> PyMapping_Items;

    /// <summary><c>Py_ssize_t PySequence_Size(PyObject *o)</c>: -1 with an error set on failure.</summary>
    internal static delegate* unmanaged<nint, nint> PySequence_Size;

    /// <summary><c>PyObject *PySequence_GetItem(PyObject *o, Py_ssize_t i)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint, nint> PySequence_GetItem;

    private static void BindCollections(nint library)
    {
        PyTuple_New = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyTuple_New));
        PyTuple_SetItem = (delegate* unmanaged<nint, nint, nint, int>)Export(library, nameof(PyTuple_SetItem));
        PyTuple_Size = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyTuple_Size));
        PyTuple_GetItem = (delegate* unmanaged<nint, nint, nint>)Export(library, nameof(PyTuple_GetItem));
        PyList_New = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyList_New));
        PyList_Append = (delegate* unmanaged<nint, nint, int>)Export(library, nameof(PyList_Append));
        PyList_Size = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyList_Size));
        PyList_GetItem = (delegate* unmanaged<nint, nint, nint>)Export(library, nameof(PyList_GetItem));
        PyDict_New = (delegate* unmanaged<nint>)Export(library, nameof(PyDict_New));
        PyDict_SetItem = (delegate* unmanaged<nint, nint, nint, int>)Export(library, nameof(PyDict_SetItem));
        PyDict_SetItemString = (delegate* unmanaged<nint, byte*, nint, int>)Export(library, nameof(PyDict_SetItemString));
        PyDict_Next = (delegate* unmanaged<nint, nint*, nint*, nint*, int>)Export(library, nameof(PyDict_Next));
        PyMapping_Items = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyMapping_Items));
        PySequence_Size = (delegate* unmanaged<nint, nint>)Export(library, nameof(PySequence_Size));
        PySequence_GetItem = (delegate* unmanaged<nint, nint, nint>)Export(library, nameof(PySequence_GetItem));
    }
}
