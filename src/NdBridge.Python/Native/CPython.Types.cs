using System.Runtime.InteropServices;

namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>Py_tp_methods</c> (typeslots.h).</summary>
    internal const int Py_tp_methods = 64;
    /// <summary><c>Py_tp_repr</c>.</summary>
    internal const int Py_tp_repr = 66;
    /// <summary><c>Py_tp_getset</c>.</summary>
    internal const int Py_tp_getset = 73;

    /// <summary><c>Py_TPFLAGS_DISALLOW_INSTANTIATION</c> (3.10+): Python code cannot call the type.</summary>
    internal const uint Py_TPFLAGS_DISALLOW_INSTANTIATION = 1u << 7;

    /// <summary><c>METH_NOARGS</c>: <c>PyObject *f(PyObject *self, PyObject *unused)</c>.</summary>
    internal const int METH_NOARGS = 0x0004;

    /// <summary><c>PyGetSetDef</c>: must outlive the type (native memory, never freed).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PyGetSetDef
    {
        /// <summary><c>const char *name</c></summary>
        public byte* name;
        /// <summary><c>getter get</c>: <c>PyObject *get(PyObject *self, void *closure)</c></summary>
        public void* get;
        /// <summary><c>setter set</c> (NULL: read-only attribute)</summary>
        public void* set;
        /// <summary><c>const char *doc</c></summary>
        public byte* doc;
        /// <summary><c>void *closure</c></summary>
        public void* closure;
    }

    /// <summary><c>PyObject *PyType_GenericAlloc(PyTypeObject *type, Py_ssize_t nitems)</c>: new reference, zero-filled; increfs a heap type.</summary>
    internal static delegate* unmanaged<nint, nint, nint> PyType_GenericAlloc;

    /// <summary>
    /// <c>void *PyObject_GetTypeData(PyObject *o, PyTypeObject *cls)</c>: the data a type made with a negative
    /// <c>basicsize</c> asked for in each instance. Stable ABI from 3.12; null on 3.11.
    /// </summary>
    internal static delegate* unmanaged<nint, nint, void*> PyObject_GetTypeData;

    private static void BindTypes(nint library)
    {
        PyType_GenericAlloc = (delegate* unmanaged<nint, nint, nint>)Export(library, nameof(PyType_GenericAlloc));
        PyObject_GetTypeData = NativeLibrary.TryGetExport(library, nameof(PyObject_GetTypeData), out var getTypeData)
            ? (delegate* unmanaged<nint, nint, void*>)getTypeData
            : null;
    }
}
