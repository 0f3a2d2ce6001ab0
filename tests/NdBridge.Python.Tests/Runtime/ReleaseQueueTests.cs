using System.Runtime.CompilerServices;

namespace NdBridge.Python.Tests.Runtime;

/// <summary>Finalizers never take the GIL: they queue; the queue drains on scope entry and on request.</summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class ReleaseQueueTests
{
    private const int Count = 1_000;

    [Fact]
    public void FinalizedObjects_AreQueuedWhileTheGilIsHeld_AndReleasedByTheNextScopeEntry()
    {
        var runtime = PythonFixture.Runtime;
        using var target = runtime.Eval("object()");
        // This thread holds the GIL throughout: a finalizer that tried to take it would hang the test.
        using var gil = PythonGil.Acquire();
        var raw = target.DangerousGetBorrowedReference();
        var baseline = RawPython.RefCount(raw);

        Abandon(raw, Count);
        Assert.Equal(baseline + Count, RawPython.RefCount(raw));
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.Equal(baseline + Count, RawPython.RefCount(raw)); // finalised, but not released yet
        Assert.True(PythonRuntime.PendingReleaseCount >= Count, $"only {PythonRuntime.PendingReleaseCount} queued");
        using (PythonGil.Acquire())
        {
            // entering a (nested) scope drained the queue
        }
        Assert.Equal(baseline, RawPython.RefCount(raw));
    }

    [Fact]
    public void DrainReleaseQueue_ReleasesWhatFinalizersQueued()
    {
        var runtime = PythonFixture.Runtime;
        using var target = runtime.Eval("object()");
        nint raw;
        long baseline;
        using (PythonGil.Acquire())
        {
            raw = target.DangerousGetBorrowedReference();
            baseline = RawPython.RefCount(raw);
        }
        Abandon(raw, Count);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.True(runtime.DrainReleaseQueue() >= Count);
        Assert.Equal(0, PythonRuntime.PendingReleaseCount);
        using (PythonGil.Acquire())
            Assert.Equal(baseline, RawPython.RefCount(raw));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(nint raw, int count)
    {
        for (var i = 0; i < count; i++)
            _ = PythonObject.FromBorrowedReference(raw); // never disposed
    }

    private static long s_releasedState;
    private static int s_releasedWithGil;

    private static void RecordRelease(nint state)
    {
        Interlocked.Add(ref s_releasedState, state);
        if (PythonGil.IsHeldByCurrentThread)
            Interlocked.Increment(ref s_releasedWithGil);
    }

    [Fact]
    public void Release_OfAnyDependent_RunsWithTheGil_NowOrAtTheNextDrainWhenFromAFinalizer()
    {
        var runtime = PythonFixture.Runtime;
        GC.Collect(); // nothing else may be queued or drained during the counts below
        GC.WaitForPendingFinalizers();
        runtime.DrainReleaseQueue();
        s_releasedState = 0;
        s_releasedWithGil = 0;
        var liveBefore = PythonRuntime.LiveObjectCount;

        PythonRuntime.RegisterDependent();
        PythonRuntime.RegisterDependent();
        Assert.Equal(liveBefore + 2, PythonRuntime.LiveObjectCount);
        PythonRuntime.Release(5, &RecordRelease, fromFinalizer: false);
        Assert.Equal(5, s_releasedState);
        Assert.Equal(liveBefore + 1, PythonRuntime.LiveObjectCount);

        PythonRuntime.Release(37, &RecordRelease, fromFinalizer: true);
        Assert.Equal(5, s_releasedState);                    // only queued
        Assert.Equal(liveBefore + 1, PythonRuntime.LiveObjectCount); // still counted until performed
        Assert.Equal(1, runtime.DrainReleaseQueue());
        Assert.Equal(42, s_releasedState);
        Assert.Equal(2, s_releasedWithGil);
        Assert.Equal(liveBefore, PythonRuntime.LiveObjectCount);
    }
}
