using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace NdBridge.Python;

/// <summary>
/// The Python type annotation of what a bound parameter accepts and a bound result is, written in the vocabulary of
/// <c>typing</c> and <c>numpy.typing</c> (fully qualified: a stub imports <c>typing</c>, <c>numpy</c> and
/// <c>numpy.typing</c>). One case per converter of <see cref="ArgumentConverters"/>, <see cref="ResultConverters"/> and
/// <see cref="PythonConvert"/>; docstrings and <c>ndbridge.stubgen</c> both read it, so they agree with the calls.
/// </summary>
internal static class PythonAnnotations
{
    /// <summary>Anything NdBridge imports as an array (buffer protocol, <c>__array_interface__</c>, DLPack).</summary>
    internal const string ArrayLike = "numpy.typing.ArrayLike";

    internal const string Any = "typing.Any";

    /// <summary>What <paramref name="parameter"/> accepts; an array left at its default <c>null</c> also takes <c>None</c>.</summary>
    internal static string Of(ParameterBinding parameter)
    {
        var type = parameter.Type;
        var annotation = Accepted(type);
        return (type == typeof(NdBuffer) || Class(type) is not null) && parameter.HasDefault && parameter.DefaultValue is null ? annotation + " | None" : annotation;
    }

    // What a value converted to type (an argument, a callback's return value) may be in Python.
    private static string Accepted(Type type) =>
        Scalar(type) ?? (type == typeof(PythonObject) ? Any : type == typeof(NdBuffer) ? ArrayLike : Array(type) ?? Class(type) ?? Callable(type)) ?? Any;

    /// <summary>What <paramref name="function"/> returns in Python (<c>None</c> for <c>__init__</c>); a reference type declared nullable (<c>string?</c>, <c>double[]?</c>) adds <c>| None</c>.</summary>
    internal static string OfResult(FunctionBinding function) =>
        function.Method is MethodInfo method ? OfResult(method.ReturnType, method.ReturnParameter) : "None";

    /// <summary>What reading <paramref name="property"/> gives in Python.</summary>
    internal static string OfProperty(PropertyBinding property) =>
        property.Property.GetMethod is { } getter ? OfResult(property.Property.PropertyType, getter.ReturnParameter) : Of(property.Value);

    private static string OfResult(Type type, ParameterInfo returned)
    {
        if (type == typeof(void))
            return "None";
        var annotation = Result(type);
        var nullable = !type.IsValueType && type != typeof(PythonObject)
            && new NullabilityInfoContext().Create(returned).ReadState == NullabilityState.Nullable;
        return nullable ? annotation + " | None" : annotation;
    }

    // A [PythonClass] type: its Python name, written as the stub of its module declares it.
    private static string? Class(Type type) => TypeBinding.PythonNameOf(type);

    // A delegate parameter takes a Python callable (CallbackConverters): its arguments arrive as results do (arrays as
    // ndarray views), its return value converts as an argument would.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Python hosting reads user assemblies loaded at run time; it is never trimmed.")]
    private static string? Callable(Type type)
    {
        if (!typeof(Delegate).IsAssignableFrom(type) || type.GetMethod("Invoke") is not { } invoke)
            return null;
        var arguments = string.Join(", ", invoke.GetParameters().Select(p => Result(p.ParameterType)));
        var returns = invoke.ReturnType == typeof(void) ? "None" : Accepted(invoke.ReturnType);
        return $"typing.Callable[[{arguments}], {returns}]";
    }

    private static string Result(Type type)
    {
        if (Scalar(type) is { } scalar)
            return scalar;
        if (type == typeof(PythonObject))
            return Any;
        if (type == typeof(NdBuffer))
            return "numpy.typing.NDArray[typing.Any]"; // the element type is the buffer's, known only at run time
        if (Array(type) is { } array)
            return array;
        if (Class(type) is { } pythonClass)
            return pythonClass;
        if (type.IsValueType && type.IsGenericType && typeof(ITuple).IsAssignableFrom(type))
            return "tuple[" + string.Join(", ", type.GetGenericArguments().Select(Result)) + "]";
        return Value(type);
    }

    // What PythonConvert.ToPythonNew makes of an item of a sequence or dictionary.
    private static string Value(Type type)
    {
        if (Scalar(type) is { } scalar)
            return scalar;
        if (type == typeof(char))
            return "str";
        if (type == typeof(NdBuffer))
            return "numpy.typing.NDArray[typing.Any]";
        if (Array(type) is { } array)
            return array;
        if (type.IsValueType && type.IsGenericType && typeof(ITuple).IsAssignableFrom(type))
            return "tuple[" + string.Join(", ", type.GetGenericArguments().Select(Value)) + "]";
        if (Implements(type, typeof(IDictionary<,>)) is { } dictionary)
            return $"dict[{Value(dictionary[0])}, {Value(dictionary[1])}]";
        if (typeof(IDictionary).IsAssignableFrom(type))
            return "dict[typing.Any, typing.Any]";
        if (Implements(type, typeof(IEnumerable<>)) is { } sequence)
            return $"list[{Value(sequence[0])}]";
        if (typeof(IEnumerable).IsAssignableFrom(type))
            return "list[typing.Any]";
        return Any;
    }

    private static string? Scalar(Type type)
    {
        if (type.IsEnum)
            return null;
        if (type == typeof(nint))
            return "int";
        return Type.GetTypeCode(type) switch
        {
            TypeCode.Double or TypeCode.Single => "float",
            TypeCode.Int64 or TypeCode.Int32 or TypeCode.Int16 or TypeCode.SByte or TypeCode.UInt64 or TypeCode.UInt32 or TypeCode.UInt16 or TypeCode.Byte => "int",
            TypeCode.Boolean => "bool",
            TypeCode.String => "str",
            _ => null,
        };
    }

    // T[], T[,], T[,,], Memory<T>, ReadOnlyMemory<T> of a NumPy element type: an array of that dtype.
    private static string? Array(Type type)
    {
        Type? element = null;
        if (type.IsArray && type.GetArrayRank() <= 3)
            element = type.GetElementType();
        else if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Memory<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)))
            element = type.GetGenericArguments()[0];
        return element is not null && ArrayConversions.IsElementType(element)
            ? $"numpy.typing.NDArray[numpy.{ArrayConversions.NumPyName(element)}]"
            : null;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Python hosting reads user assemblies loaded at run time; it is never trimmed.")]
    private static Type[]? Implements(Type type, Type genericInterface)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == genericInterface)
            return type.GetGenericArguments();
        return type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == genericInterface)?.GetGenericArguments();
    }
}
