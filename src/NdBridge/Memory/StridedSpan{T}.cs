using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>
/// A typed, writable, N-dimensional view of strided memory: <c>ref T</c> element access with signed byte
/// strides, any rank from 0 to 64. Obtained from <see cref="NdBuffer.AsStridedSpan{T}"/> (which proves
/// every element is inside the memory, of type <typeparamref name="T"/> in native byte order and aligned)
/// or from a <see cref="System.Numerics.Tensors.TensorSpan{T}"/>.
/// </summary>
/// <remarks>
/// <para>What a span over an <see cref="NdBuffer"/> guarantees: every element it can index was proven inside the
/// memory when it was made; the span references its buffer, so the garbage collector does not finalize the buffer
/// while the span is still used; and <see cref="NdBuffer.Dispose"/>, on any thread, leaves the memory in place until
/// no span can reach the buffer. So no indexer, slice, copy or enumeration of a span reaches freed memory, whatever
/// other threads do with the buffer.</para>
/// <para>What stays the caller's duty: a plain <see cref="Span{T}"/> or <c>ref T</c> taken out of the span
/// (<see cref="TryGetSpan"/>, <see cref="AsTensorSpan"/>, the runs of <see cref="EnumerateRuns"/>, a stored element reference) does not reference
/// the buffer: use it only while the span it came from is still used. Writes from several threads to the same
/// elements are not synchronised. <c>Dangerous…</c> members check nothing. A span made from a
/// <see cref="System.Numerics.Tensors.TensorSpan{T}"/> has the lifetime of that tensor span's memory.</para>
/// <para>The price: a buffer that handed out a span releases its memory when the garbage collector finds no span
/// left, not at <see cref="NdBuffer.Dispose"/>. Run enumeration of the buffer (<see cref="NdBuffer.EnumerateRuns{T}"/>)
/// needs no span and keeps <see cref="NdBuffer.Dispose"/> deterministic.</para>
/// </remarks>
/// <typeparam name="T">The element type.</typeparam>
public readonly ref partial struct StridedSpan<T> where T : unmanaged
{
    private readonly ref T _origin;
    private readonly StridedLayout? _layout;
    private readonly NdBuffer? _buffer;

    // `layout` is direct, its item size is sizeof(T), and every element it reaches from `origin` is valid and aligned;
    // `buffer`, when the memory is an NdBuffer's, is kept reachable by every member that touches the memory.
    internal StridedSpan(ref T origin, StridedLayout layout, NdBuffer? buffer)
    {
        _origin = ref origin;
        _layout = layout;
        _buffer = buffer;
    }

    /// <summary>An empty one-dimensional span.</summary>
    public static StridedSpan<T> Empty => default;

    /// <summary>Shape, byte strides and item size of the view.</summary>
    public StridedLayout Layout => _layout ?? StridedSpanShared<T>.EmptyLayout;

    /// <summary>The number of dimensions.</summary>
    public int Rank => Layout.Rank;

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<nint> Shape => Layout.Shape;

    /// <summary>The signed distance in bytes between neighbours along each dimension.</summary>
    public ReadOnlySpan<nint> ByteStrides => Layout.ByteStrides;

    /// <summary>The number of elements.</summary>
    public nint ElementCount => Layout.ElementCount;

    /// <summary>Whether there is no element.</summary>
    public bool IsEmpty => Layout.IsEmpty;

    /// <summary>The element at <paramref name="index"/> of a one-dimensional view.</summary>
    /// <param name="index">In <c>[0, length)</c>.</param>
    public ref T this[nint index]
    {
        get
        {
            ref var element = ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, index));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <summary>The element at <c>[row, column]</c> of a two-dimensional view.</summary>
    /// <param name="row">In <c>[0, Shape[0])</c>.</param>
    /// <param name="column">In <c>[0, Shape[1])</c>.</param>
    public ref T this[nint row, nint column]
    {
        get
        {
            ref var element = ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, row, column));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <summary>The element at <c>[i, j, k]</c> of a three-dimensional view.</summary>
    /// <param name="i">In <c>[0, Shape[0])</c>.</param>
    /// <param name="j">In <c>[0, Shape[1])</c>.</param>
    /// <param name="k">In <c>[0, Shape[2])</c>.</param>
    public ref T this[nint i, nint j, nint k]
    {
        get
        {
            ref var element = ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(i, j, k));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <summary>The element at <paramref name="indices"/> (one per dimension; none for rank 0).</summary>
    /// <param name="indices">Each in <c>[0, length)</c>.</param>
    public ref T this[params ReadOnlySpan<nint> indices]
    {
        get
        {
            ref var element = ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(indices));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <summary>The element [0, ..., 0] (with negative strides not the lowest address); a null reference's target if empty.</summary>
    public ref T DangerousGetReference() => ref _origin;

    /// <summary>The element at <paramref name="indices"/> without any bounds check.</summary>
    /// <param name="indices">One index per dimension, unchecked.</param>
    public ref T DangerousGetReferenceAt(params ReadOnlySpan<nint> indices) =>
        ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.UncheckedOffset(Layout, indices));

    /// <summary>Slices one dimension with Python's semantics (<c>a[start:stop:step]</c>).</summary>
    /// <param name="dimension">The dimension.</param>
    /// <param name="start">The first index, or null.</param>
    /// <param name="stop">The index to stop before, or null.</param>
    /// <param name="step">Not 0; negative walks backwards.</param>
    public StridedSpan<T> Slice(int dimension, nint? start, nint? stop, nint step = 1)
    {
        var layout = Layout.Slice(dimension, start, stop, step, out var originByteOffset);
        return new StridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout, _buffer);
    }

    /// <summary>Selects one index of a dimension and drops the dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <param name="index">The index, negative counting from the end.</param>
    public StridedSpan<T> Index(int dimension, nint index)
    {
        var layout = Layout.Index(dimension, index, out var originByteOffset);
        return new StridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout, _buffer);
    }

    /// <summary>Reverses the dimensions.</summary>
    public StridedSpan<T> Transpose() => new(ref _origin, Layout.Transpose(), _buffer);

    /// <summary>Reorders the dimensions.</summary>
    /// <param name="axes">A permutation of the dimensions.</param>
    public StridedSpan<T> Permute(params ReadOnlySpan<int> axes) => new(ref _origin, Layout.Permute(axes), _buffer);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    public void Fill(T value)
    {
        var walker = new StridedRunWalker(Layout);
        while (walker.MoveNext(out var runByteOffset))
        {
            ref var first = ref Unsafe.AddByteOffset(ref _origin, runByteOffset);
            if (walker.RunByteStride == Unsafe.SizeOf<T>())
            {
                // A contiguous run; Span<T> lengths are int, so long runs are filled in pieces.
                for (nint done = 0; done < walker.RunLength;)
                {
                    var pieceLength = (int)Math.Min(walker.RunLength - done, int.MaxValue);
                    MemoryMarshal.CreateSpan(ref Unsafe.Add(ref first, done), pieceLength).Fill(value);
                    done += pieceLength;
                }
            }
            else
            {
                for (nint k = 0; k < walker.RunLength; k++)
                    Unsafe.AddByteOffset(ref first, k * walker.RunByteStride) = value;
            }
        }
        GC.KeepAlive(_buffer);
    }

    /// <summary>Sets every element to <c>default</c>.</summary>
    public void Clear() => Fill(default);

    /// <summary>Copies the elements in C order into <paramref name="destination"/>.</summary>
    /// <param name="destination">At least <see cref="ElementCount"/> long.</param>
    public void CopyTo(Span<T> destination) => ((ReadOnlyStridedSpan<T>)this).CopyTo(destination);

    /// <summary>Copies the elements into a new array in C order; refuses more than <see cref="Array.MaxLength"/> elements.</summary>
    public T[] ToArray() => ((ReadOnlyStridedSpan<T>)this).ToArray();

    /// <summary>
    /// The elements as one <see cref="Span{T}"/> in memory order, when the view is contiguous (C or F order)
    /// and has at most <see cref="int.MaxValue"/> elements; otherwise false (never truncated).
    /// </summary>
    /// <param name="span">The elements, or empty.</param>
    public bool TryGetSpan(out Span<T> span)
    {
        span = default;
        var layout = Layout;
        if (!layout.IsContiguous(MemoryOrder.Any) || layout.ElementCount > int.MaxValue)
            return false;
        // Contiguous: element [0, ..., 0] is the lowest and the elements fill ElementCount items from it.
        span = layout.IsEmpty ? default : MemoryMarshal.CreateSpan(ref _origin, (int)layout.ElementCount);
        return true;
    }

    /// <summary>A read-only view of the same elements.</summary>
    /// <param name="span">The writable view.</param>
    public static implicit operator ReadOnlyStridedSpan<T>(StridedSpan<T> span) => new(ref span._origin, span.Layout, span._buffer);

    /// <summary>Describes the view.</summary>
    public override string ToString() => $"StridedSpan<{ElementType<T>.Name}> {Layout}";
}
