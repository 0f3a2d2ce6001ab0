namespace NdBridge;

/// <summary>
/// A run of identical scalars inside one item, sub-arrays expanded and nested records flattened: the scalar at
/// <see cref="ByteOffset"/> and, for each entry of <see cref="Counts"/> (outermost first), that many copies
/// <see cref="ByteStrides"/> apart. A scalar that is not repeated has empty <see cref="Counts"/>. The runs of an
/// item, padding included, cover every byte of it exactly once.
/// </summary>
public sealed class ScalarRun
{
    internal ScalarRun(nint byteOffset, ScalarKind kind, nint byteSize, ByteOrder byteOrder, nint[] counts, nint[] byteStrides)
    {
        ByteOffset = byteOffset;
        Kind = kind;
        ByteSize = byteSize;
        ByteOrder = byteOrder;
        Counts = counts;
        ByteStrides = byteStrides;
        nint elementCount = 1;
        foreach (var count in counts)
            elementCount *= count;
        ElementCount = elementCount;
    }

    /// <summary>Offset of the first scalar of the run from the start of the item, in bytes.</summary>
    public nint ByteOffset { get; }

    /// <summary>What each scalar holds.</summary>
    public ScalarKind Kind { get; }

    /// <summary>Size of one scalar in bytes (a byte string's length; a complex number's both parts).</summary>
    public nint ByteSize { get; }

    /// <summary>Byte order of each scalar; complex numbers swap each part separately.</summary>
    public ByteOrder ByteOrder { get; }

    /// <summary>Repetition counts, outermost first; empty for a single scalar.</summary>
    public IReadOnlyList<nint> Counts { get; }

    /// <summary>The distance in bytes between repetitions, one per entry of <see cref="Counts"/>.</summary>
    public IReadOnlyList<nint> ByteStrides { get; }

    /// <summary>How many scalars the run holds: the product of <see cref="Counts"/>.</summary>
    public nint ElementCount { get; }

    /// <summary>The run in words, for diagnostics.</summary>
    public override string ToString() =>
        $"{Kind}({ByteSize} bytes, {ByteOrder}) at {ByteOffset}" +
        (Counts.Count == 0 ? "" : $" x [{string.Join(", ", Counts)}] strides [{string.Join(", ", ByteStrides)}]");
}
