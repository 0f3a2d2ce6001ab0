using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// <c>dlpack.h</c> v1.x as blittable structs (C names verbatim, the C type on each field) and the capsule
/// protocol's constants. The dtype mapping is the core's (<see cref="BufferFormat.TryToDLPack"/>,
/// <see cref="BufferFormat.FromDLPack"/>); <see cref="DLDataType"/> is only its wire form.
/// </summary>
internal static unsafe class DLPackNative
{
    /// <summary><c>DLPACK_MAJOR_VERSION</c> this code reads and writes.</summary>
    internal const uint DLPACK_MAJOR_VERSION = 1;
    /// <summary><c>DLPACK_MINOR_VERSION</c> this code understands every field of.</summary>
    internal const uint DLPACK_MINOR_VERSION = 1;

    /// <summary><c>DLPACK_FLAG_BITMASK_READ_ONLY</c>.</summary>
    internal const ulong DLPACK_FLAG_BITMASK_READ_ONLY = 1UL << 0;
    /// <summary><c>DLPACK_FLAG_BITMASK_IS_COPIED</c>.</summary>
    internal const ulong DLPACK_FLAG_BITMASK_IS_COPIED = 1UL << 1;

    /// <summary><c>kDLCPU</c>.</summary>
    internal const int kDLCPU = 1;
    /// <summary><c>kDLCUDAHost</c>: pinned host memory, CPU-addressable.</summary>
    internal const int kDLCUDAHost = 3;
    /// <summary><c>kDLROCMHost</c>: pinned host memory, CPU-addressable.</summary>
    internal const int kDLROCMHost = 11;
    /// <summary><c>kDLCUDAManaged</c>: unified memory, CPU-addressable.</summary>
    internal const int kDLCUDAManaged = 13;

    /// <summary>The capsule names of the Python specification; they live for the process.</summary>
    internal static readonly byte* DltensorName = Utf8Z.Permanent("dltensor");
    /// <inheritdoc cref="DltensorName"/>
    internal static readonly byte* UsedDltensorName = Utf8Z.Permanent("used_dltensor");
    /// <inheritdoc cref="DltensorName"/>
    internal static readonly byte* DltensorVersionedName = Utf8Z.Permanent("dltensor_versioned");
    /// <inheritdoc cref="DltensorName"/>
    internal static readonly byte* UsedDltensorVersionedName = Utf8Z.Permanent("used_dltensor_versioned");

    /// <summary>Whether memory on <paramref name="deviceType"/> is addressable by the CPU (NumPy's rule).</summary>
    internal static bool IsCpuAddressable(int deviceType) =>
        deviceType is kDLCPU or kDLCUDAHost or kDLROCMHost or kDLCUDAManaged;

    /// <summary><c>DLPackVersion</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLPackVersion
    {
        /// <summary><c>uint32_t major</c></summary>
        public uint major;
        /// <summary><c>uint32_t minor</c></summary>
        public uint minor;
    }

    /// <summary><c>DLDevice</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLDevice
    {
        /// <summary><c>DLDeviceType device_type</c> (a C enum: <c>int</c>)</summary>
        public int device_type;
        /// <summary><c>int32_t device_id</c></summary>
        public int device_id;
    }

    /// <summary><c>DLDataType</c>: the wire form of <see cref="DLPackDataType"/>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLDataType
    {
        /// <summary><c>uint8_t code</c> (a <c>DLDataTypeCode</c>)</summary>
        public byte code;
        /// <summary><c>uint8_t bits</c></summary>
        public byte bits;
        /// <summary><c>uint16_t lanes</c></summary>
        public ushort lanes;
    }

    /// <summary><c>DLTensor</c>: strides in elements; NULL strides mean C-contiguous.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLTensor
    {
        /// <summary><c>void *data</c></summary>
        public void* data;
        /// <summary><c>DLDevice device</c></summary>
        public DLDevice device;
        /// <summary><c>int32_t ndim</c></summary>
        public int ndim;
        /// <summary><c>DLDataType dtype</c></summary>
        public DLDataType dtype;
        /// <summary><c>int64_t *shape</c></summary>
        public long* shape;
        /// <summary><c>int64_t *strides</c> (elements; NULL: C-contiguous)</summary>
        public long* strides;
        /// <summary><c>uint64_t byte_offset</c> (bytes from <c>data</c> to element [0, ..., 0])</summary>
        public ulong byte_offset;
    }

    /// <summary><c>DLManagedTensor</c>: the legacy (unversioned) capsule payload.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLManagedTensor
    {
        /// <summary><c>DLTensor dl_tensor</c></summary>
        public DLTensor dl_tensor;
        /// <summary><c>void *manager_ctx</c></summary>
        public void* manager_ctx;
        /// <summary><c>void (*deleter)(struct DLManagedTensor *self)</c> (may be NULL)</summary>
        public delegate* unmanaged<DLManagedTensor*, void> deleter;
    }

    /// <summary><c>DLManagedTensorVersioned</c>: everything up to <c>flags</c> is stable across major versions.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DLManagedTensorVersioned
    {
        /// <summary><c>DLPackVersion version</c></summary>
        public DLPackVersion version;
        /// <summary><c>void *manager_ctx</c></summary>
        public void* manager_ctx;
        /// <summary><c>void (*deleter)(struct DLManagedTensorVersioned *self)</c> (may be NULL)</summary>
        public delegate* unmanaged<DLManagedTensorVersioned*, void> deleter;
        /// <summary><c>uint64_t flags</c> (<see cref="DLPACK_FLAG_BITMASK_READ_ONLY"/>, <see cref="DLPACK_FLAG_BITMASK_IS_COPIED"/>)</summary>
        public ulong flags;
        /// <summary><c>DLTensor dl_tensor</c></summary>
        public DLTensor dl_tensor;
    }
}
