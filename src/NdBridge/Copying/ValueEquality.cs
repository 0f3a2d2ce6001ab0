using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Buffers.Binary;

namespace NdBridge.Copying;

/// <summary>
/// Equality by value of two layouts of one shape, each element decoded with its own leaves, with the rules
/// of CPython's <c>memoryview</c> comparison: numbers as numbers (<c>&lt;i4</c> 1 equals <c>&gt;i8</c> 1 and
/// <c>d</c> 1.0; <c>2**53+1</c> is not <c>float(2**53)</c>), NaN unequal to everything including itself,
/// 0.0 equal to -0.0, records leaf by leaf, bytes by bytes and never equal to a number.
/// </summary>
internal static unsafe class ValueEquality
{
    /// <summary>One side: the memory, its item size and the leaves of one item.</summary>
    internal readonly ref struct Side(in StridedOperand operand, nint itemSize, ReadOnlySpan<ValueLeaf> leaves)
    {
        public readonly StridedOperand Operand = operand;
        public readonly nint ItemSize = itemSize;
        public readonly ReadOnlySpan<ValueLeaf> Leaves = leaves;
    }

    public static bool Equal(ReadOnlySpan<nint> shape, in Side a, in Side b)
    {
        StridedCopy.ValidateShape(shape, Math.Max(a.ItemSize, 1));
        a.Operand.Validate(shape.Length, nameof(a));
        b.Operand.Validate(shape.Length, nameof(b));
        ValidateLeaves(a.Leaves, a.ItemSize, nameof(a));
        ValidateLeaves(b.Leaves, b.ItemSize, nameof(b));
        if (LayoutMath.ElementCount(shape) == 0)
            return true;
        if (a.Leaves.Length != b.Leaves.Length)
            return false;
        for (int i = 0; i < a.Leaves.Length; i++)
        {
            if ((a.Leaves[i].Kind == ScalarKind.Bytes) != (b.Leaves[i].Kind == ScalarKind.Bytes))
                return false;
        }
        bool bytewise = IsBytewise(a, b);
        RunKind runKind = bytewise ? RunKind.Bytes : FloatRunKind(a, b);
        if (runKind != RunKind.None && !a.Operand.HasIndirection && !b.Operand.HasIndirection)
            return EqualByRuns(shape, a, b, runKind);
        var comparer = new ItemComparer(a, b, bytewise);
        return PairedWalk.Walk(0, shape.Length, shape, a.Operand, a.Operand.Origin, b.Operand, b.Operand.Origin, ref comparer);
    }

    private enum RunKind { None, Bytes, Float32, Float64 }

    /// <summary>Both items one native-order <c>f</c> or <c>d</c>: compared a vector at a time, IEEE equality.</summary>
    private static RunKind FloatRunKind(in Side a, in Side b)
    {
        if (a.Leaves.Length != 1 || a.ItemSize != b.ItemSize || !a.Leaves.SequenceEqual(b.Leaves))
            return RunKind.None;
        ValueLeaf leaf = a.Leaves[0];
        if (leaf.Kind != ScalarKind.Float || leaf.ByteOffset != 0 || leaf.ByteSize != a.ItemSize || leaf.IsBigEndian == BitConverter.IsLittleEndian)
            return RunKind.None;
        return leaf.ByteSize switch { 4 => RunKind.Float32, 8 => RunKind.Float64, _ => RunKind.None };
    }

    /// <summary>Direct layouts walked together, dimensions merged, innermost contiguous runs compared whole.</summary>
    private static bool EqualByRuns(ReadOnlySpan<nint> shape, in Side a, in Side b, RunKind runKind)
    {
        nint itemSize = a.ItemSize;
        byte* x = a.Operand.Origin, y = b.Operand.Origin;
        Span<DirectCopy.Dim> dims = stackalloc DirectCopy.Dim[shape.Length];
        int rank = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == 1)
                continue;
            var dim = new DirectCopy.Dim { Count = shape[i], DstByteStride = a.Operand.ByteStrides[i], SrcByteStride = b.Operand.ByteStrides[i] };
            if (dim.DstByteStride < 0)
            {
                // Walking a dimension backwards in both pairs the same elements.
                x += (dim.Count - 1) * dim.DstByteStride;
                y += (dim.Count - 1) * dim.SrcByteStride;
                dim.DstByteStride = -dim.DstByteStride;
                dim.SrcByteStride = -dim.SrcByteStride;
            }
            dims[rank++] = dim;
        }
        dims = dims[..rank];
        DirectCopy.SortByDestinationStride(dims);
        dims = dims[..DirectCopy.Coalesce(dims)];
        if (dims.IsEmpty)
            return RunEqual(x, y, itemSize, runKind);

        DirectCopy.Dim inner = dims[^1];
        Span<DirectCopy.Dim> outer = dims[..^1];
        Span<nint> index = stackalloc nint[outer.Length];
        index.Clear();
        bool contiguous = inner.DstByteStride == itemSize && inner.SrcByteStride == itemSize;
        do
        {
            if (contiguous)
            {
                if (!RunEqual(x, y, inner.Count * itemSize, runKind))
                    return false;
                continue;
            }
            for (nint i = 0; i < inner.Count; i++)
            {
                if (!RunEqual(x + i * inner.DstByteStride, y + i * inner.SrcByteStride, itemSize, runKind))
                    return false;
            }
        }
        while (DirectCopy.Advance(outer, index, ref x, ref y));
        return true;
    }

    private static bool RunEqual(byte* x, byte* y, nint byteLength, RunKind runKind)
    {
        switch (runKind)
        {
            case RunKind.Float64:
            {
                nint itemCount = byteLength / 8, i = 0;
                for (; i + Vector256<double>.Count <= itemCount; i += Vector256<double>.Count)
                {
                    if (!Vector256.EqualsAll(Vector256.Load((double*)x + i), Vector256.Load((double*)y + i)))
                        return false;
                }
                for (; i < itemCount; i++)
                {
                    if (Unsafe.ReadUnaligned<double>(x + i * 8) != Unsafe.ReadUnaligned<double>(y + i * 8))
                        return false;
                }
                return true;
            }
            case RunKind.Float32:
            {
                nint itemCount = byteLength / 4, i = 0;
                for (; i + Vector256<float>.Count <= itemCount; i += Vector256<float>.Count)
                {
                    if (!Vector256.EqualsAll(Vector256.Load((float*)x + i), Vector256.Load((float*)y + i)))
                        return false;
                }
                for (; i < itemCount; i++)
                {
                    if (Unsafe.ReadUnaligned<float>(x + i * 4) != Unsafe.ReadUnaligned<float>(y + i * 4))
                        return false;
                }
                return true;
            }
            default:
                for (nint done = 0; done < byteLength; done += int.MaxValue)
                {
                    int chunkByteLength = (int)Math.Min(int.MaxValue, byteLength - done);
                    if (!new ReadOnlySpan<byte>(x + done, chunkByteLength).SequenceEqual(new ReadOnlySpan<byte>(y + done, chunkByteLength)))
                        return false;
                }
                return true;
        }
    }

    /// <summary>
    /// Same leaves, none a float, no gaps: items are equal exactly when their bytes are.
    /// </summary>
    private static bool IsBytewise(in Side a, in Side b)
    {
        if (a.ItemSize != b.ItemSize || !a.Leaves.SequenceEqual(b.Leaves))
            return false;
        nint covered = 0;
        foreach (ValueLeaf leaf in a.Leaves)
        {
            if (leaf.Kind is ScalarKind.Float or ScalarKind.Boolean || leaf.ByteOffset != covered)
                return false;
            covered += leaf.ByteSize;
        }
        return covered == a.ItemSize;
    }

    private readonly ref struct ItemComparer(in Side a, in Side b, bool bytewise) : IPairVisitor
    {
        private readonly ReadOnlySpan<ValueLeaf> _aLeaves = a.Leaves;
        private readonly ReadOnlySpan<ValueLeaf> _bLeaves = b.Leaves;
        private readonly int _itemSize = (int)a.ItemSize;

        public bool Visit(byte* a, byte* b) => bytewise
            ? new ReadOnlySpan<byte>(a, _itemSize).SequenceEqual(new ReadOnlySpan<byte>(b, _itemSize))
            : ItemsEqual(a, _aLeaves, b, _bLeaves);
    }

    private static bool ItemsEqual(byte* a, ReadOnlySpan<ValueLeaf> aLeaves, byte* b, ReadOnlySpan<ValueLeaf> bLeaves)
    {
        for (int i = 0; i < aLeaves.Length; i++)
        {
            ValueLeaf x = aLeaves[i], y = bLeaves[i];
            if (x.Kind == ScalarKind.Bytes)
            {
                if (x.ByteSize != y.ByteSize
                    || !new ReadOnlySpan<byte>(a + x.ByteOffset, (int)x.ByteSize).SequenceEqual(new ReadOnlySpan<byte>(b + y.ByteOffset, (int)y.ByteSize)))
                    return false;
                continue;
            }
            if (!NumbersEqual(Decode(a + x.ByteOffset, x), Decode(b + y.ByteOffset, y)))
                return false;
        }
        return true;
    }

    private readonly record struct Number(bool IsFloat, double Float, Int128 Integer);

    private static Number Decode(byte* scalar, in ValueLeaf leaf)
    {
        ulong bits = leaf.ByteSize switch
        {
            1 => *scalar,
            2 => leaf.IsBigEndian ? BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(scalar, 2)) : BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(scalar, 2)),
            4 => leaf.IsBigEndian ? BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(scalar, 4)) : BinaryPrimitives.ReadUInt32LittleEndian(new ReadOnlySpan<byte>(scalar, 4)),
            _ => leaf.IsBigEndian ? BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(scalar, 8)) : BinaryPrimitives.ReadUInt64LittleEndian(new ReadOnlySpan<byte>(scalar, 8)),
        };
        switch (leaf.Kind)
        {
            case ScalarKind.Boolean:
                return new Number(false, 0, bits != 0 ? 1 : 0);
            case ScalarKind.UnsignedInteger:
                return new Number(false, 0, bits);
            case ScalarKind.SignedInteger:
                int shift = 64 - 8 * (int)leaf.ByteSize;
                return new Number(false, 0, ((long)(bits << shift)) >> shift);
            default:
                double value = leaf.ByteSize switch
                {
                    2 => (double)BitConverter.UInt16BitsToHalf((ushort)bits),
                    4 => BitConverter.UInt32BitsToSingle((uint)bits),
                    8 => BitConverter.UInt64BitsToDouble(bits),
                    _ => DecodeExtended(scalar, leaf.IsBigEndian),
                };
                return new Number(true, value, 0);
        }
    }

    /// <summary>
    /// x87 80-bit extended precision (the <c>long double</c> of <c>g</c> on x86-64, in 16 bytes), rounded to
    /// double: values no double holds compare as their nearest double.
    /// </summary>
    private static double DecodeExtended(byte* scalar, bool bigEndian)
    {
        Span<byte> bytes = stackalloc byte[10];
        new ReadOnlySpan<byte>(bigEndian ? scalar + 6 : scalar, 10).CopyTo(bytes);
        if (bigEndian)
            bytes.Reverse();
        ulong mantissa = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        int signAndExponent = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        int exponent = signAndExponent & 0x7FFF;
        double sign = (signAndExponent & 0x8000) != 0 ? -1.0 : 1.0;
        if (exponent == 0x7FFF)
            return (mantissa << 1) == 0 ? sign * double.PositiveInfinity : double.NaN;
        return sign * Math.ScaleB(mantissa, (exponent == 0 ? 1 : exponent) - 16383 - 63);
    }

    private static bool NumbersEqual(in Number x, in Number y)
    {
        if (x.IsFloat && y.IsFloat)
            return x.Float == y.Float;
        if (!x.IsFloat && !y.IsFloat)
            return x.Integer == y.Integer;
        double f = x.IsFloat ? x.Float : y.Float;
        Int128 integer = x.IsFloat ? y.Integer : x.Integer;
        // Exact, as Python compares int with float: the float must be a whole number in range.
        if (!double.IsFinite(f) || Math.Floor(f) != f || Math.Abs(f) >= 1.7e38)
            return false;
        return (Int128)f == integer;
    }

    private static void ValidateLeaves(ReadOnlySpan<ValueLeaf> leaves, nint itemSize, string paramName)
    {
        if (itemSize <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(paramName, itemSize, "The item size must be positive.");
        for (int i = 0; i < leaves.Length; i++)
        {
            ValueLeaf leaf = leaves[i];
            if (leaf.ByteOffset < 0 || leaf.ByteSize < 1 || leaf.ByteSize > itemSize - leaf.ByteOffset)
                ThrowHelper.ThrowLeafOutsideItem(paramName, i, leaf.ByteOffset, leaf.ByteSize, itemSize);
            bool sizeOk = leaf.Kind switch
            {
                ScalarKind.Bytes => true,
                ScalarKind.Float => leaf.ByteSize is 2 or 4 or 8 or 16,
                ScalarKind.Boolean or ScalarKind.SignedInteger or ScalarKind.UnsignedInteger => leaf.ByteSize is 1 or 2 or 4 or 8,
                _ => false,
            };
            if (!sizeOk)
                ThrowHelper.ThrowNotSupported($"A {leaf.Kind} leaf of {leaf.ByteSize} bytes (leaf {i} of {paramName}) cannot be compared by value.");
        }
    }
}
