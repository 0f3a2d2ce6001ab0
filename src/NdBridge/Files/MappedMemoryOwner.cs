using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NdBridge;

/// <summary>
/// A shared mapping (<c>mmap(MAP_SHARED)</c>) of a whole file or shared-memory segment: unmapped, and its descriptor
/// closed, exactly once when the last holder is released. A named segment whose creator never disposed it is unlinked
/// then too, so a forgotten creator leaves no name behind once its memory is gone.
/// </summary>
internal sealed unsafe class MappedMemoryOwner : NdMemoryOwner
{
    private readonly SafeFileHandle _file;
    private string? _segmentToUnlink;

    private MappedMemoryOwner(SafeFileHandle file, byte* start, nint byteLength, bool writable, string? segmentToUnlink)
    {
        _file = file;
        Start = start;
        ByteLength = byteLength;
        IsWritable = writable;
        _segmentToUnlink = segmentToUnlink;
        MemoryDiagnostics.MappingCreated();
    }

    public byte* Start { get; }

    public nint ByteLength { get; }

    public bool IsWritable { get; }

    public SafeFileHandle File => _file;

    /// <summary>Maps <paramref name="byteLength"/> bytes of <paramref name="file"/>; on failure closes nothing and throws.</summary>
    public static MappedMemoryOwner Map(SafeFileHandle file, nint byteLength, bool writable, string source, string? segmentToUnlink)
    {
        int prot = writable ? Posix.PROT_READ | Posix.PROT_WRITE : Posix.PROT_READ;
        nint start = Posix.mmap(0, (nuint)byteLength, prot, Posix.MAP_SHARED, (int)file.DangerousGetHandle(), 0);
        if (start == Posix.MAP_FAILED)
            ThrowHelper.ThrowIO($"Mapping {byteLength} bytes of {source} failed: {Posix.Describe(Marshal.GetLastPInvokeError())}.");
        return new MappedMemoryOwner(file, (byte*)start, byteLength, writable, segmentToUnlink);
    }

    /// <summary>Takes the duty to unlink the segment name away from the release (the creator did or will do it).</summary>
    public string? TakeSegmentToUnlink() => Interlocked.Exchange(ref _segmentToUnlink, null);

    /// <summary><c>msync(MS_SYNC)</c> over the whole mapping.</summary>
    public void Flush(string source)
    {
        if (Posix.msync((nint)Start, (nuint)ByteLength, Posix.MS_SYNC) != 0)
            ThrowHelper.ThrowIO($"Flushing {source} failed: {Posix.Describe(Marshal.GetLastPInvokeError())}.");
    }

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        _ = Posix.munmap((nint)Start, (nuint)ByteLength);
        _file.Dispose();
        if (TakeSegmentToUnlink() is { } name)
            _ = Posix.shm_unlink(name);
        MemoryDiagnostics.MappingReleased();
    }
}
