using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// Arrays across a hosted call (nanobind's <c>nb_ndarray</c>): Python arrays in as <see cref="NdBuffer"/> (no copy),
/// <c>Memory&lt;T&gt;</c> (no copy) or <c>T[]</c>/<c>T[,]</c>/<c>T[,,]</c> (a copy); .NET memory out as
/// <c>numpy.ndarray</c> views through the export machinery. Needs the GIL.
/// </summary>
internal static unsafe class ArrayConversions
{
    private const string ArrayKinds = "an object with the buffer protocol, __array_interface__ or __dlpack__";

    /// <summary>Element types of typed array parameters and results: the unmanaged primitives NumPy has a type for.</summary>
    internal static bool IsElementType(Type type) =>
        type == typeof(double) || type == typeof(float) || type == typeof(Half) || type == typeof(long) || type == typeof(int)
        || type == typeof(short) || type == typeof(sbyte) || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort)
        || type == typeof(byte) || type == typeof(bool);

    internal static NdBuffer ToNdBuffer(nint o, ParameterBinding parameter)
    {
        if (o == CPython.Py_None && parameter.HasDefault && parameter.DefaultValue is null)
            return null!; // an optional array left at its default (null), passed as None
        return Import(o, parameter, parameter.Writable, parameter.Writable ? "a writable array" : "an array");
    }

    internal static void Release(NdBuffer? buffer) => buffer?.Dispose();

    internal static Memory<T> ToMemory<T>(nint o, ParameterBinding parameter) where T : unmanaged =>
        ImportContiguous<T>(o, parameter, writable: true);

    internal static ReadOnlyMemory<T> ToReadOnlyMemory<T>(nint o, ParameterBinding parameter) where T : unmanaged =>
        ImportContiguous<T>(o, parameter, writable: false);

    // The memory's manager (and the import it holds) stays reachable for the whole call, whatever the JIT decides.
    internal static void KeepAlive<T>(Memory<T> memory) where T : unmanaged => GC.KeepAlive(MemoryMarshal.TryGetMemoryManager<T, MemoryManager<T>>(memory, out var manager) ? manager : null);

    internal static void KeepAliveReadOnly<T>(ReadOnlyMemory<T> memory) where T : unmanaged => KeepAlive(MemoryMarshal.AsMemory(memory));

    internal static T[] ToArray1<T>(nint o, ParameterBinding parameter) where T : unmanaged
    {
        using var buffer = ImportRank(o, parameter, 1, typeof(T[]));
        var array = new T[buffer.Shape[0]];
        CopyInto<T>(buffer, MemoryMarshal.AsBytes(array.AsSpan()), parameter);
        return array;
    }

    internal static T[,] ToArray2<T>(nint o, ParameterBinding parameter) where T : unmanaged
    {
        using var buffer = ImportRank(o, parameter, 2, typeof(T[,]));
        var array = new T[buffer.Shape[0], buffer.Shape[1]];
        CopyInto<T>(buffer, BytesOf<T>(array), parameter);
        return array;
    }

    internal static T[,,] ToArray3<T>(nint o, ParameterBinding parameter) where T : unmanaged
    {
        using var buffer = ImportRank(o, parameter, 3, typeof(T[,,]));
        var array = new T[buffer.Shape[0], buffer.Shape[1], buffer.Shape[2]];
        CopyInto<T>(buffer, BytesOf<T>(array), parameter);
        return array;
    }

    internal static nint FromNdBuffer(NdBuffer? buffer) =>
        buffer is null ? NewNone() : NdBufferPythonExtensions.ToNumPyNewReference(buffer);

    internal static nint FromArray1<T>(T[]? array) where T : unmanaged =>
        array is null ? NewNone() : Export(NdBuffer.FromArray(array, BufferFormat.Of<T>(), VectorLayout<T>.For(array.Length), 0));

    internal static nint FromArray2<T>(T[,]? array) where T : unmanaged => array is null ? NewNone() : Export(NdBuffer.FromArray(array));

    internal static nint FromArray3<T>(T[,,]? array) where T : unmanaged => array is null ? NewNone() : Export(NdBuffer.FromArray(array));

    internal static nint FromMemory<T>(Memory<T> memory) where T : unmanaged =>
        Export(NdBuffer.FromMemory(memory, BufferFormat.Of<T>(), VectorLayout<T>.For(memory.Length), 0));

    internal static nint FromReadOnlyMemory<T>(ReadOnlyMemory<T> memory) where T : unmanaged =>
        Export(NdBuffer.FromMemory(MemoryMarshal.AsMemory(memory), BufferFormat.Of<T>(), VectorLayout<T>.For(memory.Length), 0, readOnly: true));

    // The layout of the last vector length returned, shared (layouts are immutable): an export state that described it
    // for the previous result finds the same object and describes nothing again.
    private static class VectorLayout<T> where T : unmanaged
    {
        private static StridedLayout? s_last;

        internal static StridedLayout For(int length)
        {
            var last = s_last;
            if (last is not null && last.Shape[0] == length)
                return last;
            return s_last = StridedLayout.CreateContiguous([length], sizeof(T));
        }
    }

    // The array's export holds the memory; the buffer made for it is only the way there.
    private static nint Export(NdBuffer buffer)
    {
        using (buffer)
            return NdBufferPythonExtensions.ToNumPyNewReference(buffer);
    }

    private static nint NewNone()
    {
        CPython.Py_IncRef(CPython.Py_None);
        return CPython.Py_None;
    }

    private static Span<byte> BytesOf<T>(Array array) where T : unmanaged =>
        MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(array)), array.Length));

    private static NdBuffer Import(nint o, ParameterBinding parameter, bool writable, string expected)
    {
        if (o == CPython.Py_None)
            throw ArgumentConversionException.WrongType(parameter, $"{expected} ({ArrayKinds})", o);
        try
        {
            return NdBufferImport.ImportArgument(o, writable);
        }
        catch (ArgumentException error) when (writable && NdBufferImport.IsReadOnlyExporter(o))
        {
            throw ArgumentConversionException.Refused(parameter,
                $"the {PythonTypeNames.Of(o)} is read-only, and {parameter.FunctionName}() writes to this argument: pass a writable array " +
                "(x.copy() or numpy.array(x) makes one; a NumPy array that owns its memory can be made writable with x.flags.writeable = True)", error);
        }
        catch (ArgumentException error)
        {
            throw ArgumentConversionException.WrongType(parameter, $"{expected} ({ArrayKinds})", o, error.Message, error);
        }
        catch (NotSupportedException error)
        {
            throw ArgumentConversionException.Refused(parameter, error.Message, error);
        }
    }

    // NdBuffer.AsMemory's manager holds its own view of the import: the buffer itself is released at once.
    private static Memory<T> ImportContiguous<T>(nint o, ParameterBinding parameter, bool writable) where T : unmanaged
    {
        var dtype = NumPyName(typeof(T));
        var buffer = Import(o, parameter, writable, $"a C-contiguous {(writable ? "writable " : "")}{dtype} array");
        try
        {
            if (!buffer.CanViewAs<T>(writable, out var reason))
                throw ArgumentConversionException.Refused(parameter,
                    $"needs a C-contiguous {dtype} array in native byte order, aligned ({reason}); convert with numpy.array(x, dtype=numpy.{dtype}, order='C') (an aligned copy)");
            if (!buffer.Layout.IsCContiguous)
                throw ArgumentConversionException.Refused(parameter,
                    $"needs a C-contiguous {dtype} array (it is viewed as Memory<{typeof(T).Name}> without a copy); this one has shape {StridedLayout.FormatTuple(buffer.Shape)} and byte strides {StridedLayout.FormatTuple(buffer.Layout.ByteStrides)}: convert with numpy.ascontiguousarray(x)");
            if (buffer.ElementCount > int.MaxValue)
                throw ArgumentConversionException.Refused(parameter, $"has {buffer.ElementCount} elements; Memory<{typeof(T).Name}> holds at most {int.MaxValue}: pass an NdBuffer parameter instead");
            return writable ? buffer.AsMemory<T>() : MemoryMarshal.AsMemory(buffer.AsReadOnlyMemory<T>());
        }
        finally
        {
            buffer.Dispose();
        }
    }

    private static NdBuffer ImportRank(nint o, ParameterBinding parameter, int rank, Type arrayType)
    {
        var buffer = Import(o, parameter, writable: false, $"a {rank}-dimensional {NumPyName(arrayType.GetElementType()!)} array");
        if (buffer.Rank != rank)
        {
            var actual = buffer.Rank;
            buffer.Dispose();
            throw ArgumentConversionException.Refused(parameter,
                $"must be {rank}-dimensional (it is copied into a .NET {arrayType.Name}), not {actual}-dimensional");
        }
        return buffer;
    }

    private static void CopyInto<T>(NdBuffer buffer, Span<byte> destination, ParameterBinding parameter) where T : unmanaged
    {
        if (buffer.CanViewAs<T>(writable: false, out _) || buffer.Format.Describes<T>())
        {
            buffer.CopyTo(destination);
            return;
        }
        NdBuffer converted;
        try
        {
            converted = buffer.ToContiguous(MemoryOrder.C, BufferFormat.Of<T>()); // the same numbers in another byte order
        }
        catch (ArgumentException error)
        {
            var dtype = NumPyName(typeof(T));
            throw ArgumentConversionException.Refused(parameter,
                $"holds items of format '{buffer.Format}' ({buffer.Format.Describe()}), not {dtype}: convert with numpy.asarray(x, dtype=numpy.{dtype})", error);
        }
        using (converted)
            converted.CopyTo(destination);
    }

    internal static string NumPyName(Type type) =>
        type == typeof(double) ? "float64" : type == typeof(float) ? "float32" : type == typeof(Half) ? "float16"
        : type == typeof(long) ? "int64" : type == typeof(int) ? "int32" : type == typeof(short) ? "int16" : type == typeof(sbyte) ? "int8"
        : type == typeof(ulong) ? "uint64" : type == typeof(uint) ? "uint32" : type == typeof(ushort) ? "uint16" : type == typeof(byte) ? "uint8"
        : type == typeof(bool) ? "bool_" : type.Name;
}
