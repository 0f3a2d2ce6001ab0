using System.Globalization;
using System.Text;

namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The format in words, for messages: <c>big-endian float64</c>, <c>int32[2, 3]</c>,
    /// <c>record {x: float64 at 0, y: int32 at 8} (16 bytes)</c>.
    /// </summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        AppendDescription(sb);
        return sb.ToString();
    }

    private void AppendDescription(StringBuilder sb)
    {
        switch (Kind)
        {
            case BufferFormatKind.Scalar:
                if (ByteOrder != ByteOrder.NotApplicable && ByteOrder != NativeByteOrder)
                    sb.Append(ByteOrder == ByteOrder.BigEndian ? "big-endian " : "little-endian ");
                sb.Append(ScalarWords(ScalarKind, ItemSize));
                break;
            case BufferFormatKind.SubArray:
                ElementFormat!.AppendDescription(sb);
                sb.Append('[').Append(string.Join(", ", _shape.Select(d => d.ToString(CultureInfo.InvariantCulture)))).Append(']');
                break;
            default:
                sb.Append("record {");
                nint end = 0;
                for (int i = 0; i < _fields.Length; i++)
                {
                    var field = _fields[i];
                    if (i > 0)
                        sb.Append(", ");
                    sb.Append(field.Name ?? "(unnamed)").Append(": ");
                    field.Format.AppendDescription(sb);
                    sb.Append(" at ").Append(field.ByteOffset.ToString(CultureInfo.InvariantCulture));
                    end = field.ByteOffset + field.Format.NumPyItemSize;
                }
                sb.Append('}');
                if (end != ItemSize || ItemSize != NumPyItemSize)
                {
                    sb.Append(" (").Append(ItemSize.ToString(CultureInfo.InvariantCulture)).Append(" bytes");
                    if (ItemSize != NumPyItemSize)
                        sb.Append(", ").Append(NumPyItemSize.ToString(CultureInfo.InvariantCulture)).Append(" for NumPy");
                    sb.Append(')');
                }
                break;
        }
    }

    internal static string ScalarWords(ScalarKind kind, nint byteSize) => kind switch
    {
        ScalarKind.Boolean => "bool",
        ScalarKind.SignedInteger => $"int{byteSize * 8}",
        ScalarKind.UnsignedInteger => $"uint{byteSize * 8}",
        ScalarKind.Float => byteSize == 16 ? "long double" : $"float{byteSize * 8}",
        ScalarKind.Complex => byteSize == 32 ? "complex long double" : $"complex{byteSize * 8}",
        ScalarKind.Bytes => $"{byteSize}-byte string",
        ScalarKind.PascalString => $"{byteSize}-byte Pascal string",
        ScalarKind.UnicodeText => $"{byteSize / 4}-character UCS-4 text",
        ScalarKind.Pointer => "pointer",
        ScalarKind.Object => "Python object",
        ScalarKind.Void => $"{byteSize} opaque bytes",
        _ => $"{byteSize} padding bytes",
    };
}
