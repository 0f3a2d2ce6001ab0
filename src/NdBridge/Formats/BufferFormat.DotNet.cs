using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The format of a .NET unmanaged type: <c>sbyte</c>…<c>ulong</c> as <c>b B h H i I q Q</c>, <c>nint</c>/<c>nuint</c>
    /// as <c>q</c>/<c>Q</c> (NumPy rejects <c>n N P</c>), <c>float</c> <c>f</c>, <c>double</c> <c>d</c>, <c>Half</c>
    /// <c>e</c>, <c>Complex</c> <c>Zd</c>, <c>bool</c> <c>?</c>, <c>char</c> <c>H</c> (a UTF-16 code unit), enums as
    /// their underlying type; any other struct (sequential or explicit layout, any <c>Pack</c>, fixed buffers,
    /// inline arrays) as a <c>T{...}</c> record with its field names, the runtime's real field offsets and every
    /// pad byte written as <c>x</c>, so struct's size, NumPy's size and <c>Unsafe.SizeOf&lt;T&gt;()</c> agree.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <returns>The format (cached per type).</returns>
    /// <exception cref="NotSupportedException">The type, or a field of it, has no PEP 3118 form (<c>decimal</c>,
    /// <c>Int128</c>, pointers, overlapping fields).</exception>
    public static BufferFormat Of<T>()
        where T : unmanaged
    {
        var format = OfCache<T>.Value ??= FormatOfType(typeof(T), 0);
        if (format.NumPyItemSize != Unsafe.SizeOf<T>())
            ThrowHelper.ThrowInvalidOperation($"NdBridge bug: the format of {typeof(T)} covers {format.NumPyItemSize} bytes, the type {Unsafe.SizeOf<T>()}.");
        return format;
    }

    private static class OfCache<T>
    {
        public static BufferFormat? Value;
    }

    /// <summary>Whether the format describes <typeparamref name="T"/> exactly: same size (struct's or NumPy's), and the
    /// same scalars (kind, size, offset) in native byte order; padding and field names do not matter.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public bool Describes<T>()
        where T : unmanaged => GetMismatch<T>(ignoreByteOrder: false) is null;

    /// <summary>Like <see cref="Describes{T}"/> but any byte order: true when the format holds the same values as
    /// <typeparamref name="T"/> in some byte order, so the byte-order-converting copy applies.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    public bool DescribesIgnoringByteOrder<T>()
        where T : unmanaged => GetMismatch<T>(ignoreByteOrder: true) is null;

    /// <summary>Null when the format describes <typeparamref name="T"/>; otherwise a message naming both sides and the first difference.</summary>
    internal string? GetMismatch<T>(bool ignoreByteOrder)
        where T : unmanaged
    {
        var target = Of<T>();
        string Message(string reason) =>
            $"The format '{this}' ({Describe()}) does not describe {typeof(T)} ('{target}', {target.Describe()}): {reason}.";
        nint typeSize = target.ItemSize;
        if (ItemSize != typeSize && NumPyItemSize != typeSize)
            return Message($"the item is {ItemSize} bytes, {typeof(T).Name} is {typeSize}");
        var mine = new List<Leaf>();
        var theirs = new List<Leaf>();
        // Every scalar of a T-sized item lies inside it, so the expansion is bounded by the size of T.
        if (!ExpandLeaves(typeSize + 1, mine))
            return Message("it has more scalars than the type has bytes");
        target.ExpandLeaves(nint.MaxValue, theirs);
        bool byteOrderOnly = false;
        for (int i = 0; i < Math.Max(mine.Count, theirs.Count); i++)
        {
            if (i >= mine.Count)
                return Message($"it has no scalar where {typeof(T).Name} has {ScalarWords(theirs[i].Kind, theirs[i].Size)} at byte {theirs[i].Offset}");
            if (i >= theirs.Count)
                return Message($"it has {ScalarWords(mine[i].Kind, mine[i].Size)} at byte {mine[i].Offset}, beyond the fields of {typeof(T).Name}");
            var (a, b) = (mine[i], theirs[i]);
            if (a.Offset != b.Offset || a.Kind != b.Kind || a.Size != b.Size)
            {
                return Message($"it has {ScalarWords(a.Kind, a.Size)} at byte {a.Offset} where {typeof(T).Name} has " +
                               $"{ScalarWords(b.Kind, b.Size)} at byte {b.Offset}");
            }
            if (a.Order != ByteOrder.NotApplicable && a.Order != b.Order)
                byteOrderOnly = true;
        }
        if (byteOrderOnly && !ignoreByteOrder)
            return Message("its byte order is not native; use the byte-order-converting copy");
        return null;
    }

    private readonly record struct Leaf(nint Offset, ScalarKind Kind, nint Size, ByteOrder Order);

    /// <summary>Expands the non-empty scalars in offset order; false when there are more than <paramref name="budget"/>.</summary>
    private bool ExpandLeaves(nint budget, List<Leaf> leaves)
    {
        foreach (var run in ScalarRuns)
        {
            if (run.Kind == ScalarKind.Padding || run.ByteSize == 0 || run.ElementCount == 0)
                continue;
            if (run.ElementCount > budget - leaves.Count)
                return false;
            var index = new nint[run.Counts.Count];
            while (true)
            {
                nint offset = run.ByteOffset;
                for (int d = 0; d < index.Length; d++)
                    offset += index[d] * run.ByteStrides[d];
                leaves.Add(new Leaf(offset, run.Kind, run.ByteSize, run.ByteOrder));
                int k = index.Length - 1;
                while (k >= 0 && ++index[k] == run.Counts[k])
                    index[k--] = 0;
                if (k < 0)
                    break;
            }
        }
        leaves.Sort((x, y) => x.Offset.CompareTo(y.Offset));
        return true;
    }

    private static BufferFormat FormatOfType(Type type, int depth)
    {
        if (type.IsEnum)
            type = Enum.GetUnderlyingType(type);
        var order = NativeByteOrder;
        if (type == typeof(bool)) return CreateScalar(ScalarKind.Boolean, 1, order);
        if (type == typeof(sbyte)) return CreateScalar(ScalarKind.SignedInteger, 1, order);
        if (type == typeof(byte)) return CreateScalar(ScalarKind.UnsignedInteger, 1, order);
        if (type == typeof(short)) return CreateScalar(ScalarKind.SignedInteger, 2, order);
        if (type == typeof(ushort) || type == typeof(char)) return CreateScalar(ScalarKind.UnsignedInteger, 2, order);
        if (type == typeof(int)) return CreateScalar(ScalarKind.SignedInteger, 4, order);
        if (type == typeof(uint)) return CreateScalar(ScalarKind.UnsignedInteger, 4, order);
        if (type == typeof(long) || type == typeof(nint)) return CreateScalar(ScalarKind.SignedInteger, 8, order);
        if (type == typeof(ulong) || type == typeof(nuint)) return CreateScalar(ScalarKind.UnsignedInteger, 8, order);
        if (type == typeof(Half)) return CreateScalar(ScalarKind.Float, 2, order);
        if (type == typeof(float)) return CreateScalar(ScalarKind.Float, 4, order);
        if (type == typeof(double)) return CreateScalar(ScalarKind.Float, 8, order);
        if (type == typeof(Complex)) return CreateScalar(ScalarKind.Complex, 16, order);
        if (type == typeof(decimal) || type == typeof(Int128) || type == typeof(UInt128) || type.IsPointer || type.IsFunctionPointer)
            return ThrowHelper.ThrowNotSupported<BufferFormat>($"{type} has no PEP 3118 type code.");
        if (!type.IsValueType || type.IsPrimitive)
            return ThrowHelper.ThrowNotSupported<BufferFormat>($"{type} has no PEP 3118 form.");
        if (depth >= MaxNestingDepth)
            return ThrowHelper.ThrowNotSupported<BufferFormat>($"{type} nests structs deeper than {MaxNestingDepth} levels.");
        return StructFormat(type, depth);
    }

    private sealed class RawBox
    {
        public byte Data;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Instance fields of value types are kept by the trimmer: they make up the type's layout.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Instance fields of value types are kept by the trimmer: they make up the type's layout.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Value types need no constructor to be created zeroed.")]
    private static BufferFormat StructFormat(Type type, int depth)
    {
        nint size = RuntimeHelpers.SizeOf(type.TypeHandle);
        var inlineArray = type.GetCustomAttribute<InlineArrayAttribute>();
        var instanceFields = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (inlineArray is not null && instanceFields.Length == 1)
        {
            var element = FormatOfType(instanceFields[0].FieldType, depth + 1);
            return SubArrayOf(element, inlineArray.Length, size, type);
        }

        var placed = new List<BufferField>(instanceFields.Length);
        foreach (var field in instanceFields)
        {
            BufferFormat fieldFormat;
            var fixedBuffer = field.GetCustomAttribute<FixedBufferAttribute>();
            if (fixedBuffer is not null)
            {
                var element = FormatOfType(fixedBuffer.ElementType, depth + 1);
                fieldFormat = SubArrayOf(element, fixedBuffer.Length, RuntimeHelpers.SizeOf(field.FieldType.TypeHandle), type);
            }
            else
            {
                fieldFormat = FormatOfType(field.FieldType, depth + 1);
            }
            nint offset = FieldOffset(type, size, field);
            placed.Add(new BufferField(FieldName(field), offset, fieldFormat));
        }
        placed.Sort((a, b) => a.ByteOffset.CompareTo(b.ByteOffset));
        for (int i = 1; i < placed.Count; i++)
        {
            if (placed[i].ByteOffset < placed[i - 1].ByteOffset + placed[i - 1].Format.NumPyItemSize)
                ThrowHelper.ThrowNotSupported($"{type}: fields '{placed[i - 1].Name}' and '{placed[i].Name}' overlap; a union has no PEP 3118 form.");
        }
        if (placed.Count > 0 && placed[^1].ByteOffset + placed[^1].Format.NumPyItemSize > size)
            ThrowHelper.ThrowNotSupported($"{type}: its fields reach past its {size} bytes.");
        return CreateRecord([.. placed], size, size);
    }

    private static BufferFormat SubArrayOf(BufferFormat element, int length, nint byteSize, Type owner)
    {
        if (element.NumPyItemSize * length != byteSize)
            ThrowHelper.ThrowNotSupported($"{owner}: an array of {length} {element.Describe()} is not {byteSize} bytes.");
        return element.Kind == BufferFormatKind.SubArray
            ? CreateSubArray(element.ElementFormat!, [length, .. element._shape], byteSize)
            : CreateSubArray(element, [length], byteSize);
    }

    private static string FieldName(FieldInfo field)
    {
        string name = field.Name;
        // C# auto-property backing fields are named "<Name>k__BackingField".
        if (name.StartsWith('<') && name.IndexOf('>') is > 1 and var close)
            return name[1..close];
        return name;
    }

    /// <summary>
    /// The field's real offset in the managed layout: fill a zeroed boxed instance's field with 0xFF bytes and see
    /// where they land. <c>Marshal.OffsetOf</c> gives the marshalled layout, which differs for <c>bool</c> and <c>char</c>.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Value types need no constructor to be created zeroed.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Value types need no constructor to be created zeroed.")]
    private static nint FieldOffset(Type owner, nint ownerSize, FieldInfo field)
    {
        nint fieldSize = RuntimeHelpers.SizeOf(field.FieldType.TypeHandle);
        object marker = RuntimeHelpers.GetUninitializedObject(field.FieldType);
        // The box holds fieldSize bytes after its header: RawBox.Data is the first of them.
        Unsafe.InitBlockUnaligned(ref Unsafe.As<RawBox>(marker).Data, 0xFF, (uint)fieldSize);
        object box = RuntimeHelpers.GetUninitializedObject(owner);
        field.SetValue(box, marker);
        // The box holds ownerSize bytes after its header.
        var bytes = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<RawBox>(box).Data, (int)ownerSize);
        int first = bytes.IndexOfAnyExcept((byte)0);
        int last = bytes.LastIndexOfAnyExcept((byte)0);
        if (first < 0 || last - first >= fieldSize || first + fieldSize > ownerSize)
            ThrowHelper.ThrowNotSupported($"{owner}: cannot locate field '{field.Name}' in the managed layout.");
        return first;
    }
}
