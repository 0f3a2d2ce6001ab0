using System.Runtime.InteropServices;

namespace NdBridge.Tests.Copying;

/// <summary>A layout over test memory, described with plain arrays (no NdBridge type).</summary>
internal sealed unsafe class TestLayout
{
    public required byte* Origin;
    public required long[] Shape;
    public required long[] Strides;
    public long[]? Suboffsets;
    public required int ItemSize;

    public nint[] ShapeN => Array.ConvertAll(Shape, x => (nint)x);
    public nint[] StridesN => Array.ConvertAll(Strides, x => (nint)x);
    public nint[] SuboffsetsN => Suboffsets == null ? [] : Array.ConvertAll(Suboffsets, x => (nint)x);

    public override string ToString() =>
        $"shape=({string.Join(",", Shape)}) strides=({string.Join(",", Strides)}) " +
        $"suboffsets={(Suboffsets == null ? "none" : "(" + string.Join(",", Suboffsets) + ")")} itemSize={ItemSize}";
}

/// <summary>
/// Native test memory: a data region where every element lives (layouts placed in it may overlap) and
/// a separate region for the pointer tables of indirect layouts, which no data ever overwrites.
/// </summary>
internal sealed unsafe class TestArena : IDisposable
{
    public const int PointerLength = 1 << 17;
    public readonly int DataLength;
    public readonly byte* Data;
    public readonly byte* Pointers = (byte*)NativeMemory.AllocZeroed(PointerLength);
    private int _pointerBump;

    public TestArena(int dataLength = 1 << 15)
    {
        DataLength = dataLength;
        Data = (byte*)NativeMemory.AllocZeroed((nuint)dataLength);
    }

    public void Reset(Random random)
    {
        _pointerBump = 0;
        random.NextBytes(new Span<byte>(Data, DataLength));
    }

    public byte[] Snapshot() => new Span<byte>(Data, DataLength).ToArray();

    public void Restore(byte[] snapshot) => snapshot.CopyTo(new Span<byte>(Data, DataLength));

    /// <summary>Room for pointer slots, 8-aligned; null when full.</summary>
    public byte* AllocatePointers(long byteLength)
    {
        long start = (_pointerBump + 7) & ~7L;
        if (start + byteLength > PointerLength)
            return null;
        _pointerBump = (int)(start + byteLength);
        return Pointers + start;
    }

    public void Dispose()
    {
        NativeMemory.Free(Data);
        NativeMemory.Free(Pointers);
    }
}
