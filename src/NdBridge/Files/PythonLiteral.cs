using System.Globalization;
using System.Numerics;
using System.Text;

namespace NdBridge;

/// <summary>
/// A safe reader of the Python literals an <c>.npy</c> header holds (what <c>ast.literal_eval</c> accepts for them):
/// <c>str</c> (quotes, prefixes <c>u</c>/<c>r</c>, escapes), <c>int</c> (with a Python 2 <c>L</c> suffix when
/// <c>allowLongSuffix</c>, as NumPy's <c>_filter_header</c> does for versions 1.0 and 2.0), <c>True</c>,
/// <c>False</c>, <c>None</c>, tuples, lists and dicts. It evaluates nothing and nests at most <see cref="MaxDepth"/> deep.
/// </summary>
internal sealed class PythonLiteral
{
    public const int MaxDepth = 100;

    /// <summary>The value <c>None</c>.</summary>
    public static readonly object None = new NoneValue();

    private readonly string _text;
    private readonly string _source;
    private readonly bool _allowLongSuffix;
    private int _position;

    private PythonLiteral(string text, string source, bool allowLongSuffix)
    {
        _text = text;
        _source = source;
        _allowLongSuffix = allowLongSuffix;
    }

    /// <summary>
    /// Reads one literal filling <paramref name="text"/> up to trailing whitespace: <see cref="string"/>,
    /// <see cref="BigInteger"/>, <see cref="bool"/>, <see cref="None"/>, <see cref="Tuple"/>, <see cref="List{T}"/> of
    /// values, <see cref="Dict"/>. Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the position.
    /// </summary>
    public static object Parse(string text, string source, bool allowLongSuffix)
    {
        var parser = new PythonLiteral(text, source, allowLongSuffix);
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser._position != text.Length)
            parser.Fail("the end of the literal");
        return value;
    }

    /// <summary>A Python tuple.</summary>
    public sealed class Tuple(List<object> items)
    {
        public List<object> Items { get; } = items;
    }

    /// <summary>A Python dict, in source order (a repeated key keeps its last value, as Python does).</summary>
    public sealed class Dict(List<KeyValuePair<object, object>> entries)
    {
        public List<KeyValuePair<object, object>> Entries { get; } = entries;
    }

    private sealed class NoneValue
    {
        public override string ToString() => "None";
    }

    /// <summary>A short Python-like rendering of a value for error messages.</summary>
    public static string Show(object value) => value switch
    {
        string s => BufferFormat.PythonRepr(s),
        bool b => b ? "True" : "False",
        BigInteger i => i.ToString(CultureInfo.InvariantCulture),
        Tuple t => "(" + string.Join(", ", t.Items.Select(Show)) + (t.Items.Count == 1 ? ",)" : ")"),
        List<object> l => "[" + string.Join(", ", l.Select(Show)) + "]",
        Dict d => "{" + string.Join(", ", d.Entries.Select(e => Show(e.Key) + ": " + Show(e.Value))) + "}",
        _ => value.ToString() ?? "",
    };

    private object ParseValue(int depth)
    {
        if (depth > MaxDepth)
            ThrowHelper.ThrowBadNpy(_source, $"the header nests deeper than {MaxDepth} levels.");
        SkipWhitespace();
        if (_position >= _text.Length)
            Fail("a value");
        char c = _text[_position];
        switch (c)
        {
            case '{':
                return ParseDict(depth);
            case '[':
                return ParseSequence(']', depth);
            case '(':
                return ParseSequence(')', depth);
            case '\'' or '"':
                return ParseString(raw: false);
            case '-' or '+' or (>= '0' and <= '9'):
                return ParseInteger();
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            int start = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] == '_'))
                _position++;
            string word = _text[start.._position];
            if (_position < _text.Length && _text[_position] is '\'' or '"' && word.ToLowerInvariant() is "u" or "r")
                return ParseString(raw: word.Equals("r", StringComparison.OrdinalIgnoreCase));
            switch (word)
            {
                case "True": return true;
                case "False": return false;
                case "None": return None;
            }
            _position = start;
            Fail("a string, an integer, True, False, None, a tuple, a list or a dict (the header is a Python literal, not code)");
        }
        Fail("a value");
        return null!;
    }

    private Dict ParseDict(int depth)
    {
        _position++;
        var entries = new List<KeyValuePair<object, object>>();
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '}')
            {
                _position++;
                return new Dict(entries);
            }
            var key = ParseValue(depth + 1);
            if (key is List<object> or Dict)
                Fail("a hashable key (a list or a dict cannot be one)");
            SkipWhitespace();
            Expect(':');
            var value = ParseValue(depth + 1);
            int existing = entries.FindIndex(e => e.Key.Equals(key));
            if (existing >= 0)
                entries[existing] = new(key, value);
            else
                entries.Add(new(key, value));
            SkipWhitespace();
            if (Peek() == ',')
                _position++;
            else if (Peek() != '}')
                Fail("',' or '}'");
        }
    }

    private object ParseSequence(char close, int depth)
    {
        _position++;
        var items = new List<object>();
        bool sawComma = false;
        while (true)
        {
            SkipWhitespace();
            if (Peek() == close)
            {
                _position++;
                if (close == ']')
                    return items;
                // (x) is x itself; only a comma makes a one-element tuple.
                if (items.Count == 1 && !sawComma)
                    return items[0];
                return new Tuple(items);
            }
            items.Add(ParseValue(depth + 1));
            SkipWhitespace();
            if (Peek() == ',')
            {
                _position++;
                sawComma = true;
            }
            else if (Peek() != close)
            {
                Fail($"',' or '{close}'");
            }
        }
    }

    private BigInteger ParseInteger()
    {
        int start = _position;
        bool negative = false;
        if (_text[_position] is '-' or '+')
        {
            negative = _text[_position] == '-';
            _position++;
            SkipWhitespace();
        }
        int digitsStart = _position;
        var digits = new StringBuilder();
        while (_position < _text.Length && (char.IsAsciiDigit(_text[_position]) || (_text[_position] == '_' && _position > digitsStart)))
        {
            if (_text[_position] != '_')
                digits.Append(_text[_position]);
            _position++;
        }
        if (digits.Length == 0)
        {
            _position = start;
            Fail("an integer");
        }
        if (digits.Length > 1 && digits[0] == '0' && digits.ToString().Any(d => d != '0'))
        {
            _position = digitsStart;
            Fail("a decimal integer without leading zeros");
        }
        if (_position < _text.Length && _text[_position] is 'L' or 'l' && _allowLongSuffix)
            _position++;
        if (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '.' or '_'))
            Fail("an integer (floats, hexadecimal and other numbers have no place in an .npy header)");
        var value = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        return negative ? -value : value;
    }

    private string ParseString(bool raw)
    {
        char quote = _text[_position];
        bool triple = _position + 2 < _text.Length && _text[_position + 1] == quote && _text[_position + 2] == quote;
        _position += triple ? 3 : 1;
        var sb = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
                Fail($"the closing quote {quote}");
            char c = _text[_position];
            if (c == quote && (!triple || (_position + 2 < _text.Length && _text[_position + 1] == quote && _text[_position + 2] == quote)))
            {
                _position += triple ? 3 : 1;
                return sb.ToString();
            }
            if (c == '\n' && !triple)
                Fail($"the closing quote {quote} before the end of the line");
            _position++;
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (_position >= _text.Length)
                Fail("an escaped character");
            char e = _text[_position++];
            if (raw)
            {
                sb.Append('\\').Append(e);
                continue;
            }
            switch (e)
            {
                case '\n': break;
                case '\\' or '\'' or '"': sb.Append(e); break;
                case 'a': sb.Append('\a'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'v': sb.Append('\v'); break;
                case 'x': AppendCodePoint(sb, ReadHex(2)); break;
                case 'u': AppendCodePoint(sb, ReadHex(4)); break;
                case 'U': AppendCodePoint(sb, ReadHex(8)); break;
                case >= '0' and <= '7':
                    int octal = e - '0';
                    for (int i = 0; i < 2 && _position < _text.Length && _text[_position] is >= '0' and <= '7'; i++)
                        octal = octal * 8 + (_text[_position++] - '0');
                    AppendCodePoint(sb, octal);
                    break;
                default:
                    // Python keeps an unknown escape as it is (with a warning).
                    sb.Append('\\').Append(e);
                    break;
            }
        }
    }

    private void AppendCodePoint(StringBuilder sb, int codePoint)
    {
        if (codePoint is < 0 or > 0x10FFFF)
            Fail("a code point no larger than \\U0010ffff");
        if (codePoint is >= 0xD800 and <= 0xDFFF)
            sb.Append((char)codePoint);
        else
            sb.Append(char.ConvertFromUtf32(codePoint));
    }

    private int ReadHex(int digitCount)
    {
        if (_position + digitCount > _text.Length || _text.AsSpan(_position, digitCount).ContainsAnyExcept("0123456789abcdefABCDEF"))
            Fail($"{digitCount} hexadecimal digits");
        int value = int.Parse(_text.AsSpan(_position, digitCount), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        _position += digitCount;
        return value;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
            Fail($"'{c}'");
        _position++;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length)
        {
            char c = _text[_position];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
                _position++;
            else if (c == '\\' && _position + 1 < _text.Length && _text[_position + 1] == '\n')
                _position += 2;
            else
                break;
        }
    }

    private void Fail(string expected)
    {
        string found = _position < _text.Length ? BufferFormat.PythonRepr(_text[_position].ToString()) : "the end of the header";
        ThrowHelper.ThrowBadNpy(_source,
            $"the header is not a Python literal: at character {_position}, expected {expected}, found {found}. " +
            "NumPy writes the header as {'descr': ..., 'fortran_order': ..., 'shape': (...), }.");
    }
}
