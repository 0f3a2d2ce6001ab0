namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary><c>const char *Py_GetVersion(void)</c>; callable before initialisation.</summary>
    internal static delegate* unmanaged<byte*> Py_GetVersion;

    /// <summary><c>void Py_SetProgramName(const wchar_t *name)</c>; before initialisation; the string must outlive the interpreter.</summary>
    internal static delegate* unmanaged<void*, void> Py_SetProgramName;

    /// <summary><c>void Py_InitializeEx(int initsigs)</c>.</summary>
    internal static delegate* unmanaged<int, void> Py_InitializeEx;

    /// <summary>
    /// <c>int Py_IsInitialized(void)</c>; no GIL needed. Called without a GC transition: it only reads a flag
    /// (never blocks, never calls back), and every release and outermost GIL scope asks it.
    /// </summary>
    internal static delegate* unmanaged[SuppressGCTransition]<int> Py_IsInitialized;

    /// <summary><c>int Py_FinalizeEx(void)</c>.</summary>
    internal static delegate* unmanaged<int> Py_FinalizeEx;

    /// <summary><c>PyThreadState *PyEval_SaveThread(void)</c>: releases the GIL.</summary>
    internal static delegate* unmanaged<nint> PyEval_SaveThread;

    /// <summary><c>void PyEval_RestoreThread(PyThreadState *tstate)</c>: takes the GIL.</summary>
    internal static delegate* unmanaged<nint, void> PyEval_RestoreThread;

    /// <summary><c>PyGILState_STATE PyGILState_Ensure(void)</c>; re-entrant, any thread.</summary>
    internal static delegate* unmanaged<int> PyGILState_Ensure;

    /// <summary><c>void PyGILState_Release(PyGILState_STATE state)</c>.</summary>
    internal static delegate* unmanaged<int, void> PyGILState_Release;

    /// <summary>
    /// <c>int PyGILState_Check(void)</c>: 1 when this thread holds the GIL (always 1 once a subinterpreter exists,
    /// which NdBridge does not support). Called without a GC transition: it reads a thread-local and a pointer.
    /// </summary>
    internal static delegate* unmanaged[SuppressGCTransition]<int> PyGILState_Check;

    private static void BindLifecycle(nint library)
    {
        Py_GetVersion = (delegate* unmanaged<byte*>)Export(library, nameof(Py_GetVersion));
        Py_SetProgramName = (delegate* unmanaged<void*, void>)Export(library, nameof(Py_SetProgramName));
        Py_InitializeEx = (delegate* unmanaged<int, void>)Export(library, nameof(Py_InitializeEx));
        Py_IsInitialized = (delegate* unmanaged[SuppressGCTransition]<int>)Export(library, nameof(Py_IsInitialized));
        Py_FinalizeEx = (delegate* unmanaged<int>)Export(library, nameof(Py_FinalizeEx));
        PyEval_SaveThread = (delegate* unmanaged<nint>)Export(library, nameof(PyEval_SaveThread));
        PyEval_RestoreThread = (delegate* unmanaged<nint, void>)Export(library, nameof(PyEval_RestoreThread));
        PyGILState_Ensure = (delegate* unmanaged<int>)Export(library, nameof(PyGILState_Ensure));
        PyGILState_Release = (delegate* unmanaged<int, void>)Export(library, nameof(PyGILState_Release));
        PyGILState_Check = (delegate* unmanaged[SuppressGCTransition]<int>)Export(library, nameof(PyGILState_Check));
    }
}
