namespace NdBridge.Copying;

/// <summary>
/// A scalar inside one item whose bytes a byte-order conversion reverses: its byte offset in the item and
/// its size in bytes. A record of a big-endian <c>i4</c> and a big-endian <c>d</c> converts to native with
/// the leaves (0, 4) and (4, 8). Complex numbers are two leaves (real, imaginary).
/// </summary>
/// <remarks>
/// The format's flattened list of scalar leaves (byte offset, size, kind, byte order) maps onto this:
/// a leaf is listed when its byte order differs between source and destination and its size exceeds 1.
/// </remarks>
internal readonly record struct SwapLeaf(nint ByteOffset, nint ByteSize);
