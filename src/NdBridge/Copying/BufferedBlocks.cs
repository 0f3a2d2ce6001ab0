using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>The step shared by the typed buffered enumerators: refuse a disposed buffer, advance, refuse a misaligned run in place.</summary>
internal static unsafe class BufferedBlocks
{
    // `owner` is the enumeration's RunLease (an NdBuffer's: it holds the memory until released), a span's buffer to keep
    // reachable, or null.
    public static bool MoveNext<T>(object? owner, ref RawBufferedEnumerator blocks) where T : unmanaged
    {
        var lease = owner as RunLease;
        if (lease is { Buffer.IsDisposed: true })
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (!blocks.MoveNext())
        {
            lease?.Release(); // the last block was scattered back by MoveNext
            GC.KeepAlive(owner);
            return false;
        }
        // A run in place holds whole items of sizeof(T), so its start decides every element's alignment; a gathered
        // block is the caller's Span<T>, aligned by construction.
        if (blocks.CurrentIsInPlace)
        {
            var start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(blocks.Current));
            if (start % (nuint)ElementType<T>.Alignment != 0)
                ThrowHelper.ThrowTypedViewRefused(
                    $"a run starts at 0x{start:x}, not aligned to alignof({ElementType<T>.Name}) = {ElementType<T>.Alignment}: use the byte runs or ReadUnaligned");
        }
        GC.KeepAlive(owner);
        return true;
    }

    // The last gathered block goes back while the lease still holds the memory, unless the buffer was disposed meanwhile.
    public static void Dispose(object? owner, ref RawBufferedEnumerator blocks)
    {
        var lease = owner as RunLease;
        if (lease is not { Buffer.IsDisposed: true })
            blocks.Dispose();
        lease?.Release();
        GC.KeepAlive(owner);
    }
}
