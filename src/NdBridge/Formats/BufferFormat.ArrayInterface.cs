using System.Globalization;
using System.Text;

namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The NumPy <c>__array_interface__['typestr']</c> of the item: <c>&lt;f8</c>, <c>|b1</c>, <c>&gt;i4</c>,
    /// <c>|S3</c>, <c>&lt;U2</c>, <c>|O</c>; records and sub-arrays are <c>|V<i>n</i></c> (n = <see cref="NumPyItemSize"/>),
    /// described by <see cref="ToDescr()"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The item holds <c>P</c> or <c>p</c>, which NumPy has no type for.</exception>
    public string ToTypestr()
    {
        if (Kind != BufferFormatKind.Scalar)
            return "|V" + NumPyItemSize.ToString(CultureInfo.InvariantCulture);
        return ScalarTypestr(this);
    }

    private static string ScalarTypestr(BufferFormat scalar)
    {
        char order = scalar.ByteOrder switch { ByteOrder.LittleEndian => '<', ByteOrder.BigEndian => '>', _ => '|' };
        string size = scalar.ItemSize.ToString(CultureInfo.InvariantCulture);
        return scalar.ScalarKind switch
        {
            ScalarKind.Boolean => "|b1",
            ScalarKind.SignedInteger => $"{order}i{size}",
            ScalarKind.UnsignedInteger => $"{order}u{size}",
            ScalarKind.Float => $"{order}f{size}",
            ScalarKind.Complex => $"{order}c{size}",
            ScalarKind.Bytes => $"|S{size}",
            ScalarKind.UnicodeText => $"{order}U{(scalar.ItemSize / 4).ToString(CultureInfo.InvariantCulture)}",
            ScalarKind.Object => "|O",
            ScalarKind.Void => $"|V{size}",
            _ => ThrowHelper.ThrowNotSupported<string>(
                $"'{ScalarCode(scalar)}' ({scalar.Describe()}) has no NumPy type, so no __array_interface__ typestr."),
        };
    }

    /// <summary>
    /// Reads a NumPy type as <c>numpy.dtype(...)</c> accepts it for the types NdBridge can represent: an
    /// <c>__array_interface__</c> typestr (<c>&lt;f8</c>, <c>f4</c>, <c>|b1</c>, <c>&gt;i4</c>, <c>|S3</c>, <c>&lt;U2</c>,
    /// <c>|O</c>, <c>|V16</c>), a one-character type code with an optional byte order (<c>d</c>, <c>&gt;i</c>, <c>?</c>),
    /// or a scalar type name (<c>float32</c>, <c>int64</c>, <c>double</c>, <c>intc</c>, <c>bool</c>); <c>|V<i>n</i></c>
    /// becomes <c><i>n</i>x</c>, n bytes with no fields.
    /// </summary>
    /// <param name="typestr">The type string.</param>
    /// <returns>The equivalent format.</returns>
    /// <exception cref="ArgumentException">The string is not a NumPy type, or names one PEP 3118 cannot express
    /// (datetimes and timedeltas, unsized <c>S</c>/<c>U</c>/<c>V</c>, a non-native <c>long double</c>): the message names it.</exception>
    public static BufferFormat FromTypestr(string typestr)
    {
        ArgumentNullException.ThrowIfNull(typestr);
        string? error = TryFromTypestr(typestr, out var result);
        if (error is not null)
            ThrowHelper.ThrowArgument($"Typestr '{typestr}': {error}. NumPy types are written as a typestr ('<f8'), a type code ('d') or a name ('float64').", nameof(typestr));
        return result!;
    }

    // NumPy's scalar type names (in numpy.sctypeDict of NumPy 1.24 and 2.x alike), as typestrs of this platform
    // (x86-64 and arm64 Linux: C long 8 bytes, long double 16), or why NdBridge cannot represent them.
    private static readonly Dictionary<string, string> s_numPyTypeNames = new(StringComparer.Ordinal)
    {
        ["bool"] = "|b1",
        ["int8"] = "|i1", ["int16"] = "=i2", ["int32"] = "=i4", ["int64"] = "=i8",
        ["uint8"] = "|u1", ["uint16"] = "=u2", ["uint32"] = "=u4", ["uint64"] = "=u8",
        ["float16"] = "=f2", ["float32"] = "=f4", ["float64"] = "=f8", ["float128"] = "=f16",
        ["complex64"] = "=c8", ["complex128"] = "=c16", ["complex256"] = "=c32",
        ["byte"] = "|i1", ["ubyte"] = "|u1", ["short"] = "=i2", ["ushort"] = "=u2", ["intc"] = "=i4", ["uintc"] = "=u4",
        ["long"] = "=i8", ["ulong"] = "=u8", ["longlong"] = "=i8", ["ulonglong"] = "=u8", ["intp"] = "=i8", ["uintp"] = "=u8",
        ["int_"] = "=i8", ["int"] = "=i8", ["uint"] = "=u8",
        ["half"] = "=f2", ["single"] = "=f4", ["double"] = "=f8", ["float"] = "=f8", ["longdouble"] = "=f16",
        ["csingle"] = "=c8", ["cdouble"] = "=c16", ["complex"] = "=c16", ["clongdouble"] = "=c32",
        ["object"] = "|O",
        ["bytes"] = "|S0", ["str"] = "=U0", ["void"] = "|V0",
    };

    // NumPy's one-character type codes (numpy.sctypeDict), which also take a byte-order prefix: '>i', '=d'.
    // 'n' and 'N' (intp, uintp) are NumPy 2's; NumPy 1.x refuses them. The core knows no NumPy version, so it takes the union.
    private static readonly Dictionary<char, string> s_numPyTypeCodes = new()
    {
        ['?'] = "b1", ['b'] = "i1", ['B'] = "u1", ['h'] = "i2", ['H'] = "u2", ['i'] = "i4", ['I'] = "u4",
        ['l'] = "i8", ['L'] = "u8", ['q'] = "i8", ['Q'] = "u8", ['p'] = "i8", ['P'] = "u8", ['n'] = "i8", ['N'] = "u8",
        ['e'] = "f2", ['f'] = "f4", ['d'] = "f8", ['g'] = "f16", ['F'] = "c8", ['D'] = "c16", ['G'] = "c32",
        ['O'] = "O", ['c'] = "S1", ['S'] = "S0", ['a'] = "S0", ['U'] = "U0", ['V'] = "V0",
    };

    private static string? TryFromTypestr(string typestr, out BufferFormat? result)
    {
        result = null;
        if (typestr is "datetime64" or "timedelta64")
            return $"NumPy's {typestr} has no PEP 3118 form: datetimes and timedeltas cannot be shared as typed memory";
        if (s_numPyTypeNames.TryGetValue(typestr, out var named))
            typestr = named;
        // The byte order is optional, as numpy.dtype('f4') has it: native.
        if (typestr.Length > 0 && typestr[0] is not ('<' or '>' or '|' or '='))
            typestr = "=" + typestr;
        if (typestr.Length == 2 && s_numPyTypeCodes.TryGetValue(typestr[1], out var coded))
            typestr = typestr[0] + coded;
        // Datetimes carry a unit ('<M8[ns]'), so they are named before the size is read.
        if (typestr.Length >= 2 && typestr[1] is 'M' or 'm')
            return $"NumPy's {(typestr[1] == 'M' ? "datetime64" : "timedelta64")} ('{typestr[1..]}') has no PEP 3118 form: datetimes and timedeltas cannot be shared as typed memory";
        if (typestr.Length < 2)
            return "expected a byte-order character ('<', '>', '|', '='), a type character and a size";
        char orderChar = typestr[0];
        if (orderChar is not ('<' or '>' or '|' or '='))
            return "the first character must be '<', '>', '|' or '='";
        char code = typestr[1];
        nint size = 0;
        bool hasSize = typestr.Length > 2;
        for (int i = 2; i < typestr.Length; i++)
        {
            char c = typestr[i];
            if (c is < '0' or > '9' || size > (NumPyLimit - (c - '0')) / 10)
                return "the size must be decimal digits no larger than 2147483647";
            size = size * 10 + (c - '0');
        }
        var order = orderChar switch { '<' => ByteOrder.LittleEndian, '>' => ByteOrder.BigEndian, _ => NativeByteOrder };
        ScalarKind kind;
        switch (code)
        {
            case 'b' when size == 1: kind = ScalarKind.Boolean; break;
            case 'i' when size is 1 or 2 or 4 or 8: kind = ScalarKind.SignedInteger; break;
            case 'u' when size is 1 or 2 or 4 or 8: kind = ScalarKind.UnsignedInteger; break;
            case 'f' when size is 2 or 4 or 8: kind = ScalarKind.Float; break;
            case 'c' when size is 8 or 16: kind = ScalarKind.Complex; break;
            case 'f' or 'c' when size == (code == 'f' ? 16 : 32):
                if (order != NativeByteOrder)
                    return "a non-native long double has no PEP 3118 form ('g' and 'Zg' exist only in native order)";
                kind = code == 'f' ? ScalarKind.Float : ScalarKind.Complex;
                break;
            case 'S' or 'a' when hasSize: kind = ScalarKind.Bytes; break;
            case 'U' when hasSize:
                kind = ScalarKind.UnicodeText;
                if (size > NumPyLimit / 4)
                    return "the text is longer than NumPy allows";
                size *= 4;
                break;
            case 'O' when !hasSize || size == 8: kind = ScalarKind.Object; size = 8; break;
            case 'V' when hasSize:
                result = CreateRecord(s_noFields, size, size);
                return null;
            default:
                return $"not a NumPy type NdBridge can represent (unknown type '{code}' with size {(hasSize ? size.ToString(CultureInfo.InvariantCulture) : "(none)")})";
        }
        result = CreateScalar(kind, size, order);
        return null;
    }

    /// <summary>
    /// The NumPy <c>__array_interface__['descr']</c> of the item: one entry per field and per gap
    /// (<c>('', '|V4')</c>, trailing padding included), nested records as nested lists, sub-arrays with a shape;
    /// a non-record item is the single entry <c>('', typestr)</c> (with a shape for a sub-array). Unnamed fields
    /// get the name <c>''</c>, which NumPy renames <c>f0</c>, <c>f1</c>, ...
    /// </summary>
    /// <exception cref="NotSupportedException">The item holds <c>P</c> or <c>p</c>.</exception>
    public IReadOnlyList<DescrEntry> ToDescr() => ToDescr(numberUnnamedFields: false);

    /// <summary>The descr; with <paramref name="numberUnnamedFields"/>, unnamed fields are named <c>f0</c>, <c>f1</c>, ...
    /// by their index, the names NumPy gives them, so a reader that keeps <c>''</c> (an <c>.npy</c> header) sees NumPy's.</summary>
    internal IReadOnlyList<DescrEntry> ToDescr(bool numberUnnamedFields)
    {
        if (Kind != BufferFormatKind.Record)
            return [EntryFor("", this, numberUnnamedFields)];
        var entries = new List<DescrEntry>();
        nint cursor = 0;
        for (int i = 0; i < _fields.Length; i++)
        {
            var field = _fields[i];
            if (field.ByteOffset > cursor)
                entries.Add(new DescrEntry("", "|V" + (field.ByteOffset - cursor).ToString(CultureInfo.InvariantCulture)));
            string name = field.Name ?? (numberUnnamedFields ? "f" + i.ToString(CultureInfo.InvariantCulture) : "");
            entries.Add(EntryFor(name, field.Format, numberUnnamedFields));
            cursor = field.ByteOffset + field.Format.NumPyItemSize;
        }
        if (NumPyItemSize > cursor)
            entries.Add(new DescrEntry("", "|V" + (NumPyItemSize - cursor).ToString(CultureInfo.InvariantCulture)));
        return entries;
    }

    private static DescrEntry EntryFor(string name, BufferFormat format, bool numberUnnamedFields)
    {
        var element = format.ElementFormat ?? format;
        IReadOnlyList<nint>? shape = format._shape.Length > 0 ? format._shape : null;
        return element.Kind == BufferFormatKind.Record
            ? new DescrEntry(name, element.ToDescr(numberUnnamedFields), shape)
            : new DescrEntry(name, ScalarTypestr(element), shape);
    }

    /// <summary>The descr as a Python literal, e.g. <c>[('x', '&lt;f8'), ('', '|V4')]</c>.</summary>
    public string ToDescrString() => DescrToPython(ToDescr());

    /// <summary>
    /// Reads a NumPy <c>__array_interface__['descr']</c>: entries laid end to end (NumPy's descr has no offsets),
    /// <c>('', '|V<i>n</i>')</c> entries as padding, nested lists as records, shapes as sub-arrays. A single unnamed
    /// entry is that type, as NumPy reads <c>[('', '&lt;f8')]</c>.
    /// </summary>
    /// <param name="descr">The entries.</param>
    /// <returns>The equivalent format.</returns>
    /// <exception cref="ArgumentException">An entry is malformed, a name repeats, or nesting exceeds
    /// <see cref="MaxNestingDepth"/>.</exception>
    public static BufferFormat FromDescr(IReadOnlyList<DescrEntry> descr)
    {
        ArgumentNullException.ThrowIfNull(descr);
        return FromDescrLevel(descr, 0);
    }

    private static BufferFormat FromDescrLevel(IReadOnlyList<DescrEntry> descr, int depth)
    {
        if (depth >= MaxNestingDepth)
            ThrowHelper.ThrowArgument($"Descr nests deeper than {MaxNestingDepth} levels.", nameof(descr));
        var fields = new List<BufferField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        nint offset = 0;
        foreach (var entry in descr)
        {
            if (entry is null)
                ThrowHelper.ThrowArgument("Descr entries must not be null.", nameof(descr));
            BufferFormat element;
            if (entry.Fields is not null)
            {
                element = FromDescrLevel(entry.Fields, depth + 1);
            }
            else
            {
                string? error = TryFromTypestr(entry.Typestr!, out var parsed);
                if (error is not null)
                    ThrowHelper.ThrowArgument($"Descr entry '{entry.Name}': typestr '{entry.Typestr}': {error}", nameof(descr));
                element = parsed!;
            }
            bool isPadding = entry.Name.Length == 0 && entry.Fields is null && entry.Shape.Count == 0 &&
                             element.Kind == BufferFormatKind.Record && element._fields.Length == 0;
            var value = element;
            if (element.Kind == BufferFormatKind.Record && element._fields.Length == 0 && entry.Fields is null && !isPadding)
                value = element = CreateScalar(ScalarKind.Void, element.ItemSize, ByteOrder.NotApplicable);
            if (entry.Shape.Count > 0)
            {
                nint size = element.NumPyItemSize;
                foreach (var dim in entry.Shape)
                {
                    if (dim < 0 || dim > NumPyLimit || (dim != 0 && size > NumPyLimit / dim))
                        ThrowHelper.ThrowArgument($"Descr entry '{entry.Name}': the shape ({string.Join(", ", entry.Shape)}) is negative or too large.", nameof(descr));
                    size *= dim;
                }
                value = CreateSubArray(element, [.. entry.Shape], size);
            }
            string? name = entry.Name.Length == 0 ? null : entry.Name;
            if (name is not null && !names.Add(name))
                ThrowHelper.ThrowArgument($"Descr names the field '{name}' twice.", nameof(descr));
            if (!isPadding)
                fields.Add(new BufferField(name, offset, value));
            if (offset > NumPyLimit - value.NumPyItemSize)
                ThrowHelper.ThrowArgument("The descr's item size exceeds 2147483647 bytes.", nameof(descr));
            offset += value.NumPyItemSize;
        }
        // Only the outermost list unwraps a lone unnamed entry, as NumPy reads [('', '<f8')]; nested lists stay records.
        if (depth == 0 && fields.Count == 1 && fields[0].Name is null && fields[0].ByteOffset == 0 && fields[0].Format.NumPyItemSize == offset)
            return fields[0].Format;
        return CreateRecord([.. fields], offset, offset);
    }

    internal static string DescrToPython(IReadOnlyList<DescrEntry> descr) =>
        "[" + string.Join(", ", descr.Select(DescrEntryToPython)) + "]";

    internal static string DescrEntryToPython(DescrEntry entry)
    {
        var sb = new StringBuilder("(");
        sb.Append(PythonRepr(entry.Name)).Append(", ");
        sb.Append(entry.Fields is not null ? DescrToPython(entry.Fields) : PythonRepr(entry.Typestr!));
        if (entry.Shape.Count > 0)
        {
            sb.Append(", (").Append(string.Join(", ", entry.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))));
            sb.Append(entry.Shape.Count == 1 ? ",)" : ")");
        }
        return sb.Append(')').ToString();
    }

    /// <summary>The text as Python's <c>repr(str)</c> prints it (quotes, escapes, printable characters kept), so a
    /// descr printed here is byte for byte what NumPy writes into an <c>.npy</c> header.</summary>
    internal static string PythonRepr(string text)
    {
        char quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        for (int i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate: Python prints it escaped, as a non-printable character.
                sb.Append("\\u").Append(((int)text[i]).ToString("x4", CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            i += consumed;
            int c = rune.Value;
            if (c == quote || c == '\\')
                sb.Append('\\').Append((char)c);
            else if (c is '\t' or '\n' or '\r')
                sb.Append(c switch { '\t' => "\\t", '\n' => "\\n", _ => "\\r" });
            else if (c < ' ' || c == 0x7f)
                sb.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            else if (c < 0x7f || IsPythonPrintable(rune))
                sb.Append(rune.ToString());
            else if (c <= 0xff)
                sb.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            else if (c <= 0xffff)
                sb.Append("\\u").Append(c.ToString("x4", CultureInfo.InvariantCulture));
            else
                sb.Append("\\U").Append(c.ToString("x8", CultureInfo.InvariantCulture));
        }
        return sb.Append(quote).ToString();
    }

    // str.isprintable: everything but the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the space.
    private static bool IsPythonPrintable(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or
            UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => false,
        UnicodeCategory.SpaceSeparator => rune.Value == ' ',
        _ => true,
    };
}
