using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace NdBridge.Python;

/// <summary>
/// Python argument → .NET parameter, one static method per parameter type, each <c>(nint borrowed, ParameterBinding)</c>;
/// the compiled invoker calls them (nanobind's type casters). Arrays are in <see cref="ArrayConversions"/>. Needs the GIL.
/// </summary>
internal static unsafe class ArgumentConverters
{
    /// <summary>The converter for <paramref name="type"/> and, for types that hold something, the call that releases it after the call.</summary>
    /// <returns>False when no converter exists (the function cannot be bound).</returns>
    [RequiresDynamicCode("Closes generic converters over the parameter's element type.")]
    [RequiresUnreferencedCode("Closes generic converters over the parameter's element type.")]
    internal static bool TryGet(Type type, [NotNullWhen(true)] out MethodInfo? convert, out MethodInfo? release)
    {
        release = null;
        convert = Simple(type);
        if (convert is not null)
            return true;
        if (type == typeof(NdBuffer))
        {
            convert = Method(typeof(ArrayConversions), nameof(ArrayConversions.ToNdBuffer));
            release = Method(typeof(ArrayConversions), nameof(ArrayConversions.Release));
            return true;
        }
        if (type.IsGenericType && ArrayConversions.IsElementType(type.GetGenericArguments()[0]))
        {
            var element = type.GetGenericArguments()[0];
            var definition = type.GetGenericTypeDefinition();
            string? name = definition == typeof(Memory<>) ? nameof(ArrayConversions.ToMemory)
                : definition == typeof(ReadOnlyMemory<>) ? nameof(ArrayConversions.ToReadOnlyMemory) : null;
            if (name is not null)
            {
                convert = Method(typeof(ArrayConversions), name).MakeGenericMethod(element);
                release = Method(typeof(ArrayConversions), name == nameof(ArrayConversions.ToMemory)
                    ? nameof(ArrayConversions.KeepAlive) : nameof(ArrayConversions.KeepAliveReadOnly)).MakeGenericMethod(element);
                return true;
            }
        }
        if (TypeBinding.PythonNameOf(type) is not null)
        {
            convert = Method(typeof(PythonInstances), nameof(PythonInstances.ToInstance)).MakeGenericMethod(type);
            return true;
        }
        if (CallbackConverters.IsCallback(type))
        {
            CallbackConverters.Prepare(type);
            convert = Method(typeof(CallbackConverters), nameof(CallbackConverters.ToDelegate)).MakeGenericMethod(type);
            return true;
        }
        if (type.IsArray && ArrayConversions.IsElementType(type.GetElementType()!) && type.GetArrayRank() <= 3)
        {
            var name = type.GetArrayRank() switch { 1 => nameof(ArrayConversions.ToArray1), 2 => nameof(ArrayConversions.ToArray2), _ => nameof(ArrayConversions.ToArray3) };
            convert = Method(typeof(ArrayConversions), name).MakeGenericMethod(type.GetElementType()!);
            return true;
        }
        return false;
    }

    [RequiresUnreferencedCode("Finds converters by name.")]
    internal static MethodInfo Method(Type owner, string name) =>
        owner.GetMethod(name, BindingFlags.Static | BindingFlags.NonPublic) ?? throw new MissingMethodException(owner.Name, name);

    [RequiresUnreferencedCode("Finds converters by name.")]
    private static MethodInfo? Simple(Type type)
    {
        string? name = Type.GetTypeCode(type) switch
        {
            TypeCode.Double => nameof(ToDouble),
            TypeCode.Single => nameof(ToSingle),
            TypeCode.Int64 => nameof(ToInt64),
            TypeCode.Int32 => nameof(ToInt32),
            TypeCode.Int16 => nameof(ToInt16),
            TypeCode.SByte => nameof(ToSByte),
            TypeCode.UInt64 => nameof(ToUInt64),
            TypeCode.UInt32 => nameof(ToUInt32),
            TypeCode.UInt16 => nameof(ToUInt16),
            TypeCode.Byte => nameof(ToByte),
            TypeCode.Boolean => nameof(ToBoolean),
            TypeCode.String => nameof(ToString),
            _ => null,
        };
        if (type.IsEnum)
            name = null;
        if (type == typeof(nint))
            name = nameof(ToIntPtr);
        if (type == typeof(PythonObject))
            name = nameof(ToPythonObject);
        return name is null ? null : Method(typeof(ArgumentConverters), name);
    }

    internal static double ToDouble(nint o, ParameterBinding parameter)
    {
        var value = CPython.PyFloat_AsDouble(o); // float, int, and anything with __float__ or __index__ (NumPy scalars)
        if (value == -1.0 && CPython.PyErr_Occurred() != 0)
            throw Refuse(o, parameter, "a real number (float or int)");
        return value;
    }

    internal static float ToSingle(nint o, ParameterBinding parameter) => (float)ToDouble(o, parameter);

    internal static long ToInt64(nint o, ParameterBinding parameter) => Integer(o, parameter, long.MinValue, long.MaxValue, "Int64");

    internal static int ToInt32(nint o, ParameterBinding parameter) => (int)Integer(o, parameter, int.MinValue, int.MaxValue, "Int32");

    internal static short ToInt16(nint o, ParameterBinding parameter) => (short)Integer(o, parameter, short.MinValue, short.MaxValue, "Int16");

    internal static sbyte ToSByte(nint o, ParameterBinding parameter) => (sbyte)Integer(o, parameter, sbyte.MinValue, sbyte.MaxValue, "SByte");

    internal static nint ToIntPtr(nint o, ParameterBinding parameter) => (nint)Integer(o, parameter, nint.MinValue, nint.MaxValue, "IntPtr");

    internal static ulong ToUInt64(nint o, ParameterBinding parameter)
    {
        RequireInt(o, parameter, "UInt64");
        var value = CPython.PyLong_AsUnsignedLongLong(o);
        if (value == ulong.MaxValue && CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear(); // OverflowError: negative or too large
            throw ArgumentConversionException.OutOfRange(parameter, "UInt64 (0 to 2**64-1)");
        }
        return value;
    }

    internal static uint ToUInt32(nint o, ParameterBinding parameter) => (uint)Integer(o, parameter, uint.MinValue, uint.MaxValue, "UInt32");

    internal static ushort ToUInt16(nint o, ParameterBinding parameter) => (ushort)Integer(o, parameter, ushort.MinValue, ushort.MaxValue, "UInt16");

    internal static byte ToByte(nint o, ParameterBinding parameter) => (byte)Integer(o, parameter, byte.MinValue, byte.MaxValue, "Byte");

    internal static bool ToBoolean(nint o, ParameterBinding parameter)
    {
        if (o == CPython.Py_True)
            return true;
        if (o == CPython.Py_False)
            return false;
        throw ArgumentConversionException.WrongType(parameter, "a bool (True or False)", o);
    }

    internal static string ToString(nint o, ParameterBinding parameter)
    {
        if (!CPython.PyUnicode_Check(o))
            throw ArgumentConversionException.WrongType(parameter, "a str", o);
        return PythonConvert.ToStringExact(o);
    }

    internal static PythonObject ToPythonObject(nint o, ParameterBinding parameter) => PythonObject.FromBorrowedReference(o);

    private static long Integer(nint o, ParameterBinding parameter, long min, long max, string typeName)
    {
        RequireInt(o, parameter, typeName);
        var value = CPython.PyLong_AsLongLong(o);
        var overflow = value == -1 && CPython.PyErr_Occurred() != 0;
        if (overflow)
            CPython.PyErr_Clear(); // OverflowError: beyond Int64
        if (overflow || value < min || value > max)
            throw ArgumentConversionException.OutOfRange(parameter, $"{typeName} ({min} to {max})");
        return value;
    }

    // int and its subclasses; also objects with __index__ (NumPy integer scalars), as Python's own int parameters take.
    private static void RequireInt(nint o, ParameterBinding parameter, string typeName)
    {
        if (CPython.PyLong_Check(o))
            return;
        fixed (byte* name = "__index__\0"u8)
        {
            if (CPython.PyObject_HasAttrString(o, name) != 0)
                return;
        }
        throw ArgumentConversionException.WrongType(parameter, $"an int ({typeName})", o);
    }

    private static ArgumentConversionException Refuse(nint o, ParameterBinding parameter, string expected)
    {
        var error = PythonErrors.FetchPending();
        return ArgumentConversionException.WrongType(parameter, expected, o, inner: error);
    }
}
