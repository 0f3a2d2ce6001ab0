namespace NdBridge;

public sealed partial class BufferFormat
{
    private BufferFormat? _lastResized;

    /// <summary>
    /// This format for items of <paramref name="itemSize"/> bytes by every reader's count: itself when struct and
    /// NumPy both size it so; otherwise, for a record, the same fields at the same offsets in a record of exactly
    /// <paramref name="itemSize"/> bytes for both (<see cref="ItemSize"/> = <see cref="NumPyItemSize"/>), whose text
    /// writes every pad byte out and uses <c>=</c> mode where <c>@</c> mode would pad. <c>qb</c> (9 bytes for struct,
    /// 16 for NumPy) becomes a format both read as 9 bytes; <c>T{i:a:B:b:}</c> in items of 5 bytes (as NumPy exports a
    /// one-element record view) one both read as 5. What NdBridge exports goes through this, so the format and the
    /// buffer's <c>itemsize</c> agree for <c>memoryview</c>, <c>struct</c> and NumPy.
    /// </summary>
    /// <param name="itemSize">The bytes from one item to the next that the format must describe.</param>
    /// <returns>This format, or the record resized (the same object for the same size, as long as no other size is asked).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemSize"/> is shorter than the fields (they end at
    /// the offset the message gives), or differs from a scalar's or sub-array's size.</exception>
    public BufferFormat WithItemSize(nint itemSize)
    {
        if (ItemSize == itemSize && NumPyItemSize == itemSize)
            return this;
        if (Kind != BufferFormatKind.Record)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(itemSize), itemSize,
                $"Items of format '{this}' ({Describe()}) are {NumPyItemSize} bytes; only a record's size can change (its trailing padding).");
        if (_lastResized is { } last && last.ItemSize == itemSize)
            return last;
        var fieldsEnd = FieldsEnd;
        if (itemSize < fieldsEnd)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(itemSize), itemSize,
                $"The fields of format '{this}' ({Describe()}) end at byte {fieldsEnd}: items of {itemSize} bytes cannot hold them.");
        var resized = CreateRecord(_fields, itemSize, itemSize);
        _lastResized = resized;
        return resized;
    }

    /// <summary>
    /// The size C gives a struct of the item's scalars: <see cref="ItemSize"/> rounded up to the largest natural
    /// alignment of its scalars (padding bytes excluded), as a C compiler or <c>ctypes</c> pads the struct's end
    /// (<c>T{d:a:b:b:}</c> is 9 bytes by <c>struct.calcsize</c>, 16 in C). A producer whose item size is this one
    /// describes such a struct; <see cref="WithItemSize"/> makes the format say so.
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

    /// <summary>The end of a record's last field (a nested value counted at its NumPy size); for other formats, the NumPy size.</summary>
    internal nint FieldsEnd
    {
        get
        {
            if (Kind != BufferFormatKind.Record)
                return NumPyItemSize;
            nint end = 0;
            foreach (var f in _fields)
                end = Math.Max(end, f.ByteOffset + f.Format.NumPyItemSize);
            return end;
        }
    }
}
