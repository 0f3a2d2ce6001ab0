using System.Runtime.CompilerServices;
using System.Text;

namespace NdBridge;

/// <summary>
/// The shape of N-dimensional memory as the buffer protocol describes it: a length per dimension,
/// a signed byte stride per dimension, optional PIL-style suboffsets and an item size. It knows
/// nothing of the memory itself; element <c>[i0, i1, ...]</c> of a direct layout sits at
/// <c>origin + i0 * ByteStrides[0] + i1 * ByteStrides[1] + ...</c>.
/// </summary>
/// <remarks>
/// <code>
///   shape [2, 3], byteStrides [32, 8], itemSize 8   (a padded row-major 2 x 3 double matrix)
///   origin
///   |
///   [a00][a01][a02][pad] [a10][a11][a12][pad]
///   |&lt;--- 32 bytes ----&gt;|
/// </code>
/// Built with checked arithmetic: an overflow is an <see cref="ArgumentException"/> naming the parameter.
/// Immutable and thread-safe.
/// </remarks>
public sealed partial class StridedLayout : IEquatable<StridedLayout>
{
    /// <summary>The largest rank the buffer protocol allows (<c>PyBUF_MAX_NDIM</c>).</summary>
    public const int MaxRank = 64;

    // Invariants (established by Create, relied on unchecked afterwards):
    //   _shape.Length == _byteStrides.Length == Rank <= MaxRank; _suboffsets is null or has Rank entries;
    //   every length >= 0; ItemSize >= 0 (> 0 unless trusted);
    //   the product of the non-zero lengths times ItemSize fits nint, so ElementCount and ByteLength do;
    //   when ElementCount > 0, every partial sum of (length - 1) * byteStride fits nint, and so do
    //   LowestByteOffset and EndByteOffset.
    private readonly nint[] _shape;
    private readonly nint[] _byteStrides;
    private readonly nint[]? _suboffsets;

    /// <summary>Creates a direct layout (no suboffsets).</summary>
    /// <param name="shape">The length of each dimension; at most <see cref="MaxRank"/> of them, none negative.</param>
    /// <param name="byteStrides">The signed distance in bytes between neighbours along each dimension.</param>
    /// <param name="itemSize">The size of one element in bytes, at least 1.</param>
    public StridedLayout(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides, nint itemSize)
        : this(shape.ToArray(), byteStrides.ToArray(), null, itemSize, trusted: false, nameof(byteStrides))
    {
    }

    /// <summary>Creates a layout with PIL-style suboffsets (an empty <paramref name="suboffsets"/> means none).</summary>
    /// <param name="shape">The length of each dimension; at most <see cref="MaxRank"/> of them, none negative.</param>
    /// <param name="byteStrides">The signed distance in bytes between neighbours along each dimension.</param>
    /// <param name="suboffsets">Per dimension: negative for a direct dimension, otherwise the byte offset added
    /// after dereferencing the pointer the stride led to (<c>PyBuffer_GetPointer</c>).</param>
    /// <param name="itemSize">The size of one element in bytes, at least 1.</param>
    public StridedLayout(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides, ReadOnlySpan<nint> suboffsets, nint itemSize)
        : this(shape.ToArray(), byteStrides.ToArray(), suboffsets.IsEmpty ? null : suboffsets.ToArray(), itemSize, trusted: false, nameof(byteStrides))
    {
    }

    private StridedLayout(nint[] shape, nint[] byteStrides, nint[]? suboffsets, nint itemSize, bool trusted, string stridesParamName)
    {
        if (shape.Length > MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(shape), shape.Length);
        if (byteStrides.Length != shape.Length)
            ThrowHelper.ThrowLengthMismatch(stridesParamName, "byteStrides", byteStrides.Length, shape.Length);
        if (suboffsets is not null && suboffsets.Length != shape.Length)
            ThrowHelper.ThrowLengthMismatch(nameof(suboffsets), "suboffsets", suboffsets.Length, shape.Length);
        if (itemSize < (trusted ? 0 : 1))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(itemSize), itemSize, "The item size must be at least 1 byte.");

        nint nonZeroProduct = 1;
        nint elementCount = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            var length = shape[i];
            if (length < 0)
                ThrowHelper.ThrowNegativeDimension(nameof(shape), i, length);
            if (length == 0)
            {
                elementCount = 0;
                continue;
            }
            if (!TryMultiply(nonZeroProduct, length, out nonZeroProduct))
                ThrowHelper.ThrowLayoutOverflow(nameof(shape), "The product of the shape");
        }
        if (!TryMultiply(nonZeroProduct, Math.Max(itemSize, 1), out _))
            ThrowHelper.ThrowLayoutOverflow(nameof(shape), $"The product of the shape times the item size {itemSize}");
        if (elementCount != 0)
            elementCount = nonZeroProduct;

        nint lowest = 0, highest = 0;
        if (elementCount > 0)
        {
            for (var i = 0; i < shape.Length; i++)
            {
                if (!TryMultiply(shape[i] - 1, byteStrides[i], out var reach))
                    ThrowHelper.ThrowLayoutOverflow(stridesParamName, $"The reach of dimension {i} ({shape[i] - 1} x {byteStrides[i]} bytes)");
                var ok = reach < 0 ? TryAdd(lowest, reach, out lowest) : TryAdd(highest, reach, out highest);
                if (!ok)
                    ThrowHelper.ThrowLayoutOverflow(stridesParamName, "The byte extent of the layout");
            }
            if (!TryAdd(highest, itemSize, out highest) || !TrySubtract(highest, lowest, out _))
                ThrowHelper.ThrowLayoutOverflow(stridesParamName, "The byte extent of the layout");
        }

        _shape = shape;
        _byteStrides = byteStrides;
        _suboffsets = suboffsets;
        ItemSize = itemSize;
        ElementCount = elementCount;
        LowestByteOffset = lowest;
        EndByteOffset = highest;
    }

    /// <summary>Creates a contiguous layout in C or F order.</summary>
    /// <param name="shape">The length of each dimension.</param>
    /// <param name="itemSize">The size of one element in bytes.</param>
    /// <param name="order"><see cref="MemoryOrder.C"/> or <see cref="MemoryOrder.F"/>.</param>
    public static StridedLayout CreateContiguous(ReadOnlySpan<nint> shape, nint itemSize, MemoryOrder order = MemoryOrder.C) =>
        CreatePadded(shape, itemSize, order, 0);

    /// <summary>
    /// Creates a layout in C or F order whose fastest-varying dimension is padded to
    /// <paramref name="leadingDimension"/> elements (BLAS's <c>ld</c>): with F order and shape
    /// <c>[rows, cols]</c>, each column starts <c>leadingDimension * itemSize</c> bytes after the previous.
    /// </summary>
    /// <param name="shape">The length of each dimension.</param>
    /// <param name="itemSize">The size of one element in bytes.</param>
    /// <param name="order"><see cref="MemoryOrder.C"/> or <see cref="MemoryOrder.F"/>.</param>
    /// <param name="leadingDimension">Elements from one row (C) or column (F) to the next; 0 means unpadded,
    /// otherwise at least the length of the fastest dimension.</param>
    public static StridedLayout CreatePadded(ReadOnlySpan<nint> shape, nint itemSize, MemoryOrder order, nint leadingDimension)
    {
        if (order is not (MemoryOrder.C or MemoryOrder.F))
            ThrowHelper.ThrowArgument("Only C or F order can create a layout.", nameof(order));
        if (shape.Length > MaxRank)
            ThrowHelper.ThrowRankTooLarge(nameof(shape), shape.Length);
        var rank = shape.Length;
        var byteStrides = new nint[rank];
        nint byteStride = itemSize;
        for (var k = 0; k < rank; k++)
        {
            var dim = order == MemoryOrder.C ? rank - 1 - k : k;
            var length = shape[dim];
            if (length < 0)
                ThrowHelper.ThrowNegativeDimension(nameof(shape), dim, length);
            byteStrides[dim] = byteStride;
            var padded = length;
            if (k == 0 && leadingDimension != 0)
            {
                if (leadingDimension < length)
                    ThrowHelper.ThrowArgumentOutOfRange(nameof(leadingDimension), leadingDimension,
                        $"The leading dimension must be at least the length {length} of dimension {dim}.");
                padded = leadingDimension;
            }
            // NumPy's _array_fill_strides: an empty dimension does not scale the strides before it.
            if (padded != 0 && !TryMultiply(byteStride, padded, out byteStride))
                ThrowHelper.ThrowLayoutOverflow(nameof(shape), "The product of the shape times the item size");
        }
        return new StridedLayout(shape.ToArray(), byteStrides, null, itemSize, trusted: false, nameof(shape));
    }

    /// <summary>
    /// Creates a layout as a foreign producer described it (a <c>Py_buffer</c>, a DLPack tensor): checked for rank,
    /// lengths and overflow as the constructors are, but an item size of 0 is allowed (zero-sized items exist) and
    /// suboffsets are present exactly when <paramref name="hasSuboffsets"/> says (a rank-0 layout may carry them,
    /// and all-negative suboffsets still make the layout non-contiguous, as CPython reads them).
    /// </summary>
    /// <param name="shape">The length of each dimension; at most <see cref="MaxRank"/> of them, none negative.</param>
    /// <param name="byteStrides">The signed distance in bytes between neighbours along each dimension.</param>
    /// <param name="suboffsets">One per dimension when <paramref name="hasSuboffsets"/>; ignored otherwise.</param>
    /// <param name="hasSuboffsets">Whether the producer gave suboffsets (<c>suboffsets != NULL</c>).</param>
    /// <param name="itemSize">The size of one element in bytes, 0 or more.</param>
    public static StridedLayout CreateTrusted(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides, ReadOnlySpan<nint> suboffsets, bool hasSuboffsets, nint itemSize) =>
        new(shape.ToArray(), byteStrides.ToArray(), hasSuboffsets ? suboffsets.ToArray() : null, itemSize, trusted: true, nameof(byteStrides));

    /// <summary>Creates a layout from arrays this class owns; validates them as the public constructors do.</summary>
    internal static StridedLayout CreateOwned(nint[] shape, nint[] byteStrides, nint[]? suboffsets, nint itemSize, string paramName) =>
        new(shape, byteStrides, suboffsets, itemSize, trusted: itemSize == 0, paramName);

    /// <summary>The number of dimensions, 0 to <see cref="MaxRank"/>.</summary>
    public int Rank => _shape.Length;

    /// <summary>The length of each dimension.</summary>
    public ReadOnlySpan<nint> Shape => _shape;

    /// <summary>The signed distance in bytes between neighbours along each dimension.</summary>
    public ReadOnlySpan<nint> ByteStrides => _byteStrides;

    /// <summary>The suboffsets, or an empty span when there are none (see <see cref="HasSuboffsets"/>).</summary>
    public ReadOnlySpan<nint> Suboffsets => _suboffsets;

    /// <summary>
    /// Whether suboffsets are present (even if all are negative: CPython then still calls the
    /// layout non-contiguous). Distinguishes "no suboffsets" from a rank-0 layout.
    /// </summary>
    public bool HasSuboffsets => _suboffsets is not null;

    /// <summary>Whether some dimension is indirect (has a suboffset &gt;= 0) and so needs memory reads to address.</summary>
    public bool IsIndirect
    {
        get
        {
            if (_suboffsets is null)
                return false;
            foreach (var suboffset in _suboffsets)
            {
                if (suboffset >= 0)
                    return true;
            }
            return false;
        }
    }

    /// <summary>The size of one element in bytes.</summary>
    public nint ItemSize { get; }

    /// <summary>The number of elements: the product of the shape (1 for rank 0).</summary>
    public nint ElementCount { get; }

    /// <summary>Whether the layout has no element.</summary>
    public bool IsEmpty => ElementCount == 0;

    /// <summary>
    /// The bytes the elements would occupy packed: <c>ElementCount * ItemSize</c> (the <c>len</c> of a <c>Py_buffer</c>).
    /// Not the memory a strided layout needs: that is <see cref="ByteSpan"/> (from <see cref="LowestByteOffset"/> to <see cref="EndByteOffset"/>).
    /// </summary>
    public nint ByteLength => ElementCount * ItemSize;

    /// <summary>
    /// The lowest byte offset, relative to element [0, ..., 0], that any element occupies (&lt;= 0;
    /// 0 for an empty layout). For indirect layouts, only the first level (strides before dereferencing) is described.
    /// </summary>
    public nint LowestByteOffset { get; }

    /// <summary>
    /// One past the highest byte offset, relative to element [0, ..., 0], that any element occupies
    /// (0 for an empty layout, at least <see cref="ItemSize"/> otherwise).
    /// </summary>
    public nint EndByteOffset { get; }

    /// <summary>
    /// The bytes between <see cref="LowestByteOffset"/> and <see cref="EndByteOffset"/>: the memory the layout reaches, which a
    /// pointer source must hold (padding and gaps included; <see cref="ByteLength"/> counts only the elements packed).
    /// </summary>
    public nint ByteSpan => EndByteOffset - LowestByteOffset;

    /// <summary>Whether the layout is C-contiguous, as <c>PyBuffer_IsContiguous(view, 'C')</c>.</summary>
    public bool IsCContiguous => IsContiguous(MemoryOrder.C);

    /// <summary>Whether the layout is F-contiguous, as <c>PyBuffer_IsContiguous(view, 'F')</c>.</summary>
    public bool IsFContiguous => IsContiguous(MemoryOrder.F);

    /// <summary>
    /// Whether the layout is contiguous in <paramref name="order"/>, exactly as CPython's
    /// <c>PyBuffer_IsContiguous</c>: suboffsets are never contiguous, an empty layout is contiguous in
    /// every order, dimensions of length 1 ignore their stride.
    /// </summary>
    /// <param name="order">C, F, or Any (either).</param>
    public bool IsContiguous(MemoryOrder order) =>
        IsContiguous(_shape, _byteStrides, _suboffsets is not null, ItemSize, order);

    /// <summary>
    /// <c>PyBuffer_IsContiguous</c> over raw dimensions, for the copy kernels: the one implementation of the rule.
    /// <paramref name="hasSuboffsets"/> is the <c>suboffsets != NULL</c> test (rank 0 may have them).
    /// </summary>
    internal static bool IsContiguous(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides, bool hasSuboffsets, nint itemSize, MemoryOrder order)
    {
        if (hasSuboffsets)
            return false;
        return order switch
        {
            MemoryOrder.C => IsContiguousIn(shape, byteStrides, itemSize, reverse: true),
            MemoryOrder.F => IsContiguousIn(shape, byteStrides, itemSize, reverse: false),
            MemoryOrder.Any => IsContiguousIn(shape, byteStrides, itemSize, reverse: true) || IsContiguousIn(shape, byteStrides, itemSize, reverse: false),
            _ => ThrowHelper.ThrowArgument<bool>($"Unknown order {order}.", nameof(order)),
        };
    }

    private static bool IsContiguousIn(ReadOnlySpan<nint> shape, ReadOnlySpan<nint> byteStrides, nint itemSize, bool reverse)
    {
        // CPython tests view->len == 0: no bytes (an empty dimension or a zero item size) is contiguous.
        if (itemSize == 0 || shape.Contains(0))
            return true;
        var expectedByteStride = itemSize;
        var rank = shape.Length;
        for (var k = 0; k < rank; k++)
        {
            var dim = reverse ? rank - 1 - k : k;
            var length = shape[dim];
            if (length > 1 && byteStrides[dim] != expectedByteStride)
                return false;
            expectedByteStride *= length;
        }
        return true;
    }

    /// <summary>
    /// Whether the layout, placed with element [0, ..., 0] at <paramref name="originByteOffset"/>, reaches
    /// only bytes inside an extent of <paramref name="extentByteLength"/> bytes starting at offset 0.
    /// </summary>
    /// <param name="originByteOffset">The offset of element [0, ..., 0] inside the extent.</param>
    /// <param name="extentByteLength">The length of the extent in bytes.</param>
    public bool FitsInExtent(nint originByteOffset, nint extentByteLength)
    {
        if (IsIndirect || originByteOffset < 0 || extentByteLength < 0 || originByteOffset > extentByteLength)
            return false;
        if (IsEmpty)
            return true;
        return (Int128)originByteOffset + LowestByteOffset >= 0 && (Int128)originByteOffset + EndByteOffset <= extentByteLength;
    }

    internal void ValidateExtent(nint originByteOffset, nint extentByteLength, string paramName)
    {
        if (IsIndirect)
            ThrowHelper.ThrowArgument("An indirect layout (suboffsets >= 0) cannot be proven inside an extent: use the Dangerous entry point.", paramName);
        if (!FitsInExtent(originByteOffset, extentByteLength))
            ThrowHelper.ThrowOutsideExtent(paramName, LowestByteOffset, EndByteOffset, originByteOffset, extentByteLength, ByteLength);
    }

    /// <summary>
    /// The byte offset of an element relative to element [0, ..., 0], for a direct layout.
    /// Each index must be in <c>[0, length)</c>.
    /// </summary>
    /// <param name="indices">One index per dimension.</param>
    public nint GetByteOffset(params ReadOnlySpan<nint> indices)
    {
        if (indices.Length != Rank)
            ThrowHelper.ThrowLengthMismatch(nameof(indices), "indices", indices.Length, Rank);
        if (IsIndirect)
            ThrowHelper.ThrowIndirectDimension("Computing a byte offset", FirstIndirectDimension());
        nint byteOffset = 0;
        for (var i = 0; i < indices.Length; i++)
        {
            if ((nuint)indices[i] >= (nuint)_shape[i])
                ThrowHelper.ThrowIndexOutOfRange(nameof(indices), i, indices[i], _shape[i]);
            byteOffset += indices[i] * _byteStrides[i];
        }
        return byteOffset;
    }

    internal int FirstIndirectDimension()
    {
        if (_suboffsets is not null)
        {
            for (var i = 0; i < _suboffsets.Length; i++)
            {
                if (_suboffsets[i] >= 0)
                    return i;
            }
        }
        return -1;
    }

    internal nint[] ShapeArray => _shape;

    internal nint[] ByteStridesArray => _byteStrides;

    internal nint[]? SuboffsetsArray => _suboffsets;

    /// <inheritdoc/>
    public bool Equals(StridedLayout? other) =>
        other is not null && ItemSize == other.ItemSize && HasSuboffsets == other.HasSuboffsets &&
        _shape.AsSpan().SequenceEqual(other._shape) && _byteStrides.AsSpan().SequenceEqual(other._byteStrides) &&
        Suboffsets.SequenceEqual(other.Suboffsets);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as StridedLayout);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(ItemSize);
        foreach (var length in _shape)
            hash.Add(length);
        foreach (var byteStride in _byteStrides)
            hash.Add(byteStride);
        return hash.ToHashCode();
    }

    /// <summary>Describes the layout: <c>shape (2, 3) byteStrides (24, 8) itemSize 8</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("shape ").Append(FormatTuple(_shape)).Append(" byteStrides ").Append(FormatTuple(_byteStrides));
        if (_suboffsets is not null)
            text.Append(" suboffsets ").Append(FormatTuple(_suboffsets));
        return text.Append(" itemSize ").Append(ItemSize).ToString();
    }

    /// <summary>
    /// Writes lengths, byte strides or suboffsets as a tuple, the way NdBridge's messages and <see cref="ToString"/> do:
    /// <c>(2, 3)</c>, <c>(5,)</c>, <c>()</c>. For a bridge's own messages about layouts.
    /// </summary>
    /// <param name="values">The values, one per dimension.</param>
    public static string FormatTuple(ReadOnlySpan<nint> values)
    {
        var text = new StringBuilder("(");
        for (var i = 0; i < values.Length; i++)
            text.Append(i == 0 ? "" : ", ").Append(values[i]);
        return text.Append(values.Length == 1 ? ",)" : ")").ToString();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryMultiply(nint left, nint right, out nint product)
    {
        var wide = (Int128)left * right;
        product = (nint)wide;
        return wide == product;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryAdd(nint left, nint right, out nint sum)
    {
        var wide = (Int128)left + right;
        sum = (nint)wide;
        return wide == sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TrySubtract(nint left, nint right, out nint difference)
    {
        var wide = (Int128)left - right;
        difference = (nint)wide;
        return wide == difference;
    }
}
