using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>
/// The Python type <c>ndbridge.BufferExport</c>, made once per process with <c>PyType_FromSpec</c>: an
/// immutable exporter of one <see cref="NdBuffer"/>'s memory through the buffer protocol and
/// <c>__array_interface__</c>. Its slots are the <c>[UnmanagedCallersOnly]</c> methods below; names,
/// slot, method and getset tables live in native memory that is never freed.
/// </summary>
/// <remarks>
/// Per-instance data: one pointer-sized slot holding <c>index + 1</c> of the instance's <see cref="ExportState"/>
/// in <see cref="ExportTable"/> (0: not initialised). From CPython 3.12 the type asks for it with a negative
/// <c>basicsize</c> and CPython places it (<c>PyObject_GetTypeData</c>, whose offset is fixed per type and read
/// once); on 3.11, which has neither, it is the slot right after the object header
/// (<c>basicsize = object.__basicsize__ + sizeof(void*)</c>). Chosen over a
/// <see cref="GCHandle"/> per instance so a handoff allocates nothing managed; the table is guarded by the GIL.
/// <c>tp_dealloc</c> releases the state's holder, gives the index back, frees the instance (<c>tp_free</c>),
/// and drops the instance's reference to the heap type.
/// </remarks>
internal static unsafe partial class BufferExportType
{
    /// <summary>The type's <c>__module__.__qualname__</c>.</summary>
    internal const string Name = "ndbridge.BufferExport";

    /// <summary>One method of the exported type.</summary>
    /// <param name="name">The Python name.</param>
    /// <param name="function">The C function (<c>[UnmanagedCallersOnly]</c>), of the shape <paramref name="flags"/> says.</param>
    /// <param name="flags"><c>METH_*</c>.</param>
    /// <param name="doc">The docstring.</param>
    internal readonly struct MethodEntry(string name, void* function, int flags, string doc)
    {
        public readonly string Name = name;
        public readonly void* Function = function;
        public readonly int Flags = flags;
        public readonly string Doc = doc;
    }

    /// <summary>
    /// The type's methods. Adding a method is one entry here (DLPack's <c>__dlpack__</c> and
    /// <c>__dlpack_device__</c> go here); the table is copied to native memory when the type is made.
    /// </summary>
    private static MethodEntry[] Methods =>
    [
        new("__sizeof__", (delegate* unmanaged<nint, nint, nint>)&SizeOf, METH_NOARGS,
            "Size of the export object in bytes, its native shape/strides/format block included (not the memory it exports)."),
        new("__dlpack__", (delegate* unmanaged<nint, nint*, nint, nint, nint>)&DLPack, METH_FASTCALL | METH_KEYWORDS,
            "__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)\n--\n\nA DLPack capsule of the memory: 'dltensor_versioned' (READ_ONLY flag for read-only memory) when max_version >= (1, 0), else the legacy 'dltensor'."),
        new("__dlpack_device__", (delegate* unmanaged<nint, nint, nint>)&DLPackDevice, METH_NOARGS,
            "__dlpack_device__()\n--\n\n(kDLCPU, 0): the memory is host memory."),
    ];

    private static nint s_type;
    private static nint s_slotByteOffset;
    private static nint s_instanceByteSize;
    // Dealloc's two C calls, made without a GC transition: neither blocks nor calls back into .NET. tp_free of
    // this non-GC type only returns the block to Python's allocator, and the type's count never reaches zero
    // here (s_type holds a reference for the process), so Py_DecRef of the type runs no deallocator.
    private static delegate* unmanaged[SuppressGCTransition]<nint, void> s_free;
    private static delegate* unmanaged[SuppressGCTransition]<nint, void> s_typeDecRef;

    /// <summary>Test-only: called at the start of every slot with the slot and the export's data address; what it throws is what the slot must contain.</summary>
    internal static Action<ExportSlot, nint>? FaultInjection;

    /// <summary>The type (a borrowed reference that lives for the process), made on first use. Needs the GIL.</summary>
    internal static nint Type => s_type != 0 ? s_type : CreateType();

    /// <summary>Where the per-instance slot starts in an instance: <c>PyObject_GetTypeData</c>'s offset (3.12+) or <c>object.__basicsize__</c> (3.11).</summary>
    internal static nint SlotByteOffset => s_slotByteOffset;

    /// <summary>The type's <c>__basicsize__</c>: the header and the slot (3.12+ may round the slot's space up to its alignment).</summary>
    internal static nint InstanceByteSize => s_instanceByteSize;

    /// <summary>The slot is placed by <c>PyObject_GetTypeData</c> (CPython 3.12+).</summary>
    internal static bool UsesTypeData => PyObject_GetTypeData != null;

    /// <summary>A new export of <paramref name="buffer"/>: a new reference holding one holder on its owner. Needs the GIL.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    internal static nint Create(NdBuffer buffer)
    {
        var type = Type;
        var index = ExportTable.Rent(buffer);
        var self = PyType_GenericAlloc(type, 0);
        if (self == 0)
        {
            var error = PythonErrors.FetchPending();
            try
            {
                ExportTable.Get(index).Detach();
            }
            finally
            {
                ExportTable.Return(index);
            }
            throw error;
        }
        // self has basicsize bytes: the header, then the one pointer-sized slot written here.
        *(nint*)((byte*)self + s_slotByteOffset) = index + 1;
        return self;
    }

    /// <summary>The state of an instance of this type, or null when it was never initialised. Needs the GIL; <paramref name="self"/> must be an instance.</summary>
    internal static ExportState? StateOf(nint self)
    {
        // Every instance of the type has the slot (basicsize includes it); zero until Create writes it.
        var slot = *(nint*)((byte*)self + s_slotByteOffset);
        return slot == 0 ? null : ExportTable.Get((int)slot - 1);
    }

    /// <summary>A native <c>PyMethodDef</c> table of <paramref name="methods"/> and its zeroed sentinel, never freed (a type points at it).</summary>
    internal static PyMethodDef* MethodTable(ReadOnlySpan<MethodEntry> methods)
    {
        var defs = (PyMethodDef*)NativeMemory.AllocZeroed((nuint)((methods.Length + 1) * sizeof(PyMethodDef)));
        for (var i = 0; i < methods.Length; i++)
        {
            // defs holds methods.Length entries and a zeroed sentinel.
            defs[i].ml_name = Utf8Z.Permanent(methods[i].Name);
            defs[i].ml_meth = methods[i].Function;
            defs[i].ml_flags = methods[i].Flags;
            defs[i].ml_doc = Utf8Z.Permanent(methods[i].Doc);
        }
        return defs;
    }

    private static nint CreateType()
    {
        var headerByteSize = UsesTypeData ? 0 : BasicSize("builtins", "object");
        var methodDefs = MethodTable(Methods);
        var getSets = GetSetDefinitions();
        var slots = (PyType_Slot*)NativeMemory.AllocZeroed((nuint)(8 * sizeof(PyType_Slot)));
        // Seven slots and a zeroed sentinel.
        slots[0] = new PyType_Slot { slot = Py_bf_getbuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, int, int>)&GetBuffer };
        slots[1] = new PyType_Slot { slot = Py_bf_releasebuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, void>)&ReleaseBuffer };
        slots[2] = new PyType_Slot { slot = Py_tp_dealloc, pfunc = (delegate* unmanaged<nint, void>)&Dealloc };
        slots[3] = new PyType_Slot { slot = Py_tp_repr, pfunc = (delegate* unmanaged<nint, nint>)&Repr };
        slots[4] = new PyType_Slot { slot = Py_tp_methods, pfunc = methodDefs };
        slots[5] = new PyType_Slot { slot = Py_tp_getset, pfunc = getSets };
        slots[6] = new PyType_Slot
        {
            slot = Py_tp_doc,
            pfunc = Utf8Z.Permanent("Memory owned by .NET (an NdBridge NdBuffer), exported through the buffer protocol and __array_interface__. Created by NdBuffer.ToPython()/ToNumPy(); keeps the memory alive while it lives."),
        };
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent(Name);
        spec->basicsize = UsesTypeData ? -sizeof(nint) : checked((int)(headerByteSize + sizeof(nint)));
        spec->flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION;
        spec->slots = slots;
        var type = PythonErrors.Check(PyType_FromSpec(spec));
        if (s_type != 0)
        {
            // PyType_FromSpec can run a collection, whose finalizers can let another thread take the GIL and make
            // the type first: keep that one (instances may exist already), drop this one.
            Py_DecRef(type);
            return s_type;
        }
        s_free = (delegate* unmanaged[SuppressGCTransition]<nint, void>)PyType_GetSlot(type, Py_tp_free);
        s_typeDecRef = (delegate* unmanaged[SuppressGCTransition]<nint, void>)Py_DecRef;
        try
        {
            s_slotByteOffset = UsesTypeData ? TypeDataByteOffset(type) : headerByteSize;
            s_instanceByteSize = BasicSize(type);
        }
        catch
        {
            Py_DecRef(type);
            throw;
        }
        // Published once, under the GIL; the type (like NumPy) lives for the process.
        Volatile.Write(ref s_type, type);
        return type;
    }

    // Where PyObject_GetTypeData puts this type's data: the same offset in every instance (CPython 3.12+ places it
    // after the base's basicsize, aligned), read once from a probe instance that is freed without initialisation.
    private static nint TypeDataByteOffset(nint type)
    {
        var probe = PythonErrors.Check(PyType_GenericAlloc(type, 0));
        var offset = (nint)((byte*)PyObject_GetTypeData(probe, type) - (byte*)probe);
        s_free(probe);
        s_typeDecRef(type); // the probe's reference to its heap type
        return offset;
    }

    internal static nint BasicSize(string module, string typeName)
    {
        nint moduleObject = 0, type = 0;
        try
        {
            moduleObject = PythonErrors.Check(PyImport_ImportModule(Utf8Z.Permanent(module)));
            type = PythonErrors.Check(PyObject_GetAttrString(moduleObject, Utf8Z.Permanent(typeName)));
            return BasicSize(type);
        }
        finally
        {
            Py_DecRef(type);
            Py_DecRef(moduleObject);
        }
    }

    private static nint BasicSize(nint type)
    {
        nint size = 0;
        try
        {
            fixed (byte* name = "__basicsize__\0"u8)
                size = PythonErrors.Check(PyObject_GetAttrString(type, name));
            var byteSize = PyLong_AsLongLong(size);
            PythonErrors.ThrowIfPending();
            return (nint)byteSize;
        }
        finally
        {
            Py_DecRef(size);
        }
    }

    [UnmanagedCallersOnly]
    private static int GetBuffer(nint self, Py_buffer* view, int flags)
    {
        try
        {
            if (view == null)
                return Refuse(view, "NULL view in getbuffer\0"u8);
            var state = StateOf(self);
            if (state is null)
                return Refuse(view, "ndbridge.BufferExport is not initialised\0"u8);
            FaultInjection?.Invoke(ExportSlot.GetBuffer, (nint)state.Origin);
            return Fill(state, self, view, flags);
        }
        catch (Exception exception)
        {
            // The slot boundary: no managed exception unwinds into C.
            if (view != null)
                view->obj = 0;
            PythonErrors.SetFromManaged(exception);
            return -1;
        }
    }

    // CPython's rules (Modules/_testbuffer.c ndarray_getbuf), in their order.
    internal static int Fill(ExportState state, nint self, Py_buffer* view, int flags)
    {
        if ((flags & PyBUF_WRITABLE) == PyBUF_WRITABLE && state.IsReadOnly)
            return Refuse(view, "ndbridge export is read-only: a writable buffer was requested\0"u8);
        if ((flags & PyBUF_C_CONTIGUOUS) == PyBUF_C_CONTIGUOUS && !state.IsCContiguous)
            return Refuse(view, "ndbridge export is not C-contiguous\0"u8);
        if ((flags & PyBUF_F_CONTIGUOUS) == PyBUF_F_CONTIGUOUS && !state.IsFContiguous)
            return Refuse(view, "ndbridge export is not Fortran-contiguous\0"u8);
        if ((flags & PyBUF_ANY_CONTIGUOUS) == PyBUF_ANY_CONTIGUOUS && !state.IsCContiguous && !state.IsFContiguous)
            return Refuse(view, "ndbridge export is neither C- nor Fortran-contiguous\0"u8);
        var suboffsets = state.Suboffsets;
        if ((flags & PyBUF_INDIRECT) != PyBUF_INDIRECT && suboffsets != null)
            return Refuse(view, "ndbridge export cannot be represented without suboffsets (request PyBUF_INDIRECT)\0"u8);
        var strides = state.Strides;
        if ((flags & PyBUF_STRIDES) != PyBUF_STRIDES)
        {
            if (!state.IsCContiguous)
                return Refuse(view, "ndbridge export is not C-contiguous, so it needs strides (request PyBUF_STRIDES)\0"u8);
            strides = null;
        }
        var format = (flags & PyBUF_FORMAT) == PyBUF_FORMAT ? state.FormatZ : null;
        var ndim = state.Rank;
        var shape = state.Shape;
        if ((flags & PyBUF_ND) != PyBUF_ND)
        {
            if (format != null)
                return Refuse(view, "ndbridge export cannot be cast to unsigned bytes when the format flag is present\0"u8);
            ndim = 1;
            shape = null;
        }
        view->buf = state.Origin;
        view->obj = self;
        view->len = state.Layout.ByteLength;
        view->itemsize = state.Layout.ItemSize;
        view->@readonly = state.IsReadOnly ? 1 : 0;
        view->ndim = ndim;
        view->format = format;
        view->shape = shape;
        view->strides = strides;
        view->suboffsets = suboffsets;
        view->@internal = null;
        Py_IncRef(self); // view->obj is a new reference: PyBuffer_Release drops it, never releasebuffer
        state.ActiveViewCount++;
        return 0;
    }

    internal static int Refuse(Py_buffer* view, ReadOnlySpan<byte> messageZ)
    {
        if (view != null)
            view->obj = 0;
        fixed (byte* message = messageZ)
            PyErr_SetString(PyExc_BufferError, message);
        return -1;
    }

    [UnmanagedCallersOnly]
    private static void ReleaseBuffer(nint self, Py_buffer* view)
    {
        // Never decrefs view->obj: PyBuffer_Release does that after this returns.
        var state = StateOf(self);
        if (state is not null)
            state.ActiveViewCount--;
        try
        {
            FaultInjection?.Invoke(ExportSlot.ReleaseBuffer, state is null ? 0 : (nint)state.Origin);
        }
        catch (Exception exception)
        {
            ReportUnraisable(exception, self);
        }
    }

    [UnmanagedCallersOnly]
    private static void Dealloc(nint self)
    {
        var type = s_type; // the only instances are of this type (not subclassable)
        var slot = (nint*)((byte*)self + s_slotByteOffset); // inside the instance's basicsize
        var index = (int)*slot - 1;
        *slot = 0;
        var state = index < 0 ? null : ExportTable.Get(index);
        try
        {
            FaultInjection?.Invoke(ExportSlot.Dealloc, state is null ? 0 : (nint)state.Origin);
        }
        catch (Exception exception)
        {
            // The refcount is zero: report against the type, never resurrect self.
            ReportUnraisable(exception, type);
        }
        if (state is not null)
        {
            try
            {
                state.Detach(); // may free the memory inline (an owner's release on a non-finalizer thread)
            }
            catch (Exception exception)
            {
                ReportUnraisable(exception, type);
            }
            ExportTable.Return(index);
        }
        s_free(self);
        s_typeDecRef(type); // instances of heap types hold a reference to their type
    }

    /// <summary>Hands a .NET exception to <c>sys.unraisablehook</c> (for slots that cannot fail), keeping any exception already pending.</summary>
    internal static void ReportUnraisable(Exception exception, nint obj)
    {
        nint type, value, traceback;
        PyErr_Fetch(&type, &value, &traceback);
        PythonErrors.SetFromManaged(exception);
        PyErr_WriteUnraisable(obj);
        PyErr_Restore(type, value, traceback);
    }
}
