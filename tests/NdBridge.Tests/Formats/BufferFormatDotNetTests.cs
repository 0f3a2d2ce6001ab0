using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Tests.Formats;

/// <summary>
/// <see cref="BufferFormat.Of{T}"/> and <see cref="BufferFormat.Describes{T}"/>. The expected offsets come from the
/// compiler and the runtime (<c>Unsafe.ByteOffset</c> on real field references, <c>Unsafe.SizeOf</c>), and NumPy reads
/// the emitted text back with the same layout.
/// </summary>
public sealed unsafe class BufferFormatDotNetTests
{
    public struct Point
    {
        public double X;
        public int Y;
    }

    public struct BoolChar
    {
        public bool Flag;
        public char Letter;
        public int Count;
        public bool Last;
    }

    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct Explicit
    {
        [FieldOffset(4)] public int A;
        [FieldOffset(8)] public double B;
        [FieldOffset(16)] public short C;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct Packed
    {
        public byte A;
        public double B;
        public short C;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 2)]
    public struct Pack2
    {
        public byte A;
        public long B;
    }

    public struct Nested
    {
        public byte Tag;
        public Point P;
        public Half H;
    }

    public struct WithFixed
    {
        public fixed int Values[4];
        public short S;
    }

    [InlineArray(3)]
    public struct ThreeFloats
    {
        private float _element;
    }

    public struct WithInline
    {
        public byte B;
        public ThreeFloats V;
    }

    public enum Color : short { Red, Green }

    public struct WithEnumAndProperty
    {
        public Color Color { get; set; }
        public Complex Z;
        public nint N;
        public nuint U;
    }

    [StructLayout(LayoutKind.Explicit)]
    public struct Union
    {
        [FieldOffset(0)] public int I;
        [FieldOffset(0)] public float F;
    }

    public struct WithDecimal
    {
        public decimal D;
    }

    public struct Vec2
    {
        public double X, Y;
    }

    [Fact]
    public void Primitives()
    {
        Assert.Equal(("b", "B", "h", "H", "i", "I", "q", "Q"), (BufferFormat.Of<sbyte>().ToString(), BufferFormat.Of<byte>().ToString(),
            BufferFormat.Of<short>().ToString(), BufferFormat.Of<ushort>().ToString(), BufferFormat.Of<int>().ToString(),
            BufferFormat.Of<uint>().ToString(), BufferFormat.Of<long>().ToString(), BufferFormat.Of<ulong>().ToString()));
        Assert.Equal(("q", "Q", "f", "d", "e", "Zd", "?", "H"), (BufferFormat.Of<nint>().ToString(), BufferFormat.Of<nuint>().ToString(),
            BufferFormat.Of<float>().ToString(), BufferFormat.Of<double>().ToString(), BufferFormat.Of<Half>().ToString(),
            BufferFormat.Of<Complex>().ToString(), BufferFormat.Of<bool>().ToString(), BufferFormat.Of<char>().ToString()));
        Assert.Equal(BufferFormat.Parse("l"), BufferFormat.Of<long>());
        Assert.Equal(BufferFormat.Parse("<d"), BufferFormat.Of<double>());
        Assert.Equal(BufferFormat.Of<ushort>(), BufferFormat.Of<char>());
        Assert.Equal(BufferFormat.Parse("h"), BufferFormat.Of<Color>());
    }

    [Fact]
    public void CharIsAUtf16CodeUnit()
    {
        Assert.True(BufferFormat.Parse("H").Describes<char>());
        Assert.True(BufferFormat.Parse("<H").Describes<char>());
        Assert.False(BufferFormat.Parse("c").Describes<char>());
        Assert.False(BufferFormat.Parse("w").Describes<char>());
        Assert.Throws<BufferFormatException>(() => BufferFormat.Parse("u"));
    }

    private static void AssertFields<T>(BufferFormat format, params (string Name, nint Offset, string Format)[] expected) where T : unmanaged
    {
        Assert.Equal(Unsafe.SizeOf<T>(), format.ItemSize);
        Assert.Equal(Unsafe.SizeOf<T>(), format.NumPyItemSize);
        Assert.Equal(expected.Length, format.Fields.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, format.Fields[i].Name);
            Assert.Equal(expected[i].Offset, format.Fields[i].ByteOffset);
            Assert.Equal(BufferFormat.Parse(expected[i].Format), format.Fields[i].Format);
        }
        Assert.Equal(format, BufferFormat.Parse(format.ToString()));
        Assert.True(format.Describes<T>());
    }

    private static nint Offset<TStruct, TField>(ref TStruct s, ref TField field) =>
        Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref s), ref Unsafe.As<TField, byte>(ref field));

    [Fact]
    public void SequentialStruct()
    {
        var s = default(Point);
        AssertFields<Point>(BufferFormat.Of<Point>(), ("X", Offset(ref s, ref s.X), "d"), ("Y", Offset(ref s, ref s.Y), "i"));
        Assert.Equal("T{d:X:i:Y:4x}", BufferFormat.Of<Point>().ToString());
    }

    [Fact]
    public void BoolAndCharUseTheManagedLayoutNotTheMarshalledOne()
    {
        var s = default(BoolChar);
        var format = BufferFormat.Of<BoolChar>();
        AssertFields<BoolChar>(format, ("Flag", Offset(ref s, ref s.Flag), "?"), ("Letter", Offset(ref s, ref s.Letter), "H"),
            ("Count", Offset(ref s, ref s.Count), "i"), ("Last", Offset(ref s, ref s.Last), "?"));
        // The marshalled layout (4-byte BOOL, 1-byte ANSI char) is different: what Marshal.OffsetOf would have said.
        Assert.NotEqual(Marshal.SizeOf<BoolChar>(), Unsafe.SizeOf<BoolChar>());
    }

    [Fact]
    public void ExplicitLayoutPackAndNesting()
    {
        var e = default(Explicit);
        AssertFields<Explicit>(BufferFormat.Of<Explicit>(), ("A", Offset(ref e, ref e.A), "i"), ("B", Offset(ref e, ref e.B), "d"), ("C", Offset(ref e, ref e.C), "h"));
        var p = default(Packed);
        AssertFields<Packed>(BufferFormat.Of<Packed>(), ("A", Offset(ref p, ref p.A), "B"), ("B", Offset(ref p, ref p.B), "d"), ("C", Offset(ref p, ref p.C), "h"));
        Assert.Equal(1, BufferFormat.Of<Packed>().Alignment);
        var p2 = default(Pack2);
        AssertFields<Pack2>(BufferFormat.Of<Pack2>(), ("A", Offset(ref p2, ref p2.A), "B"), ("B", Offset(ref p2, ref p2.B), "q"));
        Assert.Equal(2, BufferFormat.Of<Pack2>().Alignment);
        var n = default(Nested);
        AssertFields<Nested>(BufferFormat.Of<Nested>(), ("Tag", Offset(ref n, ref n.Tag), "B"),
            ("P", Offset(ref n, ref n.P), BufferFormat.Of<Point>().ToString()), ("H", Offset(ref n, ref n.H), "e"));
    }

    [Fact]
    public void FixedBuffersInlineArraysEnumsAndProperties()
    {
        var f = default(WithFixed);
        AssertFields<WithFixed>(BufferFormat.Of<WithFixed>(), ("Values", Offset(ref f, ref f.Values[0]), "4i"), ("S", Offset(ref f, ref f.S), "h"));
        var w = default(WithInline);
        AssertFields<WithInline>(BufferFormat.Of<WithInline>(), ("B", Offset(ref w, ref w.B), "B"), ("V", Offset(ref w, ref w.V[0]), "3f"));
        var format = BufferFormat.Of<WithEnumAndProperty>();
        Assert.Equal(["Color", "N", "U", "Z"], format.Fields.Select(x => x.Name!).Order());
        Assert.Equal(BufferFormat.Parse("h"), format.Fields.Single(x => x.Name == "Color").Format);
        Assert.Equal(BufferFormat.Parse("Zd"), format.Fields.Single(x => x.Name == "Z").Format);
        Assert.Equal(BufferFormat.Parse("q"), format.Fields.Single(x => x.Name == "N").Format);
        Assert.Equal(BufferFormat.Parse("Q"), format.Fields.Single(x => x.Name == "U").Format);
        Assert.Equal(Unsafe.SizeOf<WithEnumAndProperty>(), format.ItemSize);
    }

    [Fact]
    public void TypesWithoutAFormatAreRefused()
    {
        Assert.Contains("overlap", Assert.Throws<NotSupportedException>(() => BufferFormat.Of<Union>()).Message, StringComparison.Ordinal);
        Assert.Contains("Decimal", Assert.Throws<NotSupportedException>(() => BufferFormat.Of<decimal>()).Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => BufferFormat.Of<WithDecimal>());
        Assert.Throws<NotSupportedException>(() => BufferFormat.Of<Int128>());
    }

    [Fact]
    public void NumPyReadsEmittedStructFormatsWithTheRuntimeLayout()
    {
        var formats = new[]
        {
            BufferFormat.Of<Point>(), BufferFormat.Of<BoolChar>(), BufferFormat.Of<Explicit>(), BufferFormat.Of<Packed>(),
            BufferFormat.Of<Pack2>(), BufferFormat.Of<Nested>(), BufferFormat.Of<WithFixed>(), BufferFormat.Of<WithInline>(),
            BufferFormat.Of<WithEnumAndProperty>(), BufferFormat.Of<double>(), BufferFormat.Of<Complex>(),
        };
        int[] sizes = [Unsafe.SizeOf<Point>(), Unsafe.SizeOf<BoolChar>(), Unsafe.SizeOf<Explicit>(), Unsafe.SizeOf<Packed>(),
            Unsafe.SizeOf<Pack2>(), Unsafe.SizeOf<Nested>(), Unsafe.SizeOf<WithFixed>(), Unsafe.SizeOf<WithInline>(),
            Unsafe.SizeOf<WithEnumAndProperty>(), 8, 16];
        var answers = FormatOracle.Ask(formats.Select(f => f.ToString()).ToList());
        for (int i = 0; i < formats.Length; i++)
        {
            Assert.True(answers[i].NumPyAccepts, $"NumPy rejects '{formats[i]}'");
            Assert.Equal(sizes[i], answers[i].NumPySize);
            Assert.Equal(answers[i].NumPyDescription, BufferFormatConformanceTests.NumPyStyleDescription(formats[i]));
        }
        // Plain primitives are struct formats too, printed bare: struct's size agrees.
        Assert.Equal(8, answers[9].StructSize);
    }

    [Fact]
    public void DescribesComparesKindsOffsetsSizesAndByteOrder()
    {
        Assert.True(BufferFormat.Parse("d").Describes<double>());
        Assert.True(BufferFormat.Parse("<d").Describes<double>());
        Assert.False(BufferFormat.Parse(">d").Describes<double>());
        Assert.True(BufferFormat.Parse(">d").DescribesIgnoringByteOrder<double>());
        Assert.False(BufferFormat.Parse("q").Describes<double>());
        Assert.False(BufferFormat.Parse("q").DescribesIgnoringByteOrder<double>());
        Assert.True(BufferFormat.Parse("l").Describes<long>());
        Assert.True(BufferFormat.Parse("q").Describes<nint>());
        Assert.True(BufferFormat.Parse("2d").Describes<Vec2>());
        Assert.True(BufferFormat.Parse("dd").Describes<Vec2>());
        Assert.True(BufferFormat.Parse("T{d:a:d:b:}").Describes<Vec2>());
        Assert.True(BufferFormat.Parse("T{d:x:i:y:}").Describes<Point>());
        Assert.True(BufferFormat.Parse("di").Describes<Point>());
        Assert.False(BufferFormat.Parse("<di").Describes<Point>());
        Assert.False(BufferFormat.Parse("d").Describes<Point>());
        Assert.False(BufferFormat.Parse("T{d:x:>i:y:}").Describes<Point>());
        Assert.True(BufferFormat.Parse("T{d:x:>i:y:4x}").DescribesIgnoringByteOrder<Point>());
        Assert.True(BufferFormat.Parse("Zd").Describes<Complex>());
        Assert.False(BufferFormat.Parse("2d").Describes<Complex>());
        Assert.False(BufferFormat.Parse("999999999999d").Describes<Vec2>());
        Assert.True(BufferFormat.Parse("?").Describes<bool>());
        Assert.False(BufferFormat.Parse("B").Describes<bool>());
    }

    [Fact]
    public void MismatchMessagesNameBothSides()
    {
        string? message = BufferFormat.Parse("i").GetMismatch<float>(ignoreByteOrder: false);
        Assert.NotNull(message);
        Assert.Contains("'i'", message, StringComparison.Ordinal);
        Assert.Contains("int32", message, StringComparison.Ordinal);
        Assert.Contains("System.Single", message, StringComparison.Ordinal);
        Assert.Contains("float32", message, StringComparison.Ordinal);
        string? order = BufferFormat.Parse(">d").GetMismatch<double>(ignoreByteOrder: false);
        Assert.Contains("byte-order", order, StringComparison.Ordinal);
        Assert.Contains("big-endian float64", order, StringComparison.Ordinal);
        Assert.Null(BufferFormat.Parse(">d").GetMismatch<double>(ignoreByteOrder: true));
        Assert.Contains("8 bytes", BufferFormat.Parse("d").GetMismatch<int>(false), StringComparison.Ordinal);
    }
}
