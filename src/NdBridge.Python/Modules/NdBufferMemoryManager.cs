using System.Buffers;

namespace NdBridge.Python;

/// <summary>
/// <c>Memory&lt;T&gt;</c> over an imported, C-contiguous <see cref="NdBuffer"/>: the buffer (and the Python export it
/// holds) lives as long as the manager is reachable; when .NET collects it, the buffer's finalizer queues the release.
/// </summary>
internal sealed unsafe class NdBufferMemoryManager<T>(NdBuffer buffer) : MemoryManager<T> where T : unmanaged
{
    private readonly int _length = (int)buffer.ElementCount; // checked against int.MaxValue by the importer

    public override Span<T> GetSpan() => new(buffer.DangerousGetPointer(), _length); // C-contiguous: _length elements from the origin

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)_length)
            throw new ArgumentOutOfRangeException(nameof(elementIndex));
        return new MemoryHandle((T*)buffer.DangerousGetPointer() + elementIndex); // not movable: Python's memory
    }

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            buffer.Dispose();
    }
}
