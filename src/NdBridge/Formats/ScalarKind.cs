namespace NdBridge;

/// <summary>What one scalar of a <see cref="BufferFormat"/> holds, independent of its size and byte order.</summary>
public enum ScalarKind
{
    /// <summary><c>?</c>: a one-byte C <c>_Bool</c> (NumPy <c>b1</c>).</summary>
    Boolean,
    /// <summary><c>b h i l q n</c>: a two's-complement signed integer (NumPy <c>i</c>).</summary>
    SignedInteger,
    /// <summary><c>B H I L Q N</c>: an unsigned integer (NumPy <c>u</c>).</summary>
    UnsignedInteger,
    /// <summary><c>e f d g</c>: an IEEE binary16/32/64 float, or (16 bytes) the platform's C <c>long double</c>.</summary>
    Float,
    /// <summary><c>Zf Zd Zg</c>: a complex number, two floats of half the size (real, then imaginary).</summary>
    Complex,
    /// <summary><c>c</c> and <c>s</c>: a fixed-length byte string (NumPy <c>S</c>); <c>c</c> is the one-byte string.</summary>
    Bytes,
    /// <summary><c>p</c>: struct's Pascal string (a length byte, then the bytes). NumPy has no such type.</summary>
    PascalString,
    /// <summary><c>w</c>: fixed-length text of UCS-4 code points, four bytes each (NumPy <c>U</c>).</summary>
    UnicodeText,
    /// <summary><c>P</c>: a native <c>void*</c>. NumPy has no such type.</summary>
    Pointer,
    /// <summary><c>O</c>: a <c>PyObject*</c>. Recognised only: anything that would dereference it refuses it.</summary>
    Object,
    /// <summary>A named <c>x</c> field: opaque bytes (NumPy <c>V</c>).</summary>
    Void,
    /// <summary>Unnamed padding: bytes of the item no field covers. Appears only in <see cref="BufferFormat.ScalarRuns"/>.</summary>
    Padding,
}
