using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// The one CPython interpreter of this process: located, loaded <c>RTLD_GLOBAL</c>, and either initialised
/// by NdBridge (which then releases the GIL) or attached to when another host already initialised it.
/// </summary>
/// <remarks>
/// <para>Shutdown policy: <see cref="Shutdown"/> <b>refuses</b> while any <see cref="PythonObject"/> is alive
/// (not yet disposed or finalised) or while a GIL scope is open, and names how many. An interpreter NdBridge
/// finalised is never initialised again in this process (NumPy and other extension modules cannot be
/// re-initialised); an attached runtime only detaches and leaves the interpreter to its host. Releasing a
/// reference after the interpreter was finalised (say, by the host) is a no-op.</para>
/// </remarks>
public sealed unsafe partial class PythonRuntime
{
    private static readonly Lock s_gate = new();
    private static PythonRuntime? s_current;
    private static bool s_finalizedByNdBridge;

    private readonly nint _mainThreadState;
    private readonly int _initializingThreadId;
    private volatile bool _running = true;

    private PythonRuntime(PythonInstallation installation, bool isAttached, nint mainThreadState)
    {
        Installation = installation;
        IsAttached = isAttached;
        _mainThreadState = mainThreadState;
        _initializingThreadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The interpreter that was located and loaded.</summary>
    public PythonInstallation Installation { get; }

    /// <summary>True when another host had initialised the interpreter and NdBridge attached to it.</summary>
    public bool IsAttached { get; }

    /// <summary>True until <see cref="Shutdown"/> succeeds.</summary>
    public bool IsRunning => _running;

    /// <summary>The running runtime.</summary>
    /// <exception cref="InvalidOperationException">None was initialised, or it was shut down.</exception>
    public static PythonRuntime Current
    {
        get
        {
            var current = s_current;
            if (current is null || !current._running)
                ThrowHelper.ThrowPythonNotRunning();
            return current;
        }
    }

    /// <summary>
    /// Locates and loads CPython, then initialises it and releases the GIL, or attaches when it is
    /// already initialised in this process. Calling it again while running returns the same runtime.
    /// </summary>
    /// <param name="options">Where the interpreter is; null: <c>NDBRIDGE_PYTHON</c>, then <c>python3</c> on <c>PATH</c>.</param>
    /// <exception cref="PythonNotFoundException">No usable Python; the message lists every path tried.</exception>
    /// <exception cref="InvalidOperationException">NdBridge already finalised an interpreter in this process, or a different one is running.</exception>
    public static PythonRuntime Initialize(PythonRuntimeOptions? options = null)
    {
        lock (s_gate)
        {
            if (s_current is { _running: true } running)
            {
                if (options?.PythonPath is { } requested && !IsSameInterpreter(running.Installation, requested))
                    ThrowHelper.ThrowInvalidOperation($"A different Python is already running in this process ({running.Installation.LibraryPath}); one interpreter per process.");
                return running;
            }
            if (s_finalizedByNdBridge)
                ThrowHelper.ThrowInvalidOperation("NdBridge already finalised the Python interpreter in this process; CPython extension modules such as NumPy cannot be initialised twice in one process.");

            var installation = PythonInstallation.Locate(options?.PythonPath);
            if (!DynamicLibrary.TryOpenGlobal(installation.LibraryPath, out var library, out var error))
                ThrowHelper.ThrowInvalidOperation($"{installation.LibraryPath} was located but cannot be loaded: {error}");
            CPython.Bind(library);

            unsafe
            {
                if (CPython.Py_IsInitialized() != 0)
                    return s_current = new PythonRuntime(installation, isAttached: true, mainThreadState: 0);

                if (installation.ExecutablePath is { } executable)
                    CPython.Py_SetProgramName(PermanentWideString(executable)); // getpath finds a venv's pyvenv.cfg next to it
                CPython.Py_InitializeEx(0); // 0: leave signal handlers to .NET
                var mainThreadState = CPython.PyEval_SaveThread();
                return s_current = new PythonRuntime(installation, isAttached: false, mainThreadState);
            }
        }
    }

    /// <summary>
    /// Finalises the interpreter (or, when attached, detaches and leaves it running for its host).
    /// Refuses while NdBridge objects that need the interpreter are alive: dispose them first.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// <see cref="PythonObject"/>s are alive, a GIL scope is open, or it is called on another thread than
    /// the one that initialised the interpreter.
    /// </exception>
    public void Shutdown()
    {
        if (ScopeDepth > 0)
            ThrowHelper.ThrowInvalidOperation("Shutdown was called inside a PythonGil scope; leave every scope first.");
        if (_running)
            DrainReleaseQueue();

        lock (s_gate)
        {
            if (!_running)
                return;
            if (!IsAttached && Environment.CurrentManagedThreadId != _initializingThreadId)
                ThrowHelper.ThrowInvalidOperation("Shutdown must run on the thread that initialised the interpreter.");
            var live = Interlocked.Read(ref s_liveObjects);
            if (live > 0)
                ThrowHelper.ThrowInvalidOperation($"Python cannot be shut down: {live} PythonObject(s) or other NdBridge objects holding Python references are still alive. Dispose them first (finalizers only queue their release).");
            _running = false;
            if (Volatile.Read(ref s_openScopes) > 0)
            {
                _running = true;
                ThrowHelper.ThrowInvalidOperation("Python cannot be shut down: GIL scopes are open on other threads.");
            }
            if (IsAttached)
                return;
            s_finalizedByNdBridge = true;
        }

        unsafe
        {
            CPython.PyEval_RestoreThread(_mainThreadState);
            _ = CPython.Py_FinalizeEx();
        }
    }

    /// <summary>NdBridge objects that hold Python references and have not released them yet (<see cref="PythonObject"/>s, queued releases included).</summary>
    public static long LiveObjectCount => Interlocked.Read(ref s_liveObjects);

    private static bool IsSameInterpreter(PythonInstallation running, string requested) =>
        requested == running.LibraryPath || requested == running.ExecutablePath
        || (running.ExecutablePath is { } e && Path.GetFullPath(requested) == Path.GetFullPath(e));

    private static unsafe void* PermanentWideString(string value)
    {
        // wchar_t is UTF-16 on Windows and UTF-32 elsewhere; CPython keeps the pointer, so it is never freed.
        var encoding = OperatingSystem.IsWindows() ? Encoding.Unicode : Encoding.UTF32;
        var bytes = encoding.GetBytes(value + "\0");
        var native = NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(native, bytes.Length)); // native holds bytes.Length bytes
        return native;
    }
}
