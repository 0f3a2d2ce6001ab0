namespace NdBridge;

/// <summary>
/// Process-wide counts that each thread adds to in its own slots, without an atomic instruction, and that a read sums
/// over every thread. An uncontended interlocked add cost ~6 ns here, and every import of Python memory made four.
/// </summary>
/// <remarks>
/// <para>A count is a difference of events that may happen on different threads (a block allocated on one, freed on
/// the finalizer thread), so a thread's slots stay part of the total after it exits: its tracker, reachable only from
/// the thread, is finalised then and folds them into a shared remainder, as .NET's <c>ThreadInt64PersistentCounter</c>
/// does. A read while other threads count sees each slot at some recent value, not one instant.</para>
/// </remarks>
internal static class ThreadSummedCounters
{
    /// <summary>The counts kept: one slot each per thread.</summary>
    internal enum Counter
    {
        LiveOwners,
        LiveHolders,
        LivePins,
        LiveNativeAllocations,
        LiveExports,
        LiveMappings,
    }

    private const int CounterCount = (int)Counter.LiveMappings + 1;

    private static readonly Lock s_lock = new();
    private static readonly List<long[]> s_threadSlots = [];
    private static readonly long[] s_exitedThreads = new long[CounterCount];

    [ThreadStatic] private static long[]? t_slots;
    [ThreadStatic] private static ExitTracker? t_exitTracker;

    /// <summary>Threads whose slots are still their own (not yet folded after an exit); for tests.</summary>
    internal static int RegisteredThreadCount
    {
        get
        {
            lock (s_lock)
                return s_threadSlots.Count;
        }
    }

    /// <summary>Adds <paramref name="delta"/> to this thread's slot of <paramref name="counter"/>.</summary>
    internal static void Add(Counter counter, long delta)
    {
        var slots = t_slots ?? RegisterThread();
        // Only this thread writes its slot; the volatile write keeps a reader's 64-bit read whole on 32-bit platforms.
        Volatile.Write(ref slots[(int)counter], slots[(int)counter] + delta);
    }

    /// <summary>Adds <paramref name="delta"/> to this thread's slots of two counters (one thread-static lookup).</summary>
    internal static void Add(Counter first, Counter second, long delta)
    {
        var slots = t_slots ?? RegisterThread();
        Volatile.Write(ref slots[(int)first], slots[(int)first] + delta);
        Volatile.Write(ref slots[(int)second], slots[(int)second] + delta);
    }

    /// <summary>The sum of every thread's slot of <paramref name="counter"/>, exited threads included.</summary>
    internal static long Read(Counter counter)
    {
        lock (s_lock)
        {
            var total = s_exitedThreads[(int)counter];
            foreach (var slots in s_threadSlots)
                total += Volatile.Read(ref slots[(int)counter]);
            return total;
        }
    }

    private static long[] RegisterThread()
    {
        var slots = new long[CounterCount];
        lock (s_lock)
            s_threadSlots.Add(slots);
        t_exitTracker = new ExitTracker(slots);
        t_slots = slots;
        return slots;
    }

    /// <summary>Referenced only by its thread's static: unreachable, and so finalised, once the thread has exited.</summary>
    private sealed class ExitTracker(long[] slots)
    {
        ~ExitTracker()
        {
            lock (s_lock)
            {
                for (var i = 0; i < CounterCount; i++)
                    s_exitedThreads[i] += slots[i];
                s_threadSlots.Remove(slots);
            }
        }
    }
}
