namespace NdBridge.Python;

/// <summary>
/// Holds an imported DLPack tensor (from a capsule renamed <c>used_…</c>): when the last holder goes, the
/// producer's deleter is called exactly once, with the GIL held (producers written in Python need it), and
/// from the finalizer only queued (<see cref="PythonRuntime.Release"/>).
/// </summary>
internal sealed unsafe class DLPackTensorOwner : NdMemoryOwner
{
    // Managed tensors are pointer-aligned, so bit 0 of the state carries "versioned".
    private const nint VersionedTag = 1;

    private readonly nint _state;

    /// <summary>Takes over the tensor; the caller has already renamed its capsule.</summary>
    internal DLPackTensorOwner(void* managedTensor, bool versioned)
    {
        _state = (nint)managedTensor | (versioned ? VersionedTag : 0);
        PythonRuntime.RegisterDependent();
    }

    protected override void ReleaseMemory(bool onFinalizerThread) =>
        PythonRuntime.Release(_state, &CallDeleter, onFinalizerThread);

    /// <summary>Calls the deleter of a tagged tensor pointer (see <see cref="VersionedTag"/>). GIL held.</summary>
    private static void CallDeleter(nint state) => CallDeleter((void*)(state & ~VersionedTag), (state & VersionedTag) != 0);

    /// <summary>Calls the tensor's deleter, if it has one (a NULL deleter means the producer keeps it alive).</summary>
    internal static void CallDeleter(void* managedTensor, bool versioned)
    {
        if (DLPackExport.TryDeleteOwn(managedTensor, versioned))
            return; // NdBridge's own tensor (a round trip, an unconsumed capsule): deleted without leaving .NET

        if (versioned)
        {
            var tensor = (DLPackNative.DLManagedTensorVersioned*)managedTensor;
            if (tensor->deleter != null)
                tensor->deleter(tensor);
        }
        else
        {
            var tensor = (DLPackNative.DLManagedTensor*)managedTensor;
            if (tensor->deleter != null)
                tensor->deleter(tensor);
        }
    }
}
