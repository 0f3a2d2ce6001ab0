using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>Pins a one-dimensional array as a buffer of shape <c>(array.Length,)</c>.</summary>
    /// <param name="array">The array; pinned until the last holder is released.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(T[] array, bool readOnly = false) where T : unmanaged
    {
        if (array is null)
            ThrowHelper.ThrowArgumentNull(nameof(array));
        return FromArray(array, [array.Length], MemoryOrder.C, readOnly);
    }

    /// <summary>Pins an array as a contiguous buffer of the given shape, in C or F order.</summary>
    /// <param name="array">The array; its first <c>product(shape)</c> elements are viewed.</param>
    /// <param name="shape">The shape; its element count must not exceed the array's length.</param>
    /// <param name="order">C (row-major) or F (column-major).</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(T[] array, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, bool readOnly = false)
        where T : unmanaged
    {
        if (array is null)
            ThrowHelper.ThrowArgumentNull(nameof(array));
        var layout = StridedLayout.CreateContiguous(shape, sizeof(T), order);
        if (layout.ElementCount > array.LongLength)
            ThrowHelper.ThrowArgument($"The shape {StridedLayout.FormatTuple(shape)} needs {layout.ElementCount} elements; the array has {array.LongLength}: " +
                "pass a shape whose product is at most the array's length, or a larger array.", nameof(shape));
        return FromArray(array, BufferFormat.Of<T>(), layout, 0, readOnly);
    }

    /// <summary>Pins an array and views it with any direct layout, proven inside the array before anything is pinned.</summary>
    /// <param name="array">The array whose bytes are the extent.</param>
    /// <param name="format">The format of the elements (may differ from <typeparamref name="T"/>: records over a byte array).</param>
    /// <param name="layout">The layout; its item size must match the format.</param>
    /// <param name="originByteOffset">The byte offset of element [0, ..., 0] from the array's first byte.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(T[] array, BufferFormat format, StridedLayout layout, nint originByteOffset, bool readOnly = false)
        where T : unmanaged
    {
        if (array is null)
            ThrowHelper.ThrowArgumentNull(nameof(array));
        var extentByteLength = (nint)array.LongLength * sizeof(T);
        Validate(format, layout, originByteOffset, extentByteLength, nameof(layout));
        var owner = PinnedObjectOwner.Pin(array);
        // The array is pinned by `owner`: its data address is stable until the owner is released.
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return new NdBuffer(owner, start + originByteOffset, start, extentByteLength, format, layout, readOnly);
    }

    /// <summary>Pins a two-dimensional array as a C-order buffer of shape <c>(rows, columns)</c>.</summary>
    /// <param name="array">The array.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(T[,] array, bool readOnly = false) where T : unmanaged => FromArray<T>((Array)array, readOnly);

    /// <summary>Pins a three-dimensional array as a C-order buffer.</summary>
    /// <param name="array">The array.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(T[,,] array, bool readOnly = false) where T : unmanaged => FromArray<T>((Array)array, readOnly);

    /// <summary>Pins an array of any rank whose elements are <typeparamref name="T"/> as a C-order buffer of its shape.</summary>
    /// <param name="array">A <c>T[]</c>, <c>T[,]</c>, <c>T[,,]</c>, ... array.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromArray<T>(Array array, bool readOnly = false) where T : unmanaged
    {
        if (array is null)
            ThrowHelper.ThrowArgumentNull(nameof(array));
        if (array.GetType().GetElementType() != typeof(T))
            ThrowHelper.ThrowArgument($"The array's elements are {array.GetType().GetElementType()}, not {typeof(T)}.", nameof(array));
        var shape = new nint[array.Rank];
        for (var i = 0; i < shape.Length; i++)
            shape[i] = array.GetLength(i);
        var format = BufferFormat.Of<T>();
        var layout = StridedLayout.CreateContiguous(shape, sizeof(T));
        var extentByteLength = (nint)array.LongLength * sizeof(T);
        Validate(format, layout, 0, extentByteLength, nameof(array));
        var owner = PinnedObjectOwner.Pin(array);
        // The array is pinned by `owner`; a multi-dimensional array stores its elements contiguously in C order.
        var start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        return new NdBuffer(owner, start, start, extentByteLength, format, layout, readOnly);
    }

    /// <summary>Pins a <see cref="Memory{T}"/> as a contiguous buffer of the given shape, in C or F order.</summary>
    /// <param name="memory">The memory; pinned until the last holder is released.</param>
    /// <param name="shape">The shape; its element count must not exceed the memory's length.</param>
    /// <param name="order">C or F.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromMemory<T>(Memory<T> memory, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, bool readOnly = false)
        where T : unmanaged =>
        FromMemory(memory, BufferFormat.Of<T>(), StridedLayout.CreateContiguous(shape, sizeof(T), order), 0, readOnly);

    /// <summary>Pins a <see cref="ReadOnlyMemory{T}"/> as a read-only contiguous buffer of the given shape.</summary>
    /// <param name="memory">The memory; pinned until the last holder is released.</param>
    /// <param name="shape">The shape; its element count must not exceed the memory's length.</param>
    /// <param name="order">C or F.</param>
    public static NdBuffer FromMemory<T>(ReadOnlyMemory<T> memory, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C)
        where T : unmanaged =>
        FromMemory(MemoryMarshal.AsMemory(memory), BufferFormat.Of<T>(), StridedLayout.CreateContiguous(shape, sizeof(T), order), 0, readOnly: true);

    /// <summary>Pins a <see cref="Memory{T}"/> and views it with any direct layout proven inside it.</summary>
    /// <param name="memory">The memory whose bytes are the extent.</param>
    /// <param name="format">The format of the elements.</param>
    /// <param name="layout">The layout; its item size must match the format.</param>
    /// <param name="originByteOffset">The byte offset of element [0, ..., 0] from the memory's first byte.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    public static NdBuffer FromMemory<T>(Memory<T> memory, BufferFormat format, StridedLayout layout, nint originByteOffset, bool readOnly = false)
        where T : unmanaged
    {
        var extentByteLength = (nint)memory.Length * sizeof(T);
        Validate(format, layout, originByteOffset, extentByteLength, nameof(layout));
        var handle = memory.Pin();
        var owner = new MemoryHandleOwner(handle);
        // Pinned by `owner` until released.
        var start = (byte*)handle.Pointer;
        return new NdBuffer(owner, start + originByteOffset, start, extentByteLength, format, layout, readOnly);
    }

    /// <summary>
    /// Allocates zeroed native memory for a C- or F-order array of <typeparamref name="T"/>, its fastest
    /// dimension optionally padded to <paramref name="leadingDimension"/> elements, its start aligned to
    /// <paramref name="byteAlignment"/> bytes (with a suitable leading dimension, every row or column is).
    /// </summary>
    /// <param name="shape">The shape.</param>
    /// <param name="order">C or F.</param>
    /// <param name="leadingDimension">Elements from one row (C) or column (F) to the next; 0 for none.</param>
    /// <param name="byteAlignment">A power of two.</param>
    public static NdBuffer Allocate<T>(ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, nint leadingDimension = 0, nint byteAlignment = 64)
        where T : unmanaged =>
        Allocate(BufferFormat.Of<T>(), shape, order, leadingDimension, byteAlignment);

    /// <summary>Allocates zeroed native memory for elements of <paramref name="format"/> (see <see cref="Allocate{T}"/>).</summary>
    /// <param name="format">The format of the elements.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="order">C or F.</param>
    /// <param name="leadingDimension">Elements from one row (C) or column (F) to the next; 0 for none.</param>
    /// <param name="byteAlignment">A power of two.</param>
    public static NdBuffer Allocate(BufferFormat format, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, nint leadingDimension = 0, nint byteAlignment = 64)
    {
        if (format is null)
            ThrowHelper.ThrowArgumentNull(nameof(format));
        if (byteAlignment <= 0 || (byteAlignment & (byteAlignment - 1)) != 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(byteAlignment), byteAlignment, "The alignment must be a power of two.");
        var layout = StridedLayout.CreatePadded(shape, format.ItemSize, order, leadingDimension);
        nint allocationByteLength = 0;
        if (!layout.IsEmpty)
        {
            // Strides are non-negative here: the slowest dimension's stride times its length covers the padding too.
            for (var i = 0; i < layout.Rank; i++)
                allocationByteLength = Math.Max(allocationByteLength, layout.ByteStrides[i] * layout.Shape[i]);
            allocationByteLength = Math.Max(allocationByteLength, layout.EndByteOffset);
        }
        Validate(format, layout, 0, allocationByteLength, nameof(shape));
        var owner = NativeAllocationOwner.Allocate(Math.Max(allocationByteLength, 1), byteAlignment);
        return new NdBuffer(owner, owner.Start, owner.Start, allocationByteLength, format, layout, readOnly: false);
    }

    /// <summary>
    /// Views native memory given as a pointer, with any direct layout proven inside
    /// <c>[start, start + byteLength)</c> before anything is taken. When the last holder is released,
    /// <paramref name="release"/> is called once with <paramref name="start"/>, on whichever thread released
    /// it (possibly the finalizer thread: it must not block or throw). If this method throws, nothing was taken.
    /// </summary>
    /// <param name="start">The first byte of the memory.</param>
    /// <param name="byteLength">The length of the memory in bytes.</param>
    /// <param name="format">The format of the elements.</param>
    /// <param name="layout">The layout; its item size must match the format.</param>
    /// <param name="originByteOffset">The byte offset of element [0, ..., 0] from <paramref name="start"/>.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    /// <param name="release">Frees the memory; null when the caller keeps it alive some other way.</param>
    public static NdBuffer FromPointer(void* start, nint byteLength, BufferFormat format, StridedLayout layout, nint originByteOffset,
        bool readOnly = false, Action<nint>? release = null)
    {
        if (start is null && byteLength != 0)
            ThrowHelper.ThrowArgumentNull(nameof(start));
        if (byteLength < 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(byteLength), byteLength, "The byte length must not be negative.");
        Validate(format, layout, originByteOffset, byteLength, nameof(layout));
        var owner = new CallbackOwner((nint)start, release);
        return new NdBuffer(owner, (byte*)start + originByteOffset, (byte*)start, byteLength, format, layout, readOnly);
    }

    /// <summary>
    /// Views native memory whose bounds are unknown, with any layout, suboffsets included: nothing can be
    /// checked beyond overflow, so every address the layout reaches is the caller's promise.
    /// <paramref name="release"/> is called once with <paramref name="origin"/> when the last holder is released.
    /// </summary>
    /// <param name="origin">The address of element [0, ..., 0].</param>
    /// <param name="format">The format of the elements.</param>
    /// <param name="layout">The layout; its item size must match the format.</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    /// <param name="release">Frees the memory; null when the caller keeps it alive some other way.</param>
    public static NdBuffer DangerousFromPointer(void* origin, BufferFormat format, StridedLayout layout, bool readOnly = false, Action<nint>? release = null)
    {
        if (origin is null && !layout.IsEmpty)
            ThrowHelper.ThrowArgumentNull(nameof(origin));
        ValidateFormat(format, layout, nameof(layout));
        return new NdBuffer(new CallbackOwner((nint)origin, release), (byte*)origin, null, 0, format, layout, readOnly);
    }

    /// <summary>
    /// Views foreign memory whose owner the caller created (a subclass of <see cref="NdMemoryOwner"/> holding a
    /// <c>Py_buffer</c>, a DLPack tensor, an Arrow buffer): the buffer takes over the holder the owner was born with,
    /// so the owner's <see cref="NdMemoryOwner.ReleaseMemory"/> runs when this buffer and everything viewing it let go.
    /// Nothing is checked beyond the arguments' presence: the layout (suboffsets included) and the address are the
    /// producer's promise, and the item size is the layout's, which may exceed the format's by alignment padding.
    /// </summary>
    /// <param name="owner">A new owner, never given to another buffer.</param>
    /// <param name="origin">The address of element [0, ..., 0].</param>
    /// <param name="format">The format of the elements.</param>
    /// <param name="layout">The layout, as the producer described it (see <see cref="StridedLayout.CreateTrusted"/>).</param>
    /// <param name="readOnly">Whether writes are refused.</param>
    /// <exception cref="ArgumentNullException">An argument is null; the owner's holder was released (its memory with it).</exception>
    /// <exception cref="InvalidOperationException">The owner's first holder was already taken over by another buffer; nothing was released.</exception>
    public static NdBuffer DangerousFromOwner(NdMemoryOwner owner, void* origin, BufferFormat format, StridedLayout layout, bool readOnly = false)
    {
        if (owner is null)
            ThrowHelper.ThrowArgumentNull(nameof(owner));
        if (!owner.TryAdopt())
            ThrowHelper.ThrowInvalidOperation("This owner's first holder was already taken over by a buffer: create one owner per foreign memory, and view it again through that buffer.");
        if (format is null || layout is null)
        {
            owner.Release();
            ThrowHelper.ThrowArgumentNull(format is null ? nameof(format) : nameof(layout));
        }
        return CreateTrusted(owner, origin, format, layout, readOnly);
    }

    /// <summary>
    /// Wraps memory whose owner the caller created: the buffer takes over the owner's initial holder, unchecked
    /// (<see cref="DangerousFromOwner"/> is the public, checked-once entry).
    /// </summary>
    internal static NdBuffer CreateTrusted(NdMemoryOwner owner, void* origin, BufferFormat format, StridedLayout layout, bool readOnly) =>
        new(owner, (byte*)origin, null, 0, format, layout, readOnly);

    private static void Validate(BufferFormat format, StridedLayout layout, nint originByteOffset, nint extentByteLength, string layoutParamName)
    {
        ValidateFormat(format, layout, layoutParamName);
        layout.ValidateExtent(originByteOffset, extentByteLength, layoutParamName);
    }

    private static void ValidateFormat(BufferFormat format, StridedLayout layout, string layoutParamName)
    {
        if (format is null)
            ThrowHelper.ThrowArgumentNull(nameof(format));
        if (layout is null)
            ThrowHelper.ThrowArgumentNull(layoutParamName);
        if (format.ContainsObjects)
            ThrowHelper.ThrowArgument($"Format '{format}' ({format.Describe()}) holds Python object pointers: only Python can create such memory.", nameof(format));
        if (format.ItemSize != layout.ItemSize && format.NumPyItemSize != layout.ItemSize)
            ThrowHelper.ThrowItemSizeMismatch(layoutParamName, format, layout.ItemSize);
    }
}
