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
        if (PythonTypeNames.BareOf(interfaceObject.DangerousGetBorrowedReference()) != "dict")
            ThrowHelper.ThrowArrayInterface(nameof(source), typeName, "is not a dict");
        var entries = interfaceObject.ToDictionary<string, PythonObject>();
        try
        {
            return ImportDescribed(reference, typeName, entries, writable);
        }
        finally
        {
            PythonConvert.DisposeAll(entries.Values);
        }
    }

    private static NdBuffer ImportDescribed(nint source, string typeName, Dictionary<string, PythonObject> entries, bool writable)
    {
        const string param = "source";
        if (entries.TryGetValue("version", out var version) && !version.IsNone && Integer(version, typeName, "version") != 3)
            ThrowHelper.ThrowNotSupported($"The __array_interface__ of a {typeName} object has version {Integer(version, typeName, "version")}; NdBridge reads version 3.");
        if (entries.TryGetValue("mask", out var mask) && !mask.IsNone)
            ThrowHelper.ThrowNotSupported($"The __array_interface__ of a {typeName} object has a mask; NdBridge imports unmasked data only.");
        var shapeObject = entries.GetValueOrDefault("shape");
        var typestrObject = entries.GetValueOrDefault("typestr");
        if (shapeObject is null || typestrObject is null)
            ThrowHelper.ThrowArrayInterface(param, typeName, "lacks 'shape' or 'typestr' (both are required)");

        var shape = IntegerTuple(shapeObject, typeName, "shape");
        if (BareName(typestrObject) != "str")
            ThrowHelper.ThrowArrayInterface(param, typeName, $"has a typestr of type {BareName(typestrObject)}, not str");
        var typestr = typestrObject.As<string>();
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
            var described = BufferFormat.FromDescr(ReadDescr(descrObject, typeName, 0));
            if (described.NumPyItemSize != itemSize)
                ThrowHelper.ThrowArrayInterface(param, typeName, $"has a descr of {described.NumPyItemSize} bytes ({described.Describe()}) for typestr '{typestr}'");
            format = described;
        }

        nint[]? byteStrides = null;
        if (entries.TryGetValue("strides", out var stridesObject) && !stridesObject.IsNone)
        {
            byteStrides = IntegerTuple(stridesObject, typeName, "strides");
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
            if (hasData && BareName(data!) == "tuple")
            {
                var (address, addressReadOnly) = ReadAddress(data!, typeName);
                if (writable && addressReadOnly)
                    ThrowHelper.ThrowImportReadOnly(param, $"The __array_interface__ data of a {typeName} object", null);
                if (byteOffset != 0)
                    ThrowHelper.ThrowArrayInterface(param, typeName, "has an offset with an (address, readonly) data tuple (offset applies to buffer data only)");
                if (address == 0 && !layout.IsEmpty)
                    ThrowHelper.ThrowArrayInterface(param, typeName, "has a NULL data address for a non-empty array");
                var taken = holding;
                holding = null; // Wrap owns it from here: it frees it if it throws
                return Wrap(taken, (byte*)(nuint)address, addressReadOnly || !writable, source, param, format, layout);
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

    private static (ulong Address, bool ReadOnly) ReadAddress(PythonObject data, string typeName)
    {
        var pair = data.ToList<PythonObject>();
        try
        {
            if (pair.Count != 2)
                ThrowHelper.ThrowArrayInterface("source", typeName, $"has a data tuple of {pair.Count} items, not (address, readonly)");
            if (BareName(pair[0]) != "int")
                ThrowHelper.ThrowArrayInterface("source", typeName, $"has a data address of type {BareName(pair[0])}, not int");
            return (pair[0].As<ulong>(), pair[1].As<bool>());
        }
        finally
        {
            PythonConvert.DisposeAll(pair);
        }
    }

    private static string BareName(PythonObject o) => PythonTypeNames.BareOf(o.DangerousGetBorrowedReference());

    private static long Integer(PythonObject o, string typeName, string key)
    {
        if (BareName(o) is not ("int" or "bool"))
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a '{key}' of type {BareName(o)}, not int");
        return o.As<long>();
    }

    private static nint[] IntegerTuple(PythonObject o, string typeName, string key)
    {
        if (BareName(o) != "tuple")
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a '{key}' of type {BareName(o)}, not a tuple");
        var items = o.ToList<PythonObject>();
        try
        {
            var values = new nint[items.Count];
            for (var i = 0; i < values.Length; i++)
                values[i] = (nint)Integer(items[i], typeName, key);
            return values;
        }
        finally
        {
            PythonConvert.DisposeAll(items);
        }
    }

    // descr: a list of (name, typestr or nested list[, shape]); a name may be a (title, name) pair.
    private static List<DescrEntry> ReadDescr(PythonObject descr, string typeName, int depth)
    {
        if (BareName(descr) != "list")
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr of type {BareName(descr)}, not a list");
        if (depth >= BufferFormat.MaxNestingDepth)
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr nested deeper than {BufferFormat.MaxNestingDepth} levels");
        var entries = new List<DescrEntry>();
        var items = descr.ToList<PythonObject>();
        try
        {
            foreach (var item in items)
            {
                if (BareName(item) != "tuple")
                    ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr entry of type {BareName(item)}, not a tuple");
                var parts = item.ToList<PythonObject>();
                try
                {
                    if (parts.Count is < 2 or > 3)
                        ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr entry of {parts.Count} items, not (name, type[, shape])");
                    var name = DescrName(parts[0], typeName);
                    IReadOnlyList<nint>? shape = null;
                    if (parts.Count == 3)
                        shape = BareName(parts[2]) == "tuple" ? IntegerTuple(parts[2], typeName, "descr shape") : [(nint)Integer(parts[2], typeName, "descr shape")];
                    var type = BareName(parts[1]);
                    if (type == "str")
                        entries.Add(new DescrEntry(name, parts[1].As<string>(), shape));
                    else
                        entries.Add(new DescrEntry(name, ReadDescr(parts[1], typeName, depth + 1), shape));
                }
                finally
                {
                    PythonConvert.DisposeAll(parts);
                }
            }
        }
        finally
        {
            PythonConvert.DisposeAll(items);
        }
        return entries;
    }

    private static string DescrName(PythonObject name, string typeName)
    {
        var type = BareName(name);
        if (type == "str")
            return name.As<string>();
        if (type != "tuple")
            ThrowHelper.ThrowArrayInterface("source", typeName, $"has a descr name of type {type}, not str or (title, name)");
        using var second = name.GetItem(1);
        return second.As<string>();
    }
}
