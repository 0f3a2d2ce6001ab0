namespace NdBridge;

/// <summary>
/// One holder on an <see cref="NdMemoryOwner"/>'s memory, for a consumer whose lifetime NdBridge does not see:
/// a Python object or a DLPack capsule exporting the memory, a tensor of another runtime, a GPU upload in flight.
/// While the lease is held the memory is neither unpinned nor freed, whatever happens to the buffers that view it.
/// </summary>
/// <remarks>
/// Taken with <see cref="NdBuffer.AcquireLease"/> or <see cref="NdMemoryOwner.TryLease"/>; released once by
/// <see cref="Release"/> or <see cref="Dispose"/> (later calls do nothing), on any thread. A lease has no finalizer:
/// one never released keeps its memory until the process ends (a leak, never a use of freed memory).
/// Leases not yet released are counted by <see cref="MemoryDiagnostics.LiveExportCount"/>.
/// </remarks>
public sealed class NdMemoryLease : IDisposable
{
    private int _released;

    // Takes over one holder already acquired on `owner`.
    internal NdMemoryLease(NdMemoryOwner owner)
    {
        Owner = owner;
        MemoryDiagnostics.ExportStarted();
    }

    /// <summary>The owner this lease holds; its <see cref="NdMemoryOwner.HolderCount"/> counts this lease until it is released.</summary>
    public NdMemoryOwner Owner { get; }

    /// <summary>Whether <see cref="Release"/> or <see cref="Dispose"/> was called.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>
    /// Releases the holder, once: when it was the last, the memory is unpinned or freed on this thread. Later calls do nothing.
    /// </summary>
    /// <param name="onFinalizerThread">True when called from a finalizer (or another thread that must not block): the
    /// owner's release then does not block.</param>
    /// <exception cref="Exception">Whatever the owner's release throws (a release callback given to
    /// <see cref="NdBuffer.FromPointer"/>); the lease is released all the same.</exception>
    public void Release(bool onFinalizerThread = false)
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
            return;
        MemoryDiagnostics.ExportEnded();
        Owner.Release(onFinalizerThread);
    }

    /// <summary>Releases the holder (see <see cref="Release"/>).</summary>
    public void Dispose() => Release();
}
