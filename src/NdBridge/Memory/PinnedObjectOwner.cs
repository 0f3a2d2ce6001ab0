using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>Pins a managed array (any rank) until the last holder is released.</summary>
internal sealed class PinnedObjectOwner : NdMemoryOwner
{
    private GCHandle _handle;

    private PinnedObjectOwner(GCHandle handle)
    {
        _handle = handle;
        MemoryDiagnostics.Pinned();
    }

    /// <summary>Pins <paramref name="target"/>; the handle exists before the owner is counted.</summary>
    public static PinnedObjectOwner Pin(object target) => new(GCHandle.Alloc(target, GCHandleType.Pinned));

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        _handle.Free();
        MemoryDiagnostics.Unpinned();
    }
}
