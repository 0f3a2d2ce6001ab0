namespace NdBridge.Python;

/// <summary>
/// What a DLPack export needs of the memory: its owner, format, layout, the address of element [0, ..., 0], the
/// read-only flag, and what keeps the memory alive for the tensor. Made from an <see cref="NdBuffer"/> or from the
/// exported type's state, so <c>__dlpack__</c> allocates no view.
/// </summary>
/// <param name="owner">The memory's owner.</param>
/// <param name="format">The element format.</param>
/// <param name="layout">Shape and byte strides.</param>
/// <param name="origin">The address of element [0, ..., 0].</param>
/// <param name="isReadOnly">Whether the memory may not be written.</param>
/// <param name="keeper">
/// A Python object that holds the memory for as long as it lives (the export object <c>__dlpack__</c> was called on):
/// each tensor takes a reference to it, as NumPy's own tensors reference their array. 0: each tensor leases
/// <paramref name="owner"/> instead.
/// </param>
internal readonly unsafe struct DLPackSource(NdMemoryOwner owner, BufferFormat format, StridedLayout layout, void* origin, bool isReadOnly, nint keeper = 0)
{
    public NdMemoryOwner Owner { get; } = owner;
    public BufferFormat Format { get; } = format;
    public StridedLayout Layout { get; } = layout;
    public void* Origin { get; } = origin;
    public bool IsReadOnly { get; } = isReadOnly;
    public nint Keeper { get; } = keeper;

    /// <summary>The description of <paramref name="buffer"/>; its tensors lease the buffer's owner.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public static DLPackSource Of(NdBuffer buffer) =>
        new(buffer.Owner, buffer.Format, buffer.Layout, buffer.DangerousGetPointer(), buffer.IsReadOnly);
}
