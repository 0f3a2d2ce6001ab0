using NdBridge.Copying;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// Copies every element into <paramref name="destination"/>, which has the same shape and holds the same
    /// scalars at the same offsets (field names may differ). Scalars whose byte order differs are reversed on the
    /// way (big-endian records to native and back). Overlapping memory is copied as if through a temporary
    /// (<c>memmove</c>); indirect (suboffset) buffers are followed pointer by pointer.
    /// </summary>
    /// <param name="destination">A writable buffer of the same shape and item layout.</param>
    public void CopyTo(NdBuffer destination)
    {
        if (destination is null)
            ThrowHelper.ThrowArgumentNull(nameof(destination));
        if (destination.IsReadOnly)
            ThrowHelper.ThrowReadOnly("CopyTo(destination)", "copy into a writable buffer (NdBuffer.Allocate, or the destination's ToContiguous())");
        if (!Shape.SequenceEqual(destination.Shape))
            ThrowHelper.ThrowShapeMismatch(nameof(destination), Shape, destination.Shape);
        if (ItemSize != destination.ItemSize || !FormatLeaves.TryGetSwapLeaves(Format, destination.Format, out SwapLeaf[] swapLeaves))
        {
            ThrowHelper.ThrowFormatMismatch(nameof(destination), Format, ItemSize, destination.Format, destination.ItemSize);
            return;
        }
        Hold();
        try
        {
            destination.Hold();
            try
            {
                if (swapLeaves.Length == 0)
                    StridedCopy.Copy(Shape, ItemSize, destination.Operand, Operand);
                else
                    ByteOrderCopy.Copy(Shape, ItemSize, destination.Operand, Operand, swapLeaves);
            }
            finally
            {
                destination.Unhold();
            }
        }
        finally
        {
            Unhold();
        }
    }

    /// <summary>
    /// Writes the elements to contiguous bytes, as CPython's <c>PyBuffer_ToContiguous</c>: in C order, F order,
    /// or for <see cref="MemoryOrder.Any"/> in F order only when the buffer is F-contiguous and not C-contiguous.
    /// </summary>
    /// <param name="destination">Exactly <see cref="ByteLength"/> bytes.</param>
    /// <param name="order">The order of the elements in <paramref name="destination"/>.</param>
    public void CopyTo(Span<byte> destination, MemoryOrder order = MemoryOrder.C)
    {
        char orderCode = OrderCode(order);
        Hold();
        try
        {
            ContiguousCopy.ToContiguous(destination, Shape, ItemSize, Operand, orderCode);
        }
        finally
        {
            Unhold();
        }
    }

    /// <summary>The elements as a new array of bytes (NumPy's <c>tobytes</c>); the order as in <see cref="CopyTo(Span{byte}, MemoryOrder)"/>.</summary>
    /// <param name="order">The order of the elements in the array.</param>
    public byte[] ToByteArray(MemoryOrder order = MemoryOrder.C)
    {
        if (ByteLength > Array.MaxLength)
            ThrowHelper.ThrowSpanTooLong(nameof(order), ElementCount);
        var bytes = GC.AllocateUninitializedArray<byte>((int)ByteLength);
        CopyTo(bytes, order);
        return bytes;
    }

    /// <summary>
    /// Fills the elements from contiguous bytes, as CPython's <c>PyBuffer_FromContiguous</c>: bytes beyond
    /// <see cref="ByteLength"/> are ignored, fewer fill the first whole elements in that order.
    /// </summary>
    /// <param name="source">The elements, packed, in <paramref name="order"/>.</param>
    /// <param name="order">C, F, or <see cref="MemoryOrder.Any"/> (F only when the buffer is F- and not C-contiguous).</param>
    public void CopyFrom(ReadOnlySpan<byte> source, MemoryOrder order = MemoryOrder.C)
    {
        char orderCode = OrderCode(order);
        if (IsReadOnly)
            ThrowHelper.ThrowReadOnly("CopyFrom", "fill a writable copy instead (ToContiguous() gives one)");
        Hold();
        try
        {
            ContiguousCopy.FromContiguous(Operand, Shape, ItemSize, source, orderCode);
        }
        finally
        {
            Unhold();
        }
    }

    /// <summary>
    /// A contiguous copy in newly allocated native memory that this method's caller owns (dispose it), in C or
    /// F order (<see cref="MemoryOrder.Any"/>: F only when this buffer is F- and not C-contiguous), optionally
    /// in another <paramref name="format"/> with the same scalars in another byte order (<c>&gt;i4</c> to
    /// <c>&lt;i4</c>). Works for indirect and read-only buffers; the copy is writable.
    /// </summary>
    /// <param name="order">The memory order of the copy.</param>
    /// <param name="format">The format of the copy; null keeps this buffer's.</param>
    public NdBuffer ToContiguous(MemoryOrder order = MemoryOrder.C, BufferFormat? format = null)
    {
        char orderCode = OrderCode(order);
        format ??= Format;
        if (!FormatLeaves.TryGetSwapLeaves(Format, format, out _))
            ThrowHelper.ThrowFormatMismatch(nameof(format), Format, ItemSize, format, ItemSize);
        if (orderCode == 'A')
            orderCode = Layout.IsFContiguous && !Layout.IsCContiguous ? 'F' : 'C';
        // The item size stays this buffer's (an imported record may be padded beyond its format's struct size).
        var layout = StridedLayout.CreateContiguous(Shape, ItemSize, orderCode == 'F' ? MemoryOrder.F : MemoryOrder.C);
        var owner = NativeAllocationOwner.Allocate(Math.Max(layout.ByteLength, 1), 64);
        var copy = new NdBuffer(owner, owner.Start, owner.Start, layout.ByteLength, format, layout, readOnly: false);
        try
        {
            CopyTo(copy);
        }
        catch
        {
            copy.Dispose();
            throw;
        }
        return copy;
    }

    /// <summary>
    /// Whether <paramref name="other"/> has the same shape and every element equal by value, each decoded with
    /// its own format as CPython's <c>memoryview</c> comparison does: numbers as numbers (<c>&lt;i4</c> 1 equals
    /// <c>&gt;i8</c> 1 and <c>d</c> 1.0), NaN unequal to everything including itself, records field by field
    /// (the same number of scalars, pairwise equal), bytes by bytes and never equal to a number.
    /// </summary>
    /// <param name="other">The buffer to compare with.</param>
    /// <exception cref="NotSupportedException">A format holds Python objects (<c>O</c>).</exception>
    public bool ValueEquals(NdBuffer other)
    {
        if (other is null)
            ThrowHelper.ThrowArgumentNull(nameof(other));
        if (!Shape.SequenceEqual(other.Shape))
            return false;
        ValueLeaf[] leaves = FormatLeaves.ValueLeaves(Format, "this");
        ValueLeaf[] otherLeaves = FormatLeaves.ValueLeaves(other.Format, nameof(other));
        Hold();
        try
        {
            other.Hold();
            try
            {
                return ValueEquality.Equal(Shape,
                    new ValueEquality.Side(Operand, ItemSize, leaves),
                    new ValueEquality.Side(other.Operand, other.ItemSize, otherLeaves));
            }
            finally
            {
                other.Unhold();
            }
        }
        finally
        {
            Unhold();
        }
    }

    /// <summary>
    /// The innermost contiguous runs of the elements as writable spans, after merging dimensions that are
    /// contiguous with each other, so <c>TensorPrimitives</c> can work on each. Runs longer than a span holds are
    /// split. <typeparamref name="T"/> must match the format in native byte order (or be <see cref="byte"/>,
    /// which gives the raw bytes of any format) and every run must be aligned to it. The enumeration holds the memory
    /// until it ends (see <see cref="RunEnumerator{T}"/>).
    /// </summary>
    /// <param name="preserveOrder">False (the default): memory order — dimensions sorted by stride, reversed ones walked
    /// forwards, contiguous ones merged — the fewest and longest runs (<c>a[:, ::-1]</c> of 6×6 is one run, a
    /// Fortran-ordered array one run). True: logical order, the runs concatenated are the elements in C order.</param>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public RunEnumerator<T> EnumerateRuns<T>(bool preserveOrder = false) where T : unmanaged
    {
        if (IsReadOnly)
            ThrowHelper.ThrowReadOnly($"EnumerateRuns<{ElementType<T>.Name}>", $"read it with EnumerateReadOnlyRuns<{ElementType<T>.Name}>(), or enumerate a writable copy (ToContiguous())");
        var runs = CreateRunWalker<T>(preserveOrder);
        return new RunEnumerator<T>(RunLease.Take(this), null, runs);
    }

    /// <summary>The read-only twin of <see cref="EnumerateRuns{T}"/>, for read-only buffers too.</summary>
    /// <param name="preserveOrder">As in <see cref="EnumerateRuns{T}"/>.</param>
    public ReadOnlyRunEnumerator<T> EnumerateReadOnlyRuns<T>(bool preserveOrder = false) where T : unmanaged
    {
        var runs = CreateRunWalker<T>(preserveOrder);
        return new ReadOnlyRunEnumerator<T>(RunLease.Take(this), null, runs);
    }

    private RawRunEnumerator CreateRunWalker<T>(bool preserveOrder) where T : unmanaged
    {
        ThrowIfDisposed();
        if (typeof(T) != typeof(byte))
            CheckElementType<T>();
        return new RawRunEnumerator(Shape, ItemSize, Operand, preserveOrder);
    }

    /// <summary>The memory as the copy kernels take it. Valid while a hold is taken.</summary>
    internal StridedOperand Operand => new(_origin, Layout.ByteStrides, Layout.Suboffsets);

    private void Hold()
    {
        if (!TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
    }

    private void Unhold() => _owner.Release();

    private static char OrderCode(MemoryOrder order) => order switch
    {
        MemoryOrder.C => 'C',
        MemoryOrder.F => 'F',
        MemoryOrder.Any => 'A',
        _ => ThrowHelper.ThrowArgument<char>($"Unknown memory order {order}.", nameof(order)),
    };
}
