using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace NdBridge.Tests.Support;

/// <summary>
/// A native allocator owned by one test: every block is filled with a pattern derived from its id, every
/// release is counted per block (exactly one is expected) and poisons the block, and freed blocks stay
/// quarantined (still mapped) until the allocator is disposed, so a late read sees poison instead of crashing.
/// </summary>
internal sealed unsafe class TestAllocator : IDisposable
{
    public const byte Poison = 0xDD;

    private readonly ConcurrentDictionary<nint, (int Id, nint ByteLength)> _live = new();
    private readonly ConcurrentQueue<nint> _quarantine = new();
    private int[] _releaseCounts;
    private int _allocations;
    private int _releases;
    private int _unknownReleases;

    public TestAllocator(int capacity)
    {
        _releaseCounts = new int[capacity];
        Release = Free;
    }

    /// <summary>The release callback to hand to <see cref="NdBuffer.FromPointer"/>.</summary>
    public Action<nint> Release { get; }

    public int Allocations => Volatile.Read(ref _allocations);

    public int Releases => Volatile.Read(ref _releases);

    public int UnknownReleases => Volatile.Read(ref _unknownReleases);

    public static byte PatternOf(int id, nint byteOffset) => (byte)((id * 31 + byteOffset * 7) % 251);

    public byte* Allocate(int id, nint byteLength)
    {
        var block = (byte*)NativeMemory.Alloc((nuint)byteLength);
        for (nint i = 0; i < byteLength; i++)
            block[i] = PatternOf(id, i);
        _live[(nint)block] = (id, byteLength);
        Interlocked.Increment(ref _allocations);
        return block;
    }

    public int ReleaseCountOf(int id) => Volatile.Read(ref _releaseCounts[id]);

    public bool AllReleasedExactlyOnce(int count, out string problem)
    {
        for (var id = 0; id < count; id++)
        {
            var released = ReleaseCountOf(id);
            if (released != 1)
            {
                problem = $"block {id} was released {released} times";
                return false;
            }
        }
        problem = "";
        return UnknownReleases == 0;
    }

    private void Free(nint address)
    {
        if (!_live.TryRemove(address, out var block))
        {
            Interlocked.Increment(ref _unknownReleases);
            return;
        }
        Interlocked.Increment(ref _releaseCounts[block.Id]);
        Interlocked.Increment(ref _releases);
        new Span<byte>((void*)address, (int)block.ByteLength).Fill(Poison);
        _quarantine.Enqueue(address);
    }

    public void Dispose()
    {
        while (_quarantine.TryDequeue(out var address))
            NativeMemory.Free((void*)address);
        foreach (var address in _live.Keys)
            NativeMemory.Free((void*)address);
        _live.Clear();
        _releaseCounts = [];
    }
}
