namespace NdBridge.Copying;

/// <summary>How a scalar leaf decodes for comparison by value.</summary>
internal enum ScalarKind
{
    /// <summary><c>s</c>, <c>p</c>, <c>c</c>: compared as bytes, never equal to a number.</summary>
    Bytes,

    /// <summary><c>?</c>: the number 0 or 1 (Python's <c>True == 1</c>).</summary>
    Boolean,

    /// <summary><c>b h i l q n</c>: two's complement of 1, 2, 4 or 8 bytes.</summary>
    SignedInteger,

    /// <summary><c>B H I L Q N P</c>: 1, 2, 4 or 8 bytes.</summary>
    UnsignedInteger,

    /// <summary><c>e f d</c>: IEEE 754 binary16, binary32, binary64.</summary>
    Float,
}

/// <summary>
/// One scalar of an item as equality sees it: where it is, how big, how it decodes and its byte order.
/// The flattened leaves of a format (complex numbers are two <see cref="ScalarKind.Float"/> leaves;
/// padding is no leaf).
/// </summary>
internal readonly record struct ValueLeaf(nint ByteOffset, nint ByteSize, ScalarKind Kind, bool IsBigEndian);
