using System.Runtime.InteropServices;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Memory;

/// <summary>
/// What NdBridge.Python builds on: an owner subclass released exactly once on whichever thread drops the last
/// holder (told whether it is the finalizer thread), and trusted layouts checked only for overflow.
/// </summary>
public sealed unsafe class TrustedBufferTests
{
    [Fact]
    public void TrustedLayoutsAreCheckedOnlyForOverflow()
    {
        var zeroItemSize = StridedLayout.CreateTrusted([3], [0], default, false, 0);
        Assert.Equal(0, zeroItemSize.ByteLength);
        var withSuboffsets = StridedLayout.CreateTrusted([2, 2], [8, 1], [-1, -1], true, 1);
        Assert.True(withSuboffsets.HasSuboffsets);
        Assert.False(withSuboffsets.IsIndirect);
        Assert.False(withSuboffsets.IsCContiguous);
        var noSuboffsets = StridedLayout.CreateTrusted([], [], default, false, 8);
        Assert.False(noSuboffsets.HasSuboffsets);
        Assert.Equal(0, noSuboffsets.Rank);
        Assert.Equal("byteStrides", Assert.Throws<ArgumentException>(() => StridedLayout.CreateTrusted([3], [nint.MaxValue], default, false, 1)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => StridedLayout.CreateTrusted([-1], [1], default, false, 1)).ParamName);
    }

    [Fact]
    public void DisposingReleasesOnTheCallingThread()
    {
        var memory = (double*)NativeMemory.Alloc(4 * sizeof(double));
        var owner = new CountingOwner();
        var buffer = NdBuffer.CreateTrusted(owner, memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([4], 8), readOnly: false);
        Assert.False(buffer.HasKnownExtent);
        var view = buffer.Slice(0, null, null, -2);
        foreach (var run in buffer.EnumerateRuns<double>())
            run.Fill(1.5);
        Assert.Equal(1.5, view.ReadUnaligned<double>(1));
        buffer.Dispose();
        Assert.Equal(0, owner.Releases);
        view.Dispose();
        Assert.Equal(1, owner.Releases);
        Assert.False(owner.OnFinalizerThread);
        NativeMemory.Free(memory);
    }

    [Fact]
    public void TheFinalizerReleasesAndSaysSo()
    {
        var owner = new CountingOwner();
        CreateAndDrop(owner);
        for (var attempt = 0; attempt < 10 && Volatile.Read(ref owner.Releases) == 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(1, owner.Releases);
        Assert.True(owner.OnFinalizerThread);
    }

    [Fact]
    public void DisposeAfterASpanLeavesTheReleaseToTheFinalizerOnceNoSpanReachesTheBuffer()
    {
        var memory = (double*)NativeMemory.Alloc(4 * sizeof(double));
        var owner = new CountingOwner();
        var buffer = NdBuffer.CreateTrusted(owner, memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([4], 8), readOnly: false);
        WriteThroughASpanThenDispose(buffer);
        Assert.True(buffer.IsDisposed);
        Assert.Equal(0, owner.Releases); // a span may still be in use on another thread: the memory stays
        Assert.Throws<ObjectDisposedException>(() => buffer.AsReadOnlyStridedSpan<double>());
        Assert.Throws<ObjectDisposedException>(() => buffer.ReadUnaligned<double>(0));
        buffer = null!;
        for (var attempt = 0; attempt < 10 && Volatile.Read(ref owner.Releases) == 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(1, owner.Releases);
        Assert.True(owner.OnFinalizerThread);
        Assert.Equal(2.5, memory[3]);
        NativeMemory.Free(memory);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void WriteThroughASpanThenDispose(NdBuffer buffer)
    {
        var span = buffer.AsStridedSpan<double>();
        buffer.Dispose();
        span[3] = 2.5; // after Dispose, as a racing thread could: the memory is still there
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CreateAndDrop(CountingOwner owner)
    {
        var buffer = NdBuffer.CreateTrusted(owner, (void*)0x1000, BufferFormat.UnsignedBytes, StridedLayout.CreateContiguous([8], 1), readOnly: true);
        _ = buffer.Transpose();
    }
}
