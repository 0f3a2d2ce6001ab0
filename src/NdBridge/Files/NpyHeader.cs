using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace NdBridge;

/// <summary>
/// The header of a NumPy <c>.npy</c> file (<c>numpy.lib.format</c>): the magic string <c>\x93NUMPY</c>, the format
/// version, the header length, and a Python dict literal <c>{'descr': ..., 'fortran_order': ..., 'shape': (...), }</c>
/// padded with spaces and a final <c>\n</c> so the data starts at a multiple of <see cref="DataAlignment"/> bytes.
/// </summary>
/// <remarks>
/// <code>
/// 0      6   7   8         10/12                                         DataByteOffset
/// \x93NUMPY  maj min  hlen  {'descr': '&lt;f8', 'fortran_order': False, 'shape': (3,), }   ...  \n | data
/// </code>
/// Written exactly as NumPy writes it (the same bytes as <c>np.save</c>): the keys sorted, values printed by
/// <c>repr</c>, 21 digits of spare room for the growth axis, version 1.0 unless the header needs more (2.0 for a
/// header longer than 65535 bytes, 3.0 for a field name outside Latin-1).
/// </remarks>
public sealed class NpyHeader
{
    /// <summary>NumPy's <c>ARRAY_ALIGN</c>: the data starts at a multiple of this many bytes.</summary>
    public const int DataAlignment = 64;

    private const int MagicByteLength = 8;
    private const int GrowthAxisMaxDigits = 21;
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private readonly nint[] _shape;
    private readonly byte[] _bytes;

    private NpyHeader(BufferFormat format, nint[] shape, MemoryOrder order, int majorVersion, nint dataByteLength,
        string dictLiteral, byte[] bytes, nint dataByteOffset)
    {
        Format = format;
        _shape = shape;
        Order = order;
        MajorVersion = majorVersion;
        DataByteLength = dataByteLength;
        DictLiteral = dictLiteral;
        _bytes = bytes;
        DataByteOffset = dataByteOffset;
    }

    /// <summary>
    /// The header NumPy would write for an array of <paramref name="format"/>, <paramref name="shape"/> and
    /// <paramref name="order"/>, in the smallest version that holds it.
    /// </summary>
    /// <param name="format">The item format: scalars of every kind NumPy has (byte orders, half, complex, <c>S</c>,
    /// <c>U</c>, <c>V</c>) and records (names, offsets, padding, sub-array fields); not a top-level sub-array, not
    /// Python objects, not pointers.</param>
    /// <param name="shape">The array's shape; every length non-negative.</param>
    /// <param name="order"><see cref="MemoryOrder.C"/> or <see cref="MemoryOrder.F"/> (<c>fortran_order</c>).</param>
    /// <exception cref="ArgumentException">The format has no <c>.npy</c> form, a length is negative, the size overflows,
    /// or the order is <see cref="MemoryOrder.Any"/>.</exception>
    public static NpyHeader Create(BufferFormat format, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C)
    {
        if (format is null)
            ThrowHelper.ThrowArgumentNull(nameof(format));
        if (order is not (MemoryOrder.C or MemoryOrder.F))
            ThrowHelper.ThrowArgument($"An .npy file is in C or F order (fortran_order False or True), not {order}.", nameof(order));
        string descr = DescrLiteral(format);
        nint dataByteLength = DataByteLengthOf(shape, format.NumPyItemSize, nameof(shape));
        var dict = new StringBuilder("{'descr': ").Append(descr)
            .Append(", 'fortran_order': ").Append(order == MemoryOrder.F ? "True" : "False")
            .Append(", 'shape': ").Append(ShapeLiteral(shape)).Append(", }");
        string dictLiteral = dict.ToString();
        // NumPy leaves room for the growth axis (the first in C order, the last in F order) to reach 21 digits in place.
        if (shape.Length > 0)
        {
            nint growthLength = shape[order == MemoryOrder.F ? shape.Length - 1 : 0];
            dict.Append(' ', GrowthAxisMaxDigits - growthLength.ToString(CultureInfo.InvariantCulture).Length);
        }
        string text = dict.ToString();
        bool latin1 = !text.AsSpan().ContainsAnyExceptInRange('\0', '\xff');
        int majorVersion = !latin1 ? 3 : WrappedByteLength(Encoding.Latin1.GetByteCount(text) + 1, 2) - MagicByteLength - 2 <= ushort.MaxValue ? 1 : 2;
        var encoding = majorVersion == 3 ? Encoding.UTF8 : Encoding.Latin1;
        int lengthFieldByteLength = majorVersion == 1 ? 2 : 4;
        int textByteLength = encoding.GetByteCount(text);
        int totalByteLength = WrappedByteLength(textByteLength + 1, lengthFieldByteLength);
        var bytes = new byte[totalByteLength];
        Magic.CopyTo(bytes);
        bytes[6] = (byte)majorVersion;
        bytes[7] = 0;
        int headerByteLength = totalByteLength - MagicByteLength - lengthFieldByteLength;
        if (majorVersion == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MagicByteLength), (ushort)headerByteLength);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(MagicByteLength), (uint)headerByteLength);
        int textStart = MagicByteLength + lengthFieldByteLength;
        encoding.GetBytes(text, bytes.AsSpan(textStart));
        bytes.AsSpan(textStart + textByteLength, totalByteLength - 1 - textStart - textByteLength).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return new NpyHeader(format, shape.ToArray(), order, majorVersion, dataByteLength, dictLiteral, bytes, totalByteLength);
    }

    /// <summary>
    /// Reads the header at the start of <paramref name="bytes"/> (the first bytes of an <c>.npy</c> file, at least up to
    /// the end of the header) without evaluating anything: the dict is read by a literal parser, never by Python.
    /// </summary>
    /// <param name="bytes">The start of the file.</param>
    /// <exception cref="InvalidDataException">Wrong magic or version, a header reaching past <paramref name="bytes"/>,
    /// a header that is not a literal dict with exactly the keys <c>descr</c>, <c>fortran_order</c> and <c>shape</c>,
    /// a shape that is not a tuple of non-negative integers or whose byte size overflows, a <c>fortran_order</c> that
    /// is not a bool, or a <c>descr</c> NdBridge cannot represent.</exception>
    public static NpyHeader Parse(ReadOnlySpan<byte> bytes) => Parse(bytes, nameof(bytes));

    internal static NpyHeader Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < MagicByteLength)
            ThrowHelper.ThrowBadNpy(source, $"it holds {bytes.Length} bytes, fewer than the {MagicByteLength} of the magic string and version: the file is truncated or empty.");
        if (!bytes[..6].SequenceEqual(Magic))
            ThrowHelper.ThrowBadNpy(source, $"the magic string is {BufferFormat.PythonRepr(Encoding.Latin1.GetString(bytes[..6]))}, not '\\x93NUMPY'. Write the file with np.save or NpyFile.Create (an .npz is a zip of .npy files: unzip it first).");
        int majorVersion = bytes[6], minorVersion = bytes[7];
        if (minorVersion != 0 || majorVersion is not (1 or 2 or 3))
            ThrowHelper.ThrowBadNpy(source, $"format version {majorVersion}.{minorVersion} is not 1.0, 2.0 or 3.0, the versions NumPy writes and reads.");
        int lengthFieldByteLength = majorVersion == 1 ? 2 : 4;
        int textStart = MagicByteLength + lengthFieldByteLength;
        if (bytes.Length < textStart)
            ThrowHelper.ThrowBadNpy(source, $"it ends inside the header length field ({bytes.Length} of {textStart} bytes): the file is truncated.");
        long headerByteLength = majorVersion == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[MagicByteLength..])
            : BinaryPrimitives.ReadUInt32LittleEndian(bytes[MagicByteLength..]);
        if (textStart + headerByteLength > bytes.Length)
            ThrowHelper.ThrowBadNpy(source, $"the header length {headerByteLength} reaches past the end of the image ({bytes.Length} bytes, the header would end at {textStart + headerByteLength}): the file is truncated or its header length field is wrong.");
        var textBytes = bytes.Slice(textStart, (int)headerByteLength);
        string text;
        if (majorVersion == 3)
        {
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(textBytes);
            }
            catch (DecoderFallbackException e)
            {
                return ThrowHelper.ThrowBadNpy<NpyHeader>(source, $"a version 3.0 header must be UTF-8, and byte {e.Index} is not: {e.Message}");
            }
        }
        else
        {
            text = Encoding.Latin1.GetString(textBytes);
        }
        var literal = PythonLiteral.Parse(text, source, allowLongSuffix: majorVersion < 3);
        if (literal is not PythonLiteral.Dict dict)
            return ThrowHelper.ThrowBadNpy<NpyHeader>(source, $"the header is not a dictionary: {Shorten(PythonLiteral.Show(literal))}. NumPy writes {{'descr': ..., 'fortran_order': ..., 'shape': (...), }}.");
        object? descr = null, fortranOrder = null, shapeValue = null;
        var keys = new List<string>();
        foreach (var (key, value) in dict.Entries)
        {
            keys.Add(PythonLiteral.Show(key));
            switch (key)
            {
                case "descr": descr = value; break;
                case "fortran_order": fortranOrder = value; break;
                case "shape": shapeValue = value; break;
            }
        }
        if (descr is null || fortranOrder is null || shapeValue is null || dict.Entries.Count != 3)
        {
            keys.Sort(StringComparer.Ordinal);
            ThrowHelper.ThrowBadNpy(source, $"the header does not contain the correct keys: [{string.Join(", ", keys)}]; it must have exactly 'descr', 'fortran_order' and 'shape'.");
        }
        if (shapeValue is not PythonLiteral.Tuple shapeTuple || shapeTuple.Items.Any(x => x is not BigInteger))
            return ThrowHelper.ThrowBadNpy<NpyHeader>(source, $"shape is not valid: {Shorten(PythonLiteral.Show(shapeValue))}; it must be a tuple of integers such as (3,) or (2, 4).");
        var shape = new nint[shapeTuple.Items.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            var length = (BigInteger)shapeTuple.Items[i];
            if (length < 0 || length > nint.MaxValue)
                ThrowHelper.ThrowBadNpy(source, $"shape {PythonLiteral.Show(shapeTuple)} has the length {length} at dimension {i}, outside [0, {nint.MaxValue}].");
            shape[i] = (nint)length;
        }
        if (fortranOrder is not bool fortran)
            return ThrowHelper.ThrowBadNpy<NpyHeader>(source, $"fortran_order is not a valid bool: {Shorten(PythonLiteral.Show(fortranOrder))}; it must be True or False.");
        var format = FormatFromDescr(descr, source);
        nint dataByteLength = 0;
        try
        {
            dataByteLength = DataByteLengthOf(shape, format.NumPyItemSize, "shape");
        }
        catch (ArgumentException e)
        {
            ThrowHelper.ThrowBadNpy(source, $"shape {PythonLiteral.Show(shapeTuple)}: {e.Message}");
        }
        return new NpyHeader(format, shape, fortran ? MemoryOrder.F : MemoryOrder.C, majorVersion, dataByteLength,
            text.TrimEnd(' ', '\n'), bytes[..(textStart + (int)headerByteLength)].ToArray(), textStart + (nint)headerByteLength);
    }

    /// <summary>The item format.</summary>
    public BufferFormat Format { get; }

    /// <summary>The array's shape.</summary>
    public ReadOnlySpan<nint> Shape => _shape;

    /// <summary><see cref="MemoryOrder.C"/>, or <see cref="MemoryOrder.F"/> when <c>fortran_order</c> is <c>True</c>.</summary>
    public MemoryOrder Order { get; }

    /// <summary>The format version: 1, 2 or 3 (the minor version is always 0).</summary>
    public int MajorVersion { get; }

    /// <summary>The header's length in bytes, magic string and padding included: where the data starts.</summary>
    public nint DataByteOffset { get; }

    /// <summary><c>product(shape) * itemsize</c>: the bytes of data after the header.</summary>
    public nint DataByteLength { get; }

    /// <summary><see cref="DataByteOffset"/> + <see cref="DataByteLength"/>: the length of the whole image.</summary>
    public nint TotalByteLength => DataByteOffset + DataByteLength;

    /// <summary>The dict literal, without the padding: <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (3,), }</c>.</summary>
    public string DictLiteral { get; }

    /// <summary>The contiguous layout of the data in <see cref="Order"/>.</summary>
    public StridedLayout CreateLayout() => StridedLayout.CreateContiguous(_shape, Format.NumPyItemSize, Order);

    /// <summary>The header's bytes, exactly as they start the file.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The version and the dict literal.</summary>
    public override string ToString() => $".npy {MajorVersion}.0 {DictLiteral}";

    private static int WrappedByteLength(int textByteLengthWithNewline, int lengthFieldByteLength)
    {
        int used = MagicByteLength + lengthFieldByteLength + textByteLengthWithNewline;
        // NumPy pads by a whole ARRAY_ALIGN when the text already ends on a boundary.
        return used + DataAlignment - used % DataAlignment;
    }

    private static string ShapeLiteral(ReadOnlySpan<nint> shape)
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
            sb.Append(i == 0 ? "" : ", ").Append(shape[i].ToString(CultureInfo.InvariantCulture));
        return sb.Append(shape.Length == 1 ? ",)" : ")").ToString();
    }

    private static nint DataByteLengthOf(ReadOnlySpan<nint> shape, nint itemSize, string paramName)
    {
        nint byteLength = itemSize;
        bool empty = false;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
                ThrowHelper.ThrowArgument($"The length {shape[i]} of dimension {i} is negative: every length must be 0 or more.", paramName);
            empty |= shape[i] == 0;
            if (shape[i] != 0 && byteLength > nint.MaxValue / shape[i])
                ThrowHelper.ThrowArgument($"{ShapeLiteral(shape)} items of {itemSize} bytes overflow a byte size ({nint.MaxValue} at most): use a smaller shape.", paramName);
            if (shape[i] != 0)
                byteLength *= shape[i];
        }
        return empty ? 0 : byteLength;
    }

    private static string DescrLiteral(BufferFormat format)
    {
        if (format.Kind == BufferFormatKind.SubArray)
            ThrowHelper.ThrowArgument($"Format '{format}' ({format.Describe()}) is a sub-array: an .npy item cannot be one; append its dimensions {ShapeLiteral([.. format.SubArrayShape])} to the shape, as NumPy does.", nameof(format));
        if (format.ContainsObjects)
            ThrowHelper.ThrowArgument($"Format '{format}' ({format.Describe()}) holds Python objects: NumPy pickles those into an .npy, which cannot be mapped; use a numeric or bytes format.", nameof(format));
        try
        {
            if (format.Kind == BufferFormatKind.Record && format.Fields.Count > 0)
                return BufferFormat.DescrToPython(format.ToDescr(numberUnnamedFields: true));
            return BufferFormat.PythonRepr(format.ToTypestr());
        }
        catch (NotSupportedException e)
        {
            return ThrowHelper.ThrowArgument<string>($"Format '{format}' has no NumPy dtype, so no .npy form: {e.Message}", nameof(format));
        }
    }

    private static BufferFormat FormatFromDescr(object descr, string source)
    {
        if (descr is PythonLiteral.Tuple)
            ThrowHelper.ThrowBadNpy(source, $"descr {Shorten(PythonLiteral.Show(descr))} is a top-level sub-array, which NdBridge does not map: save the array with the sub-array's dimensions in its shape.");
        try
        {
            var format = descr switch
            {
                string typestr => BufferFormat.FromTypestr(typestr.Length > 0 && typestr[0] is '<' or '>' or '|' or '=' ? typestr : "=" + typestr),
                List<object> entries => BufferFormat.FromDescr(DescrEntries(entries, source, 0)),
                _ => ThrowHelper.ThrowBadNpy<BufferFormat>(source, $"descr {Shorten(PythonLiteral.Show(descr))} is neither a type string such as '<f8' nor a list of fields."),
            };
            if (format.ContainsObjects)
                ThrowHelper.ThrowBadNpy(source, $"descr {Shorten(PythonLiteral.Show(descr))} holds Python objects ('O'), which NumPy pickles: the data cannot be mapped. Save a numeric, bytes or text dtype instead.");
            return format;
        }
        catch (ArgumentException e)
        {
            return ThrowHelper.ThrowBadNpy<BufferFormat>(source, $"descr {Shorten(PythonLiteral.Show(descr))} cannot be represented by NdBridge: {e.Message}");
        }
    }

    private static List<DescrEntry> DescrEntries(List<object> entries, string source, int depth)
    {
        if (depth > BufferFormat.MaxNestingDepth)
            ThrowHelper.ThrowBadNpy(source, $"descr nests deeper than {BufferFormat.MaxNestingDepth} levels.");
        var result = new List<DescrEntry>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry is not PythonLiteral.Tuple { Items: var items } || items.Count is not (2 or 3))
                return ThrowHelper.ThrowBadNpy<List<DescrEntry>>(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} is not (name, type) or (name, type, shape).");
            if (items[0] is PythonLiteral.Tuple)
                ThrowHelper.ThrowBadNpy(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} has a (title, name) pair: NdBridge formats have no titles; save the array without them.");
            if (items[0] is not string name)
                return ThrowHelper.ThrowBadNpy<List<DescrEntry>>(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} has a name that is not a string.");
            nint[]? shape = null;
            if (items.Count == 3)
            {
                var dims = items[2] switch
                {
                    BigInteger single => [single],
                    PythonLiteral.Tuple t when t.Items.All(x => x is BigInteger) => t.Items.Cast<BigInteger>().ToList(),
                    _ => ThrowHelper.ThrowBadNpy<List<BigInteger>>(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} has a shape that is not an integer or a tuple of integers."),
                };
                if (dims.Any(d => d < 0 || d > int.MaxValue))
                    ThrowHelper.ThrowBadNpy(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} has a negative or too large sub-array length.");
                shape = dims.Select(d => (nint)(long)d).ToArray();
            }
            result.Add(items[1] switch
            {
                string typestr => new DescrEntry(name, typestr.Length > 0 && typestr[0] is '<' or '>' or '|' or '=' ? typestr : "=" + typestr, shape),
                List<object> nested => new DescrEntry(name, DescrEntries(nested, source, depth + 1), shape),
                _ => ThrowHelper.ThrowBadNpy<DescrEntry>(source, $"descr entry {Shorten(PythonLiteral.Show(entry))} has a type that is neither a type string nor a list of fields."),
            });
        }
        return result;
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
