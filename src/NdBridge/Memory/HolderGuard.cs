namespace NdBridge;

/// <summary>
/// The safety net of one holder on an owner, for the object that holds it (an <see cref="NdBuffer"/>, a run
/// enumeration's lease): a finalizable object that only that holder object references, so it becomes unreachable with
/// it and then releases the holder that object never released (a buffer dropped undisposed or disposed after handing out spans,
/// an abandoned enumeration).
/// </summary>
/// <remarks>
/// <para>Kept apart from the holding object so that it can be recycled: allocating a finalizable object registers it with
/// the collector, which cost about a third of an import of Python memory (120 of 360 ns, measured). Releasing the holder through
/// the guard disarms it and keeps it in this thread's pool, where it stays reachable and so never finalizes, until the next
/// holder taken on this thread arms it again.</para>
/// <para>A recycled guard ages into the oldest generation: an undisposed buffer's holder is then released by the
/// first full collection after the buffer became unreachable, not by the first collection.</para>
/// </remarks>
internal sealed class HolderGuard
{
    private const int MaxPooledPerThread = 16;

    [ThreadStatic] private static HolderGuard? t_pooled;
    [ThreadStatic] private static int t_pooledCount;

    [ThreadStatic] private static int t_created;

    private NdMemoryOwner? _owner;
    private HolderGuard? _nextPooled;

    private HolderGuard() => t_created++;

    /// <summary>Guards allocated on this thread so far (each a pool miss); for tests that check recycling.</summary>
    internal static int CreatedOnThisThread => t_created;

    ~HolderGuard() => _owner?.Release(onFinalizerThread: true);

    /// <summary>A guard that releases one holder on <paramref name="owner"/> unless its holding object releases it through <see cref="Release"/> first.</summary>
    internal static HolderGuard Arm(NdMemoryOwner owner)
    {
        var guard = t_pooled;
        if (guard is null)
        {
            guard = new HolderGuard();
        }
        else
        {
            t_pooled = guard._nextPooled;
            guard._nextPooled = null;
            t_pooledCount--;
        }
        guard._owner = owner;
        return guard;
    }

    /// <summary>
    /// Its holding object lets go: the guard releases the holder now, on this thread, and serves the next holding
    /// object made on this thread.
    /// </summary>
    internal void Release()
    {
        var owner = _owner!;
        _owner = null;
        if (t_pooledCount < MaxPooledPerThread)
        {
            _nextPooled = t_pooled;
            t_pooled = this;
            t_pooledCount++;
        }
        else
        {
            GC.SuppressFinalize(this);
        }
        owner.Release();
    }
}
