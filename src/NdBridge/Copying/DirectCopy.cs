using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NdBridge.Copying;

/// <summary>
/// The copy kernel for two direct layouts of one shape whose byte ranges do not overlap.
/// It drops size-1 dimensions, orders dimensions by destination stride (when the destination has no
/// element written twice), merges dimensions contiguous with each other in both operands, and hands
/// the inner loop to block copy, reverse, gather or a cache-tiled transpose.
/// </summary>
/// <remarks>
/// <para>
/// A destination that aliases itself (a stride of 0, overlapping strides) is written in C order, so the
/// last element in C order wins, as copying through a temporary would give.
/// </para>
/// <para>
/// In bounds: callers pass layouts whose every element is valid memory (proven or trusted by the buffer);
/// the kernels touch only element bytes, except the every-other gather, whose wide load ends inside the
/// next element of the same row.
/// </para>
/// <code>
///   a.T of a 4096 x 4096 double matrix, copied to C order:
///   dims (count, dst stride, src stride) = (4096, 32768, 8) (4096, 8, 32768)
///   inner run strided in the source -> 64 x 64 tiles, each cut into 8 x 8 register transposes:
///     src rows b..b+7, 64 bytes each  --transpose-->  dst rows a..a+7, 64 bytes each
///   a[:, :4096] of 4096 x 4104: (4096, 32768, 32832) (4096, 8, 8) -> 4096 block copies of 32 KiB
///   a (C): (4096, 32768, 32768) (4096, 8, 8) merge into (16777216, 8, 8) -> one block copy
/// </code>
/// </remarks>
internal static unsafe class DirectCopy
{
    internal struct Dim
    {
        public nint Count;
        public nint DstByteStride;
        public nint SrcByteStride;
    }

    private const int TileItems = 64;
    private const nint TileMaxSmallByteStride = 64;

    public static void Copy(ReadOnlySpan<nint> shape, nint itemSize,
        byte* dst, ReadOnlySpan<nint> dstByteStrides, byte* src, ReadOnlySpan<nint> srcByteStrides)
    {
        Span<Dim> dims = stackalloc Dim[shape.Length];
        int rank = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            nint itemCount = shape[i];
            if (itemCount == 0)
                return;
            if (itemCount == 1)
                continue;
            dims[rank++] = new Dim { Count = itemCount, DstByteStride = dstByteStrides[i], SrcByteStride = srcByteStrides[i] };
        }
        dims = dims[..rank];

        bool reorderable = !DestinationAliases(dims, itemSize);
        if (reorderable)
        {
            // Iterating a dimension backwards in both operands pairs the same elements.
            for (int i = 0; i < dims.Length; i++)
            {
                ref Dim dim = ref dims[i];
                if (dim.DstByteStride < 0)
                {
                    dst += (dim.Count - 1) * dim.DstByteStride;
                    src += (dim.Count - 1) * dim.SrcByteStride;
                    dim.DstByteStride = -dim.DstByteStride;
                    dim.SrcByteStride = -dim.SrcByteStride;
                }
            }
            SortByDestinationStride(dims);
        }
        dims = dims[..Coalesce(dims)];
        Execute(dims, itemSize, dst, src, reorderable);
    }

    /// <summary>
    /// False only when every destination element is distinct: sorted by |stride|, each stride clears
    /// the extent of the dimensions inside it. (Layouts that interleave are treated as aliasing.)
    /// </summary>
    private static bool DestinationAliases(Span<Dim> dims, nint itemSize)
    {
        Span<nint> byteStrides = stackalloc nint[dims.Length];
        Span<nint> counts = stackalloc nint[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            byteStrides[i] = Math.Abs(dims[i].DstByteStride);
            counts[i] = dims[i].Count;
        }
        byteStrides.Sort(counts);
        nint reachBytes = itemSize;
        for (int i = 0; i < byteStrides.Length; i++)
        {
            if (byteStrides[i] < reachBytes)
                return true;
            reachBytes = byteStrides[i] * (counts[i] - 1) + reachBytes;
        }
        return false;
    }

    internal static void SortByDestinationStride(Span<Dim> dims)
    {
        for (int i = 1; i < dims.Length; i++)
        {
            Dim key = dims[i];
            int j = i - 1;
            while (j >= 0 && (dims[j].DstByteStride < key.DstByteStride
                || (dims[j].DstByteStride == key.DstByteStride && Math.Abs(dims[j].SrcByteStride) < Math.Abs(key.SrcByteStride))))
            {
                dims[j + 1] = dims[j];
                j--;
            }
            dims[j + 1] = key;
        }
    }

    internal static int Coalesce(Span<Dim> dims)
    {
        if (dims.IsEmpty)
            return 0;
        int last = 0;
        for (int i = 1; i < dims.Length; i++)
        {
            ref Dim outer = ref dims[last];
            Dim inner = dims[i];
            if (outer.DstByteStride == inner.DstByteStride * inner.Count && outer.SrcByteStride == inner.SrcByteStride * inner.Count)
            {
                outer.Count *= inner.Count;
                outer.DstByteStride = inner.DstByteStride;
                outer.SrcByteStride = inner.SrcByteStride;
            }
            else
            {
                dims[++last] = inner;
            }
        }
        return last + 1;
    }

    private static void Execute(Span<Dim> dims, nint itemSize, byte* dst, byte* src, bool reorderable)
    {
        if (dims.IsEmpty)
        {
            CopyItem(dst, src, itemSize);
            return;
        }
        Dim inner = dims[^1];
        Span<Dim> outer = dims[..^1];
        Span<nint> index = stackalloc nint[dims.Length];
        index.Clear();

        // A destination far larger than the caches, written row by row: non-temporal stores skip reading each line
        // before writing it. (One run that large is memmove's, which streams by itself.)
        bool stream = inner.DstByteStride == itemSize && StreamingCopy.AppliesToRows(inner.Count * itemSize, ByteLength(dims, itemSize), dst);
        if (inner.DstByteStride == itemSize && inner.SrcByteStride == itemSize)
        {
            nint runByteLength = inner.Count * itemSize;
            if (stream && runByteLength < StreamingCopy.ThresholdByteLength)
            {
                do
                    StreamingCopy.Copy(src, dst, runByteLength, 1);
                while (Advance(outer, index, ref dst, ref src));
                return;
            }
            do
                Buffer.MemoryCopy(src, dst, runByteLength, runByteLength);
            while (Advance(outer, index, ref dst, ref src));
            return;
        }

        if (reorderable && inner.DstByteStride == itemSize && !outer.IsEmpty && Math.Abs(inner.SrcByteStride) > TileMaxSmallByteStride)
        {
            int tileDim = -1;
            for (int i = 0; i < outer.Length; i++)
            {
                nint byteStride = Math.Abs(outer[i].SrcByteStride);
                if (byteStride <= TileMaxSmallByteStride && (tileDim < 0 || byteStride < Math.Abs(outer[tileDim].SrcByteStride)))
                    tileDim = i;
            }
            if (tileDim >= 0)
            {
                Dim across = outer[tileDim];
                Span<Dim> rest = stackalloc Dim[outer.Length - 1];
                outer[..tileDim].CopyTo(rest);
                outer[(tileDim + 1)..].CopyTo(rest[tileDim..]);
                do
                    Tile(dst, src, across, inner, itemSize);
                while (Advance(rest, index, ref dst, ref src));
                return;
            }
        }

        do
            Row(dst, inner.DstByteStride, src, inner.SrcByteStride, inner.Count, itemSize, stream);
        while (Advance(outer, index, ref dst, ref src));
        if (stream)
            Sse.StoreFence(); // the rows' non-temporal stores are weakly ordered: visible before the copy returns
    }

    private static nint ByteLength(Span<Dim> dims, nint itemSize)
    {
        nint byteLength = itemSize;
        foreach (var dim in dims)
            byteLength *= dim.Count; // the layouts were proven (or trusted) to fit in memory: no overflow
        return byteLength;
    }

    /// <summary>Steps an odometer over <paramref name="dims"/> in C order; false after the last index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Advance(Span<Dim> dims, Span<nint> index, ref byte* dst, ref byte* src)
    {
        for (int k = dims.Length - 1; k >= 0; k--)
        {
            ref Dim dim = ref dims[k];
            dst += dim.DstByteStride;
            src += dim.SrcByteStride;
            if (++index[k] < dim.Count)
                return true;
            index[k] = 0;
            dst -= dim.DstByteStride * dim.Count;
            src -= dim.SrcByteStride * dim.Count;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyItem(byte* dst, byte* src, nint itemSize)
    {
        switch (itemSize)
        {
            case 1: *dst = *src; break;
            case 2: Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<ushort>(src)); break;
            case 4: Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<uint>(src)); break;
            case 8: Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<ulong>(src)); break;
            case 16: Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<Vector128<byte>>(src)); break;
            default: Buffer.MemoryCopy(src, dst, itemSize, itemSize); break;
        }
    }

    /// <summary>
    /// One strided row: dst[i * dstByteStride] = src[i * srcByteStride]. <paramref name="stream"/>: the row's 8-byte
    /// reverse and every-other gather may store non-temporally (the caller fences after the last row).
    /// </summary>
    internal static void Row(byte* dst, nint dstByteStride, byte* src, nint srcByteStride, nint itemCount, nint itemSize, bool stream = false)
    {
        switch (itemSize)
        {
            case 1: RowOf<byte>(dst, dstByteStride, src, srcByteStride, itemCount, false); break;
            case 2: RowOf<ushort>(dst, dstByteStride, src, srcByteStride, itemCount, false); break;
            case 4: RowOf<uint>(dst, dstByteStride, src, srcByteStride, itemCount, false); break;
            case 8: RowOf<ulong>(dst, dstByteStride, src, srcByteStride, itemCount, stream); break;
            case 16: RowOf<Vector128<byte>>(dst, dstByteStride, src, srcByteStride, itemCount, false); break;
            default:
                for (nint i = 0; i < itemCount; i++)
                    Buffer.MemoryCopy(src + i * srcByteStride, dst + i * dstByteStride, itemSize, itemSize);
                break;
        }
    }

    private static void RowOf<T>(byte* dst, nint dstByteStride, byte* src, nint srcByteStride, nint itemCount, bool stream)
        where T : unmanaged
    {
        nint itemSize = sizeof(T);
        if (dstByteStride == itemSize)
        {
            if (srcByteStride == -itemSize && Reverse.TryRow<T>(dst, src, itemCount, stream))
                return;
            if (itemSize == 8 && srcByteStride == 16 && Avx2.IsSupported)
            {
                GatherEveryOther8(dst, src, itemCount, stream);
                return;
            }
        }
        nint i = 0;
        for (; i + 4 <= itemCount; i += 4)
        {
            T a = Unsafe.ReadUnaligned<T>(src);
            T b = Unsafe.ReadUnaligned<T>(src + srcByteStride);
            T c = Unsafe.ReadUnaligned<T>(src + 2 * srcByteStride);
            T d = Unsafe.ReadUnaligned<T>(src + 3 * srcByteStride);
            Unsafe.WriteUnaligned(dst, a);
            Unsafe.WriteUnaligned(dst + dstByteStride, b);
            Unsafe.WriteUnaligned(dst + 2 * dstByteStride, c);
            Unsafe.WriteUnaligned(dst + 3 * dstByteStride, d);
            src += 4 * srcByteStride;
            dst += 4 * dstByteStride;
        }
        for (; i < itemCount; i++)
        {
            Unsafe.WriteUnaligned(dst, Unsafe.ReadUnaligned<T>(src));
            src += srcByteStride;
            dst += dstByteStride;
        }
    }

    /// <summary>
    /// dst[i] = src[2i] for 8-byte items: two loads, an unpack and a lane permute per 4 items; with
    /// <paramref name="stream"/>, items one by one up to a 32-byte aligned destination, then non-temporal stores.
    /// </summary>
    private static void GatherEveryOther8(byte* dst, byte* src, nint itemCount, bool stream)
    {
        nint i = 0;
        if (stream)
        {
            for (; i < itemCount && (nuint)(dst + i * 8) % 32 != 0; i++)
                Unsafe.WriteUnaligned(dst + i * 8, Unsafe.ReadUnaligned<ulong>(src + i * 16));
        }
        // i + 4 < itemCount: the second load reads 8 bytes past item i+3's slot, which item i+4 covers.
        for (; i + 4 < itemCount; i += 4)
        {
            Vector256<ulong> v0 = Avx.LoadVector256((ulong*)(src + i * 16));
            Vector256<ulong> v1 = Avx.LoadVector256((ulong*)(src + i * 16 + 32));
            Vector256<ulong> gathered = Avx2.Permute4x64(Avx2.UnpackLow(v0, v1), 0b11_01_10_00);
            if (stream)
                Avx.StoreAlignedNonTemporal((ulong*)(dst + i * 8), gathered);
            else
                Avx.Store((ulong*)(dst + i * 8), gathered);
        }
        for (; i < itemCount; i++)
            Unsafe.WriteUnaligned(dst + i * 8, Unsafe.ReadUnaligned<ulong>(src + i * 16));
    }

    /// <summary>
    /// A 2-D copy walked in square tiles so that both the rows read and the rows written stay in cache:
    /// <paramref name="inner"/> is contiguous in the destination, <paramref name="across"/> has a small
    /// source stride.
    /// </summary>
    private static void Tile(byte* dst, byte* src, Dim across, Dim inner, nint itemSize)
    {
        bool vector = itemSize is 4 or 8 && across.SrcByteStride == itemSize && Avx2.IsSupported;
        for (nint a0 = 0; a0 < across.Count; a0 += TileItems)
        {
            nint aEnd = Math.Min(a0 + TileItems, across.Count);
            for (nint b0 = 0; b0 < inner.Count; b0 += TileItems)
            {
                nint bEnd = Math.Min(b0 + TileItems, inner.Count);
                if (vector)
                    TileVector(dst, src, across.DstByteStride, inner.SrcByteStride, itemSize, a0, aEnd, b0, bEnd);
                else
                    TileScalar(dst, src, across, inner, itemSize, a0, aEnd, b0, bEnd);
            }
        }
    }

    private static void TileScalar(byte* dst, byte* src, Dim across, Dim inner, nint itemSize,
        nint a0, nint aEnd, nint b0, nint bEnd)
    {
        for (nint a = a0; a < aEnd; a++)
            Row(dst + a * across.DstByteStride + b0 * inner.DstByteStride, inner.DstByteStride,
                src + a * across.SrcByteStride + b0 * inner.SrcByteStride, inner.SrcByteStride, bEnd - b0, itemSize);
    }

    /// <summary>
    /// 4- or 8-byte items, source contiguous along a, destination contiguous along b: 8x8 blocks transposed in
    /// registers (four 4x4 for 8-byte items), so each 64-byte line read or written is used whole while in cache.
    /// Edges go through <see cref="Row"/>.
    /// </summary>
    private static void TileVector(byte* dst, byte* src, nint dstByteStrideA, nint srcByteStrideB, nint itemSize,
        nint a0, nint aEnd, nint b0, nint bEnd)
    {
        nint aVectorEnd = a0 + ((aEnd - a0) & ~(nint)7);
        nint bVectorEnd = b0 + ((bEnd - b0) & ~(nint)7);
        for (nint a = a0; a < aVectorEnd; a += 8)
        {
            for (nint b = b0; b < bVectorEnd; b += 8)
            {
                if (itemSize == 8)
                {
                    Transpose4x4(dst, src, dstByteStrideA, srcByteStrideB, a, b);
                    Transpose4x4(dst, src, dstByteStrideA, srcByteStrideB, a, b + 4);
                    Transpose4x4(dst, src, dstByteStrideA, srcByteStrideB, a + 4, b);
                    Transpose4x4(dst, src, dstByteStrideA, srcByteStrideB, a + 4, b + 4);
                }
                else
                {
                    Transpose8x8(dst, src, dstByteStrideA, srcByteStrideB, a, b);
                }
            }
            for (nint k = a; k < a + 8 && bVectorEnd < bEnd; k++)
                Row(dst + k * dstByteStrideA + bVectorEnd * itemSize, itemSize, src + k * itemSize + bVectorEnd * srcByteStrideB, srcByteStrideB, bEnd - bVectorEnd, itemSize);
        }
        for (nint a = aVectorEnd; a < aEnd; a++)
            Row(dst + a * dstByteStrideA + b0 * itemSize, itemSize, src + a * itemSize + b0 * srcByteStrideB, srcByteStrideB, bEnd - b0, itemSize);
    }

    /// <summary>An 8x8 block of 4-byte items: unpack, shuffle, then swap 128-bit halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(byte* dst, byte* src, nint dstByteStrideA, nint srcByteStrideB, nint a, nint b)
    {
        byte* s = src + a * 4 + b * srcByteStrideB;
        Vector256<float> r0 = Avx.LoadVector256((float*)s);
        Vector256<float> r1 = Avx.LoadVector256((float*)(s + srcByteStrideB));
        Vector256<float> r2 = Avx.LoadVector256((float*)(s + 2 * srcByteStrideB));
        Vector256<float> r3 = Avx.LoadVector256((float*)(s + 3 * srcByteStrideB));
        Vector256<float> r4 = Avx.LoadVector256((float*)(s + 4 * srcByteStrideB));
        Vector256<float> r5 = Avx.LoadVector256((float*)(s + 5 * srcByteStrideB));
        Vector256<float> r6 = Avx.LoadVector256((float*)(s + 6 * srcByteStrideB));
        Vector256<float> r7 = Avx.LoadVector256((float*)(s + 7 * srcByteStrideB));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        byte* d = dst + a * dstByteStrideA + b * 4;
        Avx.Store((float*)d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store((float*)(d + dstByteStrideA), Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store((float*)(d + 2 * dstByteStrideA), Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store((float*)(d + 3 * dstByteStrideA), Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store((float*)(d + 4 * dstByteStrideA), Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store((float*)(d + 5 * dstByteStrideA), Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store((float*)(d + 6 * dstByteStrideA), Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store((float*)(d + 7 * dstByteStrideA), Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(byte* dst, byte* src, nint dstByteStrideA, nint srcByteStrideB, nint a, nint b)
    {
        byte* s = src + a * 8 + b * srcByteStrideB;
        Vector256<double> r0 = Avx.LoadVector256((double*)s);
        Vector256<double> r1 = Avx.LoadVector256((double*)(s + srcByteStrideB));
        Vector256<double> r2 = Avx.LoadVector256((double*)(s + 2 * srcByteStrideB));
        Vector256<double> r3 = Avx.LoadVector256((double*)(s + 3 * srcByteStrideB));
        Vector256<double> t0 = Avx.UnpackLow(r0, r1);
        Vector256<double> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3);
        Vector256<double> t3 = Avx.UnpackHigh(r2, r3);
        byte* d = dst + a * dstByteStrideA + b * 8;
        Avx.Store((double*)d, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store((double*)(d + dstByteStrideA), Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store((double*)(d + 2 * dstByteStrideA), Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store((double*)(d + 3 * dstByteStrideA), Avx.Permute2x128(t1, t3, 0x31));
    }
}
