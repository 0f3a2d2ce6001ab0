namespace NdBridge.Python;

/// <summary>
/// The array API's <c>__dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None)</c> and
/// <c>__dlpack_device__()</c> for an <see cref="NdBuffer"/>: what the exported type's method table calls.
/// Every method needs the GIL and returns a new reference, or 0 with a Python exception set; none throws.
/// </summary>
internal static unsafe class DLPackMethods
{
    /// <summary>
    /// <c>__dlpack__</c> for <paramref name="source"/>, called the <c>METH_FASTCALL | METH_KEYWORDS</c> way (NumPy 2
    /// passes its keywords by vectorcall, so no dict is built): <paramref name="args"/> holds
    /// <paramref name="positionalCount"/> positional values, which must be none, then one value per name in the
    /// tuple <paramref name="keywordNames"/> (0 when there are none).
    /// </summary>
    internal static nint DunderDLPack(in DLPackSource source, nint* args, nint positionalCount, nint keywordNames)
    {
        if (positionalCount != 0)
            return SetError(CPython.PyExc_TypeError, "__dlpack__() takes only keyword arguments (stream, max_version, dl_device, copy)");
        (long, long)? maxVersion = null;
        bool? copy = null;
        var keywordCount = keywordNames == 0 ? 0 : CPython.PyTuple_Size(keywordNames);
        for (nint i = 0; i < keywordCount; i++)
        {
            var key = CPython.PyTuple_GetItem(keywordNames, i); // borrowed; CPython's vectorcall makes every name a str
            var value = args[i]; // the keyword values follow the (zero) positional ones
            nint byteLength;
            var utf8 = CPython.PyUnicode_AsUTF8AndSize(key, &byteLength);
            if (utf8 == null)
                return 0; // not a str: Python's error is set
            var name = new ReadOnlySpan<byte>(utf8, checked((int)byteLength));
            if (name.SequenceEqual("stream"u8))
            {
                if (value != CPython.Py_None)
                    return SetError(CPython.PyExc_BufferError, "NdBridge memory is on the CPU, where DLPack allows only stream=None");
            }
            else if (name.SequenceEqual("max_version"u8))
            {
                if (value == CPython.Py_None)
                    continue;
                if (!TryReadPair(value, out var version) || version.First < 0 || version.Second < 0)
                    return SetError(CPython.PyExc_TypeError, "max_version must be None or a (major, minor) tuple of non-negative ints");
                maxVersion = version;
            }
            else if (name.SequenceEqual("dl_device"u8))
            {
                if (value == CPython.Py_None)
                    continue;
                if (!TryReadPair(value, out var device))
                    return SetError(CPython.PyExc_TypeError, "dl_device must be None or a (device_type, device_id) tuple of ints");
                if (device != (DLPackNative.kDLCPU, 0))
                    return SetError(CPython.PyExc_BufferError, $"NdBridge memory is on the CPU (kDLCPU, 0); dl_device=({device.First}, {device.Second}) would need a cross-device copy, which NdBridge cannot make");
            }
            else if (name.SequenceEqual("copy"u8))
            {
                if (value == CPython.Py_True)
                    copy = true;
                else if (value == CPython.Py_False)
                    copy = false;
                else if (value != CPython.Py_None)
                    return SetError(CPython.PyExc_TypeError, "copy must be None, True or False");
            }
            else
            {
                return SetError(CPython.PyExc_TypeError, $"__dlpack__() got an unexpected keyword argument '{System.Text.Encoding.UTF8.GetString(name)}'");
            }
        }
        var capsule = DLPackExport.CreateCapsule(source, PythonDLPack.MinorVersionFor(maxVersion), copy, out var refusal);
        return capsule != 0 ? capsule : SetError(CPython.PyExc_BufferError, "DLPack export refused: " + refusal);
    }

    /// <summary><c>__dlpack_device__()</c>: <c>(kDLCPU, 0)</c>.</summary>
    internal static nint DunderDLPackDevice()
    {
        var tuple = CPython.PyTuple_New(2);
        var deviceType = CPython.PyLong_FromLongLong(DLPackNative.kDLCPU);
        var deviceId = CPython.PyLong_FromLongLong(0);
        if (tuple == 0 || deviceType == 0 || deviceId == 0)
        {
            CPython.Py_DecRef(tuple); // NULL is allowed
            CPython.Py_DecRef(deviceType);
            CPython.Py_DecRef(deviceId);
            return 0;
        }
        _ = CPython.PyTuple_SetItem(tuple, 0, deviceType); // steals
        _ = CPython.PyTuple_SetItem(tuple, 1, deviceId);
        return tuple;
    }

    /// <summary>Sets a Python exception of <paramref name="type"/>; returns 0 (NULL) for the caller to return.</summary>
    internal static nint SetError(nint type, string message)
    {
        fixed (byte* text = Utf8Z.Encode(message.Replace('\0', ' '), nameof(message)))
            CPython.PyErr_SetString(type, text);
        return 0;
    }

    /// <summary>Reads a tuple of exactly two ints; false (no error pending) otherwise.</summary>
    private static bool TryReadPair(nint value, out (long First, long Second) pair)
    {
        pair = default;
        if (CPython.PyTuple_Size(value) != 2)
        {
            CPython.PyErr_Clear(); // not a tuple
            return false;
        }
        var first = CPython.PyLong_AsLongLong(CPython.PyTuple_GetItem(value, 0));
        var second = CPython.PyLong_AsLongLong(CPython.PyTuple_GetItem(value, 1));
        if (CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear(); // an item is not an int
            return false;
        }
        pair = (first, second);
        return true;
    }
}
