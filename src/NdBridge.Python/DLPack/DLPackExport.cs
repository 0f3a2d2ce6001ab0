using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// DLPack producer: a capsule (<c>dltensor_versioned</c> or legacy <c>dltensor</c>) viewing an
/// <see cref="NdBuffer"/>'s or an export's memory. The tensor holds a reference to the export object
/// (<c>__dlpack__</c>), or an <see cref="NdMemoryLease"/> on the memory (an <see cref="NdBuffer"/>'s capsule); its
/// deleter lets go of that and frees the tensor, exactly once, on whatever thread the consumer calls it; an
/// unconsumed capsule's destructor calls it. Refusals are values (a message), so the Python method raises
/// <c>BufferError</c> and the .NET API its own exception, without exceptions as control flow.
/// </summary>
internal static unsafe class DLPackExport
{
    private static long s_tensorsCreated;
    private static long s_deletersRun;

    /// <summary>Tensors this process exported (capsules created).</summary>
    internal static long TensorsCreated => Interlocked.Read(ref s_tensorsCreated);

    /// <summary>Deleter calls of exported tensors: equal to <see cref="TensorsCreated"/> once every capsule and consumer let go.</summary>
    internal static long DeletersRun => Interlocked.Read(ref s_deletersRun);

    /// <summary>
    /// A new reference to a capsule for <paramref name="source"/>, or 0 with <paramref name="refusal"/> saying why
    /// DLPack cannot carry it. GIL held.
    /// </summary>
    /// <param name="source">The memory to export.</param>
    /// <param name="minorVersion">Null: the legacy <c>dltensor</c> capsule; otherwise a versioned one with version (1, minor).</param>
    /// <param name="copy">The array API's <c>copy</c>: true always copies (IS_COPIED), false never, null only when needed (never, here).</param>
    /// <param name="refusal">Why the memory was refused.</param>
    internal static nint CreateCapsule(in DLPackSource source, uint? minorVersion, bool? copy, out string? refusal)
    {
        var versioned = minorVersion.HasValue;
        refusal = Refusal(source, versioned, copy == true, out var dataType);
        if (refusal is not null)
            return 0;
        if (copy != true)
            return Wrap(source, dataType, versioned, minorVersion.GetValueOrDefault(), isCopy: false, out refusal);

        // The copy engine works on buffers: a view of the source for the copy, then the copy's own memory.
        using var lease = source.Owner.TryLease();
        if (lease is null)
        {
            refusal = Released;
            return 0;
        }
        // A DLPack format (checked above) is a plain scalar whose size is the layout's item size: the view is as the source's.
        using var view = NdBuffer.DangerousFromPointer(source.Origin, source.Format, source.Layout, source.IsReadOnly);
        using var copied = view.ToContiguous(MemoryOrder.C);
        return Wrap(DLPackSource.Of(copied), dataType, versioned, minorVersion.GetValueOrDefault(), isCopy: true, out refusal); // the tensor holds the copy's owner
    }

    private const string Released = "the memory was released (the NdBuffer and everything viewing it were disposed)";

    private static nint Wrap(in DLPackSource source, DLPackDataType dataType, bool versioned, uint minorVersion, bool isCopy, out string? refusal)
    {
        refusal = null;
        var managed = Allocate(source, dataType, versioned, minorVersion, isCopy);
        if (source.Keeper != 0)
        {
            CPython.Py_IncRef(source.Keeper); // GIL held; the keeper holds the memory, so the origin stays valid
            Activate(managed, versioned, (void*)source.Keeper, kept: true);
        }
        else
        {
            // The origin was read before the lease is taken: it is valid once the owner is proven alive.
            var lease = source.Owner.TryLease();
            if (lease is null)
            {
                NativeMemory.Free(managed);
                refusal = Released;
                return 0;
            }
            Activate(managed, versioned, (void*)GCHandle.ToIntPtr(GCHandle.Alloc(lease)), kept: false);
        }
        var capsule = CPython.PyCapsule_New(managed, versioned ? DLPackNative.DltensorVersionedName : DLPackNative.DltensorName, &DestroyCapsule);
        if (capsule == 0)
        {
            DLPackTensorOwner.CallDeleter(managed, versioned); // releases the keeper or lease just taken
            throw PythonErrors.FetchPending();
        }
        return capsule;
    }

    /// <summary>Why DLPack cannot carry <paramref name="source"/> as asked, or null.</summary>
    internal static string? Refusal(in DLPackSource source, bool versioned, bool copy, out DLPackDataType dataType)
    {
        var layout = source.Layout;
        if (!source.Format.TryToDLPack(out dataType))
            return ExplainFormat(source.Format);
        if (dataType.Bits * dataType.Lanes != layout.ItemSize * 8)
            return $"the item size {layout.ItemSize} bytes differs from the {dataType.Bits * dataType.Lanes / 8} bytes of DLPack type {dataType}";
        if (copy)
            return null; // a C-contiguous, writable copy has none of the problems below
        if (layout.HasSuboffsets)
            return "DLPack cannot describe suboffsets (a PIL-style indirect array); pass copy=True for a copy";
        if (layout.ElementCount != 0)
        {
            for (var i = 0; i < layout.Rank; i++)
            {
                if (layout.Shape[i] > 1 && layout.ByteStrides[i] % layout.ItemSize != 0)
                    return $"the byte stride {layout.ByteStrides[i]} of dimension {i} is not a multiple of the item size {layout.ItemSize}; DLPack strides count elements (pass copy=True for a copy)";
            }
        }
        if (source.IsReadOnly && !versioned)
            return "the memory is read-only and the legacy 'dltensor' capsule cannot say so; pass max_version=(1, 0) or newer for a versioned capsule with the READ_ONLY flag, or copy=True";
        return null;
    }

    private static string ExplainFormat(BufferFormat format)
    {
        try
        {
            _ = format.ToDLPack();
            return $"format '{format}' has no DLPack form";
        }
        catch (NotSupportedException exception)
        {
            return exception.Message; // the core's reason: records, byte order, long double, ...
        }
    }

    // One native block: the managed tensor, then shape[ndim] and strides[ndim] (int64, elements). No holder yet.
    private static void* Allocate(in DLPackSource source, DLPackDataType dataType, bool versioned, uint minorVersion, bool isCopy)
    {
        var layout = source.Layout;
        var rank = layout.Rank;
        var headerByteLength = versioned ? sizeof(DLPackNative.DLManagedTensorVersioned) : sizeof(DLPackNative.DLManagedTensor);
        var block = (byte*)NativeMemory.AllocZeroed((nuint)(headerByteLength + 2 * rank * sizeof(long)));
        var shape = (long*)(block + headerByteLength);
        var strides = shape + rank;
        var itemSize = layout.ItemSize;
        long contiguousElementStride = 1;
        for (var i = rank - 1; i >= 0; i--)
        {
            shape[i] = layout.Shape[i]; // shape and strides hold rank entries each
            // A dimension of length 0 or 1 never steps: give it the contiguous stride whatever its byte stride.
            strides[i] = layout.Shape[i] > 1 && layout.ElementCount != 0 ? layout.ByteStrides[i] / itemSize : contiguousElementStride;
            contiguousElementStride *= Math.Max(layout.Shape[i], 1);
        }

        DLPackNative.DLTensor* tensor;
        if (versioned)
        {
            var v = (DLPackNative.DLManagedTensorVersioned*)block;
            v->version = new DLPackNative.DLPackVersion { major = DLPackNative.DLPACK_MAJOR_VERSION, minor = minorVersion };
            v->flags = (source.IsReadOnly ? DLPackNative.DLPACK_FLAG_BITMASK_READ_ONLY : 0)
                       | (isCopy ? DLPackNative.DLPACK_FLAG_BITMASK_IS_COPIED : 0);
            tensor = &v->dl_tensor;
        }
        else
        {
            tensor = &((DLPackNative.DLManagedTensor*)block)->dl_tensor;
        }
        tensor->data = source.Origin;
        tensor->device = new DLPackNative.DLDevice { device_type = DLPackNative.kDLCPU, device_id = 0 };
        tensor->ndim = rank;
        tensor->dtype = new DLPackNative.DLDataType { code = (byte)dataType.Code, bits = dataType.Bits, lanes = dataType.Lanes };
        tensor->shape = shape;
        tensor->strides = strides;
        tensor->byte_offset = 0;
        return block;
    }

    // The deleters as the values written into tensors, read once: TryDeleteOwn recognises a tensor by them.
    private static readonly nint s_deleteVersioned = (nint)(delegate* unmanaged<DLPackNative.DLManagedTensorVersioned*, void>)&DeleteVersioned;
    private static readonly nint s_deleteLegacy = (nint)(delegate* unmanaged<DLPackNative.DLManagedTensor*, void>)&DeleteLegacy;
    private static readonly nint s_deleteVersionedKept = (nint)(delegate* unmanaged<DLPackNative.DLManagedTensorVersioned*, void>)&DeleteVersionedKept;
    private static readonly nint s_deleteLegacyKept = (nint)(delegate* unmanaged<DLPackNative.DLManagedTensor*, void>)&DeleteLegacyKept;

    // Gives the tensor what keeps its memory alive (a keeper's reference, or a lease's GCHandle) and its deleter.
    private static void Activate(void* managed, bool versioned, void* managerContext, bool kept)
    {
        if (versioned)
        {
            var tensor = (DLPackNative.DLManagedTensorVersioned*)managed;
            tensor->manager_ctx = managerContext;
            tensor->deleter = (delegate* unmanaged<DLPackNative.DLManagedTensorVersioned*, void>)(kept ? s_deleteVersionedKept : s_deleteVersioned);
        }
        else
        {
            var tensor = (DLPackNative.DLManagedTensor*)managed;
            tensor->manager_ctx = managerContext;
            tensor->deleter = (delegate* unmanaged<DLPackNative.DLManagedTensor*, void>)(kept ? s_deleteLegacyKept : s_deleteLegacy);
        }
        Interlocked.Increment(ref s_tensorsCreated);
    }

    /// <summary>
    /// Runs the deleter of a tensor this class made as a managed call (no transition out to C and back), and says
    /// whether it did; false for a foreign tensor, whose deleter the caller calls.
    /// </summary>
    internal static bool TryDeleteOwn(void* managed, bool versioned)
    {
        nint deleter;
        void* context;
        if (versioned)
        {
            deleter = (nint)((DLPackNative.DLManagedTensorVersioned*)managed)->deleter;
            context = ((DLPackNative.DLManagedTensorVersioned*)managed)->manager_ctx;
        }
        else
        {
            deleter = (nint)((DLPackNative.DLManagedTensor*)managed)->deleter;
            context = ((DLPackNative.DLManagedTensor*)managed)->manager_ctx;
        }
        if (deleter == s_deleteVersionedKept || deleter == s_deleteLegacyKept)
            DeleteKept(managed, (nint)context);
        else if (deleter == s_deleteVersioned || deleter == s_deleteLegacy)
            Delete(managed, context);
        else
            return false;
        return true;
    }

    [UnmanagedCallersOnly]
    private static void DeleteVersioned(DLPackNative.DLManagedTensorVersioned* self) => Delete(self, self->manager_ctx);

    [UnmanagedCallersOnly]
    private static void DeleteLegacy(DLPackNative.DLManagedTensor* self) => Delete(self, self->manager_ctx);

    [UnmanagedCallersOnly]
    private static void DeleteVersionedKept(DLPackNative.DLManagedTensorVersioned* self) => DeleteKept(self, (nint)self->manager_ctx);

    [UnmanagedCallersOnly]
    private static void DeleteLegacyKept(DLPackNative.DLManagedTensor* self) => DeleteKept(self, (nint)self->manager_ctx);

    // Any thread, GIL or not: frees the block, then releases the lease (which may free the memory).
    private static void Delete(void* block, void* managerContext)
    {
        var handle = GCHandle.FromIntPtr((nint)managerContext);
        var lease = (NdMemoryLease)handle.Target!;
        handle.Free();
        NativeMemory.Free(block);
        Interlocked.Increment(ref s_deletersRun);
        try
        {
            lease.Release(); // a release that needs Python enters its own GIL scope, which takes the GIL back if a C caller released it
        }
        catch (Exception exception)
        {
            // The deleter is called from C: report, never unwind.
            ReportUnraisable(exception);
        }
    }

    // Any thread, GIL or not: frees the block, then drops the keeper's reference under the GIL (which may free the memory).
    private static void DeleteKept(void* block, nint keeper)
    {
        NativeMemory.Free(block);
        Interlocked.Increment(ref s_deletersRun);
        try
        {
            PythonRuntime.DecRefFromAnyThread(keeper);
        }
        catch (Exception exception)
        {
            ReportUnraisable(exception);
        }
    }

    private static void ReportUnraisable(Exception exception)
    {
        if (!PythonGil.IsHeldByCurrentThread && (CPython.Library == 0 || CPython.Py_IsInitialized() == 0))
            return; // no interpreter left to report to
        using var gil = PythonGil.Acquire();
        nint type, value, traceback;
        CPython.PyErr_Fetch(&type, &value, &traceback);
        PythonErrors.SetFromManaged(exception);
        CPython.PyErr_WriteUnraisable(0);
        CPython.PyErr_Restore(type, value, traceback);
    }

    /// <summary>
    /// The capsule destructor of the Python specification: a consumed capsule (<c>used_…</c>) is left alone;
    /// an unconsumed one calls its tensor's deleter. Preserves any pending exception.
    /// </summary>
    [UnmanagedCallersOnly]
    private static void DestroyCapsule(nint capsule)
    {
        if (CPython.PyCapsule_IsValid(capsule, DLPackNative.UsedDltensorVersionedName) == 1
            || CPython.PyCapsule_IsValid(capsule, DLPackNative.UsedDltensorName) == 1)
            return;
        nint type, value, traceback;
        CPython.PyErr_Fetch(&type, &value, &traceback);
        var versioned = CPython.PyCapsule_IsValid(capsule, DLPackNative.DltensorVersionedName) == 1;
        var managed = CPython.PyCapsule_GetPointer(capsule, versioned ? DLPackNative.DltensorVersionedName : DLPackNative.DltensorName);
        if (managed == null)
            CPython.PyErr_WriteUnraisable(capsule); // renamed to something foreign: nothing we can safely free
        else
            DLPackTensorOwner.CallDeleter(managed, versioned);
        CPython.PyErr_Restore(type, value, traceback);
    }
}
