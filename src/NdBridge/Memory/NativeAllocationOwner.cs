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

    /// <summary>Allocations at least this long ask Linux for transparent huge pages, as NumPy's allocator does (4 MiB).</summary>
    internal const nint HugePageAdviceByteLength = 4 << 20;

    /// <summary>Allocates first, so a failed allocation leaves no owner behind.</summary>
    public static NativeAllocationOwner Allocate(nint byteLength, nint byteAlignment)
    {
        var start = NativeMemory.AlignedAlloc((nuint)byteLength, (nuint)byteAlignment);
        AdviseHugePages(start, byteLength); // before the first touch: the pages the clear faults in can then be huge
        NativeMemory.Clear(start, (nuint)byteLength);
        return new NativeAllocationOwner(start);
    }

    /// <summary>
    /// <c>madvise(MADV_HUGEPAGE)</c> over the whole pages of a large block on Linux, as NumPy does for its arrays
    /// (with transparent huge pages in "madvise" mode, Debian's default, only advised memory gets them; copies and scans
    /// of large arrays then miss the TLB far less). Advice only: a kernel that refuses it changes nothing.
    /// </summary>
    internal static void AdviseHugePages(void* start, nint byteLength)
    {
        if (byteLength < HugePageAdviceByteLength || !OperatingSystem.IsLinux())
            return;
        const nint pageByteLength = 4096;
        var offset = (pageByteLength - (nint)((nuint)start % (nuint)pageByteLength)) % pageByteLength;
        _ = Posix.madvise((nint)start + offset, (nuint)(byteLength - offset), Posix.MADV_HUGEPAGE);
    }

    public byte* Start => (byte*)_start;

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        NativeMemory.AlignedFree(_start);
        MemoryDiagnostics.NativeFreed();
    }
}
