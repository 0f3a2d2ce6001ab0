using System.Diagnostics.CodeAnalysis;

namespace NdBridge;

public sealed partial class BufferFormat
{
    private const nint NumPyLimit = int.MaxValue;

    /// <summary>Parses a PEP 3118 / struct format string (see the type's remarks for exactly what is accepted).</summary>
    /// <param name="format">The format string.</param>
    /// <returns>The parsed format.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="format"/> is null.</exception>
    /// <exception cref="BufferFormatException">The string is not an accepted format; the exception's
    /// <see cref="BufferFormatException.Position"/> lies inside the string.</exception>
    public static BufferFormat Parse(string format)
    {
        if (format is null)
            ThrowHelper.ThrowArgumentNull(nameof(format));
        var parser = new Parser(format);
        var result = parser.Run();
        if (result is null)
            ThrowHelper.ThrowBufferFormat(format, parser.ErrorPosition, parser.ErrorReason!);
        return result;
    }

    /// <summary>Parses a format string without throwing.</summary>
    /// <param name="format">The format string, or <see langword="null"/>.</param>
    /// <param name="result">The parsed format, or <see langword="null"/> when the string is not accepted.</param>
    /// <returns>Whether the string was accepted.</returns>
    public static bool TryParse([NotNullWhen(true)] string? format, [NotNullWhen(true)] out BufferFormat? result)
    {
        result = format is null ? null : new Parser(format).Run();
        return result is not null;
    }

    /// <summary>One record being read: the top level, or an open <c>T{</c>.</summary>
    private sealed class Frame
    {
        public readonly List<BufferField> Fields = [];
        public HashSet<string>? Names;
        public nint Offset;
        public int CommonAlignment = 1;
        public int OpenPosition;
        // The item that opened this frame, completed in the parent when the '}' arrives.
        public List<nint>? PendingShape;
        public nint PendingCount;
        public int PendingPosition;
    }

    /// <summary>
    /// NumPy's <c>__dtype_from_pep3118</c> made iterative, plus struct's extras. Work is linear in the input
    /// length: numbers are read once with overflow checks and never drive a loop or an allocation.
    /// </summary>
    private sealed class Parser(string text)
    {
        private readonly string _s = text;
        private int _pos;
        private char _mode = '@';
        private int _extensionAt = -1;
        private string? _extensionWhat;
        private int _structOnlyAt = -1;
        private string? _structOnlyWhat;
        private int _numPyLimitAt = -1;
        private bool _sawItem;

        public int ErrorPosition { get; private set; } = -1;
        public string? ErrorReason { get; private set; }

        private BufferFormat? Fail(int position, string reason)
        {
            ErrorPosition = Math.Clamp(position, 0, Math.Max(0, _s.Length - 1));
            ErrorReason = reason;
            return null;
        }

        private bool Refuse(int position, string reason)
        {
            Fail(position, reason);
            return false;
        }

        private List<nint>? FailShape(int position, string reason)
        {
            Fail(position, reason);
            return null;
        }

        private void Extension(int position, string what)
        {
            if (_extensionAt < 0)
            {
                _extensionAt = position;
                _extensionWhat = what;
            }
        }

        private void StructOnly(int position, string what)
        {
            if (_structOnlyAt < 0)
            {
                _structOnlyAt = position;
                _structOnlyWhat = what;
            }
        }

        private void OverNumPyLimit(int position, nint value)
        {
            if (value > NumPyLimit && _numPyLimitAt < 0)
                _numPyLimitAt = position;
        }

        private static bool IsPrefix(char c) => c is '@' or '=' or '<' or '>' or '!' or '^';

        private static bool IsStructSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f';

        private static bool IsDigit(char c) => c is >= '0' and <= '9';

        private bool Native => _mode is '@' or '^';

        private ByteOrder CurrentByteOrder => _mode switch
        {
            '<' => ByteOrder.LittleEndian,
            '>' => ByteOrder.BigEndian,
            _ => NativeByteOrder,
        };

        public BufferFormat? Run()
        {
            int length = _s.Length;
            var stack = new Stack<Frame>();
            var frame = new Frame();
            bool leadingPrefix = false;
            if (length > 0 && IsPrefix(_s[0]))
            {
                SetMode(_s[0], 0);
                _pos = 1;
                leadingPrefix = true;
            }

            while (true)
            {
                while (_pos < length && IsStructSpace(_s[_pos]))
                {
                    StructOnly(_pos, "whitespace");
                    _pos++;
                }
                if (_pos >= length)
                    break;

                int itemStart = _pos;
                char c = _s[_pos];
                _sawItem = true;
                if (c == '}')
                {
                    if (stack.Count == 0)
                        return Fail(_pos, "'}' closes no 'T{'");
                    _pos++;
                    nint recordSize = frame.Offset;
                    nint paddedSize = _mode == '@' ? AlignUp(recordSize, frame.CommonAlignment) : recordSize;
                    if (paddedSize < 0)
                        return Fail(itemStart, "the record's size overflows");
                    OverNumPyLimit(itemStart, paddedSize);
                    var record = CreateRecord([.. frame.Fields], paddedSize, paddedSize);
                    var parent = stack.Pop();
                    if (!CompleteItem(parent, record, frame.CommonAlignment, frame.PendingShape, frame.PendingCount,
                            frame.PendingPosition, isPadding: false))
                        return null;
                    frame = parent;
                    continue;
                }

                if (leadingPrefix && _pos == 1 && IsPrefix(c))
                    return Fail(_pos, "two byte-order prefixes in a row");

                List<nint>? shape = null;
                if (c == '(')
                {
                    if (leadingPrefix && _pos == 1)
                        return Fail(_pos, "a sub-array shape goes before the byte-order prefix ('(2)<d', not '<(2)d')");
                    Extension(_pos, "a sub-array shape");
                    shape = ReadShape();
                    if (shape is null)
                        return null;
                }

                if (_pos < length && IsPrefix(_s[_pos]))
                {
                    Extension(_pos, "a byte-order prefix after the start");
                    SetMode(_s[_pos], _pos);
                    _pos++;
                }

                int countStart = _pos;
                nint count = 1;
                bool hasCount = false;
                while (_pos < length && IsDigit(_s[_pos]))
                {
                    int digit = _s[_pos] - '0';
                    nint soFar = hasCount ? count : 0;
                    if (soFar > (nint.MaxValue - digit) / 10)
                        return Fail(countStart, "the count is too large");
                    count = soFar * 10 + digit;
                    hasCount = true;
                    _pos++;
                }
                if (_pos >= length)
                {
                    return Fail(hasCount ? countStart : _pos - 1,
                        hasCount ? "a count must be followed by a type code" : "a byte-order prefix must be followed by a type code");
                }

                c = _s[_pos];
                if (c == 'T')
                {
                    if (_pos + 1 >= length || _s[_pos + 1] != '{')
                        return Fail(_pos, "expected '{' after 'T'");
                    Extension(_pos, "a 'T{' record");
                    if (stack.Count >= MaxNestingDepth)
                        return Fail(_pos, $"records nest deeper than {MaxNestingDepth} levels");
                    var inner = new Frame
                    {
                        OpenPosition = _pos,
                        PendingShape = shape,
                        PendingCount = count,
                        PendingPosition = itemStart,
                    };
                    stack.Push(frame);
                    frame = inner;
                    _pos += 2;
                    continue;
                }

                var scalar = ReadScalar(count, itemStart, out int alignment, out bool isLengthCode, out bool isPadding);
                if (scalar is null)
                    return null;
                if (!CompleteItem(frame, scalar, alignment, shape, isLengthCode ? 1 : count, itemStart, isPadding))
                    return null;
            }

            if (stack.Count > 0)
                return Fail(frame.OpenPosition, "this 'T{' is never closed with '}'");
            if (length > 0 && _s[0] == '^' && !_sawItem)
                return Fail(0, "'^' must be followed by a type code");

            nint structSize = frame.Offset;
            nint numPySize = _mode == '@' ? AlignUp(structSize, frame.CommonAlignment) : structSize;
            if (numPySize < 0)
                return Fail(length - 1, "the item size overflows");
            OverNumPyLimit(length - 1, numPySize);

            if (_extensionAt >= 0 && _structOnlyAt >= 0)
            {
                int later = Math.Max(_extensionAt, _structOnlyAt);
                return Fail(later, $"{_structOnlyWhat} (struct only, at {_structOnlyAt}) cannot be mixed with " +
                    $"{_extensionWhat} (PEP 3118/NumPy only, at {_extensionAt}): neither struct nor NumPy reads the whole");
            }
            if (_extensionAt >= 0 && _numPyLimitAt >= 0)
            {
                return Fail(_numPyLimitAt, $"a size or dimension above {NumPyLimit}: NumPy's limit, which applies " +
                    $"because the format uses {_extensionWhat} (at {_extensionAt})");
            }

            var fields = frame.Fields;
            if (fields.Count == 1 && fields[0].Name is null && fields[0].ByteOffset == 0 && fields[0].Format.NumPyItemSize == numPySize)
            {
                // A single unnamed item filling the whole is that item, as in NumPy.
                return fields[0].Format;
            }
            return CreateRecord([.. fields], structSize, numPySize);
        }

        private void SetMode(char prefix, int position)
        {
            if (prefix == '^')
                Extension(position, "the '^' prefix");
            _mode = prefix == '!' ? '>' : prefix;
        }

        private List<nint>? ReadShape()
        {
            int open = _pos;
            _pos++;
            var dims = new List<nint>();
            while (true)
            {
                while (_pos < _s.Length && IsStructSpace(_s[_pos]))
                    _pos++;
                int numberStart = _pos;
                nint value = 0;
                while (_pos < _s.Length && IsDigit(_s[_pos]))
                {
                    int digit = _s[_pos] - '0';
                    if (value > (NumPyLimit - digit) / 10)
                        return FailShape(numberStart, $"a sub-array dimension above {NumPyLimit} (NumPy's limit)");
                    value = value * 10 + digit;
                    _pos++;
                }
                if (_pos == numberStart)
                    return FailShape(Math.Min(_pos, _s.Length - 1), "expected a dimension (decimal digits) in the sub-array shape");
                dims.Add(value);
                if (dims.Count > 32)
                    return FailShape(numberStart, "a sub-array shape has more than 32 dimensions (NumPy's limit)");
                while (_pos < _s.Length && IsStructSpace(_s[_pos]))
                    _pos++;
                if (_pos >= _s.Length)
                    return FailShape(open, "this '(' is never closed with ')'");
                char c = _s[_pos++];
                if (c == ')')
                    return dims;
                if (c != ',')
                    return FailShape(_pos - 1, "expected ',' or ')' in the sub-array shape");
            }
        }

        private BufferFormat? ReadScalar(nint count, int itemStart, out int alignment, out bool isLengthCode, out bool isPadding)
        {
            alignment = 1;
            isLengthCode = false;
            isPadding = false;
            int at = _pos;
            char c = _s[_pos++];
            bool native = Native;
            ByteOrder order = CurrentByteOrder;
            ScalarKind kind;
            nint size;
            switch (c)
            {
                case '?': kind = ScalarKind.Boolean; size = 1; break;
                case 'c': kind = ScalarKind.Bytes; size = 1; break;
                case 'b': kind = ScalarKind.SignedInteger; size = 1; break;
                case 'B': kind = ScalarKind.UnsignedInteger; size = 1; break;
                case 'h': kind = ScalarKind.SignedInteger; size = 2; break;
                case 'H': kind = ScalarKind.UnsignedInteger; size = 2; break;
                case 'i': kind = ScalarKind.SignedInteger; size = 4; break;
                case 'I': kind = ScalarKind.UnsignedInteger; size = 4; break;
                case 'l': kind = ScalarKind.SignedInteger; size = native ? 8 : 4; break;
                case 'L': kind = ScalarKind.UnsignedInteger; size = native ? 8 : 4; break;
                case 'q': kind = ScalarKind.SignedInteger; size = 8; break;
                case 'Q': kind = ScalarKind.UnsignedInteger; size = 8; break;
                case 'e': kind = ScalarKind.Float; size = 2; break;
                case 'f': kind = ScalarKind.Float; size = 4; break;
                case 'd': kind = ScalarKind.Float; size = 8; break;
                case 'n' or 'N' or 'P':
                    if (!native)
                        return Fail(at, $"'{c}' exists only in native ('@') mode");
                    StructOnly(at, $"the '{c}' code");
                    kind = c switch { 'n' => ScalarKind.SignedInteger, 'N' => ScalarKind.UnsignedInteger, _ => ScalarKind.Pointer };
                    size = 8;
                    break;
                case 'g':
                    if (!native)
                        return Fail(at, "'g' (long double) exists only with native sizes ('@' or '^')");
                    Extension(at, "the 'g' code");
                    kind = ScalarKind.Float;
                    size = 16;
                    break;
                case 'Z':
                {
                    char part = _pos < _s.Length ? _s[_pos] : '\0';
                    if (part is not ('f' or 'd' or 'g'))
                        return Fail(at, "expected 'f', 'd' or 'g' after 'Z'");
                    _pos++;
                    if (part == 'g' && !native)
                        return Fail(at, "'Zg' (complex long double) exists only with native sizes ('@' or '^')");
                    Extension(at, "a 'Z' complex code");
                    kind = ScalarKind.Complex;
                    size = part switch { 'f' => 8, 'd' => 16, _ => 32 };
                    break;
                }
                case 's' or 'p' or 'x':
                    if (c == 'p')
                        StructOnly(at, "the 'p' code");
                    isLengthCode = true;
                    isPadding = c == 'x';
                    kind = c switch { 's' => ScalarKind.Bytes, 'p' => ScalarKind.PascalString, _ => ScalarKind.Void };
                    size = count;
                    OverNumPyLimit(itemStart, size);
                    break;
                case 'w':
                    Extension(at, "the 'w' code");
                    isLengthCode = true;
                    kind = ScalarKind.UnicodeText;
                    if (count > nint.MaxValue / 4)
                        return Fail(itemStart, "the text length overflows");
                    size = count * 4;
                    OverNumPyLimit(itemStart, size);
                    break;
                case 'O':
                    Extension(at, "the 'O' code");
                    kind = ScalarKind.Object;
                    size = 8;
                    break;
                case 'u' or '&' or 't' or 'X':
                    return Fail(at, c switch
                    {
                        'u' => "'u' (UCS-2 text) has no NdBridge or NumPy form; use 'w' (UCS-4) or 'H'",
                        '&' => "'&' (pointer to the next type) has no NdBridge or NumPy form",
                        't' => "'t' (bit field) has no NdBridge or NumPy form",
                        _ => "'X{}' (function pointer) has no NdBridge or NumPy form",
                    });
                default:
                    return Fail(at, $"unknown type code '{Printable(c)}' (expected one of ?cbBhHiIlLqQnNefdgspPwOxZ T{{ or a prefix)");
            }
            alignment = kind == ScalarKind.Void ? 1 : NaturalAlignment(kind, size);
            return CreateScalar(kind, size, order);
        }

        private static string Printable(char c) => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString();

        /// <summary>Aligns (in '@' mode), wraps counts and shapes, reads the name and appends the field.</summary>
        private bool CompleteItem(Frame frame, BufferFormat value, int alignment, List<nint>? shape, nint count, int itemStart, bool isPadding)
        {
            if (_mode == '@')
            {
                nint aligned = AlignUp(frame.Offset, alignment);
                if (aligned < 0)
                    return Refuse(itemStart, "the offset overflows");
                frame.Offset = aligned;
                frame.CommonAlignment = Math.Max(frame.CommonAlignment, alignment);
            }

            // NumPy refuses a shape on a zero-byte item that is not a record (an "unsized" dtype).
            bool zeroBytes = count != 1 ? count == 0 || value.NumPyItemSize == 0 : value.Kind != BufferFormatKind.Record && value.NumPyItemSize == 0;
            if (shape is not null && zeroBytes)
                return Refuse(itemStart, "a sub-array shape on an item of zero bytes (NumPy: invalid itemsize in generic type tuple)");

            int dimCount = (shape?.Count ?? 0) + (count != 1 ? 1 : 0);
            if (dimCount > 0)
            {
                var dims = new nint[dimCount];
                shape?.CopyTo(dims);
                if (count != 1)
                    dims[^1] = count;
                nint size = value.NumPyItemSize;
                foreach (var dim in dims)
                {
                    OverNumPyLimit(itemStart, dim);
                    if (dim != 0 && size > nint.MaxValue / dim)
                        return Refuse(itemStart, "the sub-array's size overflows");
                    size *= dim;
                }
                OverNumPyLimit(itemStart, size);
                value = CreateSubArray(value, dims, size);
            }

            string? name = null;
            if (_pos < _s.Length && _s[_pos] == ':')
            {
                Extension(_pos, "a ':name:' field name");
                int close = _s.IndexOf(':', _pos + 1);
                if (close < 0)
                    return Refuse(_pos, "this field name is never closed with ':'");
                if (close == _pos + 1)
                    return Refuse(_pos, "empty field name");
                name = _s.Substring(_pos + 1, close - _pos - 1);
                // An exported format is a C string: a NUL would cut it there.
                if (name.IndexOf('\0') is var nul and >= 0)
                    return Refuse(_pos + 1 + nul, "a NUL character inside a field name (a format is a C string, cut at the NUL)");
                frame.Names ??= new HashSet<string>(StringComparer.Ordinal);
                if (!frame.Names.Add(name))
                    return Refuse(_pos + 1, $"duplicate field name '{name}'");
                _pos = close + 1;
            }

            if (!(isPadding && name is null))
                frame.Fields.Add(new BufferField(name, frame.Offset, value));
            nint end = frame.Offset + value.NumPyItemSize;
            if (end < 0)
                return Refuse(itemStart, "the item size overflows");
            frame.Offset = end;
            OverNumPyLimit(itemStart, end);
            return true;
        }
    }

    /// <summary>Rounds up to a multiple of a power of two; negative on overflow.</summary>
    private static nint AlignUp(nint value, int alignment)
    {
        nint mask = alignment - 1;
        return value > nint.MaxValue - mask ? -1 : (value + mask) & ~mask;
    }
}
