namespace NdBridge.Python.Tests.DLPack;

/// <summary>The dtype × rank × layout matrix both directions run through.</summary>
internal static class DLPackCases
{
    /// <summary>Every dtype DLPack carries: NumPy's name and the struct code of the same type.</summary>
    public static readonly (string NumPy, string Struct)[] DTypes =
    [
        ("bool", "?"), ("int8", "b"), ("int16", "h"), ("int32", "i"), ("int64", "q"),
        ("uint8", "B"), ("uint16", "H"), ("uint32", "I"), ("uint64", "Q"),
        ("float16", "e"), ("float32", "f"), ("float64", "d"), ("complex64", "Zf"), ("complex128", "Zd"),
    ];

    /// <summary>Layouts, named as NumPy expressions over a C-contiguous base twice as long in every dimension.</summary>
    public static readonly string[] Layouts = ["C", "F", "a[::2]", "a[::-2]"];

    public const int MaxRank = 5;

    /// <summary>A shape of <paramref name="rank"/> lengths 1..3 (fixed by <paramref name="random"/>).</summary>
    public static nint[] Shape(Random random, int rank) => [.. Enumerable.Range(0, rank).Select(_ => (nint)random.Next(1, 4))];

    /// <summary>
    /// A layout over a C-contiguous base of shape 2·<paramref name="shape"/>: C or F contiguous, every other
    /// element, or every other element backwards (origin at the far end). Returns the base's byte length.
    /// </summary>
    public static StridedLayout Build(string name, nint[] shape, nint itemSize, out nint originByteOffset, out nint baseByteLength)
    {
        originByteOffset = 0;
        if (name is "C" or "F")
        {
            var contiguous = StridedLayout.CreateContiguous(shape, itemSize, name == "C" ? MemoryOrder.C : MemoryOrder.F);
            baseByteLength = contiguous.ByteLength;
            return contiguous;
        }
        var baseShape = shape.Select(n => 2 * n).ToArray();
        var baseLayout = StridedLayout.CreateContiguous(baseShape, itemSize);
        baseByteLength = baseLayout.ByteLength;
        var sign = name == "a[::-2]" ? -1 : 1;
        var byteStrides = baseLayout.ByteStrides.ToArray().Select(s => sign * 2 * s).ToArray();
        if (sign < 0)
        {
            for (var i = 0; i < shape.Length; i++)
                originByteOffset += (baseShape[i] - 1) * baseLayout.ByteStrides[i];
        }
        return new StridedLayout(shape, byteStrides, itemSize);
    }

    /// <summary>Random bytes that are valid values of the dtype (bools are 0 or 1).</summary>
    public static byte[] Bytes(Random random, nint byteLength, string numPyDType)
    {
        var bytes = new byte[Math.Max(byteLength, 1)];
        random.NextBytes(bytes);
        if (numPyDType == "bool")
        {
            for (var i = 0; i < bytes.Length; i++)
                bytes[i] &= 1;
        }
        return bytes;
    }

    public static string Tuple(IEnumerable<nint> values) => "(" + string.Concat(values.Select(v => v + ",")) + ")";
}
