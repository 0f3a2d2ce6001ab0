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

    /// <summary><c>PyExc_ValueError</c>.</summary>
    internal static nint PyExc_ValueError;

    /// <summary><c>PyExc_IndexError</c>.</summary>
    internal static nint PyExc_IndexError;

    /// <summary><c>PyExc_KeyError</c>.</summary>
    internal static nint PyExc_KeyError;

    /// <summary><c>PyExc_MemoryError</c>.</summary>
    internal static nint PyExc_MemoryError;

    /// <summary><c>PyExc_OverflowError</c>.</summary>
    internal static nint PyExc_OverflowError;

    /// <summary><c>PyExc_ImportError</c>.</summary>
    internal static nint PyExc_ImportError;

    /// <summary><c>void PyErr_SetObject(PyObject *type, PyObject *value)</c>: neither argument is stolen.</summary>
    internal static delegate* unmanaged<nint, nint, void> PyErr_SetObject;

    /// <summary><c>PyObject *PyException_GetTraceback(PyObject *ex)</c>: new reference, or NULL (no error set) when there is none.</summary>
    internal static delegate* unmanaged<nint, nint> PyException_GetTraceback;

    /// <summary><c>int PyErr_WarnEx(PyObject *category, const char *message, Py_ssize_t stack_level)</c>: -1 with an exception set when the warning filters turn it into an error.</summary>
    internal static delegate* unmanaged<nint, byte*, nint, int> PyErr_WarnEx;

    /// <summary><c>PyExc_RuntimeWarning</c>.</summary>
    internal static nint PyExc_RuntimeWarning;

    private static void BindErrors(nint library)
    {
        PyErr_WarnEx = (delegate* unmanaged<nint, byte*, nint, int>)Export(library, nameof(PyErr_WarnEx));
        PyExc_RuntimeWarning = ReadPointerVariable(library, nameof(PyExc_RuntimeWarning));
        PyErr_SetObject = (delegate* unmanaged<nint, nint, void>)Export(library, nameof(PyErr_SetObject));
        PyException_GetTraceback = (delegate* unmanaged<nint, nint>)Export(library, nameof(PyException_GetTraceback));
        PyExc_ValueError = ReadPointerVariable(library, nameof(PyExc_ValueError));
        PyExc_IndexError = ReadPointerVariable(library, nameof(PyExc_IndexError));
        PyExc_KeyError = ReadPointerVariable(library, nameof(PyExc_KeyError));
        PyExc_MemoryError = ReadPointerVariable(library, nameof(PyExc_MemoryError));
        PyExc_OverflowError = ReadPointerVariable(library, nameof(PyExc_OverflowError));
        PyExc_ImportError = ReadPointerVariable(library, nameof(PyExc_ImportError));
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
