namespace NdBridge.Python;

/// <summary>
/// Holds the GIL for the current .NET thread: <c>using var gil = PythonGil.Acquire();</c>.
/// Re-entrant (nested scopes on one thread are cheap) and usable from any thread. A <c>ref struct</c>,
/// so the compiler refuses to keep one across an <c>await</c>; disposing it on another thread throws.
/// </summary>
/// <remarks>
/// Every entry first drains the queue of Python references that finalizers released (finalizers never
/// take the GIL). Never acquire the GIL while holding a .NET lock that a GIL holder might wait for.
/// As always in CPython, Python code run inside the scope may let other threads take the GIL between
/// bytecode instructions; .NET code inside the scope is never interrupted that way.
/// </remarks>
public ref struct PythonGil
{
    private readonly int _threadId;
    private readonly int _depth;
    private readonly int _gilState; // PyGILState_STATE of this level's PyGILState_Ensure, or -1 when the level found the GIL held and ensured nothing
    private bool _held;

    internal PythonGil(int threadId, int depth, int gilState)
    {
        _threadId = threadId;
        _depth = depth;
        _gilState = gilState;
        _held = true;
    }

    /// <summary>Takes the GIL for this thread, or deepens this thread's hold on it (and takes it back if C code inside an outer scope released it).</summary>
    /// <exception cref="InvalidOperationException">No interpreter is running (never initialised, shut down, or finalised by its host).</exception>
    public static PythonGil Acquire() => PythonRuntime.EnterScope();

    /// <summary>True when this thread is inside a <see cref="PythonGil"/> scope.</summary>
    public static bool IsHeldByCurrentThread => PythonRuntime.ScopeDepth > 0;

    /// <summary>Leaves the scope; the GIL goes back to the state this scope found it in.</summary>
    /// <exception cref="InvalidOperationException">Called on another thread than the one that acquired, or out of nesting order.</exception>
    public void Dispose()
    {
        if (!_held)
            return;
        PythonRuntime.LeaveScope(_threadId, _depth, _gilState);
        _held = false;
    }
}
