using System.Runtime.CompilerServices;

namespace NdBridge;

/// <summary>Facts about an element type: its alignment (<c>alignof</c>) and the name messages use.</summary>
internal static class ElementType<T> where T : unmanaged
{
    private struct AlignmentProbe
    {
#pragma warning disable CS0649 // only the field offsets matter
        public byte Leading;
        public T Value;
#pragma warning restore CS0649
    }

    public static readonly int Size = Unsafe.SizeOf<T>();

    public static readonly int Alignment = Unsafe.SizeOf<AlignmentProbe>() - Size;

    public static readonly string Name = NameOf(typeof(T));

    private static string NameOf(Type type) =>
        type == typeof(bool) ? "bool" : type == typeof(byte) ? "byte" : type == typeof(sbyte) ? "sbyte"
        : type == typeof(short) ? "short" : type == typeof(ushort) ? "ushort" : type == typeof(int) ? "int"
        : type == typeof(uint) ? "uint" : type == typeof(long) ? "long" : type == typeof(ulong) ? "ulong"
        : type == typeof(nint) ? "nint" : type == typeof(nuint) ? "nuint" : type == typeof(float) ? "float"
        : type == typeof(double) ? "double" : type == typeof(char) ? "char" : type.Name;
}
