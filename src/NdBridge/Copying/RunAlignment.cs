using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>The step shared by the typed run enumerators: advance, then refuse a run misaligned for the element type.</summary>
internal static unsafe class RunAlignment
{
    // `owner` is the enumeration's RunLease, or a span's buffer to keep reachable, or null.
    public static bool MoveNext<T>(object? owner, ref RawRunEnumerator runs) where T : unmanaged
    {
        var lease = owner as RunLease;
        if (lease is { Buffer.IsDisposed: true })
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (!runs.MoveNext())
        {
            lease?.Release();
            GC.KeepAlive(owner);
            return false;
        }
        // Each run holds whole items of sizeof(T), so its start decides every element's alignment.
        // (A typed span's runs are aligned by construction; the check costs one test per run.)
        nuint start = (nuint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(runs.Current));
        if (start % (nuint)ElementType<T>.Alignment != 0)
            ThrowHelper.ThrowTypedViewRefused(
                $"a run starts at 0x{start:x}, not aligned to alignof({ElementType<T>.Name}) = {ElementType<T>.Alignment}: use the byte runs or ReadUnaligned");
        GC.KeepAlive(owner);
        return true;
    }
}
