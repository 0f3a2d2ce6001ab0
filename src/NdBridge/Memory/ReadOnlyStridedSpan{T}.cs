using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>
/// A typed, read-only, N-dimensional view of strided memory: the read-only twin of <see cref="StridedSpan{T}"/>,
/// with the same guarantees and the same duties left to the caller (see its remarks).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public readonly ref partial struct ReadOnlyStridedSpan<T> where T : unmanaged
{
    private readonly ref T _origin;
    private readonly StridedLayout? _layout;
    private readonly NdBuffer? _buffer;

    internal ReadOnlyStridedSpan(ref T origin, StridedLayout layout, NdBuffer? buffer)
    {
        _origin = ref origin;
        _layout = layout;
        _buffer = buffer;
    }

    /// <inheritdoc cref="StridedSpan{T}.Empty"/>
    public static ReadOnlyStridedSpan<T> Empty => default;

    /// <inheritdoc cref="StridedSpan{T}.Layout"/>
    public StridedLayout Layout => _layout ?? StridedSpanShared<T>.EmptyLayout;

    /// <inheritdoc cref="StridedSpan{T}.Rank"/>
    public int Rank => Layout.Rank;

    /// <inheritdoc cref="StridedSpan{T}.Shape"/>
    public ReadOnlySpan<nint> Shape => Layout.Shape;

    /// <inheritdoc cref="StridedSpan{T}.ByteStrides"/>
    public ReadOnlySpan<nint> ByteStrides => Layout.ByteStrides;

    /// <inheritdoc cref="StridedSpan{T}.ElementCount"/>
    public nint ElementCount => Layout.ElementCount;

    /// <inheritdoc cref="StridedSpan{T}.IsEmpty"/>
    public bool IsEmpty => Layout.IsEmpty;

    /// <inheritdoc cref="StridedSpan{T}.this[nint]"/>
    public ref readonly T this[nint index]
    {
        get
        {
            ref readonly var element = ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, index));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <inheritdoc cref="StridedSpan{T}.this[nint, nint]"/>
    public ref readonly T this[nint row, nint column]
    {
        get
        {
            ref readonly var element = ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.Offset(Layout, row, column));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <inheritdoc cref="StridedSpan{T}.this[nint, nint, nint]"/>
    public ref readonly T this[nint i, nint j, nint k]
    {
        get
        {
            ref readonly var element = ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(i, j, k));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <inheritdoc cref="StridedSpan{T}.this[ReadOnlySpan{nint}]"/>
    public ref readonly T this[params ReadOnlySpan<nint> indices]
    {
        get
        {
            ref readonly var element = ref Unsafe.AddByteOffset(ref _origin, Layout.GetByteOffset(indices));
            GC.KeepAlive(_buffer);
            return ref element;
        }
    }

    /// <inheritdoc cref="StridedSpan{T}.DangerousGetReference"/>
    public ref readonly T DangerousGetReference() => ref _origin;

    /// <inheritdoc cref="StridedSpan{T}.DangerousGetReferenceAt"/>
    public ref readonly T DangerousGetReferenceAt(params ReadOnlySpan<nint> indices) =>
        ref Unsafe.AddByteOffset(ref _origin, StridedSpanShared<T>.UncheckedOffset(Layout, indices));

    /// <inheritdoc cref="StridedSpan{T}.Slice"/>
    public ReadOnlyStridedSpan<T> Slice(int dimension, nint? start, nint? stop, nint step = 1)
    {
        var layout = Layout.Slice(dimension, start, stop, step, out var originByteOffset);
        return new ReadOnlyStridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout, _buffer);
    }

    /// <inheritdoc cref="StridedSpan{T}.Index"/>
    public ReadOnlyStridedSpan<T> Index(int dimension, nint index)
    {
        var layout = Layout.Index(dimension, index, out var originByteOffset);
        return new ReadOnlyStridedSpan<T>(ref Unsafe.AddByteOffset(ref _origin, originByteOffset), layout, _buffer);
    }

    /// <inheritdoc cref="StridedSpan{T}.Transpose"/>
    public ReadOnlyStridedSpan<T> Transpose() => new(ref _origin, Layout.Transpose(), _buffer);

    /// <inheritdoc cref="StridedSpan{T}.Permute"/>
    public ReadOnlyStridedSpan<T> Permute(params ReadOnlySpan<int> axes) => new(ref _origin, Layout.Permute(axes), _buffer);

    /// <inheritdoc cref="StridedSpan{T}.CopyTo"/>
    public void CopyTo(Span<T> destination)
    {
        var layout = Layout;
        if (destination.Length < layout.ElementCount)
            ThrowHelper.ThrowArgument($"The destination holds {destination.Length} elements; the view has {layout.ElementCount}.", nameof(destination));
        var walker = new StridedRunWalker(layout);
        var written = 0;
        while (walker.MoveNext(out var runByteOffset))
        {
            ref var first = ref Unsafe.AddByteOffset(ref _origin, runByteOffset);
            for (nint k = 0; k < walker.RunLength; k++)
                destination[written++] = Unsafe.AddByteOffset(ref first, k * walker.RunByteStride);
        }
        GC.KeepAlive(_buffer);
    }

    /// <inheritdoc cref="StridedSpan{T}.ToArray"/>
    public T[] ToArray()
    {
        if (ElementCount > Array.MaxLength)
            ThrowHelper.ThrowSpanTooLong("this", ElementCount);
        var array = new T[ElementCount];
        CopyTo(array);
        return array;
    }

    /// <inheritdoc cref="StridedSpan{T}.TryGetSpan"/>
    public bool TryGetSpan(out ReadOnlySpan<T> span)
    {
        span = default;
        var layout = Layout;
        if (!layout.IsContiguous(MemoryOrder.Any) || layout.ElementCount > int.MaxValue)
            return false;
        // Contiguous: element [0, ..., 0] is the lowest and the elements fill ElementCount items from it.
        span = layout.IsEmpty ? default : MemoryMarshal.CreateReadOnlySpan(ref _origin, (int)layout.ElementCount);
        return true;
    }

    /// <inheritdoc cref="StridedSpan{T}.ToString"/>
    public override string ToString() => $"ReadOnlyStridedSpan<{ElementType<T>.Name}> {Layout}";
}
