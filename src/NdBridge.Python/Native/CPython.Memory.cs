namespace NdBridge.Python;

internal static unsafe partial class CPython
{
    /// <summary>
    /// <c>void *PyMem_RawCalloc(size_t nelem, size_t elsize)</c>: zeroed memory; no GIL needed, any thread. Called
    /// without a GC transition: the raw allocator is the C library's (or Python's debug hooks over it), which never
    /// calls back into .NET, and every import and DLPack export allocates one block with it.
    /// </summary>
    internal static delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*> PyMem_RawCalloc;

    /// <summary><c>void PyMem_RawFree(void *p)</c>: frees a <see cref="PyMem_RawCalloc"/> block; NULL is allowed; no GIL needed, any thread, also after finalisation.</summary>
    internal static delegate* unmanaged[SuppressGCTransition]<void*, void> PyMem_RawFree;

    private static void BindMemory(nint library)
    {
        PyMem_RawCalloc = (delegate* unmanaged[SuppressGCTransition]<nuint, nuint, void*>)Export(library, nameof(PyMem_RawCalloc));
        PyMem_RawFree = (delegate* unmanaged[SuppressGCTransition]<void*, void>)Export(library, nameof(PyMem_RawFree));
    }
}
