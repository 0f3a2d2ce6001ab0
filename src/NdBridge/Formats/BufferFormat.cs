using System.Runtime.CompilerServices;

namespace NdBridge;

/// <summary>TEMPORARY shim of the BufferFormat contract (primitive single codes only); replaced on merge.</summary>
public sealed class BufferFormat : IEquatable<BufferFormat>
{
    private readonly char _code;
    private readonly bool _littleEndian;
    private readonly string _text;

    private BufferFormat(char code, bool littleEndian, string text, nint itemSize)
    {
        _code = code;
        _littleEndian = littleEndian;
        _text = text;
        ItemSize = itemSize;
    }

    /// <summary>Parses a format.</summary>
    public static BufferFormat Parse(string format) =>
        TryParse(format, out var result) ? result! : throw new FormatException($"shim cannot parse '{format}'");

    /// <summary>Tries to parse a format.</summary>
    public static bool TryParse(string? format, out BufferFormat? result)
    {
        result = null;
        if (string.IsNullOrEmpty(format))
            return false;
        var little = BitConverter.IsLittleEndian;
        var rest = format;
        if (rest[0] is '@' or '=' or '<' or '>' or '!')
        {
            little = rest[0] switch { '<' => true, '>' or '!' => false, _ => BitConverter.IsLittleEndian };
            rest = rest[1..];
        }
        if (rest.Length != 1)
            return false;
        nint size = rest[0] switch
        {
            '?' or 'c' or 'b' or 'B' or 'x' => 1,
            'h' or 'H' or 'e' => 2,
            'i' or 'I' or 'f' => 4,
            'l' or 'L' or 'q' or 'Q' or 'n' or 'N' or 'd' or 'P' => 8,
            _ => 0,
        };
        if (size == 0)
            return false;
        var code = rest[0] switch { 'l' => 'q', 'L' => 'Q', 'n' => 'q', 'N' => 'Q', var c => c };
        result = new BufferFormat(code, little, format, size);
        return true;
    }

    /// <summary>The format of <typeparamref name="T"/>.</summary>
    public static BufferFormat Of<T>() where T : unmanaged
    {
        var t = typeof(T);
        var code = t == typeof(bool) ? "?" : t == typeof(sbyte) ? "b" : t == typeof(byte) ? "B" : t == typeof(short) ? "h"
            : t == typeof(ushort) ? "H" : t == typeof(int) ? "i" : t == typeof(uint) ? "I" : t == typeof(long) ? "q"
            : t == typeof(ulong) ? "Q" : t == typeof(nint) ? "q" : t == typeof(nuint) ? "Q" : t == typeof(Half) ? "e"
            : t == typeof(float) ? "f" : t == typeof(double) ? "d" : throw new NotSupportedException($"shim: {t}");
        return Parse(code);
    }

    /// <summary>"B".</summary>
    public static BufferFormat UnsignedBytes { get; } = Parse("B");

    /// <summary>struct.calcsize.</summary>
    public nint ItemSize { get; }

    /// <summary>NumPy's item size.</summary>
    public nint NumPyItemSize => ItemSize;

    /// <summary>Alignment in bytes.</summary>
    public int Alignment => (int)ItemSize;

    /// <summary>Native byte order.</summary>
    public bool IsNativeByteOrder => _littleEndian == BitConverter.IsLittleEndian || ItemSize == 1;

    /// <summary>Contains 'O'.</summary>
    public bool ContainsObjects => false;

    /// <summary>Exact match including byte order.</summary>
    public bool Describes<T>() where T : unmanaged => DescribesIgnoringByteOrder<T>() && IsNativeByteOrder;

    /// <summary>Match ignoring byte order.</summary>
    public bool DescribesIgnoringByteOrder<T>() where T : unmanaged =>
        Unsafe.SizeOf<T>() == ItemSize && Of<T>()._code == _code;

    /// <summary>Human description.</summary>
    public string Describe()
    {
        var name = _code switch
        {
            '?' => "bool", 'c' => "char", 'b' => "int8", 'B' => "uint8", 'h' => "int16", 'H' => "uint16", 'i' => "int32",
            'I' => "uint32", 'q' => "int64", 'Q' => "uint64", 'e' => "float16", 'f' => "float32", 'd' => "float64", _ => "pointer",
        };
        return ItemSize == 1 ? name : (_littleEndian ? "little-endian " : "big-endian ") + name;
    }

    /// <summary>Text.</summary>
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(BufferFormat? other) => other is not null && other._code == _code && other.IsNativeByteOrder == IsNativeByteOrder;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BufferFormat);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_code, IsNativeByteOrder);
}
