namespace NdBridge.Python;

/// <summary>
/// The states of live exports, by index; the exported object's per-instance slot holds <c>index + 1</c>.
/// Guarded by the GIL, not by a .NET lock: every caller holds it (export creation, <c>tp_dealloc</c>, the
/// getters), and no method here calls into Python, so the GIL cannot change hands inside one.
/// </summary>
/// <remarks>
/// States of dead exports are kept for reuse (with their native blocks), up to <see cref="KeptFreeStates"/>:
/// a handoff then allocates no native memory and one managed object (its <see cref="NdMemoryLease"/>).
/// </remarks>
internal static class ExportTable
{
    private const int KeptFreeStates = 256;

    private static ExportState?[] s_states = new ExportState?[64];
    private static int[] s_free = new int[64];
    private static int s_freeCount;
    private static int s_used;

    /// <summary>Indices ever handed out: the most exports that were alive at once (tests check it stays bounded).</summary>
    internal static int UsedIndexCount => s_used;

    /// <summary>An index whose state is attached to <paramref name="buffer"/>. Needs the GIL.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed (the index is not taken).</exception>
    internal static int Rent(NdBuffer buffer)
    {
        int index;
        if (s_freeCount > 0)
        {
            index = s_free[--s_freeCount];
        }
        else
        {
            if (s_used == s_states.Length)
                Array.Resize(ref s_states, s_states.Length * 2);
            index = s_used++;
        }
        var state = s_states[index] ??= new ExportState();
        try
        {
            state.Attach(buffer);
        }
        catch
        {
            Return(index);
            throw;
        }
        return index;
    }

    /// <summary>The state at <paramref name="index"/>. Needs the GIL.</summary>
    internal static ExportState Get(int index) => s_states[index]!;

    /// <summary>Gives the index back after its state was detached. Needs the GIL.</summary>
    internal static void Return(int index)
    {
        if (s_freeCount >= KeptFreeStates)
        {
            s_states[index]!.FreeNative();
            s_states[index] = null;
        }
        if (s_freeCount == s_free.Length)
            Array.Resize(ref s_free, s_free.Length * 2);
        s_free[s_freeCount++] = index;
    }
}
