using System.Buffers;

namespace NdBridge;

/// <summary>Holds the pin of a <see cref="Memory{T}"/> until the last holder is released.</summary>
internal sealed class MemoryHandleOwner : NdMemoryOwner
{
    private MemoryHandle _handle;

    public MemoryHandleOwner(MemoryHandle handle)
    {
        _handle = handle;
        MemoryDiagnostics.Pinned();
    }

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        _handle.Dispose();
        MemoryDiagnostics.Unpinned();
    }
}
