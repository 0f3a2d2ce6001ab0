namespace NdBridge.Python;

/// <summary>
/// The storage of an <see cref="IPythonBufferSource"/> cannot be freed, moved or resized while Python views it; leaves a
/// hosted call as <c>BufferError</c> with <c>bytearray</c>'s message. Retry once the views (arrays, memoryviews) are gone.
/// </summary>
public sealed class BufferExportedException : InvalidOperationException
{
    /// <summary>Python's message: "Existing exports of data: object cannot be re-sized".</summary>
    public BufferExportedException()
        : base("Existing exports of data: object cannot be re-sized")
    {
    }

    /// <summary>A message of the caller's.</summary>
    /// <param name="message">The message.</param>
    public BufferExportedException(string message)
        : base(message)
    {
    }

    /// <summary>A message of the caller's and the cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public BufferExportedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
