using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>
/// A typed, writable, N-dimensional view of strided memory: <c>ref T</c> element access with signed byte
/// strides, any rank from 0 to 64. Obtained from <see cref="NdBuffer.AsStridedSpan{T}"/> (which proves
/// every element is inside the memory, of type <typeparamref name="T"/> in native byte order and aligned)
/// or from a <see cref="System.Numerics.Tensors.TensorSpan{T}"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly ref partial struct StridedSpan<T> where T : unmanaged
{
    private readonly ref T _origin;
    private readonly StridedLayout? _layout;

    // `layout` is direct, its item size is sizeof(T), and every element it reaches from `origin` is valid and aligned.
    internal StridedSpan(ref T origin, StridedLayout layout)
    {
        _origin = ref origin;
        _layout = layout;
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
    public ref T this[nint index] => ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, index));

    /// <summary>The element at <c>[row, column]</c> of a two-dimensional view.</summary>
    /// <param name="row">In <c>[0, Shape[0])</c>.</param>
    /// <param name="column">In <c>[0, Shape[1])</c>.</param>
    public ref T this[nint row, nint column] => ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, row, column));

    /// <summary>The element at <c>[i, j, k]</c> of a three-dimensional view.</summary>
    /// <param name="i">In <c>[0, Shape[0])</c>.</param>
    /// <param name="j">In <c>[0, Shape[1])</c>.</param>
    /// <param name="k">In <c>[0, Shape[2])</c>.</param>
    public ref T this[nint i, nint j, nint k] => ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(i, j, k));

    /// <summary>The element at <paramref name="indices"/> (one per dimension; none for rank 0).</summary>
    /// <param name="indices">Each in <c>[0, length)</c>.</param>
    public ref T this[params ReadOnlySpan<nint> indices] => ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(indices));

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
        return new StridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout);
    }

    /// <summary>Selects one index of a dimension and drops the dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <param name="index">The index, negative counting from the end.</param>
    public StridedSpan<T> Index(int dimension, nint index)
    {
        var layout = Layout.Index(dimension, index, out var originByteOffset);
        return new StridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout);
    }

    /// <summary>Reverses the dimensions.</summary>
    public StridedSpan<T> Transpose() => new(ref _origin, Layout.Transpose());

    /// <summary>Reorders the dimensions.</summary>
    /// <param name="axes">A permutation of the dimensions.</param>
    public StridedSpan<T> Permute(params ReadOnlySpan<int> axes) => new(ref _origin, Layout.Permute(axes));

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
    public static implicit operator ReadOnlyStridedSpan<T>(StridedSpan<T> span) => new(ref span._origin, span.Layout);

    /// <summary>Describes the view.</summary>
    public override string ToString() => $"StridedSpan<{ElementType<T>.Name}> {Layout}";
}
