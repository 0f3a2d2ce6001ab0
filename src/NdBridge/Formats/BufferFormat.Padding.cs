namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The size C gives a struct of the item's scalars: <see cref="ItemSize"/> rounded up to the largest natural
    /// alignment of its scalars (padding bytes excluded), as a C compiler or <c>ctypes</c> pads the struct's end
    /// (<c>T{d:a:b:b:}</c> is 9 bytes by <c>struct.calcsize</c>, 16 in C). A producer whose item size is this one
    /// describes such a struct; <see cref="WithTrailingPadding"/> makes the format say so.
    /// </summary>
    public nint PaddedItemSize
    {
        get
        {
            nint alignment = 1;
            foreach (var run in ScalarRuns)
            {
                if (run.Kind != ScalarKind.Padding)
                    alignment = Math.Max(alignment, NaturalAlignment(run.Kind, run.ByteSize));
            }
            return checked((ItemSize + alignment - 1) / alignment * alignment);
        }
    }

    /// <summary>
    /// This record with trailing padding written out, so that its item size is <paramref name="itemSize"/>: the
    /// format of a C struct whose producer reports its padded size (<see cref="PaddedItemSize"/>). The fields
    /// and their offsets stay; printing the result shows the padding (<c>x</c>).
    /// </summary>
    /// <param name="itemSize">The item size wanted, at least <see cref="ItemSize"/>; the result's <see cref="NumPyItemSize"/> is the same.</param>
    /// <exception cref="InvalidOperationException">This format is not a record (a scalar or sub-array has no trailing padding).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemSize"/> is smaller than the item.</exception>
    public BufferFormat WithTrailingPadding(nint itemSize)
    {
        if (Kind != BufferFormatKind.Record)
            ThrowHelper.ThrowInvalidOperation($"Format '{this}' ({Describe()}) is not a record: only a record's item ends in padding.");
        if (itemSize < ItemSize)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(itemSize), itemSize,
                $"Format '{this}' ({Describe()}) needs {ItemSize} bytes per item: the padded size cannot be smaller.");
        return CreateRecord([.. _fields], itemSize, itemSize);
    }
}
