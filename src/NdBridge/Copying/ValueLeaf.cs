namespace NdBridge.Copying;

/// <summary>
/// One scalar of an item as equality sees it: where it is, how big, how it decodes and its byte order.
/// The flattened leaves of a format: a complex number is two <see cref="ScalarKind.Float"/> leaves,
/// padding is no leaf. Kinds used: <see cref="ScalarKind.Bytes"/> (compared as bytes, never equal to a
/// number), <see cref="ScalarKind.Boolean"/>, <see cref="ScalarKind.SignedInteger"/>,
/// <see cref="ScalarKind.UnsignedInteger"/> (1, 2, 4, 8 bytes) and <see cref="ScalarKind.Float"/>
/// (2, 4, 8 bytes, and 16 for x87 <c>long double</c>).
/// </summary>
internal readonly record struct ValueLeaf(nint ByteOffset, nint ByteSize, ScalarKind Kind, bool IsBigEndian);
