namespace NdBridge;

/// <summary>DLPack's <c>DLDataTypeCode</c> (the values of <c>dlpack.h</c>).</summary>
public enum DLPackTypeCode : byte
{
    /// <summary><c>kDLInt</c>: signed integer.</summary>
    Int = 0,
    /// <summary><c>kDLUInt</c>: unsigned integer.</summary>
    UInt = 1,
    /// <summary><c>kDLFloat</c>: IEEE float.</summary>
    Float = 2,
    /// <summary><c>kDLOpaqueHandle</c>: opaque handle; no PEP 3118 form.</summary>
    OpaqueHandle = 3,
    /// <summary><c>kDLBfloat</c>: bfloat16; no PEP 3118 form.</summary>
    Bfloat = 4,
    /// <summary><c>kDLComplex</c>: complex of two IEEE floats.</summary>
    Complex = 5,
    /// <summary><c>kDLBool</c>: boolean.</summary>
    Bool = 6,
}
