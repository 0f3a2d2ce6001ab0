using Counter = NdBridge.ThreadSummedCounters.Counter;

namespace NdBridge;

/// <summary>
/// Process-wide counts of what NdBridge keeps alive: owners whose memory is not yet released,
/// holders on them, pins of managed memory, native allocations and leases held by exports. For diagnostics and tests; the
/// values move while other threads work, so compare differences from a quiet point, not exact values. Each thread
/// counts in its own slots and a read sums them, so counting costs no atomic instruction.
/// </summary>
public static class MemoryDiagnostics
{
    /// <summary>Owners whose memory has not yet been unpinned or freed.</summary>
    public static long LiveOwnerCount => ThreadSummedCounters.Read(Counter.LiveOwners);

    /// <summary>Holders currently acquired on live owners (buffers, views, exports, import holders).</summary>
    public static long LiveHolderCount => ThreadSummedCounters.Read(Counter.LiveHolders);

    /// <summary>Managed arrays and <see cref="Memory{T}"/> instances currently pinned by NdBridge.</summary>
    public static long LivePinCount => ThreadSummedCounters.Read(Counter.LivePins);

    /// <summary>Native allocations made by NdBridge and not yet freed.</summary>
    public static long LiveNativeAllocationCount => ThreadSummedCounters.Read(Counter.LiveNativeAllocations);

    /// <summary>
    /// <see cref="NdMemoryLease"/>s not yet released: each export of .NET memory to a foreign consumer (a Python
    /// buffer-protocol object, a DLPack capsule) holds one.
    /// </summary>
    public static long LiveExportCount => ThreadSummedCounters.Read(Counter.LiveExports);

    /// <summary>Memory-mapped <c>.npy</c> files and shared-memory segments (<see cref="NpyFile"/>, <see cref="NpySharedMemory"/>) not yet unmapped.</summary>
    public static long LiveMappingCount => ThreadSummedCounters.Read(Counter.LiveMappings);

    /// <summary>A lease has acquired its holder.</summary>
    internal static void ExportStarted() => ThreadSummedCounters.Add(Counter.LiveExports, 1);

    /// <summary>A lease has released its holder, on whatever thread.</summary>
    internal static void ExportEnded() => ThreadSummedCounters.Add(Counter.LiveExports, -1);

    internal static void OwnerCreated() => ThreadSummedCounters.Add(Counter.LiveOwners, Counter.LiveHolders, 1);

    /// <summary>An owner's last holder was released, and with it the owner's memory.</summary>
    internal static void LastHolderReleased() => ThreadSummedCounters.Add(Counter.LiveOwners, Counter.LiveHolders, -1);

    internal static void HolderAcquired() => ThreadSummedCounters.Add(Counter.LiveHolders, 1);

    internal static void HolderReleased() => ThreadSummedCounters.Add(Counter.LiveHolders, -1);

    internal static void Pinned() => ThreadSummedCounters.Add(Counter.LivePins, 1);

    internal static void Unpinned() => ThreadSummedCounters.Add(Counter.LivePins, -1);

    internal static void NativeAllocated() => ThreadSummedCounters.Add(Counter.LiveNativeAllocations, 1);

    internal static void NativeFreed() => ThreadSummedCounters.Add(Counter.LiveNativeAllocations, -1);

    internal static void MappingCreated() => ThreadSummedCounters.Add(Counter.LiveMappings, 1);

    internal static void MappingReleased() => ThreadSummedCounters.Add(Counter.LiveMappings, -1);
}
