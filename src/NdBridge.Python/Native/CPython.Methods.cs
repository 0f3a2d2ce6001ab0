using System.Runtime.InteropServices;

namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>METH_VARARGS</c>: <c>PyObject *f(PyObject *self, PyObject *args)</c>.</summary>
    internal const int METH_VARARGS = 0x0001;
    /// <summary><c>METH_KEYWORDS</c> (with VARARGS): <c>PyObject *f(PyObject *self, PyObject *args, PyObject *kwargs)</c>.</summary>
    internal const int METH_KEYWORDS = 0x0002;

    /// <summary><c>METH_FASTCALL</c> (with KEYWORDS): <c>PyObject *f(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)</c>.</summary>
    internal const int METH_FASTCALL = 0x0080;

    /// <summary><c>PyMethodDef</c>: must outlive every function made from it (native memory, never freed).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PyMethodDef
    {
        /// <summary><c>const char *ml_name</c></summary>
        public byte* ml_name;
        /// <summary><c>PyCFunction ml_meth</c></summary>
        public void* ml_meth;
        /// <summary><c>int ml_flags</c></summary>
        public int ml_flags;
        /// <summary><c>const char *ml_doc</c></summary>
        public byte* ml_doc;
    }

    /// <summary><c>PyObject *PyCFunction_NewEx(PyMethodDef *ml, PyObject *self, PyObject *module)</c>: new reference; holds a reference to <c>self</c>.</summary>
    internal static delegate* unmanaged<PyMethodDef*, nint, nint, nint> PyCFunction_NewEx;

    private static void BindMethods(nint library)
    {
        PyCFunction_NewEx = (delegate* unmanaged<PyMethodDef*, nint, nint, nint>)Export(library, nameof(PyCFunction_NewEx));
    }
}
