namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyObject *PyErr_Occurred(void)</c>: borrowed reference to the pending exception type, or NULL.</summary>
    internal static delegate* unmanaged<nint> PyErr_Occurred;

    /// <summary><c>void PyErr_Fetch(PyObject **ptype, PyObject **pvalue, PyObject **ptraceback)</c>: new references; clears the indicator.</summary>
    internal static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_Fetch;

    /// <summary><c>void PyErr_NormalizeException(PyObject **exc, PyObject **val, PyObject **tb)</c>.</summary>
    internal static delegate* unmanaged<nint*, nint*, nint*, void> PyErr_NormalizeException;

    /// <summary><c>void PyErr_Restore(PyObject *type, PyObject *value, PyObject *traceback)</c>: steals all three; NULLs clear the indicator.</summary>
    internal static delegate* unmanaged<nint, nint, nint, void> PyErr_Restore;

    /// <summary><c>void PyErr_Clear(void)</c>.</summary>
    internal static delegate* unmanaged<void> PyErr_Clear;

    /// <summary><c>void PyErr_SetString(PyObject *type, const char *message)</c>; message is UTF-8.</summary>
    internal static delegate* unmanaged<nint, byte*, void> PyErr_SetString;

    /// <summary><c>void PyErr_WriteUnraisable(PyObject *obj)</c>: reports and clears the pending exception (for slots that cannot fail).</summary>
    internal static delegate* unmanaged<nint, void> PyErr_WriteUnraisable;

    /// <summary><c>int PyException_SetTraceback(PyObject *ex, PyObject *tb)</c>.</summary>
    internal static delegate* unmanaged<nint, nint, int> PyException_SetTraceback;

    /// <summary><c>int PyErr_ExceptionMatches(PyObject *exc)</c>: whether the pending exception is an instance of <c>exc</c>.</summary>
    internal static delegate* unmanaged<nint, int> PyErr_ExceptionMatches;

    /// <summary><c>PyExc_TypeError</c>.</summary>
    internal static nint PyExc_TypeError;

    /// <summary><c>PyExc_RuntimeError</c>.</summary>
    internal static nint PyExc_RuntimeError;

    /// <summary><c>PyExc_AttributeError</c>.</summary>
    internal static nint PyExc_AttributeError;

    /// <summary><c>PyExc_BufferError</c>.</summary>
    internal static nint PyExc_BufferError;

    private static void BindErrors(nint library)
    {
        PyErr_Occurred = (delegate* unmanaged<nint>)Export(library, nameof(PyErr_Occurred));
        PyErr_Fetch = (delegate* unmanaged<nint*, nint*, nint*, void>)Export(library, nameof(PyErr_Fetch));
        PyErr_NormalizeException = (delegate* unmanaged<nint*, nint*, nint*, void>)Export(library, nameof(PyErr_NormalizeException));
        PyErr_Restore = (delegate* unmanaged<nint, nint, nint, void>)Export(library, nameof(PyErr_Restore));
        PyErr_Clear = (delegate* unmanaged<void>)Export(library, nameof(PyErr_Clear));
        PyErr_SetString = (delegate* unmanaged<nint, byte*, void>)Export(library, nameof(PyErr_SetString));
        PyErr_WriteUnraisable = (delegate* unmanaged<nint, void>)Export(library, nameof(PyErr_WriteUnraisable));
        PyException_SetTraceback = (delegate* unmanaged<nint, nint, int>)Export(library, nameof(PyException_SetTraceback));
        PyErr_ExceptionMatches = (delegate* unmanaged<nint, int>)Export(library, nameof(PyErr_ExceptionMatches));
        PyExc_TypeError = ReadPointerVariable(library, nameof(PyExc_TypeError));
        PyExc_RuntimeError = ReadPointerVariable(library, nameof(PyExc_RuntimeError));
        PyExc_AttributeError = ReadPointerVariable(library, nameof(PyExc_AttributeError));
        PyExc_BufferError = ReadPointerVariable(library, nameof(PyExc_BufferError));
    }
}
