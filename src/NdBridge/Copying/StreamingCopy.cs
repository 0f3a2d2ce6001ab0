using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NdBridge.Copying;

/// <summary>
/// Copies of blocks far larger than the caches with non-temporal stores, as glibc's <c>memmove</c> does above its
/// non-temporal threshold: the destination's lines are written without being read first (no read-for-ownership) and
/// without evicting the caller's working set. Plain and byte-swapping (2-, 4- and 8-byte scalars) variants. A single
/// contiguous block is glibc's own <c>memmove</c> (<c>Buffer.MemoryCopy</c>), whose page-interleaved large-copy path
/// measured faster than this loop; the rows of a large destination stream here (<see cref="AppliesToRows"/>), where
/// memmove would see each row as small.
/// </summary>
internal static unsafe class StreamingCopy
{
    /// <summary>Blocks at least this long stream (several times a last-level cache slice).</summary>
    public const nint ThresholdByteLength = 8 << 20;

    /// <summary>
    /// Whether a copy of <paramref name="byteLength"/> bytes of <paramref name="scalarSize"/>-byte scalars should stream:
    /// large, the ranges apart, and the destination on the scalar grid (so whole scalars reach a 32-byte boundary).
    /// </summary>
    public static bool Applies(byte* source, byte* destination, nint byteLength, nint scalarSize) =>
        Avx2.IsSupported && byteLength >= ThresholdByteLength && (nuint)destination % (nuint)scalarSize == 0
        && (destination + byteLength <= source || source + byteLength <= destination);

    /// <summary>
    /// Whether a copy writing <paramref name="totalByteLength"/> destination bytes in rows of <paramref name="rowByteLength"/>
    /// contiguous bytes (a block, a reversed or gathered row) should store non-temporally: the whole destination past
    /// the threshold, rows long enough to fill whole lines (from 1 KiB), and the destination on the 8-byte grid (so whole
    /// items reach 32-byte boundaries). The copy kernel's operands never overlap. (A single block past the threshold is
    /// memmove's, which streams by itself.)
    /// </summary>
    public static bool AppliesToRows(nint rowByteLength, nint totalByteLength, byte* destination) =>
        Avx2.IsSupported && totalByteLength >= ThresholdByteLength && rowByteLength >= 1024 && (nuint)destination % 8 == 0;

    /// <summary>
    /// Copies <paramref name="byteLength"/> bytes, reversing each <paramref name="scalarSize"/>-byte scalar (1: a plain
    /// copy). The length is a multiple of the scalar size; callers check <see cref="Applies"/>.
    /// </summary>
    public static void Copy(byte* source, byte* destination, nint byteLength, nint scalarSize)
    {
        // The head up to a 32-byte aligned destination: whole scalars, since the destination is on the scalar grid.
        var head = Math.Min((32 - (nint)((nuint)destination & 31)) & 31, byteLength);
        Plain(source, destination, head, scalarSize);
        var at = head;
        {
            var mask = Mask(scalarSize);
            // Every iteration reads and writes 128 bytes inside [at, byteLength).
            for (; at + 128 <= byteLength; at += 128)
            {
                var a = Avx.LoadVector256(source + at);
                var b = Avx.LoadVector256(source + at + 32);
                var c = Avx.LoadVector256(source + at + 64);
                var d = Avx.LoadVector256(source + at + 96);
                if (scalarSize > 1)
                {
                    a = Avx2.Shuffle(a, mask);
                    b = Avx2.Shuffle(b, mask);
                    c = Avx2.Shuffle(c, mask);
                    d = Avx2.Shuffle(d, mask);
                }
                Avx.StoreAlignedNonTemporal(destination + at, a);
                Avx.StoreAlignedNonTemporal(destination + at + 32, b);
                Avx.StoreAlignedNonTemporal(destination + at + 64, c);
                Avx.StoreAlignedNonTemporal(destination + at + 96, d);
            }
            Sse.StoreFence(); // non-temporal stores are weakly ordered: visible before the copy returns
        }
        Plain(source + at, destination + at, byteLength - at, scalarSize); // under 128 bytes
    }

    // Reverses the bytes of each scalar inside every 16-byte lane (Avx2.Shuffle works per lane; scalars never cross one).
    private static Vector256<byte> Mask(nint scalarSize)
    {
        Span<byte> lane = stackalloc byte[32];
        for (var k = 0; k < 32; k++)
            lane[k] = scalarSize <= 1 ? (byte)k : (byte)(k / scalarSize * scalarSize + (scalarSize - 1 - k % scalarSize));
        return Vector256.Create((ReadOnlySpan<byte>)lane);
    }

    private static void Plain(byte* source, byte* destination, nint byteLength, nint scalarSize)
    {
        if (byteLength <= 0)
            return;
        switch (scalarSize)
        {
            case 2: System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<ushort>(source, (int)(byteLength / 2)), new Span<ushort>(destination, (int)(byteLength / 2))); break;
            case 4: System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<uint>(source, (int)(byteLength / 4)), new Span<uint>(destination, (int)(byteLength / 4))); break;
            case 8: System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(new ReadOnlySpan<ulong>(source, (int)(byteLength / 8)), new Span<ulong>(destination, (int)(byteLength / 8))); break;
            default: Buffer.MemoryCopy(source, destination, byteLength, byteLength); break;
        }
    }
}
