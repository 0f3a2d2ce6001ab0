namespace NdBridge;

/// <summary>
/// N-dimensional typed memory: the .NET counterpart of CPython's <c>Py_buffer</c>. It knows the address
/// of element [0, ..., 0], the <see cref="Format"/> of the elements, their <see cref="Layout"/>, whether
/// the memory may be written, and holds the memory's owner alive until disposed. Views made from it
/// (slices, transposes, reshapes) are buffers of their own sharing the owner, and exports to other runtimes hold
/// leases on it (<see cref="AcquireLease"/>): the memory is unpinned or freed once, when the last of them is released.
/// </summary>
/// <remarks>
/// <para>Dispose buffers you create; an undisposed buffer's hold is released by a finalizer once the buffer is
/// unreachable (a safety net that never blocks, and may wait for a full collection).</para>
/// <para>Typed views never reach freed memory. A <see cref="StridedSpan{T}"/> or <see cref="ReadOnlyStridedSpan{T}"/>
/// references its buffer, so the garbage collector keeps the buffer while a span is used; and once a buffer has
/// handed out a span, <see cref="Dispose"/> marks it disposed (new views and copies throw
/// <see cref="ObjectDisposedException"/>) but leaves its hold on the memory to the finalizer, which runs only when
/// no span can reach the buffer. Run enumerators (<see cref="EnumerateRuns{T}"/>) hold their own lease on the memory
/// from their creation until they are disposed (<c>foreach</c> does) or finish, so enumerating alone keeps
/// <see cref="Dispose"/> deterministic.</para>
/// </remarks>
public sealed unsafe partial class NdBuffer : IDisposable
{
    private readonly NdMemoryOwner _owner;
    private readonly byte* _origin;
    private readonly byte* _extentStart;
    private readonly nint _extentByteLength;
    private int _state; // StateFlags: one word, so Dispose and span hand-outs order by one atomic each
    private HolderGuard? _guard; // releases this buffer's holder if Dispose does not; null once Dispose did

    // Takes over one holder already acquired on `owner`. When extentStart is null the layout is trusted.
    private NdBuffer(NdMemoryOwner owner, byte* origin, byte* extentStart, nint extentByteLength,
        BufferFormat format, StridedLayout layout, bool readOnly)
    {
        _owner = owner;
        _origin = origin;
        _extentStart = extentStart;
        _extentByteLength = extentByteLength;
        Format = format;
        Layout = layout;
        IsReadOnly = readOnly;
        _guard = HolderGuard.Arm(owner);
    }

    /// <summary>The format of each element (a PEP 3118 struct string).</summary>
    public BufferFormat Format { get; }

    /// <summary>Shape, byte strides, suboffsets and item size.</summary>
    public StridedLayout Layout { get; }

    /// <summary>Whether writes are refused.</summary>
    public bool IsReadOnly { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Layout.Rank;

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<nint> Shape => Layout.Shape;

    /// <summary>The number of elements.</summary>
    public nint ElementCount => Layout.ElementCount;

    /// <summary>The size of one element in bytes (the <c>itemsize</c> of a <c>Py_buffer</c>).</summary>
    public nint ItemSize => Layout.ItemSize;

    /// <summary><c>ElementCount * ItemSize</c> (the <c>len</c> of a <c>Py_buffer</c>).</summary>
    public nint ByteLength => Layout.ByteLength;

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    public bool IsDisposed => (Volatile.Read(ref _state) & StateFlags.Disposed) != 0;

    /// <summary>
    /// Whether the memory's bounds are known, so the layout was proven inside them. False for memory
    /// a bridge imports (<see cref="DangerousFromOwner"/>) and for <see cref="DangerousFromPointer"/>: their layout is trusted.
    /// </summary>
    public bool HasKnownExtent => _extentStart is not null;

    /// <summary>
    /// The owner of the memory, shared by this buffer, its views and the leases taken on it; its
    /// <see cref="NdMemoryOwner.HolderCount"/> counts them.
    /// </summary>
    public NdMemoryOwner Owner => _owner;

    /// <summary>The start of the known extent (null when trusted).</summary>
    internal byte* ExtentStart => _extentStart;

    /// <summary>The length of the known extent in bytes (0 when trusted).</summary>
    internal nint ExtentByteLength => _extentByteLength;

    /// <summary>
    /// The address of element [0, ..., 0] (with negative strides, not the lowest address). Valid while this
    /// buffer is undisposed and reachable. The caller answers for staying inside <see cref="Layout"/>.
    /// </summary>
    public void* DangerousGetPointer()
    {
        ThrowIfDisposed();
        return _origin;
    }

    /// <summary>Adds a holder on the memory for something that outlives this object (an export); false once released.</summary>
    internal bool TryAcquireOwner() => !IsDisposed && _owner.TryAcquire();

    /// <summary>
    /// A lease keeping this buffer's memory alive for a consumer that outlives this object (an export to another
    /// runtime), until the lease is released. Disposing this buffer afterwards does not free the memory.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public NdMemoryLease AcquireLease()
    {
        if (!TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        return new NdMemoryLease(_owner);
    }

    /// <summary>
    /// Releases this buffer's hold on the memory; the memory stays while other buffers, views, run enumerations or
    /// exports hold it. If this buffer handed out a typed span, the hold is released by the finalizer instead, once
    /// no span can reach this buffer (see the remarks of <see cref="NdBuffer"/>).
    /// </summary>
    public void Dispose()
    {
        // One compare-exchange against MarkSpansHandedOut's: either a span being made sees the buffer disposed and
        // throws, or this sees the span and defers.
        var state = Volatile.Read(ref _state);
        while (true)
        {
            if ((state & StateFlags.Disposed) != 0)
                return;
            var seen = Interlocked.CompareExchange(ref _state, state | StateFlags.Disposed, state);
            if (seen == state)
                break;
            state = seen;
        }
        if ((state & StateFlags.SpansHandedOut) == 0)
        {
            var guard = _guard!;
            _guard = null;
            guard.Release();
        }
    }

    /// <summary>Records that a typed span over this buffer may exist, so <see cref="Dispose"/> leaves the release to the finalizer.</summary>
    internal void MarkSpansHandedOut()
    {
        var state = Volatile.Read(ref _state);
        if ((state & StateFlags.SpansHandedOut) == 0)
            state = Interlocked.Or(ref _state, StateFlags.SpansHandedOut);
        if ((state & StateFlags.Disposed) != 0)
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
    }

    /// <summary>Describes the buffer: format, layout, read-only flag.</summary>
    public override string ToString() =>
        $"NdBuffer format '{Format}' ({Format.Describe()}) {Layout}{(IsReadOnly ? " read-only" : "")}{(IsDisposed ? " disposed" : "")}";

    private static class StateFlags
    {
        public const int Disposed = 1;
        public const int SpansHandedOut = 2; // then the guard releases the holder, once no span can reach this buffer
    }

    private void ThrowIfDisposed()
    {
        if (IsDisposed)
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
    }
}
