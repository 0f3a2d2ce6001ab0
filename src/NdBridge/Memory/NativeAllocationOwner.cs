using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>Owns an aligned, zeroed native allocation and frees it when the last holder is released.</summary>
internal sealed unsafe class NativeAllocationOwner : NdMemoryOwner
{
    private readonly void* _start;

    private NativeAllocationOwner(void* start)
    {
        _start = start;
        MemoryDiagnostics.NativeAllocated();
    }

    /// <summary>Allocates first, so a failed allocation leaves no owner behind.</summary>
    public static NativeAllocationOwner Allocate(nint byteLength, nint byteAlignment)
    {
        var start = NativeMemory.AlignedAlloc((nuint)byteLength, (nuint)byteAlignment);
        NativeMemory.Clear(start, (nuint)byteLength);
        return new NativeAllocationOwner(start);
    }

    public byte* Start => (byte*)_start;

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        NativeMemory.AlignedFree(_start);
        MemoryDiagnostics.NativeFreed();
    }
}
