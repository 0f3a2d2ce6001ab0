namespace NdBridge;

/// <summary>The byte order of a scalar, resolved: native order is reported as the machine's.</summary>
public enum ByteOrder
{
    /// <summary>Byte order does not apply: single bytes, booleans, byte strings, padding, objects.</summary>
    NotApplicable,
    /// <summary>Least significant byte first.</summary>
    LittleEndian,
    /// <summary>Most significant byte first.</summary>
    BigEndian,
}
