using System.Collections.Concurrent;

namespace NdBridge.Python;

public sealed unsafe partial class PythonRuntime
{
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static int t_gilState;

    private static readonly ConcurrentQueue<nint> s_releaseQueue = new();
    private static long s_liveObjects;
    private static int s_openScopes;

    internal static int ScopeDepth => t_depth;

    internal static unsafe PythonGil EnterScope(bool drain = true)
    {
        if (t_depth == 0)
        {
            // Counted before the check, so Shutdown sees this scope or this scope sees the shutdown.
            Interlocked.Increment(ref s_openScopes);
            var current = s_current;
            if (current is null || !current._running || CPython.Py_IsInitialized() == 0)
            {
                Interlocked.Decrement(ref s_openScopes);
                ThrowHelper.ThrowPythonNotRunning();
            }
            t_gilState = CPython.PyGILState_Ensure();
        }
        var depth = ++t_depth;
        if (drain && !s_releaseQueue.IsEmpty)
            DrainQueueHoldingGil();
        return new PythonGil(Environment.CurrentManagedThreadId, depth);
    }

    internal static unsafe void LeaveScope(int threadId, int depth)
    {
        if (threadId != Environment.CurrentManagedThreadId)
            ThrowHelper.ThrowInvalidOperation("A PythonGil scope was disposed on another thread than the one that acquired it.");
        if (depth != t_depth)
            ThrowHelper.ThrowInvalidOperation($"PythonGil scopes must be disposed in reverse order (disposing depth {depth}, current depth {t_depth}).");
        if (--t_depth == 0)
        {
            CPython.PyGILState_Release(t_gilState);
            Interlocked.Decrement(ref s_openScopes);
        }
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

    /// <summary>References finalizers queued and no scope entry has released yet.</summary>
    public static int PendingReleaseCount => s_releaseQueue.Count;

    private static unsafe int DrainQueueHoldingGil()
    {
        var released = 0;
        while (s_releaseQueue.TryDequeue(out var reference))
        {
            CPython.Py_DecRef(reference);
            Interlocked.Decrement(ref s_liveObjects);
            released++;
        }
        return released;
    }

    internal static void OnReferenceAcquired() => Interlocked.Increment(ref s_liveObjects);

    /// <summary>Drops one owned reference; from a finalizer it is only queued.</summary>
    internal static unsafe void ReleaseReference(nint reference, bool fromFinalizer)
    {
        var current = s_current;
        if (current is null || !current._running || CPython.Py_IsInitialized() == 0)
        {
            // The interpreter is gone (shut down, or finalised by its host): nothing to release.
            Interlocked.Decrement(ref s_liveObjects);
            return;
        }
        if (fromFinalizer)
        {
            s_releaseQueue.Enqueue(reference);
            return;
        }
        if (t_depth > 0)
        {
            CPython.Py_DecRef(reference);
            Interlocked.Decrement(ref s_liveObjects);
            return;
        }
        using var gil = EnterScope();
        CPython.Py_DecRef(reference);
        Interlocked.Decrement(ref s_liveObjects);
    }
}
