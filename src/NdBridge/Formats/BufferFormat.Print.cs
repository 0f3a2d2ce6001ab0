using System.Globalization;
using System.Numerics;
using System.Text;

namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The canonical PEP 3118 text: <c>Parse(f.ToString()).Equals(f)</c>, and equal formats print the same.
    /// Native primitives print bare (<c>d</c>, <c>q</c>, <c>2d</c>), since <c>memoryview</c> indexes only bare
    /// native codes; records print in <c>@</c> mode where their layout allows, every gap written as <c>x</c>
    /// padding, trailing padding included, so struct's size, NumPy's size and the item size agree whenever
    /// <see cref="ItemSize"/> equals <see cref="NumPyItemSize"/>.
    /// </summary>
    public override string ToString() => _text ??= Print();

    private string Print()
    {
        if (Kind != BufferFormatKind.Record)
        {
            var printer = new Printer();
            printer.EmitValue(this, 0, cap: MaxAlignmentCap, standardOnly: false);
            return printer.ToString();
        }

        string greedy = PrintRecordTop(standardOnly: false);
        string? standard = ItemSize == NumPyItemSize ? PrintRecordTop(standardOnly: true) : null;
        string[] candidates = standard is not null && CountPrefixes(standard) <= CountPrefixes(greedy)
            ? [standard, greedy]
            : standard is not null ? [greedy, standard] : [greedy];
        foreach (var candidate in candidates)
        {
            if (TryParse(candidate, out var back) && back.Equals(this))
                return candidate;
        }
        ThrowHelper.ThrowInvalidOperation($"NdBridge bug: no text round-trips the format ({string.Join(" / ", candidates)}).");
        return "";
    }

    private const int MaxAlignmentCap = 1 << 20;

    private static int CountPrefixes(string text) => text.Count(c => c is '@' or '=' or '<' or '>' or '^');

    private static int PowerOfTwoDividing(nint value) =>
        value == 0 ? MaxAlignmentCap : (int)Math.Min(MaxAlignmentCap, (long)1 << BitOperations.TrailingZeroCount((long)value));

    private string PrintRecordTop(bool standardOnly)
    {
        var printer = new Printer();
        nint structSize = ItemSize, numPySize = NumPyItemSize;
        // T{...} when a bare body would read as its only field, and for named records (struct has no names anyway);
        // never when the struct size is shorter, which only a bare body can say.
        bool wrap = (_fields.Length == 1 && _fields[0].Name is null && _fields[0].ByteOffset == 0 &&
                     _fields[0].Format.NumPyItemSize == numPySize) ||
                    (structSize == numPySize && _fields.Any(f => f.Name is not null));
        if (wrap)
        {
            printer.EmitValue(this, 0, PowerOfTwoDividing(numPySize), standardOnly);
            return printer.ToString();
        }
        int cap;
        if (numPySize > structSize)
        {
            cap = 1;
            for (int candidate = 2; candidate <= MaxAlignmentCap; candidate *= 2)
            {
                if (AlignUp(structSize, candidate) == numPySize)
                    cap = candidate;
            }
        }
        else
        {
            cap = PowerOfTwoDividing(structSize);
        }
        if (standardOnly && _fields.Length > 0)
            printer.SetMode(LeadingStandardPrefix());
        printer.EmitBody(this, structSize, cap, standardOnly);
        if (numPySize > structSize && printer.Mode != '@')
            printer.Append("@0x");
        return printer.ToString();
    }

    /// <summary>Writes formats, tracking the prefix mode exactly as NumPy's parser does (it persists across '}').</summary>
    private sealed class Printer
    {
        private readonly StringBuilder _sb = new();

        public char Mode { get; private set; } = '@';

        public override string ToString() => _sb.ToString();

        public void Append(string text)
        {
            if (text.Length > 1 && text[0] == '@')
                Mode = '@';
            _sb.Append(text);
        }

        public void SetMode(char mode)
        {
            if (Mode != mode)
            {
                _sb.Append(mode);
                Mode = mode;
            }
        }

        /// <summary>Writes a record's fields and padding; returns the alignment it contributes if it ends in '@' mode.</summary>
        public int EmitBody(BufferFormat record, nint size, int cap, bool standardOnly)
        {
            int common = 1;
            nint cursor = 0;
            foreach (var field in record._fields)
            {
                EmitGap(field.ByteOffset - cursor);
                int contributed = EmitValue(field.Format, field.ByteOffset, cap, standardOnly);
                if (Mode == '@')
                    common = Math.Max(common, contributed);
                if (field.Name is not null)
                    _sb.Append(':').Append(field.Name).Append(':');
                cursor = field.ByteOffset + field.Format.NumPyItemSize;
            }
            EmitGap(size - cursor);
            return common;
        }

        private void EmitGap(nint byteCount)
        {
            if (byteCount == 1)
                _sb.Append('x');
            else if (byteCount > 1)
                _sb.Append(byteCount.ToString(CultureInfo.InvariantCulture)).Append('x');
        }

        /// <summary>Writes one item (scalar, sub-array or record) at <paramref name="byteOffset"/>; returns its '@' alignment.</summary>
        public int EmitValue(BufferFormat value, nint byteOffset, int cap, bool standardOnly)
        {
            var element = value.ElementFormat ?? value;
            var shape = value._shape;
            bool countForm = shape.Length == 1 && shape[0] != 1 && element.Kind == BufferFormatKind.Scalar
                ? !IsLengthCode(element)
                : shape.Length == 1 && shape[0] != 1;
            if (shape.Length > 0 && !countForm)
                _sb.Append('(').Append(string.Join(",", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))).Append(')');

            if (element.Kind == BufferFormatKind.Record)
            {
                if (countForm)
                    _sb.Append(shape[0].ToString(CultureInfo.InvariantCulture));
                int innerCap = Math.Min(cap, Math.Min(PowerOfTwoDividing(byteOffset), PowerOfTwoDividing(element.NumPyItemSize)));
                _sb.Append("T{");
                int common = EmitBody(element, element.NumPyItemSize, innerCap, standardOnly);
                if (common > 1 && Mode != '@')
                    Append("@0x");
                _sb.Append('}');
                return common;
            }

            int alignment = element.Alignment;
            bool native = element.ByteOrder == ByteOrder.NotApplicable || element.ByteOrder == NativeByteOrder;
            bool longDouble = (element.ScalarKind == ScalarKind.Float && element.ItemSize == 16) ||
                              (element.ScalarKind == ScalarKind.Complex && element.ItemSize == 32);
            bool nativeOnly = longDouble || element.ScalarKind is ScalarKind.Pointer;
            if (!standardOnly && native && byteOffset % alignment == 0 && alignment <= cap)
            {
                SetMode('@');
            }
            else if (native)
            {
                bool compatible = nativeOnly
                    ? Mode == '^'
                    : element.ByteOrder == ByteOrder.NotApplicable ? Mode != '@' : Mode is '=' or '^' || Mode == NativePrefix;
                if (!compatible)
                    SetMode(nativeOnly ? '^' : '=');
            }
            else
            {
                SetMode(element.ByteOrder == ByteOrder.LittleEndian ? '<' : '>');
            }
            if (countForm)
                _sb.Append(shape[0].ToString(CultureInfo.InvariantCulture));
            _sb.Append(ScalarCode(element));
            return Mode == '@' ? alignment : 1;
        }

        private static char NativePrefix => BitConverter.IsLittleEndian ? '<' : '>';
    }

    /// <summary>The standard-size prefix the first scalar with a byte order wants ('^' if any long double).</summary>
    private char LeadingStandardPrefix()
    {
        foreach (var run in ScalarRuns)
        {
            if ((run.Kind == ScalarKind.Float && run.ByteSize == 16) || (run.Kind == ScalarKind.Complex && run.ByteSize == 32))
                return '^';
        }
        foreach (var run in ScalarRuns)
        {
            if (run.ByteOrder != ByteOrder.NotApplicable && run.ByteOrder != NativeByteOrder)
                return run.ByteOrder == ByteOrder.LittleEndian ? '<' : '>';
            if (run.ByteOrder != ByteOrder.NotApplicable)
                break;
        }
        return '=';
    }

    private static bool IsLengthCode(BufferFormat scalar) => scalar.ScalarKind switch
    {
        ScalarKind.Bytes => scalar.ItemSize != 1,
        ScalarKind.UnicodeText or ScalarKind.PascalString or ScalarKind.Void => true,
        _ => false,
    };

    internal static string ScalarCode(BufferFormat scalar)
    {
        nint size = scalar.ItemSize;
        string Length(char code) => size == 1 ? code.ToString() : size.ToString(CultureInfo.InvariantCulture) + code;
        return scalar.ScalarKind switch
        {
            ScalarKind.Boolean => "?",
            ScalarKind.SignedInteger => size switch { 1 => "b", 2 => "h", 4 => "i", _ => "q" },
            ScalarKind.UnsignedInteger => size switch { 1 => "B", 2 => "H", 4 => "I", _ => "Q" },
            ScalarKind.Float => size switch { 2 => "e", 4 => "f", 8 => "d", _ => "g" },
            ScalarKind.Complex => size switch { 8 => "Zf", 16 => "Zd", _ => "Zg" },
            ScalarKind.Bytes => size == 1 ? "c" : Length('s'),
            ScalarKind.PascalString => Length('p'),
            ScalarKind.UnicodeText => (size / 4 == 1) ? "w" : (size / 4).ToString(CultureInfo.InvariantCulture) + "w",
            ScalarKind.Pointer => "P",
            ScalarKind.Object => "O",
            _ => Length('x'),
        };
    }
}
