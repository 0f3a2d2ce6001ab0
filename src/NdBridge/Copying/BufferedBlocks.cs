using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>The step shared by the typed buffered enumerators: refuse a disposed buffer, advance, refuse a misaligned run in place.</summary>
internal static unsafe class BufferedBlocks
{
    public static bool MoveNext<T>(NdBuffer? buffer, ref RawBufferedEnumerator blocks) where T : unmanaged
    {
        // Before the previous block is scattered back: a disposed buffer's memory may be gone.
        if (buffer is { IsDisposed: true })
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (!blocks.MoveNext())
            return false;
        // A run in place holds whole items of sizeof(T), so its start decides every element's alignment; a gathered
        // block is the caller's Span<T>, aligned by construction.
        if (blocks.CurrentIsInPlace)
        {
            var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(blocks.Current));
            if (start % (nuint)ElementType<T>.Alignment != 0)
                ThrowHelper.ThrowTypedViewRefused(
                    $"a run starts at 0x{start:x}, not aligned to alignof({ElementType<T>.Name}) = {ElementType<T>.Alignment}: use the byte runs or ReadUnaligned");
        }
        return true;
    }
}
