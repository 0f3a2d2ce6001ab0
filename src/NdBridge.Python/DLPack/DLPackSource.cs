namespace NdBridge.Python;

/// <summary>
/// What a DLPack export needs of the memory: its owner (the tensor takes a holder on it), format, layout,
/// the address of element [0, ..., 0] and the read-only flag. Made from an <see cref="NdBuffer"/> or from
/// the exported type's state, so <c>__dlpack__</c> allocates no view.
/// </summary>
internal readonly unsafe struct DLPackSource(NdMemoryOwner owner, BufferFormat format, StridedLayout layout, void* origin, bool isReadOnly)
{
    public NdMemoryOwner Owner { get; } = owner;
    public BufferFormat Format { get; } = format;
    public StridedLayout Layout { get; } = layout;
    public void* Origin { get; } = origin;
    public bool IsReadOnly { get; } = isReadOnly;

    /// <summary>The description of <paramref name="buffer"/>.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public static DLPackSource Of(NdBuffer buffer) =>
        new(buffer.Owner, buffer.Format, buffer.Layout, buffer.DangerousGetPointer(), buffer.IsReadOnly);
}
