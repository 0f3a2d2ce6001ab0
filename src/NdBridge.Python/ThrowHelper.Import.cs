using System.Diagnostics.CodeAnalysis;

namespace NdBridge.Python;

// Refusals of the import (a Python object viewed as an NdBuffer); each names the object's type.
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowImportNoBufferProtocol(string paramName, string typeName) =>
        throw new ArgumentException($"A {typeName} object does not support the buffer protocol.", paramName);

    [DoesNotReturn]
    public static void ThrowImportNoInterface(string paramName, string typeName) =>
        throw new ArgumentException(
            $"A {typeName} object supports neither the buffer protocol nor __array_interface__: it has no memory to view.", paramName);

    [DoesNotReturn]
    public static void ThrowImportReadOnly(string paramName, string what, Exception? inner) =>
        throw new ArgumentException($"{what} is a read-only buffer, asked writable: import it with writable: false.", paramName, inner);

    [DoesNotReturn]
    public static T ThrowImportFormat<T>(string typeName, BufferFormatException inner) =>
        throw new NotSupportedException($"A {typeName} object exports the format '{inner.Format}', which NdBridge cannot read: {inner.Message}", inner);

    [DoesNotReturn]
    public static BufferFormat ThrowImportItemSize(string paramName, string typeName, string sent, BufferFormat format, nint itemSize, nint fieldsEnd, nint paddedItemSize) =>
        throw new ArgumentException(
            $"A {typeName} object exports items of {itemSize} bytes in format '{sent}' ({format.Describe()}), whose " +
            $"fields end at byte {fieldsEnd} and whose size is {format.ItemSize} bytes ({format.NumPyItemSize} for NumPy, {paddedItemSize} with " +
            "C's trailing alignment padding): the format does not describe the items. Have the exporter write a format whose " +
            "fields fit its itemsize (or import the bytes with a format of your own: NdBuffer.DangerousFromPointer).", paramName);

    [DoesNotReturn]
    public static void ThrowImportObjects(string paramName, string typeName, BufferFormat format) =>
        throw new NotSupportedException(
            $"A {typeName} object holds Python object pointers (format '{format}', {format.Describe()}): " +
            $"NdBridge imports plain data only (argument '{paramName}').");

    [DoesNotReturn]
    public static void ThrowArrayInterface(string paramName, string typeName, string problem) =>
        throw new ArgumentException($"The __array_interface__ of a {typeName} object {problem}.", paramName);

    [DoesNotReturn]
    public static void ThrowImportElementType(string paramName, string message) =>
        throw new ArgumentException(message, paramName);
}
