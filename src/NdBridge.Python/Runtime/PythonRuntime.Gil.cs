using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace NdBridge.Python;

public sealed unsafe partial class PythonRuntime
{
    [ThreadStatic] private static int t_depth;

    // Environment.CurrentManagedThreadId, read once per thread: beside t_depth, so a scope entry or exit finds
    // both through one thread-static lookup. 0 until the thread's first scope (managed thread ids start at 1).
    [ThreadStatic] private static int t_threadId;

    private static readonly ConcurrentQueue<PendingRelease> s_releaseQueue = new();
    private static int s_queuedReleases; // s_releaseQueue's count as one field: the check on every scope entry is one read
    private static long s_liveObjects;
    private static int s_openScopes;

    internal static int ScopeDepth => t_depth;

    // A nested scope's state when the GIL was already this thread's: nothing to release (PyGILState_STATE is 0 or 1).
    private const int GilAlreadyHeld = -1;

    // Kept free of exception handling (the drain's is in DrainOnEntry): every handoff enters two scopes.
    internal static unsafe PythonGil EnterScope(bool drain = true)
    {
        int gilState;
        if (t_depth == 0)
        {
            EnterOutermost();
            gilState = CPython.PyGILState_Ensure();
        }
        else
        {
            // A nested level ensures the GIL only when this thread lost it: C code inside the outer scope may have
            // released it and called back into .NET (ctypes foreign calls do).
            gilState = CPython.PyGILState_Check() != 0 ? GilAlreadyHeld : CPython.PyGILState_Ensure();
        }
        var depth = ++t_depth;
        var threadId = t_threadId;
        if (threadId == 0)
            t_threadId = threadId = Environment.CurrentManagedThreadId;
        if (drain && Volatile.Read(ref s_queuedReleases) != 0)
            DrainOnEntry(threadId, depth, gilState);
        return new PythonGil(threadId, depth, gilState);
    }

    /// <summary>
    /// A scope for NdBridge's own short operations: none (a default <see cref="PythonGil"/>, nothing to leave) when
    /// this thread is inside a scope and holds the GIL, so the common nested case costs one check, not a level.
    /// </summary>
    internal static PythonGil EnterScopeUnlessHeld() =>
        t_depth > 0 && CPython.PyGILState_Check() != 0 ? default : EnterScope();

    private static void EnterOutermost()
    {
        // Counted before the check, so Shutdown sees this scope or this scope sees the shutdown.
        Interlocked.Increment(ref s_openScopes);
        if (InterpreterGone())
        {
            Interlocked.Decrement(ref s_openScopes);
            ThrowHelper.ThrowPythonNotRunning();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DrainOnEntry(int threadId, int depth, int gilState)
    {
        try
        {
            DrainQueueHoldingGil();
        }
        catch
        {
            LeaveScope(threadId, depth, gilState); // never leave the GIL held by a scope nobody owns
            throw;
        }
    }

    internal static unsafe void LeaveScope(int threadId, int depth, int gilState)
    {
        // t_threadId is this thread's id once it entered a scope, 0 before: another thread's scope never matches.
        if (threadId != t_threadId)
            ThrowHelper.ThrowInvalidOperation("A PythonGil scope was disposed on another thread than the one that acquired it.");
        if (depth != t_depth)
            ThrowHelper.ThrowInvalidOperation($"PythonGil scopes must be disposed in reverse order (disposing depth {depth}, current depth {t_depth}).");
        if (gilState != GilAlreadyHeld)
            CPython.PyGILState_Release(gilState);
        if (--t_depth == 0)
            Interlocked.Decrement(ref s_openScopes);
    }

    /// <summary>
    /// Releases the Python references that finalizers queued (they never take the GIL). Also done on
    /// every <see cref="PythonGil"/> entry.
    /// </summary>
    /// <returns>How many references were released.</returns>
    public int DrainReleaseQueue()
    {
        using var gil = EnterScope(drain: false);
        return DrainQueueHoldingGil();
    }

    /// <summary>Runs the queued releases when there are any (a hosted call's entry: one field read otherwise). Needs the GIL.</summary>
    internal static void DrainQueuedReleases()
    {
        if (Volatile.Read(ref s_queuedReleases) != 0)
        {
            using var gil = EnterScope();
        }
    }

    /// <summary>Releases finalizers queued that no scope entry has performed yet.</summary>
    public static int PendingReleaseCount => s_releaseQueue.Count;

    private static int DrainQueueHoldingGil()
    {
        var released = 0;
        while (s_releaseQueue.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref s_queuedReleases);
            pending.Release(pending.State);
            Interlocked.Decrement(ref s_liveObjects);
            released++;
        }
        return released;
    }

    /// <summary>
    /// Counts one more NdBridge object that needs the interpreter (a <see cref="PythonObject"/>, an import's
    /// held <c>Py_buffer</c>, ...): <see cref="Shutdown"/> refuses while any is alive. Pair with <see cref="Release"/>.
    /// </summary>
    internal static void RegisterDependent() => Interlocked.Increment(ref s_liveObjects);

    /// <summary>
    /// Runs <paramref name="release"/>(<paramref name="state"/>) with the GIL held and unregisters one dependent.
    /// From a finalizer it is only queued (finalizers never take the GIL): the next scope entry or
    /// <see cref="DrainReleaseQueue"/> runs it. After the interpreter was finalised it is a no-op.
    /// </summary>
    /// <param name="state">What to release: a <c>PyObject*</c>, a native <c>Py_buffer*</c>, ...</param>
    /// <param name="release">A static method that must not throw; called with the GIL held.</param>
    /// <param name="fromFinalizer">True on the finalizer thread.</param>
    internal static void Release(nint state, delegate*<nint, void> release, bool fromFinalizer)
    {
        if (InterpreterGone())
        {
            // Shut down, or finalised by its host: nothing to release into.
            Interlocked.Decrement(ref s_liveObjects);
            return;
        }
        if (fromFinalizer)
        {
            s_releaseQueue.Enqueue(new PendingRelease(state, release));
            Interlocked.Increment(ref s_queuedReleases); // after the enqueue: a scope that sees it finds the item
            return;
        }
        using var gil = EnterScopeUnlessHeld();
        release(state);
        Interlocked.Decrement(ref s_liveObjects);
    }

    /// <summary>
    /// Drops a reference that a Python-side holder owns (a DLPack tensor's keeper), on any thread, GIL or not: like
    /// <see cref="Release"/>, but not counted as a dependent, since Python, not .NET code, decides when it goes. After
    /// the interpreter is gone it is dropped with it. Never from a finalizer.
    /// </summary>
    internal static void DecRefFromAnyThread(nint reference)
    {
        if (InterpreterGone())
            return;
        using var gil = EnterScopeUnlessHeld();
        CPython.Py_DecRef(reference);
    }

    // No interpreter to release into: none started, shut down, or finalised by its host.
    private static bool InterpreterGone() => s_current is not { _running: true } || CPython.Py_IsInitialized() == 0;

    /// <summary>The release of one owned reference (<c>Py_DecRef</c>), for <see cref="Release"/>.</summary>
    internal static void DecRef(nint reference) => CPython.Py_DecRef(reference);

    private readonly struct PendingRelease(nint state, delegate*<nint, void> release)
    {
        public readonly nint State = state;
        public readonly delegate*<nint, void> Release = release;
    }
}
