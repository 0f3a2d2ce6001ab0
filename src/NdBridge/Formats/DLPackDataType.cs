namespace NdBridge;

/// <summary>DLPack's <c>DLDataType</c>: <c>(code, bits, lanes)</c>. Lanes above one are a vector of that many scalars.</summary>
/// <param name="Code">The kind of scalar.</param>
/// <param name="Bits">Bits per lane.</param>
/// <param name="Lanes">Scalars per element (1 for plain arrays).</param>
public readonly record struct DLPackDataType(DLPackTypeCode Code, byte Bits, ushort Lanes);
