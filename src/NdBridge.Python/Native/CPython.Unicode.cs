namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyObject *PyUnicode_FromStringAndSize(const char *u, Py_ssize_t size)</c>: new reference; UTF-8 input.</summary>
    internal static delegate* unmanaged<byte*, nint, nint> PyUnicode_FromStringAndSize;

    /// <summary><c>const char *PyUnicode_AsUTF8AndSize(PyObject *unicode, Py_ssize_t *size)</c>: buffer owned by the object.</summary>
    internal static delegate* unmanaged<nint, nint*, byte*> PyUnicode_AsUTF8AndSize;

    private static void BindUnicode(nint library)
    {
        PyUnicode_FromStringAndSize = (delegate* unmanaged<byte*, nint, nint>)Export(library, nameof(PyUnicode_FromStringAndSize));
        PyUnicode_AsUTF8AndSize = (delegate* unmanaged<nint, nint*, byte*>)Export(library, nameof(PyUnicode_AsUTF8AndSize));
    }
}
