using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace NdBridge.Python.Tests.Export;

/// <summary>
/// Exports hold the .NET memory exactly as long as Python needs it: counted with the raw-pointer source's
/// release callback (frees), <see cref="MemoryDiagnostics"/> (pins, exports), <c>sys.getrefcount</c> and
/// <c>sys.getallocatedblocks()</c>, after forced GC.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class ExportLifetimeTests(ITestOutputHelper output)
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const int Threads = 4;
    private const int Cycles = 100_000;
    private const int Checkpoint = 10_000;
    private const long BlockGrowthBound = 64;
    // Measured growth outside the GC heap: 1-4 MiB run alone, whether the second phase runs 90,000 or 390,000 cycles,
    // up to 7 MiB inside the full suite (JIT tiering, thread and GC bookkeeping: not per cycle). The bounds catch a
    // leak of ~190 bytes per cycle; per-cycle memory is counted exactly instead: Python blocks, exports, owners,
    // pins, frees and the export state table.
    private const long NonGcRssGrowthBoundBytes = 16 << 20;
    private const long RssGrowthBoundBytes = 48 << 20;

    private static void ForceGc()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Python.DrainReleaseQueue();
    }

    // (RSS, RSS minus the .NET GC heap's committed bytes), after a forced GC.
    private static (long Rss, long NonGc) Rss()
    {
        var rss = long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (rss, rss - GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    [Fact]
    public void Memory_SurvivesDisposeOfTheBuffer_WhileNumPyHoldsIt_AndIsFreedAfterNumPyLetsGo()
    {
        var frees = 0;
        var releasingThread = 0;
        var native = (double*)NativeMemory.Alloc(6 * sizeof(double));
        for (var i = 0; i < 6; i++)
            native[i] = i;
        var buffer = NdBuffer.FromPointer(native, 6 * sizeof(double), BufferFormat.Parse("d"), StridedLayout.CreateContiguous([2, 3], 8), 0,
            release: p => { NativeMemory.Free((void*)p); frees++; releasingThread = Environment.CurrentManagedThreadId; });
        using var ns = Python.NewNamespace();
        ForceGc();
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        using (var array = buffer.ToNumPy())
            ns.SetItem("a", array);
        buffer.Dispose();
        ForceGc();
        Assert.Equal(0, frees);
        Assert.Equal(exportsBefore + 1, MemoryDiagnostics.LiveExportCount);
        Python.Exec("a[1, 2] = 99.0\nb = a[::-1]\n", ns);
        Assert.Equal(99.0, native[5]); // still the .NET memory, still alive
        Assert.Equal([3.0, 4.0, 99.0, 0.0, 1.0, 2.0], Python.EvalList<double>("b.ravel().tolist()", ns));
        Python.Exec("del a\n", ns);
        ForceGc();
        Assert.Equal(0, frees); // b (a view of a) still holds it
        // The last Python reference goes on another thread: the memory is freed there, inside the slot.
        var thread = new Thread(() => Python.Exec("del b\n", ns));
        thread.Start();
        thread.Join();
        Assert.Equal(1, frees);
        Assert.Equal(thread.ManagedThreadId, releasingThread);
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
    }

    [Fact]
    public void Memory_SurvivesTheFinalizerOfAnUndisposedBuffer_WhileAMemoryviewHoldsIt()
    {
        var frees = 0;
        using var ns = Python.NewNamespace();
        ForceGc();
        var pinsBefore = MemoryDiagnostics.LivePinCount;
        var values = new int[] { 7, 8, 9 };
        ExportToMemoryview(values, ns, () => frees++);
        ForceGc(); // the NdBuffer was never disposed: its finalizer releases only its own holder
        Assert.Equal(pinsBefore + 1, MemoryDiagnostics.LivePinCount);
        Assert.Equal([7L, 8L, 9L], Python.EvalList<long>("m.tolist()", ns));
        Python.Exec("m.release()\ndel m\n", ns);
        ForceGc();
        Assert.Equal(pinsBefore, MemoryDiagnostics.LivePinCount);
    }

    private static void ExportToMemoryview(int[] values, PythonObject ns, Action onRelease)
    {
        var buffer = NdBuffer.FromArray(values);
        using var export = buffer.ToPython();
        ns.SetItem("x", export);
        PythonFixture.Runtime.Exec("m = memoryview(x)\ndel x\n", ns);
        GC.KeepAlive(onRelease);
    }

    [Fact]
    public void HundredThousandCycles_FromFourThreads_AreBalanced_AndBounded()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np, sys\nasarray = np.asarray\n", ns);
        using var asarray = ns.GetItem("asarray");
        var frees = 0L;
        ForceGc();
        var exportsBefore = MemoryDiagnostics.LiveExportCount;
        var pinsBefore = MemoryDiagnostics.LivePinCount;
        var ownersBefore = MemoryDiagnostics.LiveOwnerCount;
        var liveObjectsBefore = PythonRuntime.LiveObjectCount;
        var pinned = new double[64];
        var native = (double*)NativeMemory.AllocZeroed(64 * sizeof(double));
        long typeRefs, asarrayRefs, blocksAtCheckpoint, blocksAtEnd;
        ForceGc();
        using (PythonGil.Acquire())
        {
            using (var warm = NdBuffer.FromArray(pinned))
                warm.ToPython().Dispose(); // makes the type
            typeRefs = RawPython.RefCount(BufferExportType.Type);
            asarrayRefs = RawPython.RefCount(asarray.DangerousGetBorrowedReference());
        }

        void Run(int cyclesPerThread, int thread)
        {
            for (var i = 0; i < cyclesPerThread; i++)
            {
                // Two sources alternate: a pinned array (pins) and a raw pointer with a release callback (frees).
                using var buffer = (i & 1) == 0
                    ? NdBuffer.FromArray(pinned, [8, 8], MemoryOrder.F)
                    : NdBuffer.FromPointer(native, 64 * sizeof(double), BufferFormat.Parse("d"), new StridedLayout([8, 4], [64, 16], 8), 0,
                        release: _ => Interlocked.Increment(ref frees));
                using var export = buffer.ToPython();
                using var array = asarray.Call(export); // export -> np.asarray -> release
                if (i % 5_000 == thread)
                    GC.Collect();
            }
        }

        // The same four threads run both phases; the main thread measures at the checkpoint while they wait.
        using var barrier = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            Run(Checkpoint / Threads, t);
            barrier.SignalAndWait();
            barrier.SignalAndWait();
            Run((Cycles - Checkpoint) / Threads, t);
        })).ToArray();
        var clock = Stopwatch.StartNew();
        foreach (var worker in workers)
            worker.Start();
        barrier.SignalAndWait();
        ForceGc();
        var (rssAtCheckpoint, nonGcAtCheckpoint) = Rss();
        using (PythonGil.Acquire())
            blocksAtCheckpoint = RawPython.SettledAllocatedBlocks();
        var tableAtCheckpoint = ExportTable.UsedIndexCount;
        barrier.SignalAndWait();
        foreach (var worker in workers)
            worker.Join();
        ForceGc();
        var (rssAtEnd, nonGcAtEnd) = Rss();
        using (PythonGil.Acquire())
        {
            blocksAtEnd = RawPython.SettledAllocatedBlocks();
            Assert.Equal(typeRefs, RawPython.RefCount(BufferExportType.Type));
            Assert.Equal(asarrayRefs, RawPython.RefCount(asarray.DangerousGetBorrowedReference()));
        }
        NativeMemory.Free(native);
        output.WriteLine($"{Cycles} cycles on {Threads} threads in {clock.Elapsed.TotalSeconds:F2} s; frees {frees}; " +
            $"allocated blocks {blocksAtCheckpoint} -> {blocksAtEnd} ({blocksAtEnd - blocksAtCheckpoint:+#;-#;0}); " +
            $"RSS {rssAtCheckpoint >> 10} KiB -> {rssAtEnd >> 10} KiB ({(rssAtEnd - rssAtCheckpoint) >> 10:+#;-#;0} KiB); " +
            $"RSS outside the .NET GC heap {nonGcAtCheckpoint >> 10} KiB -> {nonGcAtEnd >> 10} KiB ({(nonGcAtEnd - nonGcAtCheckpoint) >> 10:+#;-#;0} KiB)");
        Assert.Equal(Cycles / 2, frees);
        Assert.Equal(tableAtCheckpoint, ExportTable.UsedIndexCount); // states (and their native blocks) are recycled, not accumulated
        Assert.Equal(exportsBefore, MemoryDiagnostics.LiveExportCount);
        Assert.Equal(pinsBefore, MemoryDiagnostics.LivePinCount);
        Assert.Equal(ownersBefore, MemoryDiagnostics.LiveOwnerCount);
        Assert.Equal(liveObjectsBefore, PythonRuntime.LiveObjectCount);
        Assert.True(blocksAtEnd - blocksAtCheckpoint <= BlockGrowthBound, $"allocated blocks grew by {blocksAtEnd - blocksAtCheckpoint} between cycle {Checkpoint} and {Cycles}");
        Assert.True(nonGcAtEnd - nonGcAtCheckpoint <= NonGcRssGrowthBoundBytes, $"RSS outside the GC heap grew by {(nonGcAtEnd - nonGcAtCheckpoint) >> 10} KiB between cycle {Checkpoint} and {Cycles}");
        Assert.True(rssAtEnd - rssAtCheckpoint <= RssGrowthBoundBytes, $"RSS grew by {(rssAtEnd - rssAtCheckpoint) >> 10} KiB between cycle {Checkpoint} and {Cycles}");
    }
}
