namespace NdBridge.Copying;

/// <summary>The step shared by the typed run enumerators: advance, then refuse a run misaligned for the element type.</summary>
internal static unsafe class RunAlignment
{
    public static bool MoveNext<T>(NdBuffer buffer, ref RawRunEnumerator runs) where T : unmanaged
    {
        if (buffer.IsDisposed)
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (!runs.MoveNext())
            return false;
        fixed (byte* start = runs.Current)
        {
            // Each run holds whole items of sizeof(T), so its start decides every element's alignment.
            if ((nuint)start % (nuint)ElementType<T>.Alignment != 0)
                ThrowHelper.ThrowTypedViewRefused(
                    $"a run starts at 0x{(nuint)start:x}, not aligned to alignof({ElementType<T>.Name}) = {ElementType<T>.Alignment}: use the byte runs or ReadUnaligned");
        }
        return true;
    }
}
