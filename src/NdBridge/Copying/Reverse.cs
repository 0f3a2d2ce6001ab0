using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NdBridge.Copying;

/// <summary>Reversed rows (<c>a[:, ::-1]</c>): dst[i] = src[-i], a vector load, an in-register reverse and a store.</summary>
internal static unsafe class Reverse
{
    /// <summary>
    /// False when no vector path exists for the item size; the caller then copies item by item. With
    /// <paramref name="stream"/> (8-byte items), stores past a 32-byte aligned destination are non-temporal and the
    /// caller fences after its last row.
    /// </summary>
    public static bool TryRow<T>(byte* dst, byte* src, nint itemCount, bool stream = false) where T : unmanaged
    {
        if (!Avx2.IsSupported)
            return false;
        if (sizeof(T) == 8)
            Row8(dst, src, itemCount, stream);
        else if (sizeof(T) == 4)
            Row4(dst, src, itemCount);
        else if (sizeof(T) == 2)
            RowBytes<ushort>(dst, src, itemCount, Vector128.Create((byte)14, 15, 12, 13, 10, 11, 8, 9, 6, 7, 4, 5, 2, 3, 0, 1));
        else if (sizeof(T) == 1)
            RowBytes<byte>(dst, src, itemCount, Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
        else
            return false;
        return true;
    }

    private static void Row8(byte* dst, byte* src, nint itemCount, bool stream)
    {
        nint i = 0;
        if (stream)
        {
            for (; i < itemCount && (nuint)(dst + i * 8) % 32 != 0; i++)
                Unsafe.WriteUnaligned(dst + i * 8, Unsafe.ReadUnaligned<ulong>(src - i * 8));
        }
        // Items i..i+7 sit at src - (i+7)*8 .. src - i*8 + 8: inside the row.
        for (; i + 8 <= itemCount; i += 8)
        {
            Vector256<ulong> v0 = Avx2.Permute4x64(Avx.LoadVector256((ulong*)(src - (i + 3) * 8)), 0b00_01_10_11);
            Vector256<ulong> v1 = Avx2.Permute4x64(Avx.LoadVector256((ulong*)(src - (i + 7) * 8)), 0b00_01_10_11);
            if (stream)
            {
                Avx.StoreAlignedNonTemporal((ulong*)(dst + i * 8), v0);
                Avx.StoreAlignedNonTemporal((ulong*)(dst + i * 8 + 32), v1);
            }
            else
            {
                Avx.Store((ulong*)(dst + i * 8), v0);
                Avx.Store((ulong*)(dst + i * 8 + 32), v1);
            }
        }
        for (; i + 4 <= itemCount; i += 4)
        {
            Vector256<ulong> v = Avx.LoadVector256((ulong*)(src - (i + 3) * 8));
            Avx.Store((ulong*)(dst + i * 8), Avx2.Permute4x64(v, 0b00_01_10_11));
        }
        for (; i < itemCount; i++)
            Unsafe.WriteUnaligned(dst + i * 8, Unsafe.ReadUnaligned<ulong>(src - i * 8));
    }

    private static void Row4(byte* dst, byte* src, nint itemCount)
    {
        Vector256<int> reversed = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
        nint i = 0;
        for (; i + 8 <= itemCount; i += 8)
        {
            Vector256<int> v = Avx.LoadVector256((int*)(src - (i + 7) * 4));
            Avx.Store((int*)(dst + i * 4), Avx2.PermuteVar8x32(v, reversed));
        }
        for (; i < itemCount; i++)
            Unsafe.WriteUnaligned(dst + i * 4, Unsafe.ReadUnaligned<uint>(src - i * 4));
    }

    private static void RowBytes<T>(byte* dst, byte* src, nint itemCount, Vector128<byte> mask) where T : unmanaged
    {
        nint perVector = 16 / sizeof(T);
        nint i = 0;
        for (; i + perVector <= itemCount; i += perVector)
        {
            Vector128<byte> v = Sse2.LoadVector128(src - (i + perVector - 1) * sizeof(T));
            Sse2.Store(dst + i * sizeof(T), Ssse3.Shuffle(v, mask));
        }
        for (; i < itemCount; i++)
            Unsafe.WriteUnaligned(dst + i * sizeof(T), Unsafe.ReadUnaligned<T>(src - i * sizeof(T)));
    }
}
