using System.Numerics;

namespace NdBridge.Python;

/// <summary>
/// .NET arrays, <see cref="Memory{T}"/> and <see cref="NdBuffer"/> as NumPy arrays in calls, and NumPy arrays (or
/// anything <c>numpy.asarray</c> takes) back as .NET arrays. Needs the GIL.
/// </summary>
/// <remarks>
/// Outgoing is zero-copy: the array or memory is pinned and NumPy views it (writes reach .NET), through the export
/// <see cref="NdBufferPythonExtensions.ToNumPy"/> makes. Incoming is a copy, in C order, into a new .NET array of the
/// element type asked for (<c>numpy.ascontiguousarray(x, dtype)</c> converts the values as NumPy's casting does).
/// </remarks>
internal static class PythonArrayConvert
{
    /// <summary>Element types that travel as NumPy arrays: the ones with a NumPy scalar type.</summary>
    public static bool IsNumPyElement(Type type) =>
        type == typeof(double) || type == typeof(float) || type == typeof(Half) || type == typeof(long) || type == typeof(int) ||
        type == typeof(short) || type == typeof(sbyte) || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) ||
        type == typeof(byte) || type == typeof(bool) || type == typeof(Complex) || type == typeof(nint) || type == typeof(nuint);

    /// <summary>A new reference to a NumPy array over <paramref name="value"/>, or 0 when it is not an array, memory or buffer NumPy can view.</summary>
    public static nint TryToNumPyNew(object value)
    {
        switch (value)
        {
            case NdBuffer buffer:
                return ToNew(buffer.ToNumPy());
            case Array array when array.GetType().GetElementType() is { } element && IsNumPyElement(element):
                return Dispatch<ToNumPyCall, nint>(element, new ToNumPyCall(array));
        }
        var type = value.GetType();
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Memory<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)) &&
            type.GetGenericArguments()[0] is var memoryElement && IsNumPyElement(memoryElement))
            return Dispatch<ToNumPyCall, nint>(memoryElement, new ToNumPyCall(value));
        return 0;
    }

    /// <summary>Whether <paramref name="type"/> is a .NET array type NumPy arrays convert to (<c>double[]</c>, <c>int[,]</c>, ...).</summary>
    public static bool IsArrayTarget(Type type) => type.IsArray && IsNumPyElement(type.GetElementType()!);

    /// <summary>A copy of a NumPy array (or what <c>numpy.asarray</c> takes) as the .NET array type <paramref name="arrayType"/>.</summary>
    public static object FromPython(nint borrowed, Type arrayType) =>
        Dispatch<FromNumPyCall, object>(arrayType.GetElementType()!, new FromNumPyCall(borrowed, arrayType.GetArrayRank()));

    private interface IElementCall<TResult>
    {
        TResult Invoke<T>() where T : unmanaged;
    }

    // The one place an element Type becomes a type argument (no reflection: trimming and AOT keep working).
    private static TResult Dispatch<TCall, TResult>(Type element, TCall call) where TCall : IElementCall<TResult>
    {
        if (element == typeof(double)) return call.Invoke<double>();
        if (element == typeof(float)) return call.Invoke<float>();
        if (element == typeof(Half)) return call.Invoke<Half>();
        if (element == typeof(long)) return call.Invoke<long>();
        if (element == typeof(int)) return call.Invoke<int>();
        if (element == typeof(short)) return call.Invoke<short>();
        if (element == typeof(sbyte)) return call.Invoke<sbyte>();
        if (element == typeof(ulong)) return call.Invoke<ulong>();
        if (element == typeof(uint)) return call.Invoke<uint>();
        if (element == typeof(ushort)) return call.Invoke<ushort>();
        if (element == typeof(byte)) return call.Invoke<byte>();
        if (element == typeof(bool)) return call.Invoke<bool>();
        if (element == typeof(Complex)) return call.Invoke<Complex>();
        if (element == typeof(nint)) return call.Invoke<nint>();
        if (element == typeof(nuint)) return call.Invoke<nuint>();
        return ThrowHelper.ThrowNotSupported<TResult>($"{element} has no NumPy type.");
    }

    private readonly struct ToNumPyCall(object value) : IElementCall<nint>
    {
        public nint Invoke<T>() where T : unmanaged
        {
            using var buffer = value switch
            {
                Memory<T> memory => NdBuffer.FromMemory(memory, [memory.Length]),
                ReadOnlyMemory<T> memory => NdBuffer.FromMemory(memory, [memory.Length]),
                _ => NdBuffer.FromArray<T>((Array)value),
            };
            return ToNew(buffer.ToNumPy());
        }
    }

    private readonly struct FromNumPyCall(nint borrowed, int rank) : IElementCall<object>
    {
        public object Invoke<T>() where T : unmanaged
        {
            using var source = PythonObject.FromBorrowedReference(borrowed);
            using var numpy = PythonRuntime.Current.Import("numpy");
            using var array = numpy.CallMethod("ascontiguousarray", source, BufferFormat.Of<T>().ToTypestr());
            using var buffer = array.AsNdBuffer();
            if (Math.Max(buffer.Rank, 1) != rank)
                ThrowHelper.ThrowArgument(
                    $"The NumPy array has {buffer.Rank} dimensions (shape {StridedLayout.FormatTuple(buffer.Shape)}); a {typeof(T).Name}[{new string(',', rank - 1)}] has {rank}: " +
                    $"ask for {typeof(T).Name}[{new string(',', Math.Max(buffer.Rank - 1, 0))}], or reshape it in Python.", "T");
            return buffer.ToMultiDimensionalArray<T>();
        }
    }

    private static nint ToNew(PythonObject array)
    {
        using (array)
            return array.ToNewReference();
    }
}
