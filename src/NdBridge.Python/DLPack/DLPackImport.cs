namespace NdBridge.Python;

/// <summary>
/// DLPack consumer: a producer's tensor becomes an <see cref="NdBuffer"/> whose owner calls the deleter once.
/// Every method needs the GIL.
/// </summary>
internal static unsafe class DLPackImport
{
    /// <summary><c>max_version</c> asked of producers: every field of 1.x up to this minor is understood.</summary>
    internal static readonly (uint Major, uint Minor) RequestedVersion = (DLPackNative.DLPACK_MAJOR_VERSION, DLPackNative.DLPACK_MINOR_VERSION);

    /// <summary>Imports an object with <c>__dlpack__</c>, or a capsule named <c>dltensor</c>/<c>dltensor_versioned</c>.</summary>
    internal static NdBuffer Import(nint source, string paramName)
    {
        nint capsule;
        if (IsUnconsumedCapsule(source))
        {
            CPython.Py_IncRef(source);
            capsule = source;
        }
        else if (CPython.PyCapsule_IsValid(source, DLPackNative.UsedDltensorName) == 1
                 || CPython.PyCapsule_IsValid(source, DLPackNative.UsedDltensorVersionedName) == 1)
        {
            return ThrowHelper.ThrowArgument<NdBuffer>("The DLPack capsule was already consumed (its name starts with 'used_'); a capsule can be imported only once.", paramName);
        }
        else
        {
            capsule = CallDunderDLPack(source, paramName);
        }
        try
        {
            return FromCapsule(capsule, paramName);
        }
        finally
        {
            CPython.Py_DecRef(capsule);
        }
    }

    /// <summary>Whether <paramref name="o"/> is a DLPack producer (has <c>__dlpack__</c>) or an unconsumed DLPack capsule.</summary>
    internal static bool IsProducer(nint o)
    {
        if (IsUnconsumedCapsule(o))
            return true;
        fixed (byte* name = "__dlpack__\0"u8)
            return CPython.PyObject_HasAttrString(o, name) == 1;
    }

    /// <summary>
    /// <see cref="NdBufferImport.AsNdBuffer"/>'s DLPack path, with its rule: the buffer is read-only unless
    /// <paramref name="writable"/>, and a read-only tensor asked writable is refused (its deleter called).
    /// </summary>
    internal static NdBuffer ImportAs(nint source, string typeName, bool writable, string paramName)
    {
        var buffer = Import(source, paramName);
        if (buffer.IsReadOnly == !writable)
            return buffer;
        using (buffer)
        {
            if (writable)
                ThrowHelper.ThrowImportReadOnly(paramName, $"A {typeName} object's DLPack tensor", null);
            return buffer.AsReadOnly(); // a view holding the tensor's owner
        }
    }

    private static bool IsUnconsumedCapsule(nint o) =>
        CPython.PyCapsule_IsValid(o, DLPackNative.DltensorVersionedName) == 1 || CPython.PyCapsule_IsValid(o, DLPackNative.DltensorName) == 1;

    // Types whose __dlpack__ rejected max_version with TypeError and then gave a tensor without it (NumPy < 2.1,
    // torch < 2.3): asked without max_version straight away. Holds a reference to each (no address reuse);
    // touched only with the GIL held; bounded.
    private static readonly HashSet<nint> s_legacyOnlyTypes = [];
    private const int MaxLegacyOnlyTypes = 64;

    /// <summary><c>source.__dlpack__(max_version=(1, 1))</c>, and on <c>TypeError</c> (a pre-1.0 producer) <c>source.__dlpack__()</c>.</summary>
    private static nint CallDunderDLPack(nint source, string paramName)
    {
        nint method;
        fixed (byte* name = "__dlpack__\0"u8)
        {
            if (CPython.PyObject_HasAttrString(source, name) != 1)
                ThrowHelper.ThrowArgument("The object has no __dlpack__ method and is not a DLPack capsule ('dltensor' or 'dltensor_versioned').", paramName);
            method = PythonErrors.Check(CPython.PyObject_GetAttrString(source, name));
        }
        nint args = 0, kwargs = 0, version = 0, type = 0;
        try
        {
            args = PythonErrors.Check(CPython.PyTuple_New(0));
            type = PythonErrors.Check(CPython.PyObject_Type(source));
            if (s_legacyOnlyTypes.Contains(type))
                return PythonErrors.Check(CPython.PyObject_Call(method, args, 0));
            version = PythonErrors.Check(CPython.PyTuple_New(2));
            _ = CPython.PyTuple_SetItem(version, 0, PythonErrors.Check(CPython.PyLong_FromLongLong(RequestedVersion.Major))); // steals; 0 < 2
            _ = CPython.PyTuple_SetItem(version, 1, PythonErrors.Check(CPython.PyLong_FromLongLong(RequestedVersion.Minor))); // steals; 1 < 2
            kwargs = PythonErrors.Check(CPython.PyDict_New());
            fixed (byte* key = "max_version\0"u8)
                PythonErrors.CheckStatus(CPython.PyDict_SetItemString(kwargs, key, version));
            var capsule = CPython.PyObject_Call(method, args, kwargs);
            if (capsule == 0 && CPython.PyErr_ExceptionMatches(CPython.PyExc_TypeError) == 1)
            {
                // The array API's rule for producers that predate max_version.
                CPython.PyErr_Clear();
                capsule = CPython.PyObject_Call(method, args, 0);
                if (capsule != 0 && s_legacyOnlyTypes.Count < MaxLegacyOnlyTypes && s_legacyOnlyTypes.Add(type))
                    type = 0; // the set keeps this reference
            }
            return PythonErrors.Check(capsule);
        }
        finally
        {
            CPython.Py_DecRef(type);
            CPython.Py_DecRef(kwargs);
            CPython.Py_DecRef(version);
            CPython.Py_DecRef(args);
            CPython.Py_DecRef(method);
        }
    }

    /// <summary>Consumes the capsule (renames it <c>used_…</c>): from then on the tensor's deleter is ours to call, exactly once.</summary>
    private static NdBuffer FromCapsule(nint capsule, string paramName)
    {
        bool versioned;
        if (CPython.PyCapsule_IsValid(capsule, DLPackNative.DltensorVersionedName) == 1)
            versioned = true;
        else if (CPython.PyCapsule_IsValid(capsule, DLPackNative.DltensorName) == 1)
            versioned = false;
        else
            return ThrowHelper.ThrowArgument<NdBuffer>("__dlpack__ returned something other than a capsule named 'dltensor' or 'dltensor_versioned' (or an already consumed one).", paramName);

        var managed = CPython.PyCapsule_GetPointer(capsule, versioned ? DLPackNative.DltensorVersionedName : DLPackNative.DltensorName);
        if (managed == null)
            throw PythonErrors.FetchPending();
        PythonErrors.CheckStatus(CPython.PyCapsule_SetName(capsule, versioned ? DLPackNative.UsedDltensorVersionedName : DLPackNative.UsedDltensorName));

        NdBuffer? buffer = null;
        try
        {
            buffer = Wrap(managed, versioned, paramName);
            return buffer;
        }
        finally
        {
            if (buffer is null)
                DLPackTensorOwner.CallDeleter(managed, versioned); // refused: the producer gets its tensor back now
        }
    }

    private static NdBuffer Wrap(void* managed, bool versioned, string paramName)
    {
        DLPackNative.DLTensor* tensor;
        var readOnly = false;
        if (versioned)
        {
            var v = (DLPackNative.DLManagedTensorVersioned*)managed;
            // Only the fields up to flags are stable across majors: read nothing else of a newer one.
            if (v->version.major != DLPackNative.DLPACK_MAJOR_VERSION)
                ThrowHelper.ThrowNotSupported($"The DLPack tensor has version {v->version.major}.{v->version.minor}; NdBridge reads major version {DLPackNative.DLPACK_MAJOR_VERSION} only. Its deleter was called.");
            tensor = &v->dl_tensor;
            readOnly = (v->flags & DLPackNative.DLPACK_FLAG_BITMASK_READ_ONLY) != 0;
        }
        else
        {
            tensor = &((DLPackNative.DLManagedTensor*)managed)->dl_tensor;
        }

        if (!DLPackNative.IsCpuAddressable(tensor->device.device_type))
            ThrowHelper.ThrowNotSupported($"The DLPack tensor is on device type {tensor->device.device_type} (id {tensor->device.device_id}), which the CPU cannot address; only kDLCPU, kDLCUDAHost, kDLROCMHost and kDLCUDAManaged memory can be imported.");
        var rank = tensor->ndim;
        if (rank < 0 || rank > StridedLayout.MaxRank)
            ThrowHelper.ThrowArgument($"The DLPack tensor has ndim {rank}; between 0 and {StridedLayout.MaxRank} are supported.", paramName);
        if (rank > 0 && tensor->shape == null)
            ThrowHelper.ThrowArgument($"The DLPack tensor has ndim {rank} but a NULL shape (dlpack.h: shape holds ndim entries): its producer is malformed. Its deleter was called.", paramName);

        BufferFormat format;
        var dataType = new DLPackDataType((DLPackTypeCode)tensor->dtype.code, tensor->dtype.bits, tensor->dtype.lanes);
        try
        {
            format = BufferFormat.FromDLPack(dataType);
        }
        catch (ArgumentException exception)
        {
            throw new NotSupportedException($"The DLPack tensor's dtype (code {tensor->dtype.code}, bits {tensor->dtype.bits}, lanes {tensor->dtype.lanes}) cannot be imported: {exception.Message}", exception);
        }
        var itemSize = format.ItemSize;

        Span<nint> shape = stackalloc nint[rank];
        Span<nint> byteStrides = stackalloc nint[rank];
        var isEmpty = false;
        for (var i = 0; i < rank; i++)
        {
            var length = tensor->shape[i]; // shape holds ndim entries (dlpack.h)
            if (length < 0)
                ThrowHelper.ThrowArgument($"The DLPack tensor's dimension {i} has negative length {length}.", paramName);
            shape[i] = (nint)length;
            isEmpty |= length == 0;
        }
        if (tensor->strides == null)
        {
            // NULL strides: compact row-major (dlpack.h, and what NumPy < 2 consumers assume).
            nint elementStride = 1;
            for (var i = rank - 1; i >= 0; i--)
            {
                if (!TryMultiply(elementStride, itemSize, out byteStrides[i]))
                    ThrowHelper.ThrowArgument($"The DLPack tensor's implied stride of dimension {i} overflows.", paramName);
                if (shape[i] != 0 && !TryMultiply(elementStride, shape[i], out elementStride))
                    ThrowHelper.ThrowArgument("The DLPack tensor's shape overflows.", paramName);
            }
        }
        else
        {
            for (var i = 0; i < rank; i++)
            {
                if (!TryMultiply((nint)tensor->strides[i], itemSize, out byteStrides[i])) // strides holds ndim entries
                    ThrowHelper.ThrowArgument($"The DLPack tensor's stride {tensor->strides[i]} (elements) of dimension {i} overflows in bytes.", paramName);
            }
        }
        if (tensor->data == null && !isEmpty)
            ThrowHelper.ThrowArgument("The DLPack tensor has a NULL data pointer but elements.", paramName);

        var layout = StridedLayout.CreateTrusted(shape, byteStrides, default, hasSuboffsets: false, itemSize);
        var origin = (byte*)tensor->data + tensor->byte_offset;
        return NdBuffer.DangerousFromOwner(new DLPackTensorOwner(managed, versioned), origin, format, layout, readOnly);
    }

    private static bool TryMultiply(nint left, nint right, out nint product)
    {
        var wide = (Int128)left * right;
        product = (nint)wide;
        return wide == product;
    }
}
