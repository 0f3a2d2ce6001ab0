using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

/// <summary>
/// The parsed form of a PEP 3118 format string: the item type of a buffer.
/// </summary>
/// <remarks>
/// <para>
/// <b>What is accepted.</b> Every string Python's <c>struct</c> accepts, with <c>struct.calcsize</c>'s size in
/// <see cref="ItemSize"/>; and the PEP 3118 strings NumPy's parser (<c>numpy.core._internal._dtype_from_pep3118</c>)
/// accepts, laid out exactly as NumPy lays them out (<see cref="NumPyItemSize"/>, field offsets, byte orders):
/// prefixes <c>@ = &lt; &gt; ! ^</c> anywhere, persisting until changed (also across <c>}</c>, as in NumPy), with
/// <c>(shape)</c> before the prefix (<c>(2)&lt;d</c>); <c>Zf Zd Zg</c>; <c>T{...}</c> records with <c>:name:</c> fields
/// and nesting; <c>(k1,...,kn)</c> sub-arrays (ASCII whitespace allowed around the numbers, as NumPy's <c>int()</c>
/// allows); <c>w</c>; <c>O</c> (recognised; refused later wherever it would be dereferenced); <c>e</c>; <c>g</c>;
/// <c>s</c>/<c>p</c> with lengths. A string only one of the two accepts is accepted with that one's meaning: struct's
/// whitespace between items and <c>n N p P</c>, NumPy's extensions. A string that needs both (struct-only syntax
/// mixed with NumPy-only syntax) is rejected, since neither reads it. Strings using NumPy-only syntax are held to
/// NumPy's C <c>int</c> limits (sizes, offsets and dimensions up to 2^31-1; NumPy 1.24 silently wraps larger numbers).
/// </para>
/// <para>
/// <b>NumPy leniencies deliberately rejected:</b> an unclosed <c>T{</c> at the end, text after a <c>}</c> that
/// closes nothing (NumPy ignores it), empty names <c>::</c>, signs, underscores and non-ASCII digits in counts and
/// shapes, and nesting deeper than <see cref="MaxNestingDepth"/> (NumPy recurses until Python's recursion limit).
/// <c>u &amp; t X{}</c> (UCS-2 text, pointers, bit fields, function pointers) are rejected with a message naming
/// them: NumPy cannot represent them either.
/// </para>
/// <para>
/// <b>Equality by meaning.</b> <c>d</c>, <c>@d</c>, <c>=d</c> and <c>&lt;d</c> are equal on a little-endian machine;
/// <c>l</c>, <c>q</c> and <c>n</c> are equal on LP64; <c>c</c> equals <c>1s</c> (both are the one-byte string NumPy
/// calls <c>S1</c>, and canonical text prints <c>c</c>), while <c>2c</c> (two one-byte strings) differs from
/// <c>2s</c>; a count is a one-dimensional sub-array, so <c>2d</c> equals <c>(2)d</c>, and <c>(2)3d</c> equals
/// <c>(2,3)d</c> (NumPy keeps that one nested, with the same bytes); several items form a record, so <c>dd</c>
/// equals <c>T{dd}</c>, but <c>T{d}</c> (a record) differs from <c>d</c>. Field names, offsets, both sizes and byte
/// orders all count; an unnamed field is not the same as one named <c>f0</c>. Byte order does not apply to single
/// bytes, strings and objects (<c>&gt;b</c> equals <c>b</c>, <c>&gt;O</c> equals <c>O</c>).
/// </para>
/// <para>
/// <b>.NET types.</b> <c>char</c> has no struct code: NdBridge maps it to <c>H</c> (a UTF-16 code unit is an
/// unsigned 16-bit integer), so <c>Of&lt;char&gt;()</c> equals <c>Of&lt;ushort&gt;()</c>; <c>u</c> would be UCS-2 and
/// NumPy refuses it. <c>nint</c>/<c>nuint</c> are <c>q</c>/<c>Q</c>, since NumPy rejects <c>n N P</c>.
/// </para>
/// </remarks>
public sealed partial class BufferFormat : IEquatable<BufferFormat>
{
    /// <summary>The deepest nesting of <c>T{</c> accepted (NumPy's parser recurses; NdBridge never does).</summary>
    public const int MaxNestingDepth = 64;

    private static readonly nint[] s_noShape = [];
    private static readonly BufferField[] s_noFields = [];

    private readonly nint[] _shape;
    private readonly BufferField[] _fields;
    private readonly int _hashCode;
    private string? _text;
    private ScalarRun[]? _runs;

    private BufferFormat(BufferFormatKind kind, ScalarKind scalarKind, ByteOrder byteOrder, nint itemSize, nint numPyItemSize,
        int alignment, BufferFormat? element, nint[] shape, BufferField[] fields)
    {
        Kind = kind;
        ScalarKind = scalarKind;
        ByteOrder = byteOrder;
        ItemSize = itemSize;
        NumPyItemSize = numPyItemSize;
        Alignment = alignment;
        ElementFormat = element;
        _shape = shape;
        _fields = fields;
        var hash = new HashCode();
        hash.Add(kind);
        hash.Add(scalarKind);
        hash.Add(byteOrder);
        hash.Add(itemSize);
        hash.Add(numPyItemSize);
        foreach (var dim in shape)
            hash.Add(dim);
        hash.Add(element?._hashCode ?? 0);
        foreach (var field in fields)
        {
            hash.Add(field.Name);
            hash.Add(field.ByteOffset);
            hash.Add(field.Format._hashCode);
        }
        _hashCode = hash.ToHashCode();
        ContainsObjects = kind switch
        {
            BufferFormatKind.Scalar => scalarKind == ScalarKind.Object,
            BufferFormatKind.SubArray => element!.ContainsObjects,
            _ => fields.Any(f => f.Format.ContainsObjects),
        };
        IsNativeByteOrder = kind switch
        {
            BufferFormatKind.Scalar => byteOrder == ByteOrder.NotApplicable || byteOrder == NativeByteOrder,
            BufferFormatKind.SubArray => element!.IsNativeByteOrder,
            _ => fields.All(f => f.Format.IsNativeByteOrder),
        };
    }

    internal static ByteOrder NativeByteOrder => BitConverter.IsLittleEndian ? ByteOrder.LittleEndian : ByteOrder.BigEndian;

    internal static BufferFormat CreateScalar(ScalarKind kind, nint byteSize, ByteOrder byteOrder)
    {
        if (!ByteOrderApplies(kind, byteSize))
            byteOrder = ByteOrder.NotApplicable;
        return new BufferFormat(BufferFormatKind.Scalar, kind, byteOrder, byteSize, byteSize, NaturalAlignment(kind, byteSize),
            null, s_noShape, s_noFields);
    }

    /// <summary>A sub-array; <paramref name="element"/> must not itself be a sub-array, and the size must have been checked.</summary>
    internal static BufferFormat CreateSubArray(BufferFormat element, nint[] shape, nint byteSize) =>
        new(BufferFormatKind.SubArray, element.ScalarKind, ByteOrder.NotApplicable, byteSize, byteSize, element.Alignment,
            element, shape, s_noFields);

    internal static BufferFormat CreateRecord(BufferField[] fields, nint itemSize, nint numPyItemSize)
    {
        int alignment = 1;
        foreach (var field in fields)
            alignment = Math.Max(alignment, field.Format.Alignment);
        // The largest alignment at which every field stays as aligned as it can be (packed layouts get less).
        while (alignment > 1 && !fields.All(f => f.ByteOffset % Math.Min(alignment, f.Format.Alignment) == 0))
            alignment /= 2;
        return new BufferFormat(BufferFormatKind.Record, ScalarKind.Void, ByteOrder.NotApplicable, itemSize, numPyItemSize,
            alignment, null, s_noShape, fields.Length == 0 ? s_noFields : fields);
    }

    internal static bool ByteOrderApplies(ScalarKind kind, nint byteSize) => kind switch
    {
        ScalarKind.SignedInteger or ScalarKind.UnsignedInteger or ScalarKind.Float or ScalarKind.Complex or ScalarKind.Pointer => byteSize > 1,
        ScalarKind.UnicodeText => true,
        _ => false,
    };

    internal static int NaturalAlignment(ScalarKind kind, nint byteSize) => kind switch
    {
        ScalarKind.SignedInteger or ScalarKind.UnsignedInteger or ScalarKind.Float or ScalarKind.Pointer or ScalarKind.Object => (int)byteSize,
        ScalarKind.Complex => (int)byteSize / 2,
        ScalarKind.UnicodeText => 4,
        _ => 1,
    };

    /// <summary><c>B</c>: unsigned bytes, what a <c>Py_buffer</c> whose <c>format</c> is NULL holds.</summary>
    public static BufferFormat UnsignedBytes { get; } = CreateScalar(ScalarKind.UnsignedInteger, 1, ByteOrder.NotApplicable);

    /// <summary>Whether the item is a scalar, a sub-array or a record.</summary>
    public BufferFormatKind Kind { get; }

    /// <summary>For a scalar, what it holds; for a sub-array, what its element holds; <see cref="ScalarKind.Void"/> for a record.</summary>
    public ScalarKind ScalarKind { get; }

    /// <summary>For a scalar, its resolved byte order; <see cref="NdBridge.ByteOrder.NotApplicable"/> otherwise (see <see cref="ScalarRuns"/>).</summary>
    public ByteOrder ByteOrder { get; }

    /// <summary>
    /// The item size by <c>struct.calcsize</c>'s rules: fields aligned in <c>@</c> mode, but no trailing padding
    /// (<c>ix</c> is 5). For formats struct cannot read, the same rule applied to NumPy's layout of the top level;
    /// a nested record occupies its NumPy size, which is also its own <see cref="ItemSize"/> as a field's format.
    /// </summary>
    public nint ItemSize { get; }

    /// <summary>
    /// The item size NumPy gives: a record that ends in <c>@</c> mode is padded to the alignment of its
    /// <c>@</c>-mode items (<c>ix</c> is 8, <c>bix</c> 12, <c>T{i:a:d:b:}</c> 16). Equal to <see cref="ItemSize"/>
    /// for every format NdBridge emits.
    /// </summary>
    public nint NumPyItemSize { get; }

    /// <summary>
    /// The alignment native C gives the item: a scalar's natural alignment (<c>d</c> 8, <c>Zf</c> 4, <c>g</c> 16),
    /// an array's element's, and for a record the largest alignment of its fields that its offsets keep
    /// (1 for a packed <c>&lt;bd</c>).
    /// </summary>
    public int Alignment { get; }

    /// <summary>Whether every multi-byte scalar in the item is in the machine's byte order.</summary>
    public bool IsNativeByteOrder { get; }

    /// <summary>Whether an <c>O</c> (a <c>PyObject*</c>) occurs anywhere in the item.</summary>
    public bool ContainsObjects { get; }

    /// <summary>For a sub-array, the format of one element (never itself a sub-array); otherwise <see langword="null"/>.</summary>
    public BufferFormat? ElementFormat { get; }

    /// <summary>For a sub-array, its shape (outermost first; <c>(2)3d</c> is [2, 3]); otherwise empty.</summary>
    public IReadOnlyList<nint> SubArrayShape => _shape;

    /// <summary>For a record, its fields in the order written (offsets never decrease); otherwise empty.</summary>
    public IReadOnlyList<BufferField> Fields => _fields;

    /// <summary>
    /// Every scalar of the item with its offset, size, kind and byte order, sub-arrays as repeat counts and nested
    /// records flattened; unnamed padding appears as <see cref="ScalarKind.Padding"/> runs, so the runs cover the
    /// <see cref="ItemSize"/> bytes exactly once. The list is as long as the format has fields, whatever the counts.
    /// </summary>
    public IReadOnlyList<ScalarRun> ScalarRuns => _runs ??= BuildRuns();

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] BufferFormat? other)
    {
        if (ReferenceEquals(this, other))
            return true;
        if (other is null || other._hashCode != _hashCode || other.Kind != Kind || other.ScalarKind != ScalarKind ||
            other.ByteOrder != ByteOrder || other.ItemSize != ItemSize || other.NumPyItemSize != NumPyItemSize ||
            !other._shape.AsSpan().SequenceEqual(_shape) || other._fields.Length != _fields.Length)
            return false;
        if (ElementFormat is not null && !ElementFormat.Equals(other.ElementFormat))
            return false;
        for (int i = 0; i < _fields.Length; i++)
        {
            if (!_fields[i].Equals(other._fields[i]))
                return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BufferFormat);

    /// <inheritdoc/>
    public override int GetHashCode() => _hashCode;

    /// <summary>Equality by meaning (see <see cref="Equals(BufferFormat?)"/>).</summary>
    /// <param name="left">A format or <see langword="null"/>.</param>
    /// <param name="right">A format or <see langword="null"/>.</param>
    public static bool operator ==(BufferFormat? left, BufferFormat? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by meaning.</summary>
    /// <param name="left">A format or <see langword="null"/>.</param>
    /// <param name="right">A format or <see langword="null"/>.</param>
    public static bool operator !=(BufferFormat? left, BufferFormat? right) => !(left == right);

    private ScalarRun[] BuildRuns()
    {
        var runs = new List<ScalarRun>();
        AddRuns(this, 0, [], [], runs, ItemSize);
        return [.. runs];
    }

    private static void AddRuns(BufferFormat format, nint byteOffset, nint[] counts, nint[] strides, List<ScalarRun> runs, nint coveredSize)
    {
        switch (format.Kind)
        {
            case BufferFormatKind.Scalar:
                runs.Add(new ScalarRun(byteOffset, format.ScalarKind, format.ItemSize, format.ByteOrder, counts, strides));
                break;
            case BufferFormatKind.SubArray:
            {
                var element = format.ElementFormat!;
                nint[] innerCounts = [.. counts, .. format._shape];
                var innerStrides = new nint[innerCounts.Length];
                strides.CopyTo(innerStrides, 0);
                nint stride = element.NumPyItemSize;
                for (int i = innerCounts.Length - 1; i >= counts.Length; i--)
                {
                    innerStrides[i] = stride;
                    stride *= innerCounts[i];
                }
                AddRuns(element, byteOffset, innerCounts, innerStrides, runs, element.NumPyItemSize);
                break;
            }
            default:
                nint cursor = 0;
                foreach (var field in format._fields)
                {
                    if (field.ByteOffset > cursor)
                        runs.Add(new ScalarRun(byteOffset + cursor, ScalarKind.Padding, field.ByteOffset - cursor, ByteOrder.NotApplicable, counts, strides));
                    AddRuns(field.Format, byteOffset + field.ByteOffset, counts, strides, runs, field.Format.NumPyItemSize);
                    cursor = Math.Max(cursor, field.ByteOffset + field.Format.NumPyItemSize);
                }
                if (coveredSize > cursor)
                    runs.Add(new ScalarRun(byteOffset + cursor, ScalarKind.Padding, coveredSize - cursor, ByteOrder.NotApplicable, counts, strides));
                break;
        }
    }
}
