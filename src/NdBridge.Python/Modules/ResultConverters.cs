using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace NdBridge.Python;

/// <summary>
/// .NET result → new Python reference: scalars, strings, <see cref="PythonObject"/>, arrays (through
/// <see cref="ArrayConversions"/>), value tuples (each item by its static type), sequences and dictionaries. Needs the GIL.
/// </summary>
internal static unsafe class ResultConverters
{
    /// <summary>An expression turning <paramref name="value"/> (of <paramref name="type"/>) into a new <c>PyObject*</c> (<see cref="nint"/>), or null when there is none.</summary>
    [RequiresDynamicCode("Closes generic converters over the result's element type.")]
    [RequiresUnreferencedCode("Reads value tuple fields by reflection.")]
    internal static Expression? TryConvert(Type type, Expression value)
    {
        if (type == typeof(void))
            return Expression.Block(value, Expression.Call(Method(nameof(None))));
        var simple = Type.GetTypeCode(type) switch
        {
            _ when type.IsEnum => null,
            TypeCode.Double or TypeCode.Single => Expression.Call(Method(nameof(FromDouble)), Expression.Convert(value, typeof(double))),
            TypeCode.Int64 or TypeCode.Int32 or TypeCode.Int16 or TypeCode.SByte or TypeCode.UInt32 or TypeCode.UInt16 or TypeCode.Byte =>
                Expression.Call(Method(nameof(FromInt64)), Expression.Convert(value, typeof(long))),
            TypeCode.UInt64 => Expression.Call(Method(nameof(FromUInt64)), value),
            TypeCode.Boolean => Expression.Call(Method(nameof(FromBoolean)), value),
            TypeCode.String => Expression.Call(Method(nameof(FromString)), value),
            _ => null,
        };
        if (simple is not null)
            return simple;
        if (type == typeof(nint))
            return Expression.Call(Method(nameof(FromInt64)), Expression.Convert(value, typeof(long)));
        if (type == typeof(PythonObject))
            return Expression.Call(Method(nameof(FromPythonObject)), value);
        if (type == typeof(NdBuffer))
            return Expression.Call(ArgumentConverters.Method(typeof(ArrayConversions), nameof(ArrayConversions.FromNdBuffer)), value);
        if (TypeBinding.PythonNameOf(type) is not null)
            return Expression.Call(ArgumentConverters.Method(typeof(PythonInstances), nameof(PythonInstances.ToPython)), Expression.Convert(value, typeof(object)));
        if (type.IsArray && type.GetArrayRank() <= 3 && ArrayConversions.IsElementType(type.GetElementType()!))
        {
            var name = type.GetArrayRank() switch { 1 => nameof(ArrayConversions.FromArray1), 2 => nameof(ArrayConversions.FromArray2), _ => nameof(ArrayConversions.FromArray3) };
            return Expression.Call(ArgumentConverters.Method(typeof(ArrayConversions), name).MakeGenericMethod(type.GetElementType()!), value);
        }
        if (type.IsGenericType && ArrayConversions.IsElementType(type.GetGenericArguments()[0])
            && (type.GetGenericTypeDefinition() == typeof(Memory<>) || type.GetGenericTypeDefinition() == typeof(ReadOnlyMemory<>)))
        {
            var name = type.GetGenericTypeDefinition() == typeof(Memory<>) ? nameof(ArrayConversions.FromMemory) : nameof(ArrayConversions.FromReadOnlyMemory);
            return Expression.Call(ArgumentConverters.Method(typeof(ArrayConversions), name).MakeGenericMethod(type.GetGenericArguments()[0]), value);
        }
        if (type.IsValueType && type.IsGenericType && typeof(ITuple).IsAssignableFrom(type) && type.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal))
            return TryConvertTuple(type, value);
        if (typeof(IDictionary).IsAssignableFrom(type) || (typeof(IEnumerable).IsAssignableFrom(type) && !type.IsArray))
            return Expression.Call(Method(nameof(FromObject)), Expression.Convert(value, typeof(object)));
        return null;
    }

    // (T1, ..., Tn) with n <= 7: a tuple whose items are converted by their own static types.
    [RequiresDynamicCode("Closes generic converters over the result's element type.")]
    [RequiresUnreferencedCode("Reads value tuple fields by reflection.")]
    private static Expression? TryConvertTuple(Type type, Expression value)
    {
        var items = type.GetGenericArguments();
        if (items.Length > 7)
            return null;
        var tupleValue = Expression.Variable(type, "value");
        var tuple = Expression.Variable(typeof(nint), "tuple");
        var body = new List<Expression>
        {
            Expression.Assign(tupleValue, value),
            Expression.Assign(tuple, Expression.Call(Method(nameof(NewTuple)), Expression.Constant(items.Length))),
        };
        var stores = new List<Expression>();
        for (var i = 0; i < items.Length; i++)
        {
            var item = TryConvert(items[i], Expression.Field(tupleValue, $"Item{i + 1}"));
            if (item is null)
                return null;
            stores.Add(Expression.Call(Method(nameof(SetTupleItem)), tuple, Expression.Constant(i), item));
        }
        // An item that fails releases the tuple, and with it the items already stored.
        body.Add(Expression.TryCatch(
            Expression.Block(typeof(void), stores),
            Expression.Catch(typeof(Exception), Expression.Block(typeof(void), Expression.Call(Method(nameof(DecRef)), tuple), Expression.Rethrow()))));
        body.Add(tuple);
        return Expression.Block(typeof(nint), [tupleValue, tuple], body);
    }

    [RequiresUnreferencedCode("Finds converters by name.")]
    private static MethodInfo Method(string name) => ArgumentConverters.Method(typeof(ResultConverters), name);

    internal static nint None()
    {
        CPython.Py_IncRef(CPython.Py_None);
        return CPython.Py_None;
    }

    internal static nint FromDouble(double value) => PythonErrors.Check(CPython.PyFloat_FromDouble(value));

    internal static nint FromInt64(long value) => PythonErrors.Check(CPython.PyLong_FromLongLong(value));

    internal static nint FromUInt64(ulong value) => PythonErrors.Check(CPython.PyLong_FromUnsignedLongLong(value));

    internal static nint FromBoolean(bool value)
    {
        var result = value ? CPython.Py_True : CPython.Py_False;
        CPython.Py_IncRef(result);
        return result;
    }

    internal static nint FromString(string? value) => value is null ? None() : PythonConvert.FromString(value);

    internal static nint FromPythonObject(PythonObject? value) => value is null ? None() : value.ToNewReference();

    internal static nint FromObject(object? value) => PythonConvert.ToPythonNew(value, "result");

    internal static nint NewTuple(int length) => PythonErrors.Check(CPython.PyTuple_New(length));

    internal static void SetTupleItem(nint tuple, int index, nint item) => _ = CPython.PyTuple_SetItem(tuple, index, item); // steals; a new tuple, index in range

    internal static void DecRef(nint o) => CPython.Py_DecRef(o);
}
