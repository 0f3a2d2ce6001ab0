namespace NdBridge.Python;

public static unsafe partial class NdBufferImport
{
    /// <summary>
    /// The memory an object describes with NumPy's <c>__array_interface__</c> (version 3): <c>shape</c>,
    /// <c>typestr</c> (with <c>descr</c> for records), <c>strides</c> (None: C-contiguous), and <c>data</c> as
    /// <c>(address, readonly)</c>, as a buffer object plus <c>offset</c>, or None (the object's own buffer).
    /// The object, and the <c>data</c> object, stay alive while the result does. Dispose the result.
    /// </summary>
    /// <remarks>
    /// Zero-copy only when the object's <c>data</c> is its memory. <b>PIL images are not zero-copy:</b> their
    /// <c>data</c> is a fresh read-only <c>bytes</c> copy of the pixels at every access; the result holds that copy
    /// (writes to the image afterwards are not seen, and a writable import is refused).
    /// </remarks>
    /// <param name="source">The object with <c>__array_interface__</c>.</param>
    /// <param name="writable">Ask for writable memory (read-only data then throws).</param>
    /// <exception cref="ArgumentException">The object has no <c>__array_interface__</c>, the interface is malformed
    /// (the message names the key), its data is read-only while <paramref name="writable"/> was asked, or its
    /// layout reaches outside its data buffer.</exception>
    /// <exception cref="NotSupportedException">A <c>mask</c>, a version other than 3, or Python object items.</exception>
    /// <exception cref="PythonException">Reading the interface raised.</exception>
    public static NdBuffer FromArrayInterface(PythonObject source, bool writable = false)
    {
        if (source is null)
            ThrowHelper.ThrowArgumentNull(nameof(source));
        return ImportArrayInterface(source, writable, requireInterface: false);
    }

    private static NdBuffer ImportArrayInterface(PythonObject source, bool writable, bool requireInterface)
    {
        using var gil = PythonGil.Acquire();
        using var borrow = new Borrow(source);
        var reference = borrow.Reference;
        var typeName = PythonTypeNames.Of(reference);
        // One lookup only: PIL computes the interface (a copy of every pixel) at each access, hasattr included.
        PythonObject interfaceObject;
        try
        {
            interfaceObject = source.GetAttr("__array_interface__");
        }
        catch (PythonException e) when (e.PythonTypeName == "AttributeError")
        {
            if (requireInterface)
                ThrowHelper.ThrowImportNoInterface(nameof(source), typeName);
            ThrowHelper.ThrowArrayInterface(nameof(source), typeName, "is missing (no __array_interface__ attribute)");
            throw;
        }
        using var interfaceUse = interfaceObject;
        var entries = ReadEntries(interfaceObject.DangerousGetBorrowedReference(), typeName);
        try
        {
            return ImportDescribed(reference, typeName, entries, writable);
        }
        finally
        {
            PythonConvert.DisposeAll(entries.Values);
        }
    }

    // Types are checked by their flags (PyDict_Check, PyTuple_Check, ...), never by name: a user class named 'str' is not a str.
    private static Dictionary<string, PythonObject> ReadEntries(nint interfaceObject, string typeName)
    {
        if (!CPython.PyDict_Check(interfaceObject))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"is a {PythonTypeNames.Of(interfaceObject)}, not a dict");
        var entries = new Dictionary<string, PythonObject>();
        try
        {
            nint position = 0, key, value;
            while (CPython.PyDict_Next(interfaceObject, &position, &key, &value) != 0)
            {
                if (!CPython.PyUnicode_Check(key))
                    ThrowHelper.ThrowArrayInterface("source", typeName, $"has a key of type {PythonTypeNames.Of(key)}; its keys are str ('version', 'shape', 'typestr', 'data', 'strides', 'descr', 'offset', 'mask')");
                entries[Text(key, typeName, "key")] = PythonObject.FromBorrowedReference(value);
            }
            return entries;
        }
        catch
        {
            PythonConvert.DisposeAll(entries.Values);
            throw;
        }
    }

    private static NdBuffer ImportDescribed(nint source, string typeName, Dictionary<string, PythonObject> entries, bool writable)
    {
        const string param = "source";
        if (entries.TryGetValue("version", out var version) && !version.IsNone)
        {
            var versionNumber = Integer(version, typeName, "version");
            if (versionNumber != 3)
                ThrowHelper.ThrowNotSupported($"The __array_interface__ of a {typeName} object has version {versionNumber}; NdBridge reads version 3.");
        }
        if (entries.TryGetValue("mask", out var mask) && !mask.IsNone)
            ThrowHelper.ThrowNotSupported($"The __array_interface__ of a {typeName} object has a mask; NdBridge imports unmasked data only.");
        var shapeObject = entries.GetValueOrDefault("shape");
        var typestrObject = entries.GetValueOrDefault("typestr");
        if (shapeObject is null || typestrObject is null)
            ThrowHelper.ThrowArrayInterface(param, typeName, "lacks 'shape' or 'typestr' (both are required)");

        var shape = IntegerTuple(shapeObject.DangerousGetBorrowedReference(), typeName, "shape");
        var typestrReference = typestrObject.DangerousGetBorrowedReference();
        if (!CPython.PyUnicode_Check(typestrReference))
            ThrowHelper.ThrowArrayInterface(param, typeName, $"has a 'typestr' of type {PythonTypeNames.Of(typestrReference)}, not str");
        var typestr = Text(typestrReference, typeName, "typestr");
        BufferFormat format;
        try
        {
            format = BufferFormat.FromTypestr(typestr);
        }
        catch (ArgumentException e)
        {
            ThrowHelper.ThrowArrayInterface(param, typeName, $"has an unreadable typestr: {e.Message}");
            throw;
        }
        var itemSize = format.NumPyItemSize;
        // NumPy reads descr only for a void typestr (PyArray_FromInterface); a non-default descr then gives the fields.
        if (format.Kind == BufferFormatKind.Record && entries.TryGetValue("descr", out var descrObject) && !descrObject.IsNone)
        {
            BufferFormat described;
            try
            {
                described = BufferFormat.FromDescr(ReadDescr(descrObject.DangerousGetBorrowedReference(), typeName, 0));
            }
            catch (ArgumentException e) when (e.ParamName != param)
            {
                ThrowHelper.ThrowArrayInterface(param, typeName, $"has an unreadable descr: {e.Message}");
                throw;
            }
            if (described.NumPyItemSize != itemSize)
                ThrowHelper.ThrowArrayInterface(param, typeName, $"has a descr of {described.NumPyItemSize} bytes ({described.Describe()}) for typestr '{typestr}'");
            format = described;
        }

        nint[]? byteStrides = null;
        if (entries.TryGetValue("strides", out var stridesObject) && !stridesObject.IsNone)
        {
            byteStrides = IntegerTuple(stridesObject.DangerousGetBorrowedReference(), typeName, "strides");
            if (byteStrides.Length != shape.Length)
                ThrowHelper.ThrowArrayInterface(param, typeName, $"has {byteStrides.Length} strides for {shape.Length} dimensions");
        }
        StridedLayout layout;
        try
        {
            layout = byteStrides is null
                ? StridedLayout.CreateContiguous(shape, itemSize)
                : StridedLayout.CreateTrusted(shape, byteStrides, default, hasSuboffsets: false, itemSize);
        }
        catch (ArgumentException e)
        {
            ThrowHelper.ThrowArrayInterface(param, typeName, $"describes an impossible layout: {e.Message}");
            throw;
        }

        var hasData = entries.TryGetValue("data", out var data) && !data.IsNone;
        nint byteOffset = entries.TryGetValue("offset", out var offsetObject) && !offsetObject.IsNone ? (nint)Integer(offsetObject, typeName, "offset") : 0;
        var holding = PythonBufferOwner.AllocateHolding();
        CPython.Py_IncRef(source);
        holding->HeldObject = source; // the memory belongs to the object (or to the data object the view holds)
        try
        {
            if (hasData && CPython.PyTuple_Check(data!.DangerousGetBorrowedReference()))
            {
                var (address, addressReadOnly) = ReadAddress(data.DangerousGetBorrowedReference(), typeName);
                if (writable && addressReadOnly)
                    ThrowHelper.ThrowImportReadOnly(param, $"The __array_interface__ data of a {typeName} object", null);
                if (byteOffset != 0)
                    ThrowHelper.ThrowArrayInterface(param, typeName, "has an offset with an (address, readonly) data tuple (offset applies to buffer data only)");
                if (address == 0 && !layout.IsEmpty)
                    ThrowHelper.ThrowArrayInterface(param, typeName, "has a NULL data address for a non-empty array");
                var taken = holding;
                holding = null; // Wrap owns it from here: it frees it if it throws
                return Wrap(taken, (byte*)address, addressReadOnly || !writable, source, param, format, layout);
            }
            // data is a buffer object (PIL: a bytes copy), or None: the object's own buffer.
            var dataObject = hasData ? data!.DangerousGetBorrowedReference() : source;
            var what = hasData ? $"The __array_interface__ data of a {typeName} object (a {PythonTypeNames.Of(dataObject)})" : $"A {typeName} object";
            if (CPython.PyObject_CheckBuffer(dataObject) == 0)
                ThrowHelper.ThrowArrayInterface(param, typeName, $"has data of type {PythonTypeNames.Of(dataObject)}: neither an (address, readonly) tuple nor a buffer");
            var view = &holding->View;
            if (CPython.PyObject_GetBuffer(dataObject, view, writable ? CPython.PyBUF_WRITABLE : CPython.PyBUF_SIMPLE) != 0)
            {
                view->obj = 0;
                var error = PythonErrors.FetchPending();
                if (writable && IsReadOnlyExporter(dataObject, CPython.PyBUF_SIMPLE))
                    ThrowHelper.ThrowImportReadOnly(param, what, error);
                throw error;
            }
            if (byteOffset < 0 || !layout.FitsInExtent(byteOffset, view->len))
                ThrowHelper.ThrowArrayInterface(param, typeName, $"reaches outside its data ({view->len} bytes) with offset {byteOffset} and layout {layout}");
            var readOnly = view->@readonly != 0 || !writable;
            var origin = (byte*)view->buf + byteOffset; // inside the data: checked just above
            var held = holding;
            holding = null; // Wrap owns it from here: it frees it if it throws
            return Wrap(held, origin, readOnly, source, param, format, layout);
        }
        finally
        {
            if (holding is not null)
                PythonBufferOwner.FreeUnowned(holding);
        }
    }

    private static (nint Address, bool ReadOnly) ReadAddress(nint data, string typeName)
    {
        var itemCount = CPython.PyTuple_Size(data);
        if (itemCount != 2)
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a data tuple of {itemCount} items, not (address, readonly)");
        var address = Integer(CPython.PyTuple_GetItem(data, 0), typeName, "data address");
        if (address < 0)
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a negative data address ({address}); an address is a non-negative int below 2**63");
        var readOnly = CPython.PyObject_IsTrue(CPython.PyTuple_GetItem(data, 1));
        if (readOnly < 0)
        {
            var error = PythonErrors.FetchPending();
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a data readonly flag that has no truth value ({error.Message})");
        }
        return ((nint)address, readOnly != 0);
    }

    private static long Integer(PythonObject o, string typeName, string key) => Integer(o.DangerousGetBorrowedReference(), typeName, key);

    private static long Integer(nint o, string typeName, string key)
    {
        if (!CPython.PyLong_Check(o))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a '{key}' of type {PythonTypeNames.Of(o)}, not int");
        var value = CPython.PyLong_AsLongLong(o);
        if (value == -1 && CPython.PyErr_Occurred() != 0)
        {
            CPython.PyErr_Clear(); // OverflowError: the int needs more than 64 bits
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a '{key}' outside -2**63 to 2**63-1 (Py_ssize_t, as NumPy reads it)");
        }
        return value;
    }

    private static nint[] IntegerTuple(nint o, string typeName, string key)
    {
        if (!CPython.PyTuple_Check(o))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a '{key}' of type {PythonTypeNames.Of(o)}, not a tuple");
        var values = new nint[CPython.PyTuple_Size(o)];
        for (var i = 0; i < values.Length; i++)
            values[i] = (nint)Integer(CPython.PyTuple_GetItem(o, i), typeName, key);
        return values;
    }

    // A str to .NET text; a str UTF-8 cannot encode (a lone surrogate) is malformed input, not a Python error.
    private static string Text(nint str, string typeName, string key)
    {
        nint byteLength;
        var utf8 = CPython.PyUnicode_AsUTF8AndSize(str, &byteLength);
        if (utf8 is null)
        {
            var error = PythonErrors.FetchPending();
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a {key} that is not valid text ({error.PythonTypeName}: {error.Message}); write it without lone surrogates");
        }
        return System.Text.Encoding.UTF8.GetString(utf8, checked((int)byteLength));
    }

    // descr: a list of (name, typestr or nested list[, shape]); a name may be a (title, name) pair.
    private static List<DescrEntry> ReadDescr(nint descr, string typeName, int depth)
    {
        if (!CPython.PyList_Check(descr))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr of type {PythonTypeNames.Of(descr)}, not a list");
        if (depth >= BufferFormat.MaxNestingDepth)
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr nested deeper than {BufferFormat.MaxNestingDepth} levels");
        var entries = new List<DescrEntry>();
        for (nint i = 0; i < CPython.PyList_Size(descr); i++)
        {
            var item = CPython.PyList_GetItem(descr, i);
            if (!CPython.PyTuple_Check(item))
                ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr entry of type {PythonTypeNames.Of(item)}, not a tuple");
            var partCount = CPython.PyTuple_Size(item);
            if (partCount is < 2 or > 3)
                ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr entry of {partCount} items, not (name, type[, shape])");
            var name = DescrName(CPython.PyTuple_GetItem(item, 0), typeName);
            IReadOnlyList<nint>? shape = null;
            if (partCount == 3)
            {
                var shapeObject = CPython.PyTuple_GetItem(item, 2);
                shape = CPython.PyTuple_Check(shapeObject) ? IntegerTuple(shapeObject, typeName, "descr shape") : [(nint)Integer(shapeObject, typeName, "descr shape")];
            }
            var type = CPython.PyTuple_GetItem(item, 1);
            if (CPython.PyUnicode_Check(type))
                entries.Add(new DescrEntry(name, Text(type, typeName, "descr typestr"), shape));
            else
                entries.Add(new DescrEntry(name, ReadDescr(type, typeName, depth + 1), shape));
        }
        return entries;
    }

    private static string DescrName(nint name, string typeName)
    {
        if (CPython.PyUnicode_Check(name))
            return Text(name, typeName, "descr name");
        if (!CPython.PyTuple_Check(name) || CPython.PyTuple_Size(name) != 2 || !CPython.PyUnicode_Check(CPython.PyTuple_GetItem(name, 1)))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr name {Repr(name)} of type {PythonTypeNames.Of(name)}: a name is a str or a (title, name) pair of str");
        return Text(CPython.PyTuple_GetItem(name, 1), typeName, "descr name");
    }

    private static string Repr(nint o)
    {
        using var borrowed = PythonObject.FromBorrowedReference(o);
        try
        {
            var text = borrowed.Repr();
            return text.Length <= 40 ? text : text[..40] + "...";
        }
        catch (PythonException)
        {
            return "(no repr)";
        }
    }
}
