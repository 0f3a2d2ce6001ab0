namespace NdBridge;

/// <summary>
/// Process-wide counts of what NdBridge keeps alive: owners whose memory is not yet released,
/// holders on them, pins of managed memory, native allocations and leases held by exports. For diagnostics and tests; the
/// values move while other threads work, so compare differences from a quiet point, not exact values.
/// </summary>
public static class MemoryDiagnostics
{
    private static long s_liveOwners;
    private static long s_liveHolders;
    private static long s_livePins;
    private static long s_liveNativeAllocations;
    private static long s_liveExports;
    private static long s_liveMappings;

    /// <summary>Owners whose memory has not yet been unpinned or freed.</summary>
    public static long LiveOwnerCount => Interlocked.Read(ref s_liveOwners);

    /// <summary>Holders currently acquired on live owners (buffers, views, exports, import holders).</summary>
    public static long LiveHolderCount => Interlocked.Read(ref s_liveHolders);

    /// <summary>Managed arrays and <see cref="Memory{T}"/> instances currently pinned by NdBridge.</summary>
    public static long LivePinCount => Interlocked.Read(ref s_livePins);

    /// <summary>Native allocations made by NdBridge and not yet freed.</summary>
    public static long LiveNativeAllocationCount => Interlocked.Read(ref s_liveNativeAllocations);

    /// <summary>
    /// <see cref="NdMemoryLease"/>s not yet released: each export of .NET memory to a foreign consumer (a Python
    /// buffer-protocol object, a DLPack capsule) holds one.
    /// </summary>
    public static long LiveExportCount => Interlocked.Read(ref s_liveExports);

    /// <summary>Memory-mapped <c>.npy</c> files and shared-memory segments (<see cref="NpyFile"/>, <see cref="NpySharedMemory"/>) not yet unmapped.</summary>
    public static long LiveMappingCount => Interlocked.Read(ref s_liveMappings);

    /// <summary>A lease has acquired its holder.</summary>
    internal static void ExportStarted() => Interlocked.Increment(ref s_liveExports);

    /// <summary>A lease has released its holder, on whatever thread.</summary>
    internal static void ExportEnded() => Interlocked.Decrement(ref s_liveExports);

    internal static void OwnerCreated()
    {
        Interlocked.Increment(ref s_liveOwners);
        Interlocked.Increment(ref s_liveHolders);
    }

    internal static void OwnerReleased() => Interlocked.Decrement(ref s_liveOwners);

    internal static void HolderAcquired() => Interlocked.Increment(ref s_liveHolders);

    internal static void HolderReleased() => Interlocked.Decrement(ref s_liveHolders);

    internal static void Pinned() => Interlocked.Increment(ref s_livePins);

    internal static void Unpinned() => Interlocked.Decrement(ref s_livePins);

    internal static void NativeAllocated() => Interlocked.Increment(ref s_liveNativeAllocations);

    internal static void NativeFreed() => Interlocked.Decrement(ref s_liveNativeAllocations);

    internal static void MappingCreated() => Interlocked.Increment(ref s_liveMappings);

    internal static void MappingReleased() => Interlocked.Decrement(ref s_liveMappings);
}
