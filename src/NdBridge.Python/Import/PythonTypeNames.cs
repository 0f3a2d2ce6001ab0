namespace NdBridge.Python;

/// <summary>
/// Names of Python types for messages: <c>numpy.ndarray</c>, <c>bytes</c>, <c>PIL.Image.Image</c>. Never for type checks:
/// those go by the type (<c>CPython.PyTuple_Check</c> ...), as a user class may take any name.
/// </summary>
internal static unsafe class PythonTypeNames
{
    /// <summary>The qualified name of the type of <paramref name="o"/> (builtins unqualified). Needs the GIL; never throws.</summary>
    internal static string Of(nint o)
    {
        var type = CPython.PyObject_Type(o);
        if (type == 0)
        {
            CPython.PyErr_Clear();
            return "<unknown type>";
        }
        try
        {
            var name = Attribute(type, "__qualname__\0"u8) ?? Attribute(type, "__name__\0"u8) ?? "<unknown type>";
            var module = Attribute(type, "__module__\0"u8);
            return module is null or "builtins" ? name : module + "." + name;
        }
        finally
        {
            CPython.Py_DecRef(type);
        }
    }

    private static string? Attribute(nint o, ReadOnlySpan<byte> nulTerminatedName)
    {
        fixed (byte* name = nulTerminatedName)
        {
            var value = CPython.PyObject_GetAttrString(o, name);
            if (value == 0)
            {
                CPython.PyErr_Clear();
                return null;
            }
            nint byteLength;
            var utf8 = CPython.PyUnicode_AsUTF8AndSize(value, &byteLength);
            var text = utf8 is null ? null : System.Text.Encoding.UTF8.GetString(utf8, (int)byteLength);
            if (utf8 is null)
                CPython.PyErr_Clear();
            CPython.Py_DecRef(value);
            return text;
        }
    }
}
