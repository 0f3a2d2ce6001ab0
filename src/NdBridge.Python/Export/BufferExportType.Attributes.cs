using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static NdBridge.Python.CPython;

namespace NdBridge.Python;

internal static unsafe partial class BufferExportType
{
    private enum Attribute
    {
        Shape,
        Strides,
        Suboffsets,
        Format,
        ReadOnly,
        NBytes,
        NDim,
        ItemSize,
        ArrayInterface,
    }

    private static readonly (string Name, Attribute Id, string Doc)[] s_attributes =
    [
        ("shape", Attribute.Shape, "The length of each dimension (a tuple)."),
        ("strides", Attribute.Strides, "The byte step of each dimension (a tuple; negative for reversed dimensions)."),
        ("suboffsets", Attribute.Suboffsets, "PIL-style suboffsets (a tuple; empty when the memory is direct)."),
        ("format", Attribute.Format, "The PEP 3118 format of one item, as the buffer protocol reports it."),
        ("readonly", Attribute.ReadOnly, "Whether writable buffer requests are refused."),
        ("nbytes", Attribute.NBytes, "product(shape) * itemsize."),
        ("ndim", Attribute.NDim, "The number of dimensions."),
        ("itemsize", Attribute.ItemSize, "The size of one item in bytes."),
        ("__array_interface__", Attribute.ArrayInterface, "NumPy's array interface, version 3."),
    ];

    private static PyGetSetDef* GetSetDefinitions()
    {
        var defs = (PyGetSetDef*)NativeMemory.AllocZeroed((nuint)((s_attributes.Length + 1) * sizeof(PyGetSetDef)));
        for (var i = 0; i < s_attributes.Length; i++)
        {
            // defs holds s_attributes.Length entries and a zeroed sentinel; set stays NULL: read-only.
            defs[i].name = Utf8Z.Permanent(s_attributes[i].Name);
            defs[i].get = (delegate* unmanaged<nint, void*, nint>)&Get;
            defs[i].doc = Utf8Z.Permanent(s_attributes[i].Doc);
            defs[i].closure = (void*)(nint)s_attributes[i].Id;
        }
        return defs;
    }

    [UnmanagedCallersOnly]
    private static nint Get(nint self, void* closure)
    {
        try
        {
            var state = StateOf(self);
            if (state is null)
            {
                fixed (byte* message = "ndbridge.BufferExport is not initialised\0"u8)
                    PyErr_SetString(PyExc_AttributeError, message);
                return 0;
            }
            var layout = state.Layout;
            return (Attribute)(nint)closure switch
            {
                Attribute.Shape => NewTuple(layout.Shape),
                Attribute.Strides => NewTuple(layout.ByteStrides),
                Attribute.Suboffsets => NewTuple(layout.Suboffsets),
                Attribute.Format => PythonConvert.FromString(state.Format.ToString()),
                Attribute.ReadOnly => NewBool(state.IsReadOnly),
                Attribute.NBytes => PythonErrors.Check(PyLong_FromLongLong(layout.ByteLength)),
                Attribute.NDim => PythonErrors.Check(PyLong_FromLongLong(layout.Rank)),
                Attribute.ItemSize => PythonErrors.Check(PyLong_FromLongLong(layout.ItemSize)),
                Attribute.ArrayInterface => ArrayInterface(state),
                _ => 0,
            };
        }
        catch (Exception exception)
        {
            PythonErrors.SetFromManaged(exception);
            return 0;
        }
    }

    // {'shape', 'typestr', 'descr', 'strides' (None when C-contiguous), 'data': (address, readonly), 'version': 3}
    internal static nint ArrayInterface(ExportState state)
    {
        FaultInjection?.Invoke(ExportSlot.ArrayInterface, (nint)state.Origin);
        if (state.Layout.HasSuboffsets)
        {
            fixed (byte* message = "ndbridge export has suboffsets (a PIL-style indirect array), which __array_interface__ cannot describe: use the buffer protocol (memoryview) or a contiguous copy\0"u8)
                PyErr_SetString(PyExc_AttributeError, message);
            return 0;
        }
        var typestr = state.Format.ToTypestr(); // NotSupportedException for P, p: no NumPy type
        var descr = state.Format.ToDescr();
        var dict = PythonErrors.Check(PyDict_New());
        try
        {
            SetItem(dict, "shape"u8, NewTuple(state.Layout.Shape));
            SetItem(dict, "typestr"u8, PythonConvert.FromString(typestr));
            SetItem(dict, "descr"u8, NewDescr(descr));
            SetItem(dict, "strides"u8, state.IsCContiguous ? NewNone() : NewTuple(state.Layout.ByteStrides));
            var data = PythonErrors.Check(PyTuple_New(2));
            try
            {
                _ = PyTuple_SetItem(data, 0, PythonErrors.Check(PyLong_FromUnsignedLongLong((ulong)state.Origin)));
                _ = PyTuple_SetItem(data, 1, NewBool(state.IsReadOnly));
            }
            catch
            {
                Py_DecRef(data);
                throw;
            }
            SetItem(dict, "data"u8, data);
            SetItem(dict, "version"u8, PythonErrors.Check(PyLong_FromLongLong(3)));
            return dict;
        }
        catch
        {
            Py_DecRef(dict);
            throw;
        }
    }

    /// <summary>Sets <c>dict[key] = value</c> and drops <paramref name="value"/> (a new reference), even on failure.</summary>
    private static void SetItem(nint dict, ReadOnlySpan<byte> key, nint value)
    {
        Span<byte> keyZ = stackalloc byte[key.Length + 1];
        key.CopyTo(keyZ);
        keyZ[^1] = 0;
        int status;
        fixed (byte* k = keyZ)
            status = PyDict_SetItemString(dict, k, value);
        Py_DecRef(value);
        PythonErrors.CheckStatus(status);
    }

    private static nint NewDescr(IReadOnlyList<DescrEntry> descr)
    {
        var list = PythonErrors.Check(PyList_New(0));
        try
        {
            foreach (var entry in descr)
            {
                var hasShape = entry.Shape.Count > 0;
                var tuple = PythonErrors.Check(PyTuple_New(hasShape ? 3 : 2));
                try
                {
                    _ = PyTuple_SetItem(tuple, 0, PythonConvert.FromString(entry.Name));
                    _ = PyTuple_SetItem(tuple, 1, entry.Fields is { } fields ? NewDescr(fields) : PythonConvert.FromString(entry.Typestr!));
                    if (hasShape)
                        _ = PyTuple_SetItem(tuple, 2, NewTuple(entry.Shape.ToArray()));
                    PythonErrors.CheckStatus(PyList_Append(list, tuple));
                }
                finally
                {
                    Py_DecRef(tuple);
                }
            }
            return list;
        }
        catch
        {
            Py_DecRef(list);
            throw;
        }
    }

    private static nint NewTuple(ReadOnlySpan<nint> values)
    {
        var tuple = PythonErrors.Check(PyTuple_New(values.Length));
        for (var i = 0; i < values.Length; i++)
        {
            var item = PyLong_FromLongLong(values[i]);
            if (item == 0)
            {
                Py_DecRef(tuple);
                throw PythonErrors.FetchPending();
            }
            _ = PyTuple_SetItem(tuple, i, item); // steals item
        }
        return tuple;
    }

    private static nint NewBool(bool value)
    {
        var result = value ? Py_True : Py_False;
        Py_IncRef(result);
        return result;
    }

    private static nint NewNone()
    {
        Py_IncRef(Py_None);
        return Py_None;
    }

    [UnmanagedCallersOnly]
    private static nint Repr(nint self)
    {
        try
        {
            var state = StateOf(self);
            if (state is null)
                return PythonConvert.FromString($"<{Name} (not initialised)>");
            var layout = state.Layout;
            var text = new StringBuilder(Name).Append("(shape=").Append(StridedLayout.FormatTuple(layout.Shape))
                .Append(", strides=").Append(StridedLayout.FormatTuple(layout.ByteStrides));
            if (layout.HasSuboffsets)
                text.Append(", suboffsets=").Append(StridedLayout.FormatTuple(layout.Suboffsets));
            text.Append(", format='").Append(state.Format.ToString()).Append("', itemsize=")
                .Append(layout.ItemSize.ToString(CultureInfo.InvariantCulture))
                .Append(", readonly=").Append(state.IsReadOnly ? "True" : "False")
                .Append(", data=0x").Append(((nint)state.Origin).ToString("x", CultureInfo.InvariantCulture)).Append(')');
            return PythonConvert.FromString(text.ToString());
        }
        catch (Exception exception)
        {
            PythonErrors.SetFromManaged(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint SizeOf(nint self, nint unused)
    {
        try
        {
            var state = StateOf(self);
            var byteSize = InstanceByteSize + (state?.NativeByteLength ?? 0);
            return PythonErrors.Check(PyLong_FromLongLong(byteSize));
        }
        catch (Exception exception)
        {
            PythonErrors.SetFromManaged(exception);
            return 0;
        }
    }
}
