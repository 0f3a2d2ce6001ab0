namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>Py_file_input</c>: a start symbol for <see cref="Py_CompileString"/>, a module body (statements).</summary>
    internal const int Py_file_input = 257;
    /// <summary><c>Py_eval_input</c>: one expression.</summary>
    internal const int Py_eval_input = 258;

    /// <summary><c>PyObject *Py_CompileString(const char *str, const char *filename, int start)</c>: new reference to a code object.</summary>
    internal static delegate* unmanaged<byte*, byte*, int, nint> Py_CompileString;

    /// <summary><c>PyObject *PyEval_EvalCode(PyObject *co, PyObject *globals, PyObject *locals)</c>: new reference.</summary>
    internal static delegate* unmanaged<nint, nint, nint, nint> PyEval_EvalCode;

    private static void BindEval(nint library)
    {
        Py_CompileString = (delegate* unmanaged<byte*, byte*, int, nint>)Export(library, nameof(Py_CompileString));
        PyEval_EvalCode = (delegate* unmanaged<nint, nint, nint, nint>)Export(library, nameof(PyEval_EvalCode));
    }
}
