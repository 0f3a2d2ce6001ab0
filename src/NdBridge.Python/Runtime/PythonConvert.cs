using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Python;

/// <summary>Conversions between .NET values and Python objects. Every method needs the GIL.</summary>
internal static unsafe class PythonConvert
{
    private const int MaxNesting = 64;

    /// <summary>
    /// A new reference to the Python object for <paramref name="value"/>: null → None, bool, integers,
    /// float/double, string/char, <see cref="PythonObject"/> (shared), <see cref="NdBuffer"/>, arrays of any rank and
    /// <see cref="Memory{T}"/> of numbers → NumPy arrays over the same memory (<see cref="PythonArrayConvert"/>),
    /// <see cref="ITuple"/> → tuple, <see cref="IDictionary"/> → dict, other <see cref="IEnumerable"/> → list.
    /// </summary>
    /// <exception cref="ArgumentException">A value of another type, or nesting deeper than 64 (a cycle).</exception>
    internal static nint ToPythonNew(object? value, string paramName) => ToPythonNew(value, paramName, 0);

    /// <summary>A key and a value as new references; when the value fails, the key is released before the throw.</summary>
    internal static (nint Key, nint Value) ToPythonNewPair(object? key, string keyParamName, object? value, string valueParamName, int nesting = 0)
    {
        var pythonKey = ToPythonNew(key, keyParamName, nesting);
        try
        {
            return (pythonKey, ToPythonNew(value, valueParamName, nesting));
        }
        catch
        {
            CPython.Py_DecRef(pythonKey);
            throw;
        }
    }

    private static nint ToPythonNew(object? value, string paramName, int nesting)
    {
        if (nesting > MaxNesting)
            ThrowHelper.ThrowArgument($"The value nests more than {MaxNesting} levels deep (a cycle?).", paramName);
        switch (value)
        {
            case null:
                CPython.Py_IncRef(CPython.Py_None);
                return CPython.Py_None;
            case PythonObject o:
                return o.ToNewReference();
            case bool b:
                var boolean = b ? CPython.Py_True : CPython.Py_False;
                CPython.Py_IncRef(boolean);
                return boolean;
            case int i:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(i));
            case long l:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(l));
            case short s:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(s));
            case sbyte sb:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(sb));
            case byte by:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(by));
            case ushort us:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(us));
            case uint ui:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(ui));
            case ulong ul:
                return PythonErrors.Check(CPython.PyLong_FromUnsignedLongLong(ul));
            case nint n:
                return PythonErrors.Check(CPython.PyLong_FromLongLong(n));
            case nuint nu:
                return PythonErrors.Check(CPython.PyLong_FromUnsignedLongLong(nu));
            case double d:
                return PythonErrors.Check(CPython.PyFloat_FromDouble(d));
            case float f:
                return PythonErrors.Check(CPython.PyFloat_FromDouble(f));
            case string text:
                return FromString(text);
            case char c:
                return FromString(c.ToString());
            case NdBuffer or Array or not IEnumerable when PythonArrayConvert.TryToNumPyNew(value) is var array && array != 0:
                return array;
            case ITuple tuple:
                return FromTuple(tuple, paramName, nesting);
            case IDictionary dictionary:
                return FromDictionary(dictionary, paramName, nesting);
            case IEnumerable sequence:
                return FromSequence(sequence, paramName, nesting);
            default:
                return ThrowHelper.ThrowArgument<nint>(
                    $"A {value.GetType()} cannot be passed to Python. Supported: null, bool, integers, float, double, string, char, PythonObject, tuples (ITuple), dictionaries (IDictionary), sequences (IEnumerable), and as NumPy arrays NdBuffer, arrays and Memory<T> of numbers; for other memory make an NdBuffer (NdBuffer.FromPointer, FromMemory) and pass it.",
                    paramName);
        }
    }

    internal static nint FromString(string text)
    {
        var byteLength = Encoding.UTF8.GetByteCount(text);
        var bytes = byteLength <= 256 ? stackalloc byte[byteLength] : new byte[byteLength];
        Encoding.UTF8.GetBytes(text, bytes);
        fixed (byte* utf8 = bytes)
            return PythonErrors.Check(CPython.PyUnicode_FromStringAndSize(utf8, byteLength));
    }

    private static nint FromTuple(ITuple tuple, string paramName, int nesting)
    {
        var result = PythonErrors.Check(CPython.PyTuple_New(tuple.Length));
        try
        {
            for (var i = 0; i < tuple.Length; i++)
                _ = CPython.PyTuple_SetItem(result, i, ToPythonNew(tuple[i], paramName, nesting + 1)); // steals; index is in range
            return result;
        }
        catch
        {
            CPython.Py_DecRef(result); // also releases the items already stored
            throw;
        }
    }

    private static nint FromSequence(IEnumerable sequence, string paramName, int nesting)
    {
        var result = PythonErrors.Check(CPython.PyList_New(0));
        try
        {
            foreach (var item in sequence)
            {
                var element = ToPythonNew(item, paramName, nesting + 1);
                var status = CPython.PyList_Append(result, element);
                CPython.Py_DecRef(element);
                PythonErrors.CheckStatus(status);
            }
            return result;
        }
        catch
        {
            CPython.Py_DecRef(result);
            throw;
        }
    }

    private static nint FromDictionary(IDictionary dictionary, string paramName, int nesting)
    {
        var result = PythonErrors.Check(CPython.PyDict_New());
        try
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                var (key, item) = ToPythonNewPair(entry.Key, paramName, entry.Value, paramName, nesting + 1);
                var status = CPython.PyDict_SetItem(result, key, item);
                CPython.Py_DecRef(key);
                CPython.Py_DecRef(item);
                PythonErrors.CheckStatus(status);
            }
            return result;
        }
        catch
        {
            CPython.Py_DecRef(result);
            throw;
        }
    }

    /// <summary>A .NET string from a Python <c>str</c> (TypeError as <see cref="PythonException"/> otherwise).</summary>
    internal static string ToStringExact(nint str)
    {
        nint byteLength;
        var utf8 = CPython.PyUnicode_AsUTF8AndSize(str, &byteLength);
        if (utf8 == null)
            throw PythonErrors.FetchPending();
        return Encoding.UTF8.GetString(utf8, checked((int)byteLength));
    }

    /// <summary>Converts a borrowed reference to <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported target.</exception>
    internal static T FromPython<T>(nint borrowed)
    {
        if (typeof(T) == typeof(PythonObject) || typeof(T) == typeof(object))
            return (T)(object)PythonObject.FromBorrowedReference(borrowed);
        if (typeof(T) == typeof(long))
            return (T)(object)ToInt64(borrowed);
        if (typeof(T) == typeof(int))
            return (T)(object)checked((int)ToInt64(borrowed));
        if (typeof(T) == typeof(ulong))
            return (T)(object)ToUInt64(borrowed);
        if (typeof(T) == typeof(double))
            return (T)(object)ToDouble(borrowed);
        if (typeof(T) == typeof(float))
            return (T)(object)(float)ToDouble(borrowed);
        if (typeof(T) == typeof(bool))
            return (T)(object)IsTrue(borrowed);
        if (typeof(T) == typeof(string))
            return (T)(object)ToStringExact(borrowed);
        if (PythonArrayConvert.IsArrayTarget(typeof(T)))
            return (T)PythonArrayConvert.FromPython(borrowed, typeof(T));
        return ThrowHelper.ThrowNotSupported<T>($"Python objects convert to long, int, ulong, double, float, bool, string, PythonObject, object, or arrays of numbers (double[], int[,], ...: a copy through numpy.asarray), not {typeof(T)}; for a view without copying, use AsNdBuffer().");
    }

    internal static long ToInt64(nint o)
    {
        var value = CPython.PyLong_AsLongLong(o);
        if (value == -1)
            PythonErrors.ThrowIfPending();
        return value;
    }

    internal static ulong ToUInt64(nint o)
    {
        var value = CPython.PyLong_AsUnsignedLongLong(o);
        if (value == ulong.MaxValue)
            PythonErrors.ThrowIfPending();
        return value;
    }

    internal static double ToDouble(nint o)
    {
        var value = CPython.PyFloat_AsDouble(o);
        if (value == -1.0)
            PythonErrors.ThrowIfPending();
        return value;
    }

    internal static bool IsTrue(nint o)
    {
        var value = CPython.PyObject_IsTrue(o);
        PythonErrors.CheckStatus(value);
        return value == 1;
    }

    /// <summary>Every item of an iterable, converted.</summary>
    internal static List<T> IterateToList<T>(nint iterable)
    {
        var iterator = PythonErrors.Check(CPython.PyObject_GetIter(iterable));
        var result = new List<T>();
        try
        {
            while (true)
            {
                var item = CPython.PyIter_Next(iterator);
                if (item == 0)
                {
                    PythonErrors.ThrowIfPending();
                    return result;
                }
                try
                {
                    result.Add(FromPython<T>(item));
                }
                finally
                {
                    CPython.Py_DecRef(item);
                }
            }
        }
        catch
        {
            DisposeAll(result);
            throw;
        }
        finally
        {
            CPython.Py_DecRef(iterator);
        }
    }

    internal static void DisposeAll<T>(IEnumerable<T> items)
    {
        foreach (var item in items)
            (item as IDisposable)?.Dispose();
    }

    /// <summary>The (key, value) pairs of a mapping, converted.</summary>
    internal static Dictionary<TKey, TValue> MappingToDictionary<TKey, TValue>(nint mapping)
        where TKey : notnull
    {
        var items = PythonErrors.Check(CPython.PyMapping_Items(mapping));
        var result = new Dictionary<TKey, TValue>();
        try
        {
            var itemCount = CPython.PySequence_Size(items);
            if (itemCount < 0)
                throw PythonErrors.FetchPending();
            for (nint i = 0; i < itemCount; i++)
            {
                var pair = PythonErrors.Check(CPython.PySequence_GetItem(items, i));
                try
                {
                    var key = PythonErrors.Check(CPython.PySequence_GetItem(pair, 0));
                    try
                    {
                        var value = PythonErrors.Check(CPython.PySequence_GetItem(pair, 1));
                        try
                        {
                            result.Add(FromPython<TKey>(key), FromPython<TValue>(value));
                        }
                        finally
                        {
                            CPython.Py_DecRef(value);
                        }
                    }
                    finally
                    {
                        CPython.Py_DecRef(key);
                    }
                }
                finally
                {
                    CPython.Py_DecRef(pair);
                }
            }
            return result;
        }
        catch
        {
            DisposeAll(result.Keys);
            DisposeAll(result.Values);
            throw;
        }
        finally
        {
            CPython.Py_DecRef(items);
        }
    }
}
