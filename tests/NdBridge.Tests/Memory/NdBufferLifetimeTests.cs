using NdBridge.Tests.Support;
using Xunit.Abstractions;

namespace NdBridge.Tests.Memory;

/// <summary>Lifetimes by counting: every allocation is released exactly once, never while something still views it.</summary>
public sealed unsafe class NdBufferLifetimeTests(ITestOutputHelper output)
{
    private static readonly BufferFormat Int64 = BufferFormat.Of<long>();

    private static NdBuffer Wrap(TestAllocator allocator, int id, byte* block)
    {
        var layout = StridedLayout.CreateContiguous([4, 4], sizeof(long));
        return NdBuffer.FromPointer(block, 16 * sizeof(long), Int64, layout, 0, release: allocator.Release);
    }

    private static void AssertPattern(NdBuffer view, int id, string what)
    {
        // Every element of a view reads back the block's pattern: poison would mean it was freed under us.
        var block = view.ExtentStart;
        for (nint i = 0; i < view.Layout.Shape[0]; i++)
        {
            var element = (byte*)view.DangerousGetElementPointer(view.Rank == 1 ? [i] : [i, 0]);
            var byteOffset = (nint)(element - block);
            if (*element != TestAllocator.PatternOf(id, byteOffset))
                Assert.Fail($"{what}: block {id} byte {byteOffset} reads 0x{*element:x2}, expected 0x{TestAllocator.PatternOf(id, byteOffset):x2} (0xDD is poison: freed while viewed)");
        }
        GC.KeepAlive(view);
    }

    [Fact]
    public void HundredThousandBuffersAndViewsAcrossFourThreadsAreEachFreedExactlyOnce()
    {
        const int threadCount = 4;
        const int buffersPerThread = 25_000;
        const int total = threadCount * buffersPerThread;
        using var allocator = new TestAllocator(total);
        var viewsCreated = 0L;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            var random = new Random(1000 + t);
            long views = 0;
            try
            {
            for (var n = 0; n < buffersPerThread; n++)
            {
                var id = t * buffersPerThread + n;
                var buffer = Wrap(allocator, id, allocator.Allocate(id, 16 * sizeof(long)));
                var slice = buffer.Slice(0, 3, null, -1);
                var transposed = buffer.Transpose();
                var column = transposed.Index(1, 2);
                var row = column.AsReadOnly();
                column.Dispose();
                views += 4;
                switch (random.Next(4))
                {
                    case 0:
                        // The creator goes first: the views still hold the memory.
                        buffer.Dispose();
                        AssertPattern(slice, id, "slice after the creator was disposed");
                        AssertPattern(row, id, "row after the creator was disposed");
                        slice.Dispose();
                        transposed.Dispose();
                        AssertPattern(row, id, "last view");
                        Assert.Equal(0, allocator.ReleaseCountOf(id));
                        row.Dispose();
                        Assert.Equal(1, allocator.ReleaseCountOf(id));
                        break;
                    case 1:
                        // Views disposed, the creator left to its finalizer.
                        AssertPattern(transposed, id, "transposed");
                        slice.Dispose();
                        transposed.Dispose();
                        row.Dispose();
                        break;
                    case 2:
                        // Nothing disposed: finalizers release every holder.
                        AssertPattern(row, id, "row");
                        break;
                    default:
                        row.Dispose();
                        row.Dispose();
                        buffer.Dispose();
                        AssertPattern(slice, id, "slice");
                        break;
                }
                if (n % 5_000 == 0)
                    GC.Collect();
            }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
            Interlocked.Add(ref viewsCreated, views);
        })).ToList();
        threads.ForEach(thread => thread.Start());
        threads.ForEach(thread => thread.Join());
        Assert.Empty(failures);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (allocator.Releases < total && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        output.WriteLine($"{allocator.Allocations} allocations, {total + viewsCreated} buffers and views, {allocator.Releases} releases");
        Assert.Equal(total, allocator.Allocations);
        Assert.Equal(total, allocator.Releases);
        Assert.True(allocator.AllReleasedExactlyOnce(total, out var problem), problem);
    }

    [Fact]
    public void DisposingTheCreatorWhileAViewLivesReleasesOnlyItsHolder()
    {
        using var allocator = new TestAllocator(1);
        var buffer = Wrap(allocator, 0, allocator.Allocate(0, 16 * sizeof(long)));
        var owner = buffer.Owner;
        Assert.Equal(1, owner.HolderCount);
        var view = buffer.Transpose();
        Assert.Equal(2, owner.HolderCount);
        buffer.Dispose();
        buffer.Dispose();
        Assert.True(buffer.IsDisposed);
        Assert.Equal(1, owner.HolderCount);
        Assert.Equal(0, allocator.ReleaseCountOf(0));
        Assert.Throws<ObjectDisposedException>(() => buffer.Slice(0, 0, 1));
        Assert.Throws<ObjectDisposedException>(() => buffer.DangerousGetPointer());
        AssertPattern(view, 0, "view");
        view.Dispose();
        Assert.Equal(0, owner.HolderCount);
        Assert.False(owner.IsAlive);
        Assert.Equal(1, allocator.ReleaseCountOf(0));
    }

    [Fact]
    public void AcquireIsIncrementIfNonZero()
    {
        using var allocator = new TestAllocator(1);
        var buffer = Wrap(allocator, 0, allocator.Allocate(0, 16 * sizeof(long)));
        var owner = buffer.Owner;
        Assert.True(buffer.TryAcquireOwner());
        Assert.Equal(2, owner.HolderCount);
        buffer.Dispose();
        Assert.False(buffer.TryAcquireOwner());
        Assert.Equal(0, allocator.ReleaseCountOf(0));
        owner.Release();
        Assert.Equal(1, allocator.ReleaseCountOf(0));
        Assert.False(owner.TryAcquire());
        Assert.Equal(0, owner.HolderCount);
        Assert.Throws<InvalidOperationException>(() => owner.Release());
        Assert.Equal(1, allocator.ReleaseCountOf(0));
    }

    [Fact]
    public void ConcurrentAcquireAndReleaseReleaseTheMemoryOnce()
    {
        using var allocator = new TestAllocator(200);
        for (var id = 0; id < 200; id++)
        {
            var buffer = Wrap(allocator, id, allocator.Allocate(id, 16 * sizeof(long)));
            var owner = buffer.Owner;
            using var start = new Barrier(4);
            var workers = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                for (var k = 0; k < 200; k++)
                {
                    if (owner.TryAcquire())
                        owner.Release();
                }
            })).ToList();
            workers.ForEach(worker => worker.Start());
            start.SignalAndWait();
            buffer.Dispose();
            workers.ForEach(worker => worker.Join());
            Assert.Equal(1, allocator.ReleaseCountOf(id));
            Assert.False(owner.TryAcquire());
        }
    }

    [Fact]
    public void AnUndisposedBufferIsReleasedByItsFinalizer()
    {
        using var allocator = new TestAllocator(1);
        var weak = CreateAndDrop(allocator);
        for (var attempt = 0; attempt < 10 && allocator.Releases == 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(weak.IsAlive);
        Assert.Equal(1, allocator.ReleaseCountOf(0));
    }

    [Fact]
    public void RecycledGuards_ReleaseAnUndisposedBufferOnce_AndNeverADisposedOne()
    {
        const int disposedCount = 1_000;
        using var allocator = new TestAllocator(disposedCount + 1);
        var createdDuring = 0;
        WeakReference? undisposed = null;
        var thread = new Thread(() =>
        {
            // Warm this thread's pool, and age its guards into the oldest generation as a long-running thread's are.
            var warm = Enumerable.Range(0, 4).Select(id => Wrap(allocator, id, allocator.Allocate(id, 16 * sizeof(long)))).ToList();
            warm.ForEach(buffer => buffer.Dispose());
            GC.Collect();
            GC.Collect();
            var createdBefore = HolderGuard.CreatedOnThisThread;
            for (var id = 4; id < disposedCount; id++)
            {
                using var buffer = Wrap(allocator, id, allocator.Allocate(id, 16 * sizeof(long)));
                buffer.Transpose().Dispose();
            }
            undisposed = CreateAndDrop(allocator, disposedCount);
            createdDuring = HolderGuard.CreatedOnThisThread - createdBefore;
        });
        thread.Start();
        thread.Join();
        Assert.All(Enumerable.Range(0, disposedCount), id => Assert.Equal(1, allocator.ReleaseCountOf(id)));
        Assert.Equal(0, allocator.ReleaseCountOf(disposedCount));
        // The 1,992 buffers and views made and disposed in turn, and the two left undisposed, took guards from the pool.
        Assert.Equal(0, createdDuring);
        for (var attempt = 0; attempt < 10 && allocator.ReleaseCountOf(disposedCount) == 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(undisposed!.IsAlive);
        Assert.True(allocator.AllReleasedExactlyOnce(disposedCount + 1, out var problem), problem);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference CreateAndDrop(TestAllocator allocator, int id = 0)
    {
        var buffer = Wrap(allocator, id, allocator.Allocate(id, 16 * sizeof(long)));
        var view = buffer.Slice(1, 0, 2);
        return new WeakReference(view);
    }
}
