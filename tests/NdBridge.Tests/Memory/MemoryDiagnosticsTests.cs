namespace NdBridge.Tests.Memory;

[CollectionDefinition(nameof(GlobalCounters), DisableParallelization = true)]
public sealed class GlobalCounters;

/// <summary>
/// The process-wide counters move with every buffer: this class runs alone (after the parallel tests), flushes
/// pending finalizers, and checks exact differences.
/// </summary>
[Collection(nameof(GlobalCounters))]
public sealed class MemoryDiagnosticsTests
{
    private static void Quiesce()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public void CountersFollowOwnersHoldersPinsAndAllocations()
    {
        Quiesce();
        var owners = MemoryDiagnostics.LiveOwnerCount;
        var holders = MemoryDiagnostics.LiveHolderCount;
        var pins = MemoryDiagnostics.LivePinCount;
        var natives = MemoryDiagnostics.LiveNativeAllocationCount;

        var array = NdBuffer.FromArray(new double[8]);
        var memory = NdBuffer.FromMemory(new int[4].AsMemory(), [4]);
        var native = NdBuffer.Allocate<float>([3, 3]);
        var view = array.Transpose();
        Assert.Equal(owners + 3, MemoryDiagnostics.LiveOwnerCount);
        Assert.Equal(holders + 4, MemoryDiagnostics.LiveHolderCount);
        Assert.Equal(pins + 2, MemoryDiagnostics.LivePinCount);
        Assert.Equal(natives + 1, MemoryDiagnostics.LiveNativeAllocationCount);

        array.Dispose();
        Assert.Equal(pins + 2, MemoryDiagnostics.LivePinCount);
        Assert.Equal(holders + 3, MemoryDiagnostics.LiveHolderCount);
        view.Dispose();
        memory.Dispose();
        native.Dispose();
        Assert.Equal(owners, MemoryDiagnostics.LiveOwnerCount);
        Assert.Equal(holders, MemoryDiagnostics.LiveHolderCount);
        Assert.Equal(pins, MemoryDiagnostics.LivePinCount);
        Assert.Equal(natives, MemoryDiagnostics.LiveNativeAllocationCount);
    }

    [Fact]
    public void CountsMadeOnThreadsThatExited_StayInTheTotals_AndTheirSlotsAreFolded()
    {
        Quiesce();
        var natives = MemoryDiagnostics.LiveNativeAllocationCount;
        var owners = MemoryDiagnostics.LiveOwnerCount;
        var registeredBefore = ThreadSummedCounters.RegisteredThreadCount;
        const int threadCount = 64;
        var outlived = new NdBuffer[threadCount];
        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            NdBuffer.Allocate<double>([8]).Dispose(); // counted and uncounted on this thread
            outlived[t] = NdBuffer.Allocate<double>([8]); // counted here, uncounted on the test's thread
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        Assert.True(ThreadSummedCounters.RegisteredThreadCount >= registeredBefore + threadCount,
            $"{ThreadSummedCounters.RegisteredThreadCount} threads registered, {registeredBefore} before {threadCount} new ones counted");
        Quiesce(); // the exited threads' trackers are finalised: their slots fold into the remainder
        Assert.True(ThreadSummedCounters.RegisteredThreadCount < registeredBefore + threadCount,
            $"{ThreadSummedCounters.RegisteredThreadCount} threads registered after {threadCount} exited ({registeredBefore} before)");
        Assert.Equal(natives + threadCount, MemoryDiagnostics.LiveNativeAllocationCount);
        Assert.Equal(owners + threadCount, MemoryDiagnostics.LiveOwnerCount);
        foreach (var buffer in outlived)
            buffer.Dispose();
        Assert.Equal(natives, MemoryDiagnostics.LiveNativeAllocationCount);
        Assert.Equal(owners, MemoryDiagnostics.LiveOwnerCount);
    }

    [Fact]
    public void UndisposedBuffersAreUnpinnedByTheirFinalizers()
    {
        Quiesce();
        var pins = MemoryDiagnostics.LivePinCount;
        var natives = MemoryDiagnostics.LiveNativeAllocationCount;
        CreateAndDrop();
        Assert.Equal(pins + 100, MemoryDiagnostics.LivePinCount);
        Assert.Equal(natives + 100, MemoryDiagnostics.LiveNativeAllocationCount);
        Quiesce();
        Assert.Equal(pins, MemoryDiagnostics.LivePinCount);
        Assert.Equal(natives, MemoryDiagnostics.LiveNativeAllocationCount);
    }

    [Fact]
    public void ExportsAreCountedByTheirLeases()
    {
        var exports = MemoryDiagnostics.LiveExportCount;
        var holders = MemoryDiagnostics.LiveHolderCount;
        using var buffer = NdBuffer.FromArray(new byte[4]);
        var lease = buffer.AcquireLease();
        var another = buffer.Owner.TryLease()!;
        Assert.Equal(exports + 2, MemoryDiagnostics.LiveExportCount);
        Assert.Equal(holders + 3, MemoryDiagnostics.LiveHolderCount);
        var releaser = new Thread(() =>
        {
            lease.Release();
            lease.Release(); // once only
        });
        releaser.Start();
        releaser.Join();
        Assert.Equal(exports + 1, MemoryDiagnostics.LiveExportCount);
        another.Dispose();
        Assert.Equal(exports, MemoryDiagnostics.LiveExportCount);
        Assert.Equal(holders + 1, MemoryDiagnostics.LiveHolderCount);
        Assert.Equal(1, buffer.Owner.HolderCount);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void CreateAndDrop()
    {
        for (var i = 0; i < 100; i++)
        {
            _ = NdBuffer.FromArray(new long[16], [4, 4]).Slice(0, 1, 3);
            _ = NdBuffer.Allocate<byte>([32]).Transpose();
        }
    }
}
