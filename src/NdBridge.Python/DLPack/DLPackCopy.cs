namespace NdBridge.Python;

/// <summary>The copy behind <c>__dlpack__(copy=True)</c>: a fresh, writable, C-contiguous buffer with the same values.</summary>
internal static unsafe class DLPackCopy
{
    /// <summary>A C-contiguous copy of a direct layout (DLPack refuses suboffsets before copying).</summary>
    internal static NdBuffer ToCContiguous(NdBuffer source)
    {
        var target = NdBuffer.Allocate(source.Format, source.Shape);
        var itemSize = (nuint)source.ItemSize;
        var from = (byte*)source.DangerousGetPointer();
        var to = (byte*)target.DangerousGetPointer();
        var walker = new StridedRunWalker(source.Layout);
        while (walker.MoveNext(out var runByteOffset))
        {
            var run = from + runByteOffset;
            for (nint i = 0; i < walker.RunLength; i++, to += itemSize)
                Buffer.MemoryCopy(run + i * walker.RunByteStride, to, itemSize, itemSize); // target holds ElementCount items, filled in C order
        }
        return target;
    }
}
