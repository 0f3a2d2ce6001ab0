namespace NdBridge;

/// <summary>
/// One field of a record <see cref="BufferFormat"/>: an optional name, the byte offset from the start of the
/// record, and the field's format (which may be a sub-array or a nested record). Unnamed <c>x</c> padding is not
/// a field: it is the gap between fields.
/// </summary>
public sealed class BufferField : IEquatable<BufferField>
{
    internal BufferField(string? name, nint byteOffset, BufferFormat format)
    {
        Name = name;
        ByteOffset = byteOffset;
        Format = format;
    }

    /// <summary>The <c>:name:</c> given in the format, or <see langword="null"/> for an unnamed field
    /// (NumPy names those <c>f0</c>, <c>f1</c>, ... in its dtype).</summary>
    public string? Name { get; }

    /// <summary>Offset of the field's first byte from the start of the record, in bytes.</summary>
    public nint ByteOffset { get; }

    /// <summary>The field's format: a scalar, a sub-array or a nested record.</summary>
    public BufferFormat Format { get; }

    /// <summary>The field's sub-array shape (<c>(2,3)</c> gives [2, 3]); empty when the field is not a sub-array.</summary>
    public IReadOnlyList<nint> Shape => Format.SubArrayShape;

    /// <summary>The format of one element: <see cref="Format"/> itself unless the field is a sub-array.</summary>
    public BufferFormat ElementFormat => Format.ElementFormat ?? Format;

    /// <summary>The byte order of the field's scalars when they all share one; <see cref="NdBridge.ByteOrder.NotApplicable"/>
    /// for single bytes, strings and records.</summary>
    public ByteOrder ByteOrder => ElementFormat.Kind == BufferFormatKind.Scalar ? ElementFormat.ByteOrder : ByteOrder.NotApplicable;

    /// <inheritdoc/>
    public bool Equals(BufferField? other) =>
        other is not null && Name == other.Name && ByteOffset == other.ByteOffset && Format.Equals(other.Format);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BufferField);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, ByteOffset, Format);

    /// <summary>The field in words: <c>x: float64 at 0</c>.</summary>
    public override string ToString() => $"{Name ?? "(unnamed)"}: {Format.Describe()} at {ByteOffset}";
}
