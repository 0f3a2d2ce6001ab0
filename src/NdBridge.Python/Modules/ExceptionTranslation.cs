namespace NdBridge.Python;

/// <summary>
/// A .NET exception leaving a hosted call as the Python exception it means: the original Python exception object for
/// a <see cref="PythonException"/> that came from Python, a <c>TypeError</c>/<c>OverflowError</c> for an argument,
/// <c>ImportError</c> for a module that cannot be made, and otherwise by type (see <see cref="PythonModuleAttribute"/>),
/// with <c>dotnet_type</c> and <c>dotnet_stack_trace</c> attributes and a note carrying the .NET stack trace. Needs the GIL.
/// </summary>
internal static unsafe class ExceptionTranslation
{
    /// <summary>Sets Python's error indicator from <paramref name="exception"/>. Never throws.</summary>
    internal static void Raise(Exception exception)
    {
        try
        {
            switch (exception)
            {
                case PythonException { Original: { } original } when RestoreOriginal(original):
                    return;
                case ArgumentConversionException conversion:
                    SetString(conversion.IsOverflow ? CPython.PyExc_OverflowError : CPython.PyExc_TypeError, conversion.Message);
                    return;
                case ModuleDefinitionException definition:
                    SetString(CPython.PyExc_ImportError, definition.Message);
                    return;
            }
            var type = PythonTypeFor(exception);
            // BufferError reads as bytearray's own; every other message names the .NET type.
            var message = exception is BufferExportedException ? exception.Message : $"{exception.GetType().FullName}: {exception.Message}";
            var value = CreateException(type, message);
            if (value == 0)
            {
                SetString(type, message);
                return;
            }
            Annotate(value, exception);
            CPython.PyErr_SetObject(type, value);
            CPython.Py_DecRef(value);
        }
        catch (Exception failure)
        {
            // Building the Python exception itself failed (out of memory, an interpreter going away): the bare message.
            CPython.PyErr_Clear();
            SetString(CPython.PyExc_RuntimeError, $"{exception.GetType().FullName}: {exception.Message} (and while translating it: {failure.Message})");
        }
    }

    /// <summary>The Python exception type for a .NET exception's type.</summary>
    internal static nint PythonTypeFor(Exception exception) => exception switch
    {
        BufferExportedException => CPython.PyExc_BufferError,
        ObjectDisposedException => CPython.PyExc_ValueError, // as Python's closed file
        ArgumentException => CPython.PyExc_ValueError,
        IndexOutOfRangeException => CPython.PyExc_IndexError,
        KeyNotFoundException => CPython.PyExc_KeyError,
        InvalidCastException or NotSupportedException => CPython.PyExc_TypeError,
        OutOfMemoryException or InsufficientExecutionStackException => CPython.PyExc_MemoryError,
        _ => CPython.PyExc_RuntimeError,
    };

    private static bool RestoreOriginal(PythonObject original)
    {
        if (original.IsClosed || original.IsInvalid)
            return false;
        var value = original.ToNewReference();
        var type = CPython.PyObject_Type(value);
        var traceback = CPython.PyException_GetTraceback(value); // new reference or NULL
        CPython.PyErr_Restore(type, value, traceback); // steals all three
        return true;
    }

    private static nint CreateException(nint type, string message)
    {
        var args = CPython.PyTuple_New(1);
        if (args == 0)
            return 0;
        var text = PythonConvert.FromString(message);
        _ = CPython.PyTuple_SetItem(args, 0, text); // steals; a new tuple
        var value = CPython.PyObject_Call(type, args, 0);
        CPython.Py_DecRef(args);
        if (value == 0)
            CPython.PyErr_Clear();
        return value;
    }

    private static void Annotate(nint value, Exception exception)
    {
        SetAttribute(value, "dotnet_type\0"u8, exception.GetType().FullName ?? exception.GetType().Name);
        SetAttribute(value, "dotnet_stack_trace\0"u8, exception.ToString());
        nint note = 0, addNote = 0, noteArgs = 0, result = 0;
        try
        {
            fixed (byte* name = "add_note\0"u8)
                addNote = CPython.PyObject_GetAttrString(value, name); // BaseException.add_note: 3.11+
            if (addNote == 0)
                return;
            note = PythonConvert.FromString($".NET exception {exception.GetType().FullName}, stack trace:{Environment.NewLine}{exception.StackTrace}");
            noteArgs = CPython.PyTuple_New(1);
            if (noteArgs == 0)
                return;
            CPython.Py_IncRef(note);
            _ = CPython.PyTuple_SetItem(noteArgs, 0, note); // steals the extra reference
            result = CPython.PyObject_Call(addNote, noteArgs, 0);
        }
        finally
        {
            CPython.Py_DecRef(result);
            CPython.Py_DecRef(noteArgs);
            CPython.Py_DecRef(note);
            CPython.Py_DecRef(addNote);
            CPython.PyErr_Clear(); // annotation is best effort; the exception itself is what matters
        }
    }

    private static void SetAttribute(nint target, ReadOnlySpan<byte> nulTerminatedName, string text)
    {
        var value = PythonConvert.FromString(text);
        fixed (byte* name = nulTerminatedName)
        {
            if (CPython.PyObject_SetAttrString(target, name, value) != 0)
                CPython.PyErr_Clear();
        }
        CPython.Py_DecRef(value);
    }

    private static void SetString(nint type, string message)
    {
        fixed (byte* text = Utf8Z.Encode(message.Replace('\0', ' '), nameof(message)))
            CPython.PyErr_SetString(type, text);
    }
}
