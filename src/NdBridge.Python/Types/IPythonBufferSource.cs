namespace NdBridge.Python;

/// <summary>
/// A <see cref="PythonClassAttribute">[PythonClass]</see> whose storage Python sees without a copy: its Python type gets
/// the buffer protocol (<c>memoryview(m)</c>, <c>np.asarray(m)</c>), <c>__array_interface__</c> and
/// <c>__dlpack__</c>/<c>__dlpack_device__</c>, all over <see cref="Buffer"/>.
/// </summary>
/// <remarks>
/// While Python holds a view, the memory stays valid (each view holds the buffer's memory), and
/// <see cref="Exports"/> counts it: an operation that would free or move the storage (a resize) calls
/// <see cref="BufferExportGuard.ThrowIfExported"/> first, which Python sees as <c>BufferError</c>, as it does for a
/// <c>bytearray</c>. A consumer of <c>__array_interface__</c> never says when it is done, so it is not counted: the
/// Python object keeps the memory it described alive until the object dies (after a resize such an array views the old
/// storage). NumPy's <c>np.asarray</c> uses the buffer protocol, which is counted.
/// </remarks>
public interface IPythonBufferSource
{
    /// <summary>The storage as it is now (read when Python asks for a view; the same object while views are alive).</summary>
    NdBuffer Buffer { get; }

    /// <summary>The count of Python views of <see cref="Buffer"/>, kept by NdBridge.</summary>
    BufferExportGuard Exports { get; }
}
