using System.Runtime.CompilerServices;

namespace NdBridge.Copying;

/// <summary>Moves one strided line of items to or from a contiguous block (the buffered enumeration's gather and scatter).</summary>
internal static unsafe class StridedKernels
{
    /// <summary>block[i] = line[i * lineByteStride] for <paramref name="itemCount"/> items.</summary>
    public static void Gather(ref byte block, ref byte line, nint lineByteStride, nint itemCount, nint itemSize)
    {
        if (lineByteStride == itemSize)
        {
            Unsafe.CopyBlockUnaligned(ref block, ref line, checked((uint)(itemCount * itemSize)));
            return;
        }
        // Both are pinned only while the row moves; each covers itemCount items at its stride.
        fixed (byte* dst = &block)
        fixed (byte* src = &line)
            DirectCopy.Row(dst, itemSize, src, lineByteStride, itemCount, itemSize);
    }

    /// <summary>line[i * lineByteStride] = block[i] for <paramref name="itemCount"/> items.</summary>
    public static void Scatter(ref byte line, nint lineByteStride, ref byte block, nint itemCount, nint itemSize)
    {
        if (lineByteStride == itemSize)
        {
            Unsafe.CopyBlockUnaligned(ref line, ref block, checked((uint)(itemCount * itemSize)));
            return;
        }
        // As in Gather: the row's items lie inside the line and the block.
        fixed (byte* dst = &line)
        fixed (byte* src = &block)
            DirectCopy.Row(dst, lineByteStride, src, itemSize, itemCount, itemSize);
    }
}
