using System.Runtime.InteropServices;

namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>PyBUF_SIMPLE</c>.</summary>
    internal const int PyBUF_SIMPLE = 0;
    /// <summary><c>PyBUF_WRITABLE</c>.</summary>
    internal const int PyBUF_WRITABLE = 0x0001;
    /// <summary><c>PyBUF_FORMAT</c>.</summary>
    internal const int PyBUF_FORMAT = 0x0004;
    /// <summary><c>PyBUF_ND</c>.</summary>
    internal const int PyBUF_ND = 0x0008;
    /// <summary><c>PyBUF_STRIDES</c> (includes ND).</summary>
    internal const int PyBUF_STRIDES = 0x0010 | PyBUF_ND;
    /// <summary><c>PyBUF_C_CONTIGUOUS</c> (includes STRIDES).</summary>
    internal const int PyBUF_C_CONTIGUOUS = 0x0020 | PyBUF_STRIDES;
    /// <summary><c>PyBUF_F_CONTIGUOUS</c> (includes STRIDES).</summary>
    internal const int PyBUF_F_CONTIGUOUS = 0x0040 | PyBUF_STRIDES;
    /// <summary><c>PyBUF_ANY_CONTIGUOUS</c> (includes STRIDES).</summary>
    internal const int PyBUF_ANY_CONTIGUOUS = 0x0080 | PyBUF_STRIDES;
    /// <summary><c>PyBUF_INDIRECT</c> (includes STRIDES).</summary>
    internal const int PyBUF_INDIRECT = 0x0100 | PyBUF_STRIDES;
    /// <summary><c>PyBUF_CONTIG</c>.</summary>
    internal const int PyBUF_CONTIG = PyBUF_ND | PyBUF_WRITABLE;
    /// <summary><c>PyBUF_CONTIG_RO</c>.</summary>
    internal const int PyBUF_CONTIG_RO = PyBUF_ND;
    /// <summary><c>PyBUF_STRIDED</c>.</summary>
    internal const int PyBUF_STRIDED = PyBUF_STRIDES | PyBUF_WRITABLE;
    /// <summary><c>PyBUF_STRIDED_RO</c>.</summary>
    internal const int PyBUF_STRIDED_RO = PyBUF_STRIDES;
    /// <summary><c>PyBUF_RECORDS</c>.</summary>
    internal const int PyBUF_RECORDS = PyBUF_STRIDES | PyBUF_WRITABLE | PyBUF_FORMAT;
    /// <summary><c>PyBUF_RECORDS_RO</c>.</summary>
    internal const int PyBUF_RECORDS_RO = PyBUF_STRIDES | PyBUF_FORMAT;
    /// <summary><c>PyBUF_FULL</c>.</summary>
    internal const int PyBUF_FULL = PyBUF_INDIRECT | PyBUF_WRITABLE | PyBUF_FORMAT;
    /// <summary><c>PyBUF_FULL_RO</c>: what <c>memoryview(x)</c> requests.</summary>
    internal const int PyBUF_FULL_RO = PyBUF_INDIRECT | PyBUF_FORMAT;

    /// <summary><c>Py_bf_getbuffer</c> (typeslots.h).</summary>
    internal const int Py_bf_getbuffer = 1;
    /// <summary><c>Py_bf_releasebuffer</c>.</summary>
    internal const int Py_bf_releasebuffer = 2;
    /// <summary><c>Py_tp_dealloc</c>.</summary>
    internal const int Py_tp_dealloc = 52;
    /// <summary><c>Py_tp_doc</c>.</summary>
    internal const int Py_tp_doc = 56;
    /// <summary><c>Py_tp_free</c>.</summary>
    internal const int Py_tp_free = 74;

    /// <summary><c>Py_TPFLAGS_DEFAULT</c> in 3.11 (<c>Py_TPFLAGS_HAVE_VERSION_TAG</c>).</summary>
    internal const uint Py_TPFLAGS_DEFAULT = 1u << 18;
    /// <summary><c>Py_TPFLAGS_BASETYPE</c>.</summary>
    internal const uint Py_TPFLAGS_BASETYPE = 1u << 10;

    /// <summary>The buffer protocol's view. Blittable, 80 bytes on 64-bit; lives in native memory
    /// because exporters may point <c>shape</c>/<c>strides</c> into the struct itself.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Py_buffer
    {
        /// <summary><c>void *buf</c></summary>
        public void* buf;
        /// <summary><c>PyObject *obj</c> (a new reference, released by <c>PyBuffer_Release</c>)</summary>
        public nint obj;
        /// <summary><c>Py_ssize_t len</c> (bytes)</summary>
        public nint len;
        /// <summary><c>Py_ssize_t itemsize</c> (bytes)</summary>
        public nint itemsize;
        /// <summary><c>int readonly</c></summary>
        public int @readonly;
        /// <summary><c>int ndim</c></summary>
        public int ndim;
        /// <summary><c>char *format</c> (NULL means "B")</summary>
        public byte* format;
        /// <summary><c>Py_ssize_t *shape</c></summary>
        public nint* shape;
        /// <summary><c>Py_ssize_t *strides</c> (bytes)</summary>
        public nint* strides;
        /// <summary><c>Py_ssize_t *suboffsets</c> (bytes)</summary>
        public nint* suboffsets;
        /// <summary><c>void *internal</c></summary>
        public void* @internal;
    }

    /// <summary><c>PyType_Slot</c>: one (slot id, function or data) pair; a zero slot ends the array.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PyType_Slot
    {
        /// <summary><c>int slot</c></summary>
        public int slot;
        /// <summary><c>void *pfunc</c></summary>
        public void* pfunc;
    }

    /// <summary><c>PyType_Spec</c>: a heap type's description for <see cref="PyType_FromSpec"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PyType_Spec
    {
        /// <summary><c>const char *name</c> ("module.Name"; must outlive the type)</summary>
        public byte* name;
        /// <summary><c>int basicsize</c> (bytes; 0 inherits the base's)</summary>
        public int basicsize;
        /// <summary><c>int itemsize</c> (bytes)</summary>
        public int itemsize;
        /// <summary><c>unsigned int flags</c></summary>
        public uint flags;
        /// <summary><c>PyType_Slot *slots</c></summary>
        public PyType_Slot* slots;
    }

    /// <summary><c>int PyObject_GetBuffer(PyObject *exporter, Py_buffer *view, int flags)</c>: 0, or -1 with an error set.</summary>
    internal static delegate* unmanaged<nint, Py_buffer*, int, int> PyObject_GetBuffer;

    /// <summary><c>void PyBuffer_Release(Py_buffer *view)</c>: calls the exporter's releasebuffer, then decrefs <c>view->obj</c>.</summary>
    internal static delegate* unmanaged<Py_buffer*, void> PyBuffer_Release;

    /// <summary><c>PyObject *PyType_FromSpec(PyType_Spec *spec)</c>: new reference to a heap type.</summary>
    internal static delegate* unmanaged<PyType_Spec*, nint> PyType_FromSpec;

    /// <summary><c>void *PyType_GetSlot(PyTypeObject *type, int slot)</c>: the slot's function, inherited ones included (heap types only before 3.10).</summary>
    internal static delegate* unmanaged<nint, int, void*> PyType_GetSlot;

    /// <summary><c>PyObject *PyCapsule_New(void *pointer, const char *name, PyCapsule_Destructor destructor)</c>: new reference; the name must outlive the capsule.</summary>
    internal static delegate* unmanaged<void*, byte*, delegate* unmanaged<nint, void>, nint> PyCapsule_New;

    /// <summary><c>void *PyCapsule_GetPointer(PyObject *capsule, const char *name)</c>: NULL with an error set on a name mismatch.</summary>
    internal static delegate* unmanaged<nint, byte*, void*> PyCapsule_GetPointer;

    /// <summary><c>const char *PyCapsule_GetName(PyObject *capsule)</c>.</summary>
    internal static delegate* unmanaged<nint, byte*> PyCapsule_GetName;

    /// <summary><c>int PyCapsule_SetName(PyObject *capsule, const char *name)</c>.</summary>
    internal static delegate* unmanaged<nint, byte*, int> PyCapsule_SetName;

    /// <summary><c>int PyCapsule_IsValid(PyObject *capsule, const char *name)</c>: 1 or 0, never an error.</summary>
    internal static delegate* unmanaged<nint, byte*, int> PyCapsule_IsValid;

    /// <summary><c>int PyObject_CheckBuffer(PyObject *obj)</c>: 1 when the object supports the buffer protocol, else 0; never an error.</summary>
    internal static delegate* unmanaged[SuppressGCTransition]<nint, int> PyObject_CheckBuffer; // reads two type slots, never calls out

    private static void BindBuffer(nint library)
    {
        PyObject_CheckBuffer = (delegate* unmanaged[SuppressGCTransition]<nint, int>)Export(library, nameof(PyObject_CheckBuffer));
        PyObject_GetBuffer = (delegate* unmanaged<nint, Py_buffer*, int, int>)Export(library, nameof(PyObject_GetBuffer));
        PyBuffer_Release = (delegate* unmanaged<Py_buffer*, void>)Export(library, nameof(PyBuffer_Release));
        PyType_FromSpec = (delegate* unmanaged<PyType_Spec*, nint>)Export(library, nameof(PyType_FromSpec));
        PyType_GetSlot = (delegate* unmanaged<nint, int, void*>)Export(library, nameof(PyType_GetSlot));
        PyCapsule_New = (delegate* unmanaged<void*, byte*, delegate* unmanaged<nint, void>, nint>)Export(library, nameof(PyCapsule_New));
        PyCapsule_GetPointer = (delegate* unmanaged<nint, byte*, void*>)Export(library, nameof(PyCapsule_GetPointer));
        PyCapsule_GetName = (delegate* unmanaged<nint, byte*>)Export(library, nameof(PyCapsule_GetName));
        PyCapsule_SetName = (delegate* unmanaged<nint, byte*, int>)Export(library, nameof(PyCapsule_SetName));
        PyCapsule_IsValid = (delegate* unmanaged<nint, byte*, int>)Export(library, nameof(PyCapsule_IsValid));
    }
}
