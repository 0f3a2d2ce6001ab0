using System.Runtime.InteropServices;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Memory;

/// <summary>
/// <see cref="NdMemoryLease"/>, the public keep-alive a bridge takes while it exports memory: one holder counted on the
/// owner, the memory outliving every buffer while it is held, released exactly once (counted by the owner's release
/// calls), on the thread that lets go. Public API only, as another bridge would use it.
/// </summary>
public sealed unsafe class NdMemoryLeaseTests
{
    private static NdBuffer Wrap(CountingOwner owner) =>
        NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([4], sizeof(double)));

    [Fact]
    public void ALeaseKeepsTheMemoryAfterEveryBufferIsDisposed()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = Wrap(owner);
        Assert.Same(owner, buffer.Owner);
        var view = buffer.Slice(0, 1, null, 1);
        var lease = buffer.AcquireLease();
        Assert.Same(owner, lease.Owner);
        Assert.Equal(3, owner.HolderCount); // buffer, view, lease
        buffer.Dispose();
        view.Dispose();
        Assert.Equal(1, owner.HolderCount);
        Assert.True(owner.IsAlive);
        Assert.Equal(0, owner.Releases);
        Assert.False(lease.IsReleased);

        lease.Release();
        Assert.True(lease.IsReleased);
        Assert.Equal(1, owner.Releases);
        Assert.False(owner.OnFinalizerThread);
        Assert.Equal(0, owner.HolderCount);
        Assert.False(owner.IsAlive);

        lease.Release();
        lease.Dispose();
        Assert.Equal(1, owner.Releases); // released once, however often it is called
        Assert.Equal(0, owner.HolderCount);
    }

    [Fact]
    public void TheBufferOutlivingItsLeasesReleasesTheMemory()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = Wrap(owner);
        var leases = Enumerable.Range(0, 5).Select(_ => buffer.AcquireLease()).ToArray();
        Assert.Equal(6, owner.HolderCount);
        foreach (var lease in leases)
            lease.Dispose();
        Assert.Equal(1, owner.HolderCount);
        Assert.Equal(0, owner.Releases);
        buffer.Dispose();
        Assert.Equal(1, owner.Releases);
    }

    [Fact]
    public void TryLeaseAnswersNullOnceTheMemoryIsReleased()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = Wrap(owner);
        using (var lease = owner.TryLease())
        {
            Assert.NotNull(lease);
            Assert.Equal(2, owner.HolderCount);
        }
        buffer.Dispose();
        Assert.Equal(1, owner.Releases);
        Assert.Null(owner.TryLease());
        Assert.Equal(0, owner.HolderCount); // a refused lease adds nothing
        Assert.Equal(1, owner.Releases);
    }

    [Fact]
    public void AcquiringFromADisposedBufferThrowsAndTakesNothing()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = Wrap(owner);
        using var view = buffer.Slice(0, 1, null, 1); // the memory stays alive: only the buffer is disposed
        buffer.Dispose();
        Assert.Equal(nameof(NdBuffer), Assert.Throws<ObjectDisposedException>(buffer.AcquireLease).ObjectName);
        Assert.Equal(1, owner.HolderCount);
        Assert.Equal(0, owner.Releases);
    }

    [Fact]
    public void TheLastReleaseTellsTheOwnerWhetherItMayBlock()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = Wrap(owner);
        var lease = buffer.AcquireLease();
        buffer.Dispose();
        lease.Release(onFinalizerThread: true);
        Assert.Equal(1, owner.Releases);
        Assert.True(owner.OnFinalizerThread);
    }

    [Fact]
    public void ALeaseReleasedOnAnotherThreadRunsTheCallbackThere()
    {
        var memory = NativeMemory.AllocZeroed(64);
        var releasingThread = -1;
        var releases = 0;
        var buffer = NdBuffer.FromPointer(memory, 64, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([8], 8), 0,
            release: address =>
            {
                Interlocked.Increment(ref releases);
                releasingThread = Environment.CurrentManagedThreadId;
                NativeMemory.Free((void*)address);
            });
        var lease = buffer.AcquireLease();
        buffer.Dispose();
        Assert.Equal(0, releases);
        var thread = new Thread(() => lease.Dispose());
        thread.Start();
        thread.Join();
        Assert.Equal(1, releases);
        Assert.Equal(thread.ManagedThreadId, releasingThread);
    }

    [Fact]
    public void AReleaseCallbackThatThrowsStillReleasesTheLeaseOnce()
    {
        var memory = NativeMemory.AllocZeroed(8);
        var releases = 0;
        var buffer = NdBuffer.FromPointer(memory, 8, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([1], 8), 0,
            release: address =>
            {
                Interlocked.Increment(ref releases);
                NativeMemory.Free((void*)address);
                throw new InvalidOperationException("release failed");
            });
        var lease = buffer.AcquireLease();
        buffer.Dispose();
        Assert.Equal("release failed", Assert.Throws<InvalidOperationException>(() => lease.Release()).Message);
        Assert.True(lease.IsReleased);
        lease.Release();
        Assert.Equal(1, releases);
        Assert.Equal(0, buffer.Owner.HolderCount);
    }
}
