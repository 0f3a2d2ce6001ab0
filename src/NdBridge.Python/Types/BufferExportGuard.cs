namespace NdBridge.Python;

/// <summary>
/// Counts the Python views of an <see cref="IPythonBufferSource"/>'s storage (NdBridge adds one per view and removes it
/// when the view is released). Thread-safe.
/// </summary>
public sealed class BufferExportGuard
{
    private int _exportCount;

    /// <summary>The number of live Python views.</summary>
    public int ExportCount => Volatile.Read(ref _exportCount);

    /// <summary>Whether any Python view is alive.</summary>
    public bool IsExported => ExportCount > 0;

    /// <summary>Call before freeing, moving or resizing the storage.</summary>
    /// <exception cref="BufferExportedException">A Python view is alive (Python sees <c>BufferError</c>).</exception>
    public void ThrowIfExported()
    {
        if (IsExported)
            throw new BufferExportedException();
    }

    internal void Enter() => Interlocked.Increment(ref _exportCount);

    internal void Exit() => Interlocked.Decrement(ref _exportCount);
}
