using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// What one exported Python object knows about the memory it exports: a lease on the buffer's memory,
/// the buffer's description, and the native block its <c>Py_buffer</c>s point into. States are recycled
/// (see <see cref="ExportTable"/>), so an export allocates only its lease and, usually, no native memory.
/// </summary>
/// <remarks>
/// The native block, owned by the state and reused (grown when an export needs more):
/// <code>
///   [ shape: rank × nint ][ strides: rank × nint ][ suboffsets: rank × nint ][ format: UTF-8 bytes, NUL ]
/// </code>
/// Every view handed out shares it (an export's layout never changes), so <c>getbuffer</c> allocates nothing.
/// </remarks>
internal sealed unsafe class ExportState
{
    /// <summary>Blocks larger than this are freed when their export ends instead of kept for the next one.</summary>
    private const nint KeptBlockByteLength = 1024;

    private byte* _native;
    private nint _capacityByteLength;
    private bool _attached;

    // What the native block (and Rank, the contiguity flags, NativeByteLength) currently describe; null when nothing.
    // Kept after Detach so the next export of the same layout and format skips the copy: both are immutable
    // descriptions (no memory, no owner), so keeping them holds nothing of the buffer alive.
    private StridedLayout? _blockLayout;
    private BufferFormat? _blockFormat;

    /// <summary>The lease this export holds on the buffer's memory.</summary>
    internal NdMemoryLease Lease { get; private set; } = null!;

    /// <summary>The owner of the memory (a DLPack tensor takes a lease of its own on it).</summary>
    internal NdMemoryOwner Owner => Lease.Owner;

    /// <summary>The element format.</summary>
    internal BufferFormat Format { get; private set; } = null!;

    /// <summary>Shape, byte strides, suboffsets, item size.</summary>
    internal StridedLayout Layout { get; private set; } = null!;

    /// <summary>The address of element [0, ..., 0].</summary>
    internal byte* Origin { get; private set; }

    /// <summary>Whether writable requests are refused.</summary>
    internal bool IsReadOnly { get; private set; }

    /// <summary>CPython's <c>PyBuffer_IsContiguous(view, 'C')</c> for the layout.</summary>
    internal bool IsCContiguous { get; private set; }

    /// <summary>CPython's <c>PyBuffer_IsContiguous(view, 'F')</c> for the layout.</summary>
    internal bool IsFContiguous { get; private set; }

    /// <summary>The number of dimensions.</summary>
    internal int Rank { get; private set; }

    /// <summary>The bytes of the native block this export uses (reported by <c>__sizeof__</c>).</summary>
    internal nint NativeByteLength { get; private set; }

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
    /// Takes a lease on <paramref name="buffer"/>'s memory and copies its description into the native block
    /// (unless the block already holds that layout and format). If this throws, nothing is held.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    internal void Attach(NdBuffer buffer)
    {
        var origin = (byte*)buffer.DangerousGetPointer(); // throws ObjectDisposedException when disposed
        var layout = buffer.Layout;
        var format = buffer.Format.WithItemSize(layout.ItemSize); // the format every reader sizes as the item (qb: =qb)
        var lease = buffer.AcquireLease(); // ObjectDisposedException when disposed meanwhile
        if (!ReferenceEquals(layout, _blockLayout) || !ReferenceEquals(format, _blockFormat))
        {
            try
            {
                Describe(layout, format);
            }
            catch
            {
                lease.Release();
                throw;
            }
        }
        // else: the block already describes this layout and format (the state's last export was of the same
        // buffer, or of one sharing its immutable layout and format): nothing to copy or compute again.

        Lease = lease;
        Format = format;
        Layout = layout;
        Origin = origin;
        IsReadOnly = buffer.IsReadOnly;
        ActiveViewCount = 0;
        _attached = true;
    }

    // Copies the description into the native block (grown when needed) and computes what getbuffer asks.
    private void Describe(StridedLayout layout, BufferFormat format)
    {
        _blockLayout = null;
        _blockFormat = null;
        var text = format.ToString();
        var rank = layout.Rank;
        var formatByteLength = Encoding.UTF8.GetByteCount(text);
        var nativeByteLength = 3 * rank * sizeof(nint) + formatByteLength + 1;
        if (nativeByteLength > _capacityByteLength)
        {
            NativeMemory.Free(_native);
            _native = null;
            _capacityByteLength = 0;
            _native = (byte*)NativeMemory.Alloc((nuint)nativeByteLength);
            _capacityByteLength = nativeByteLength;
        }
        // The block holds at least 3 × rank nints followed by formatByteLength + 1 bytes: each copy stays inside its part.
        var shape = (nint*)_native;
        layout.Shape.CopyTo(new Span<nint>(shape, rank));
        layout.ByteStrides.CopyTo(new Span<nint>(shape + rank, rank));
        if (layout.HasSuboffsets)
            layout.Suboffsets.CopyTo(new Span<nint>(shape + 2 * rank, rank));
        var formatZ = _native + 3 * rank * sizeof(nint);
        Encoding.UTF8.GetBytes(text, new Span<byte>(formatZ, formatByteLength));
        formatZ[formatByteLength] = 0;
        IsCContiguous = layout.IsCContiguous;
        IsFContiguous = layout.IsFContiguous;
        Rank = rank;
        NativeByteLength = nativeByteLength;
        _blockLayout = layout;
        _blockFormat = format;
    }

    /// <summary>
    /// Releases the lease (the memory itself when it was the last holder) and drops every reference to the buffer's
    /// owner, so the state can serve another export (only the immutable layout and format the native block
    /// describes stay referenced). Once per <see cref="Attach"/>.
    /// </summary>
    /// <exception cref="Exception">Whatever the owner's release throws (a user's release callback); the state is detached first.</exception>
    internal void Detach()
    {
        if (!_attached)
            return;
        _attached = false;
        var lease = Lease;
        Lease = null!;
        Format = null!;
        Layout = null!;
        Origin = null;
        if (_capacityByteLength > KeptBlockByteLength)
            FreeNative();
        lease.Release();
    }

    /// <summary>Frees the native block (the table does this for states it stops keeping).</summary>
    internal void FreeNative()
    {
        _blockLayout = null;
        _blockFormat = null;
        NativeMemory.Free(_native);
        _native = null;
        _capacityByteLength = 0;
    }
}
