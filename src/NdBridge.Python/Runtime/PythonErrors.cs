using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>Turns Python's error indicator into a <see cref="PythonException"/>, leaving the indicator clear.</summary>
internal static unsafe class PythonErrors
{
    /// <summary>Throws the pending Python exception when <paramref name="newReference"/> is NULL; otherwise returns it.</summary>
    internal static nint Check(nint newReference)
    {
        if (newReference == 0)
            throw FetchPending();
        return newReference;
    }

    /// <summary>Throws the pending Python exception when <paramref name="status"/> is -1.</summary>
    internal static void CheckStatus(int status)
    {
        if (status == -1)
            throw FetchPending();
    }

    /// <summary>Throws the pending Python exception, if there is one (for APIs whose error value is also a valid result).</summary>
    internal static void ThrowIfPending()
    {
        if (CPython.PyErr_Occurred() != 0)
            throw FetchPending();
    }

    /// <summary>Takes the pending exception out of the interpreter as a <see cref="PythonException"/>. Needs the GIL.</summary>
    internal static PythonException FetchPending()
    {
        nint type, value, traceback;
        CPython.PyErr_Fetch(&type, &value, &traceback);
        if (type == 0)
            return new PythonException("SystemError", "a Python API call failed without setting an exception", "");
        CPython.PyErr_NormalizeException(&type, &value, &traceback);
        try
        {
            if (traceback != 0 && value != 0)
                _ = CPython.PyException_SetTraceback(value, traceback);
            var typeName = TypeName(type);
            var message = value == 0 ? "" : StrOrPlaceholder(value);
            var formatted = FormatException(type, value, traceback) ?? (message.Length == 0 ? typeName : typeName + ": " + message);
            // When Python is the host, the object goes back to Python unchanged if the exception leaves a hosted call.
            var original = value != 0 && PythonRuntime.IsCurrentHostedByPython ? PythonObject.FromBorrowedReference(value) : null;
            return new PythonException(typeName, message, formatted, MroNames(type)) { Original = original };
        }
        finally
        {
            CPython.Py_DecRef(type);
            CPython.Py_DecRef(value);
            CPython.Py_DecRef(traceback);
            CPython.PyErr_Clear(); // whatever formatting raised must not stay pending
        }
    }

    /// <summary>Sets a Python <c>RuntimeError</c> describing a .NET exception (a callback path's duty: no managed exception crosses into C).</summary>
    internal static void SetFromManaged(Exception exception)
    {
        var text = exception is PythonException python
            ? $"{nameof(PythonException)}: {python.Message}"
            : $"{exception.GetType().FullName}: {exception.Message}";
        fixed (byte* message = Utf8Z.Encode(text.Replace('\0', ' '), nameof(exception)))
            CPython.PyErr_SetString(CPython.PyExc_RuntimeError, message);
    }

    /// <summary>The qualified names of a class's <c>__mro__</c> (itself first), or null when it has none. Needs the GIL.</summary>
    internal static string[]? MroNames(nint type)
    {
        fixed (byte* name = "__mro__\0"u8)
        {
            var mro = CPython.PyObject_GetAttrString(type, name);
            if (mro == 0)
            {
                CPython.PyErr_Clear();
                return null;
            }
            try
            {
                var count = CPython.PyTuple_Size(mro);
                if (count < 0)
                {
                    CPython.PyErr_Clear();
                    return null;
                }
                var names = new string[count];
                for (nint i = 0; i < count; i++)
                    names[i] = TypeName(CPython.PyTuple_GetItem(mro, i)); // borrowed; i is in range
                return names;
            }
            finally
            {
                CPython.Py_DecRef(mro);
            }
        }
    }

    internal static string TypeName(nint type)
    {
        var name = AttributeString(type, "__qualname__") ?? AttributeString(type, "__name__") ?? "<unknown exception type>";
        var module = AttributeString(type, "__module__");
        return module is null or "builtins" ? name : module + "." + name;
    }

    private static string? AttributeString(nint o, string attribute)
    {
        fixed (byte* name = Utf8Z.Encode(attribute, nameof(attribute)))
        {
            var value = CPython.PyObject_GetAttrString(o, name);
            if (value == 0)
            {
                CPython.PyErr_Clear();
                return null;
            }
            var text = Utf8OrNull(value);
            CPython.Py_DecRef(value);
            return text;
        }
    }

    private static string StrOrPlaceholder(nint o)
    {
        var str = CPython.PyObject_Str(o);
        if (str == 0)
        {
            CPython.PyErr_Clear();
            return "<exception str() failed>";
        }
        var text = Utf8OrNull(str) ?? "<exception str() failed>";
        CPython.Py_DecRef(str);
        return text;
    }

    /// <summary>The UTF-8 of a <c>str</c>, or null (error cleared) when it is not one.</summary>
    private static string? Utf8OrNull(nint str)
    {
        nint byteLength;
        var utf8 = CPython.PyUnicode_AsUTF8AndSize(str, &byteLength);
        if (utf8 == null)
        {
            CPython.PyErr_Clear();
            return null;
        }
        return Marshal.PtrToStringUTF8((nint)utf8, checked((int)byteLength));
    }

    private static string? FormatException(nint type, nint value, nint traceback)
    {
        nint module = 0, function = 0, args = 0, lines = 0, empty = 0, joined = 0;
        try
        {
            fixed (byte* moduleName = "traceback\0"u8)
                module = CPython.PyImport_ImportModule(moduleName);
            if (module == 0)
                return null;
            fixed (byte* functionName = "format_exception\0"u8)
                function = CPython.PyObject_GetAttrString(module, functionName);
            if (function == 0)
                return null;
            args = CPython.PyTuple_New(3);
            if (args == 0)
                return null;
            // PyTuple_SetItem steals: give it references of its own.
            nint[] parts = [type, value == 0 ? CPython.Py_None : value, traceback == 0 ? CPython.Py_None : traceback];
            for (var i = 0; i < 3; i++)
            {
                CPython.Py_IncRef(parts[i]);
                _ = CPython.PyTuple_SetItem(args, i, parts[i]);
            }
            lines = CPython.PyObject_Call(function, args, 0);
            if (lines == 0)
                return null;
            empty = CPython.PyUnicode_FromStringAndSize(null, 0);
            if (empty == 0)
                return null;
            fixed (byte* joinName = "join\0"u8)
            {
                var join = CPython.PyObject_GetAttrString(empty, joinName);
                if (join == 0)
                    return null;
                var joinArgs = CPython.PyTuple_New(1);
                if (joinArgs == 0)
                {
                    CPython.Py_DecRef(join);
                    return null;
                }
                CPython.Py_IncRef(lines);
                _ = CPython.PyTuple_SetItem(joinArgs, 0, lines);
                joined = CPython.PyObject_Call(join, joinArgs, 0);
                CPython.Py_DecRef(joinArgs);
                CPython.Py_DecRef(join);
            }
            return joined == 0 ? null : Utf8OrNull(joined);
        }
        finally
        {
            CPython.Py_DecRef(joined);
            CPython.Py_DecRef(empty);
            CPython.Py_DecRef(lines);
            CPython.Py_DecRef(args);
            CPython.Py_DecRef(function);
            CPython.Py_DecRef(module);
        }
    }
}
