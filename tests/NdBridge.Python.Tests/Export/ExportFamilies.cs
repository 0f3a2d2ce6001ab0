using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests.Export;

/// <summary>
/// One layout family of the export tests, described as <c>_testbuffer.ndarray</c> is built:
/// <paramref name="ItemCount"/> items packed with <paramref name="OracleFormat"/> (the memory), viewed with
/// shape, byte strides and an origin offset; <paramref name="Indirect"/> adds PIL-style suboffsets exactly as
/// <c>_testbuffer</c>'s <c>ND_PIL</c> does. The .NET side views the same bytes with <paramref name="Format"/>.
/// </summary>
internal sealed record ExportFamily(string Name, string Format, string OracleFormat, nint[] Shape, nint[] ByteStrides,
    nint OriginByteOffset, int ItemCount, bool ReadOnly = false, bool Indirect = false)
{
    public override string ToString() => Name;

    /// <summary>The items as a Python literal: 0, 1, 2, ... (floats for float formats, (k, 1000 + k) for the record).</summary>
    public string ItemsLiteral => OracleFormat switch
    {
        "b3xi" => "[(k % 100, 1000 + k) for k in range(" + ItemCount + ")]",
        "d" or "<d" or "f" => "[float(k) for k in range(" + ItemCount + ")]",
        _ => "list(range(" + ItemCount + "))",
    };

    public string ShapeLiteral => "[" + string.Join(", ", Shape) + "]";

    public string StridesLiteral => "[" + string.Join(", ", ByteStrides) + "]";

    /// <summary><c>_testbuffer.ndarray(...)</c> of the same items, shape, strides, offset and flags.</summary>
    public string OracleExpression =>
        $"tb.ndarray({ItemsLiteral}, shape={ShapeLiteral}, strides={StridesLiteral}, offset={OriginByteOffset}, format='{OracleFormat}', " +
        $"flags={(ReadOnly ? "0" : "tb.ND_WRITABLE")}{(Indirect ? " | tb.ND_PIL" : "")})";

    /// <summary>The fields of one item as doubles, read through the .NET view.</summary>
    public double[] ReadItem(NdBuffer buffer, nint[] index) => Format switch
    {
        "d" => [buffer.ReadUnaligned<double>(index)],
        "i" => [buffer.ReadUnaligned<int>(index)],
        "h" => [buffer.ReadUnaligned<short>(index)],
        "q" => [buffer.ReadUnaligned<long>(index)],
        ">i" => [BinaryPrimitives.ReadInt32BigEndian(Bytes(buffer, index, 4))],
        "b3xi" => [(sbyte)Bytes(buffer, index, 8)[0], BinaryPrimitives.ReadInt32LittleEndian(Bytes(buffer, index, 8)[4..])],
        _ => throw new InvalidOperationException(Format),
    };

    private static unsafe ReadOnlySpan<byte> Bytes(NdBuffer buffer, nint[] index, int byteLength) =>
        new ReadOnlySpan<byte>(buffer.DangerousGetElementPointer(index), byteLength).ToArray();

    /// <summary>Every item's fields in C order, read through the .NET view.</summary>
    public List<double> ReadAll(NdBuffer buffer)
    {
        var values = new List<double>();
        var count = Shape.Aggregate((nint)1, (a, b) => a * b);
        var index = new nint[Shape.Length];
        for (nint n = 0; n < count; n++)
        {
            var rest = n;
            for (var d = Shape.Length - 1; d >= 0; d--)
            {
                index[d] = rest % Shape[d];
                rest /= Shape[d];
            }
            values.AddRange(ReadItem(buffer, index));
        }
        return values;
    }

    /// <summary>
    /// The .NET buffer over <paramref name="memory"/> (the items packed by <c>struct</c>); for the indirect family,
    /// native memory laid out as <c>_testbuffer</c>'s <c>ND_PIL</c> lays it out, freed by the release callback.
    /// </summary>
    public unsafe NdBuffer Create(byte[] memory, Action<nint>? onRelease = null)
    {
        var format = BufferFormat.Parse(Format);
        var itemSize = format.ItemSize;
        if (!Indirect)
        {
            var native = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, memory.Length));
            memory.CopyTo(new Span<byte>(native, memory.Length));
            return NdBuffer.FromPointer(native, memory.Length, format, new StridedLayout(Shape, ByteStrides, itemSize),
                OriginByteOffset, ReadOnly, start => { NativeMemory.Free((void*)start); onRelease?.Invoke(start); });
        }
        // ND_PIL: shape[0] pointers (rounded up to 8 bytes), then the data; pointer n is the start of sub-array n.
        var pointerBytes = 8 * ((Shape[0] * sizeof(nint) + 7) / 8);
        var block = (byte*)NativeMemory.Alloc((nuint)(pointerBytes + memory.Length));
        memory.CopyTo(new Span<byte>(block + pointerBytes, memory.Length));
        for (var n = 0; n < Shape[0]; n++)
            ((byte**)block)[n] = block + pointerBytes + OriginByteOffset + n * Math.Abs(ByteStrides[0]);
        nint[] strides = [sizeof(nint), .. ByteStrides[1..]];
        nint[] suboffsets = [0, .. Enumerable.Repeat((nint)(-1), Shape.Length - 1)];
        return NdBuffer.DangerousFromPointer(block, format, new StridedLayout(Shape, strides, suboffsets, itemSize), ReadOnly,
            start => { NativeMemory.Free((void*)start); onRelease?.Invoke(start); });
    }

    /// <summary>The families of the acceptance criteria.</summary>
    public static readonly ExportFamily[] All =
    [
        new("C: a = arange(12.).reshape(3, 4)", "d", "d", [3, 4], [32, 8], 0, 12),
        new("F: arange(12.).reshape(3, 4, order='F')", "d", "d", [3, 4], [8, 24], 0, 12),
        new("padded rows: a[:, :4] of 3x6 int32", "i", "i", [3, 4], [24, 4], 0, 18),
        new("padded columns: 3x2 float64 F, columns 32 bytes apart", "d", "d", [3, 2], [8, 32], 0, 8),
        new("negative steps: a[::-1, ::-1] of 3x4 int16", "h", "h", [3, 4], [-8, -2], 2 * 8 + 3 * 2, 12),
        new("negative and skipping: a[::-2, 1::2] of 4x6 int16", "h", "h", [2, 3], [-24, 4], 3 * 12 + 2, 24),
        new("0-d: int64 scalar", "q", "q", [], [], 0, 1),
        new("empty: shape (0, 3) float64", "d", "d", [0, 3], [24, 8], 0, 3),
        new("records with padding: [('a', i1), pad 3, ('b', <i4)]", "b3xi", "b3xi", [2, 3], [24, 8], 0, 6),
        new("big-endian: >i4 2x3", ">i", ">i", [2, 3], [12, 4], 0, 6),
        new("read-only: 2x3 float64", "d", "d", [2, 3], [24, 8], 0, 6, ReadOnly: true),
        new("suboffsets (ND_PIL): 3x4 int32", "i", "i", [3, 4], [16, 4], 0, 12, Indirect: true),
    ];

    /// <summary>The 28 requests: SIMPLE, ND, STRIDES, C/F/ANY_CONTIGUOUS, INDIRECT, each alone and with WRITABLE and/or FORMAT.</summary>
    public static readonly (string Name, int Flags)[] Requests = BuildRequests();

    private static (string, int)[] BuildRequests()
    {
        (string, int)[] bases =
        [
            ("SIMPLE", CPython.PyBUF_SIMPLE), ("ND", CPython.PyBUF_ND), ("STRIDES", CPython.PyBUF_STRIDES),
            ("C_CONTIGUOUS", CPython.PyBUF_C_CONTIGUOUS), ("F_CONTIGUOUS", CPython.PyBUF_F_CONTIGUOUS),
            ("ANY_CONTIGUOUS", CPython.PyBUF_ANY_CONTIGUOUS), ("INDIRECT", CPython.PyBUF_INDIRECT),
        ];
        (string, int)[] modifiers = [("", 0), ("|WRITABLE", CPython.PyBUF_WRITABLE), ("|FORMAT", CPython.PyBUF_FORMAT),
            ("|WRITABLE|FORMAT", CPython.PyBUF_WRITABLE | CPython.PyBUF_FORMAT)];
        return [.. bases.SelectMany(b => modifiers.Select(m => (b.Item1 + m.Item1, b.Item2 | m.Item2)))];
    }
}
