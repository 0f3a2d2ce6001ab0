namespace NdBridge.Copying;

/// <summary>
/// One holder on a buffer's memory for the duration of a run enumeration: taken when the enumeration is made,
/// released once when it finishes or is disposed (<c>foreach</c> disposes), or by its <see cref="HolderGuard"/> once
/// it was abandoned. Enumerator copies share the lease, so releasing it twice releases once.
/// </summary>
internal sealed class RunLease
{
    private HolderGuard? _guard;
    private int _released;

    private RunLease(NdBuffer buffer)
    {
        Buffer = buffer;
        _guard = HolderGuard.Arm(buffer.Owner);
    }

    /// <summary>The buffer enumerated: a disposed buffer stops the enumeration with <see cref="ObjectDisposedException"/>.</summary>
    public NdBuffer Buffer { get; }

    /// <summary>A lease on <paramref name="buffer"/>'s memory; <see cref="ObjectDisposedException"/> once it is disposed.</summary>
    public static RunLease Take(NdBuffer buffer)
    {
        if (!buffer.TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        return new RunLease(buffer);
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            var guard = _guard!;
            _guard = null;
            guard.Release();
        }
    }
}
