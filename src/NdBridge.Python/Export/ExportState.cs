using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// What one exported Python object knows about the memory it exports: one holder on the buffer's owner,
/// the buffer's description, and the native block its <c>Py_buffer</c>s point into.
/// </summary>
/// <remarks>
/// The native block, owned by the export and freed in <c>tp_dealloc</c>:
/// <code>
///   [ shape: rank × nint ][ strides: rank × nint ][ suboffsets: rank × nint ][ format: UTF-8 bytes, NUL ]
/// </code>
/// Every view handed out shares it (the layout never changes), so <c>getbuffer</c> allocates nothing.
/// </remarks>
internal sealed unsafe class ExportState
{
    private byte* _native;
    private int _released;

    private ExportState(NdBuffer buffer, byte* origin, byte* native, nint nativeByteLength)
    {
        Owner = buffer.Owner;
        Format = buffer.Format;
        Layout = buffer.Layout;
        Origin = origin;
        IsReadOnly = buffer.IsReadOnly;
        IsCContiguous = Layout.IsCContiguous;
        IsFContiguous = Layout.IsFContiguous;
        Rank = Layout.Rank;
        _native = native;
        NativeByteLength = nativeByteLength;
    }

    /// <summary>The owner this export holds one holder on.</summary>
    internal NdMemoryOwner Owner { get; }

    /// <summary>The element format.</summary>
    internal BufferFormat Format { get; }

    /// <summary>Shape, byte strides, suboffsets, item size.</summary>
    internal StridedLayout Layout { get; }

    /// <summary>The address of element [0, ..., 0].</summary>
    internal byte* Origin { get; }

    /// <summary>Whether writable requests are refused.</summary>
    internal bool IsReadOnly { get; }

    /// <summary>CPython's <c>PyBuffer_IsContiguous(view, 'C')</c> for the layout.</summary>
    internal bool IsCContiguous { get; }

    /// <summary>CPython's <c>PyBuffer_IsContiguous(view, 'F')</c> for the layout.</summary>
    internal bool IsFContiguous { get; }

    /// <summary>The number of dimensions.</summary>
    internal int Rank { get; }

    /// <summary>The size of the native block in bytes (reported by <c>__sizeof__</c>).</summary>
    internal nint NativeByteLength { get; }

    /// <summary><c>Py_buffer</c>s obtained and not yet released (the GIL serialises the slots that change it).</summary>
    internal int ActiveViewCount { get; set; }

    /// <summary><c>shape</c> in the native block.</summary>
    internal nint* Shape => (nint*)_native;

    /// <summary><c>strides</c> (bytes) in the native block.</summary>
    internal nint* Strides => (nint*)_native + Rank;

    /// <summary><c>suboffsets</c> in the native block, or NULL when the layout has none.</summary>
    internal nint* Suboffsets => Layout.HasSuboffsets ? (nint*)_native + 2 * Rank : null;

    /// <summary>The NUL-terminated format string in the native block.</summary>
    internal byte* FormatZ => _native + 3 * Rank * sizeof(nint);

    /// <summary>
    /// Acquires one holder on <paramref name="buffer"/>'s owner and copies its description into native memory.
    /// If this throws, nothing is held and nothing is allocated.
    /// </summary>
    internal static ExportState Create(NdBuffer buffer)
    {
        var origin = (byte*)buffer.DangerousGetPointer(); // throws ObjectDisposedException when disposed
        var layout = buffer.Layout;
        var format = buffer.Format.ToString();
        var rank = layout.Rank;
        var formatByteLength = Encoding.UTF8.GetByteCount(format);
        var nativeByteLength = 3 * rank * sizeof(nint) + formatByteLength + 1;
        if (!buffer.TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        var native = (byte*)NativeMemory.Alloc((nuint)nativeByteLength);
        // The block holds 3 × rank nints followed by formatByteLength + 1 bytes: each copy below stays inside its part.
        var shape = (nint*)native;
        layout.Shape.CopyTo(new Span<nint>(shape, rank));
        layout.ByteStrides.CopyTo(new Span<nint>(shape + rank, rank));
        if (layout.HasSuboffsets)
            layout.Suboffsets.CopyTo(new Span<nint>(shape + 2 * rank, rank));
        var formatZ = native + 3 * rank * sizeof(nint);
        Encoding.UTF8.GetBytes(format, new Span<byte>(formatZ, formatByteLength));
        formatZ[formatByteLength] = 0;
        MemoryDiagnostics.ExportStarted();
        return new ExportState(buffer, origin, native, nativeByteLength);
    }

    /// <summary>Frees the native block and releases the holder (the memory itself when it was the last). Once only.</summary>
    /// <exception cref="Exception">Whatever the owner's release throws (a user's release callback); the block is freed first.</exception>
    internal void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
            return;
        NativeMemory.Free(_native);
        _native = null;
        MemoryDiagnostics.ExportEnded();
        Owner.Release();
    }
}
