namespace NdBridge;

/// <summary>
/// Keeps one piece of memory alive for everything that views it. Reference-counted and thread-safe:
/// it is born with one holder (its creator), <see cref="TryAcquire"/> adds one only while the count is
/// non-zero, and when the last holder is released <see cref="ReleaseMemory"/> runs exactly once, on the
/// thread that released it (a user thread, the finalizer thread, or a foreign runtime's callback).
/// </summary>
/// <remarks>
/// <para>A bridge that imports foreign memory (a <c>Py_buffer</c>, a DLPack tensor, an Arrow buffer, a device
/// mapping) subclasses it, frees that memory in <see cref="ReleaseMemory"/> and wraps it with
/// <see cref="NdBuffer.DangerousFromOwner"/>, which takes over the holder the owner is born with.
/// <see cref="ReleaseMemory"/> must not throw and, when <c>onFinalizerThread</c> is true, must not block
/// (hand the release to a thread that may, e.g. one that takes the foreign runtime's lock).</para>
/// <para>A bridge that exports memory to a foreign consumer takes an <see cref="NdMemoryLease"/>
/// (<see cref="NdBuffer.AcquireLease"/>, <see cref="TryLease"/>) and releases it when the consumer lets go.</para>
/// </remarks>
public abstract class NdMemoryOwner
{
    private int _holderCount = 1;
    private int _adopted;

    /// <summary>Creates an owner with one holder: its creator's, which <see cref="NdBuffer.DangerousFromOwner"/> takes over.</summary>
    protected NdMemoryOwner() => MemoryDiagnostics.OwnerCreated();

    /// <summary>The current number of holders (buffers, views, leases, running enumerations); 0 once the memory is released.</summary>
    public int HolderCount => Volatile.Read(ref _holderCount);

    /// <summary>Whether the memory is still held.</summary>
    public bool IsAlive => HolderCount > 0;

    /// <summary>
    /// A lease adding one holder on the memory, or null once the memory is released. Never blocks.
    /// </summary>
    public NdMemoryLease? TryLease() => TryAcquire() ? new NdMemoryLease(this) : null;

    /// <summary>Marks the creator's holder as taken over by a buffer; false when it already was.</summary>
    internal bool TryAdopt() => Interlocked.Exchange(ref _adopted, 1) == 0;

    /// <summary>Adds a holder unless the memory is already released (increment-if-non-zero). Never blocks.</summary>
    internal bool TryAcquire()
    {
        var count = Volatile.Read(ref _holderCount);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _holderCount, count + 1, count);
            if (seen == count)
            {
                MemoryDiagnostics.HolderAcquired();
                return true;
            }
            count = seen;
        }
        return false;
    }

    /// <summary>Releases one holder; the last one releases the memory on this thread.</summary>
    /// <param name="onFinalizerThread">True when called from a finalizer: the release must then not block.</param>
    internal void Release(bool onFinalizerThread = false)
    {
        var count = Interlocked.Decrement(ref _holderCount);
        if (count > 0)
        {
            MemoryDiagnostics.HolderReleased();
            return;
        }
        if (count < 0)
        {
            // A holder released twice is a bug in the caller; restore the count so the memory is not released again.
            Interlocked.Increment(ref _holderCount);
            ThrowHelper.ThrowInvalidOperation("An NdBridge memory owner was released more times than it was acquired.");
        }
        try
        {
            ReleaseMemory(onFinalizerThread);
        }
        finally
        {
            MemoryDiagnostics.LastHolderReleased();
        }
    }

    /// <summary>Unpins or frees the memory. Called exactly once.</summary>
    /// <param name="onFinalizerThread">True when the last holder was released by a finalizer.</param>
    protected abstract void ReleaseMemory(bool onFinalizerThread);
}
