namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// The array of an <c>.npy</c> image mapped by <paramref name="owner"/>: the data region after the header is the
    /// extent. Takes over the owner's initial holder, releasing it if the layout is refused.
    /// </summary>
    internal static NdBuffer FromMapping(MappedMemoryOwner owner, NpyHeader header)
    {
        var layout = header.CreateLayout();
        // The caller checked that header + data lie inside the mapping, so the data region is mapped.
        byte* dataStart = owner.Start + header.DataByteOffset;
        try
        {
            Validate(header.Format, layout, 0, header.DataByteLength, nameof(header));
        }
        catch
        {
            owner.Release();
            throw;
        }
        return new NdBuffer(owner, dataStart, dataStart, header.DataByteLength, header.Format, layout, !owner.IsWritable);
    }
}
