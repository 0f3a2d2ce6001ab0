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
    /// <summary><c>Py_mp_ass_subscript</c>.</summary>
    internal const int Py_mp_ass_subscript = 3;
    /// <summary><c>Py_mp_subscript</c>.</summary>
    internal const int Py_mp_subscript = 5;
    /// <summary><c>Py_tp_call</c>.</summary>
    internal const int Py_tp_call = 50;
    /// <summary><c>Py_tp_descr_get</c>.</summary>
    internal const int Py_tp_descr_get = 54;
    /// <summary><c>Py_tp_hash</c>.</summary>
    internal const int Py_tp_hash = 59;
    /// <summary><c>Py_tp_init</c>.</summary>
    internal const int Py_tp_init = 60;
    /// <summary><c>Py_tp_new</c>.</summary>
    internal const int Py_tp_new = 65;
    /// <summary><c>Py_tp_richcompare</c>.</summary>
    internal const int Py_tp_richcompare = 67;
    /// <summary><c>Py_tp_members</c>.</summary>
    internal const int Py_tp_members = 72;

    /// <summary><c>Py_TPFLAGS_HAVE_VECTORCALL</c>: instances store a vectorcall function at <c>tp_vectorcall_offset</c>.</summary>
    internal const uint Py_TPFLAGS_HAVE_VECTORCALL = 1u << 11;
    /// <summary><c>Py_TPFLAGS_METHOD_DESCRIPTOR</c>: <c>obj.m(...)</c> may call the descriptor with <c>obj</c> first instead of binding it.</summary>
    internal const uint Py_TPFLAGS_METHOD_DESCRIPTOR = 1u << 17;

    /// <summary><c>PY_VECTORCALL_ARGUMENTS_OFFSET</c>: a flag in <c>nargsf</c>, masked off to get the count.</summary>
    internal static readonly nint PY_VECTORCALL_ARGUMENTS_OFFSET = nint.MinValue; // ((size_t)1 << (8 * sizeof(size_t) - 1))

    /// <summary><c>Py_EQ</c> (comparison operator of <c>tp_richcompare</c>).</summary>
    internal const int Py_EQ = 2;
    /// <summary><c>Py_NE</c>.</summary>
    internal const int Py_NE = 3;

    /// <summary><c>Py_T_PYSSIZET</c> (<c>T_PYSSIZET</c>): a member of type <c>Py_ssize_t</c>.</summary>
    internal const int Py_T_PYSSIZET = 19;
    /// <summary><c>Py_READONLY</c> (<c>READONLY</c>).</summary>
    internal const int Py_READONLY = 1;

    /// <summary><c>PyMemberDef</c>: must outlive the type (native memory, never freed).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PyMemberDef
    {
        /// <summary><c>const char *name</c></summary>
        public byte* name;
        /// <summary><c>int type</c></summary>
        public int type;
        /// <summary><c>Py_ssize_t offset</c></summary>
        public nint offset;
        /// <summary><c>int flags</c></summary>
        public int flags;
        /// <summary><c>const char *doc</c></summary>
        public byte* doc;
    }

    /// <summary><c>PyObject *PyType_GenericNew(PyTypeObject *type, PyObject *args, PyObject *kwds)</c>, used as a <c>tp_new</c> slot.</summary>
    internal static void* PyType_GenericNew;

    /// <summary><c>PyObject *PyVectorcall_Call(PyObject *callable, PyObject *tuple, PyObject *dict)</c>, the <c>tp_call</c> of a vectorcall type.</summary>
    internal static void* PyVectorcall_Call;

    /// <summary><c>int PyCallable_Check(PyObject *o)</c>: 1 when <c>o</c> can be called. Never fails.</summary>
    internal static delegate* unmanaged<nint, int> PyCallable_Check;

    /// <summary><c>_Py_NotImplementedStruct</c>: the address of <c>NotImplemented</c>.</summary>
    internal static nint Py_NotImplemented;

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
        PyType_GenericNew = (void*)Export(library, nameof(PyType_GenericNew));
        PyVectorcall_Call = (void*)Export(library, nameof(PyVectorcall_Call));
        PyCallable_Check = (delegate* unmanaged<nint, int>)Export(library, nameof(PyCallable_Check));
        Py_NotImplemented = Export(library, "_Py_NotImplementedStruct");
        PyObject_GetTypeData = NativeLibrary.TryGetExport(library, nameof(PyObject_GetTypeData), out var getTypeData)
            ? (delegate* unmanaged<nint, nint, void*>)getTypeData
            : null;
    }
}
