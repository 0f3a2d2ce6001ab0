namespace NdBridge.Python;

/// <summary>
/// DLPack both ways between .NET and Python: an <see cref="NdBuffer"/> from any DLPack producer (NumPy,
/// PyTorch, JAX, CuPy host memory) and a DLPack capsule for an <see cref="NdBuffer"/>.
/// </summary>
/// <remarks>
/// Imports ask for a versioned tensor (<c>max_version=(1, 1)</c>) and fall back to the legacy one when the
/// producer raises <c>TypeError</c> (NumPy before 2.1). The memory is the producer's: the returned buffer's
/// owner calls the tensor's deleter once, when the buffer and every view of it are released.
/// </remarks>
public static unsafe class PythonDLPack
{
    /// <summary>
    /// Views the memory of <paramref name="source"/> (an object with <c>__dlpack__</c>, or an unconsumed
    /// <c>dltensor</c>/<c>dltensor_versioned</c> capsule) without copying. Read-only when the tensor says so
    /// (versioned READ_ONLY flag); legacy tensors are writable (their producers refuse read-only memory).
    /// </summary>
    /// <param name="source">The producer or capsule.</param>
    /// <returns>A buffer with the tensor's layout (element strides turned into byte strides).</returns>
    /// <exception cref="ArgumentException">Not a producer, a consumed capsule, or a malformed tensor.</exception>
    /// <exception cref="NotSupportedException">A tensor of a newer DLPack major version, on a device the CPU cannot
    /// address, or of a dtype with no PEP 3118 form (the tensor's deleter has been called).</exception>
    /// <exception cref="PythonException"><c>__dlpack__</c> raised.</exception>
    public static NdBuffer Import(PythonObject source)
    {
        if (source is null)
            ThrowHelper.ThrowArgumentNull(nameof(source));
        using var gil = PythonGil.Acquire();
        var buffer = DLPackImport.Import(source.DangerousGetBorrowedReference(), nameof(source));
        GC.KeepAlive(source);
        return buffer;
    }

    /// <summary>
    /// A DLPack capsule viewing <paramref name="buffer"/>'s memory, as <c>__dlpack__</c> returns it: hand it to
    /// a consumer (<c>numpy.from_dlpack</c> needs an object whose <c>__dlpack__</c> returns it). The capsule
    /// holds the memory until the consumer's deleter call or, when never consumed, until the capsule dies.
    /// </summary>
    /// <param name="buffer">The memory to export.</param>
    /// <param name="maxVersion">The consumer's <c>max_version</c>: null or a major version 0 gives the legacy
    /// <c>dltensor</c> capsule; (1 or more, minor) a <c>dltensor_versioned</c> capsule of version (1, min(minor, 1)).</param>
    /// <param name="copy">True: export a C-contiguous copy (flag IS_COPIED); false or null: never copy.</param>
    /// <exception cref="NotSupportedException">DLPack cannot carry the buffer as asked (records, non-native byte
    /// order, suboffsets, byte strides that are not a multiple of the item size, read-only memory in a legacy
    /// capsule); the message says which. Python's <c>__dlpack__</c> raises <c>BufferError</c> with the same message.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative version number.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public static PythonObject ExportCapsule(NdBuffer buffer, (int Major, int Minor)? maxVersion = null, bool? copy = null)
    {
        if (buffer is null)
            ThrowHelper.ThrowArgumentNull(nameof(buffer));
        if (buffer.IsDisposed)
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (maxVersion is { } requested && (requested.Major < 0 || requested.Minor < 0))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxVersion), requested, "Version numbers are not negative.");
        using var gil = PythonGil.Acquire();
        var capsule = DLPackExport.CreateCapsule(DLPackSource.Of(buffer), MinorVersionFor(maxVersion), copy, out var refusal);
        if (capsule == 0)
        {
            // Dispose on another thread since the check above: the owner refused the tensor's hold. Dispose marks the
            // buffer before it releases the owner, so the mark is seen here.
            if (buffer.IsDisposed)
                ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
            ThrowHelper.ThrowNotSupported("DLPack export refused: " + refusal + ".");
        }
        return PythonObject.FromNewReference(capsule);
    }

    /// <summary>The versioned capsule's minor version for a consumer's <c>max_version</c>, or null for legacy.</summary>
    internal static uint? MinorVersionFor((long Major, long Minor)? maxVersion) =>
        maxVersion switch
        {
            null => null,
            { Major: < 1 } => null,
            { Major: 1 } v => (uint)Math.Min(v.Minor, DLPackNative.DLPACK_MINOR_VERSION),
            _ => DLPackNative.DLPACK_MINOR_VERSION, // a newer consumer reads 1.x too: give it the newest 1.x
        };
}
