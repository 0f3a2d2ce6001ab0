using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>The heap type of a <see cref="TypeBinding"/> and its slots (every slot finds the binding through its instance).</summary>
/// <remarks>
/// Instances hold one pointer-sized slot after the object header: a <see cref="GCHandle"/> of their
/// <see cref="InstanceRecord"/> (0 until <c>__init__</c>). The type is not subclassable and not GC-tracked (an instance
/// holds no Python reference). Names, slot, method and getset tables live in native memory that is never freed: the
/// type lives for the process.
/// </remarks>
internal sealed unsafe partial class TypeBinding
{
    private static delegate* unmanaged[SuppressGCTransition]<nint, void> s_free;

    /// <summary>Makes the heap type and sets its methods (new reference; the binding keeps one more for the process). Needs the GIL.</summary>
    internal nint CreatePythonType(nint moduleName)
    {
        var doc = DocString();
        var slots = new List<PyType_Slot>
        {
            new() { slot = Py_tp_dealloc, pfunc = (delegate* unmanaged<nint, void>)&Dealloc },
            new() { slot = Py_tp_doc, pfunc = Utf8Z.Permanent(doc) },
        };
        if (Constructors is not null)
        {
            slots.Add(new() { slot = Py_tp_new, pfunc = PyType_GenericNew });
            slots.Add(new() { slot = Py_tp_init, pfunc = (delegate* unmanaged<nint, nint, nint, int>)&Init });
        }
        if (HasRepr)
            slots.Add(new() { slot = Py_tp_repr, pfunc = (delegate* unmanaged<nint, nint>)&Repr });
        if (HasValueEquality)
        {
            slots.Add(new() { slot = Py_tp_richcompare, pfunc = (delegate* unmanaged<nint, nint, int, nint>)&RichCompare });
            slots.Add(new() { slot = Py_tp_hash, pfunc = (delegate* unmanaged<nint, nint>)&Hash });
        }
        if (IndexGetters is not null)
            slots.Add(new() { slot = Py_mp_subscript, pfunc = (delegate* unmanaged<nint, nint, nint>)&GetItem });
        if (IndexSetters is not null)
            slots.Add(new() { slot = Py_mp_ass_subscript, pfunc = (delegate* unmanaged<nint, nint, nint, int>)&SetItem });
        if (IsBufferSource)
        {
            slots.Add(new() { slot = Py_bf_getbuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, int, int>)&GetBuffer });
            slots.Add(new() { slot = Py_bf_releasebuffer, pfunc = (delegate* unmanaged<nint, Py_buffer*, void>)&ReleaseBuffer });
        }
        var methods = SpecialMethods();
        if (methods.Count > 0)
            slots.Add(new() { slot = Py_tp_methods, pfunc = BufferExportType.MethodTable(CollectionsMarshal.AsSpan(methods)) });
        slots.Add(new() { slot = Py_tp_getset, pfunc = GetSetTable() });

        var slotTable = (PyType_Slot*)NativeMemory.AllocZeroed((nuint)((slots.Count + 1) * sizeof(PyType_Slot)));
        for (var i = 0; i < slots.Count; i++)
            slotTable[i] = slots[i]; // slots.Count entries and a zeroed sentinel
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent(QualifiedName);
        spec->basicsize = checked((int)(BufferExportType.BasicSize("builtins", "object") + sizeof(nint)));
        spec->flags = Py_TPFLAGS_DEFAULT | (Constructors is null ? Py_TPFLAGS_DISALLOW_INSTANTIATION : 0);
        spec->slots = slotTable;
        var type = PythonErrors.Check(PyType_FromSpec(spec));
        try
        {
            foreach (var group in Methods)
                SetAttribute(type, group.PythonName, MethodObjectType.Create(group));
            foreach (var function in StaticMethods)
                SetAttribute(type, function.PythonName, FunctionDispatch.CreateFunction(function, moduleName)); // not a descriptor: no self
        }
        catch
        {
            Py_DecRef(type);
            throw;
        }
        if (s_free == null)
            s_free = (delegate* unmanaged[SuppressGCTransition]<nint, void>)PyType_GetSlot(type, Py_tp_free);
        PythonType = type;
        PythonInstances.Register(this);
        Py_IncRef(type); // the registry's: instances made for results need the type while the process lives
        return type;
    }

    private List<BufferExportType.MethodEntry> SpecialMethods()
    {
        var methods = new List<BufferExportType.MethodEntry>();
        if (IsDisposable)
        {
            methods.Add(new("close", (delegate* unmanaged<nint, nint, nint>)&Close, METH_NOARGS,
                $"close($self, /)\n--\n\nDisposes the .NET {Type.Name} (IDisposable.Dispose); afterwards its members raise ValueError. Closing twice does nothing."));
            methods.Add(new("__enter__", (delegate* unmanaged<nint, nint, nint>)&Enter, METH_NOARGS, "__enter__($self, /)\n--\n\nReturns self."));
            methods.Add(new("__exit__", (delegate* unmanaged<nint, nint, nint>)&Exit, METH_VARARGS, "__exit__($self, *args)\n--\n\nCloses the object; exceptions propagate."));
        }
        if (IsBufferSource)
        {
            methods.Add(new("__dlpack__", (delegate* unmanaged<nint, nint, nint, nint>)&DLPack, METH_VARARGS | METH_KEYWORDS,
                "__dlpack__($self, /, *, stream=None, max_version=None, dl_device=None, copy=None)\n--\n\nA DLPack capsule of the object's memory (no copy); the memory is counted as exported until the consumer releases it."));
            methods.Add(new("__dlpack_device__", (delegate* unmanaged<nint, nint, nint>)&DLPackDevice, METH_NOARGS,
                "__dlpack_device__($self, /)\n--\n\n(kDLCPU, 0): the memory is host memory."));
        }
        return methods;
    }

    private PyGetSetDef* GetSetTable()
    {
        var count = Properties.Length + (IsBufferSource ? 1 : 0);
        var defs = (PyGetSetDef*)NativeMemory.AllocZeroed((nuint)((count + 1) * sizeof(PyGetSetDef)));
        for (var i = 0; i < Properties.Length; i++)
        {
            // count entries and a zeroed sentinel; the closure is a handle the type keeps for the process
            var property = Properties[i];
            defs[i].name = Utf8Z.Permanent(property.PythonName);
            defs[i].get = property.Getter is null ? null : (delegate* unmanaged<nint, void*, nint>)&GetProperty;
            defs[i].set = property.Setter is null ? null : (delegate* unmanaged<nint, nint, void*, int>)&SetProperty;
            defs[i].doc = Utf8Z.Permanent(property.DocString());
            defs[i].closure = (void*)GCHandle.ToIntPtr(GCHandle.Alloc(property));
        }
        if (IsBufferSource)
        {
            defs[Properties.Length].name = Utf8Z.Permanent("__array_interface__");
            defs[Properties.Length].get = (delegate* unmanaged<nint, void*, nint>)&ArrayInterface;
            defs[Properties.Length].doc = Utf8Z.Permanent("NumPy's array interface (version 3) of the object's memory; the memory stays exported until the object dies.");
        }
        return defs;
    }

    // Steals value.
    private static void SetAttribute(nint target, string name, nint value)
    {
        try
        {
            fixed (byte* attribute = Utf8Z.Encode(name, nameof(name)))
                PythonErrors.CheckStatus(PyObject_SetAttrString(target, attribute, value));
        }
        finally
        {
            Py_DecRef(value);
        }
    }

    private static TypeBinding BindingOfInstance(nint self) =>
        PythonInstances.BindingOf(self) ?? throw new InvalidOperationException("an NdBridge slot was called on an object of another type");

    [UnmanagedCallersOnly]
    private static int Init(nint self, nint args, nint kwargs)
    {
        try
        {
            var binding = BindingOfInstance(self);
            if (PythonInstances.RecordOf(self) is not null)
                throw ArgumentConversionException.BadCall($"this {binding.QualifiedName} is already initialised: __init__ runs once (create another with {binding.QualifiedName}(...))");
            PythonRuntime.DrainQueuedReleases();
            var positionalCount = PyTuple_Size(args);
            var keywords = new List<(nint Name, nint Value)>();
            if (kwargs != 0)
            {
                nint position = 0, key, value;
                while (PyDict_Next(kwargs, &position, &key, &value) != 0)
                    keywords.Add((key, value));
            }
            var stack = new nint[positionalCount + keywords.Count];
            for (nint i = 0; i < positionalCount; i++)
                stack[i] = PyTuple_GetItem(args, i); // borrowed: args lives for the call
            nint keywordNames = 0;
            if (keywords.Count > 0)
            {
                keywordNames = PythonErrors.Check(PyTuple_New(keywords.Count));
                for (var k = 0; k < keywords.Count; k++)
                {
                    stack[positionalCount + k] = keywords[k].Value;
                    Py_IncRef(keywords[k].Name);
                    _ = PyTuple_SetItem(keywordNames, k, keywords[k].Name); // steals
                }
            }
            nint handle;
            try
            {
                fixed (nint* arguments = stack)
                    handle = binding.Constructors!.Call(null, arguments, positionalCount, keywordNames);
            }
            finally
            {
                Py_DecRef(keywordNames);
            }
            *PythonInstances.Slot(self) = handle;
            PythonInstances.Adopt((InstanceRecord)GCHandle.FromIntPtr(handle).Target!, self);
            return 0;
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static void Dealloc(nint self)
    {
        var type = PyObject_Type(self); // a new reference, dropped below with the instance's own
        var slot = PythonInstances.Slot(self);
        var handle = *slot;
        *slot = 0;
        if (handle != 0)
        {
            try
            {
                var record = (InstanceRecord)GCHandle.FromIntPtr(handle).Target!;
                PythonInstances.Forget(record);
                ReleaseInterfaceExports(record);
            }
            catch (Exception exception)
            {
                BufferExportType.ReportUnraisable(exception, type); // the refcount is zero: never resurrect self
            }
            InstanceRecord.FreeHandle(handle);
        }
        s_free(self);
        Py_DecRef(type);
        Py_DecRef(type); // instances of heap types hold a reference to their type; the registry keeps it above zero
    }

    [UnmanagedCallersOnly]
    private static nint Repr(nint self)
    {
        try
        {
            var binding = BindingOfInstance(self);
            var record = PythonInstances.RecordOf(self);
            if (record is null || record.IsClosed)
                return PythonConvert.FromString($"<{binding.QualifiedName} ({(record is null ? "not initialised" : "closed")})>");
            return PythonConvert.FromString(record.Target.ToString() ?? "");
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint RichCompare(nint self, nint other, int op)
    {
        try
        {
            var binding = BindingOfInstance(self);
            var otherRecord = PythonInstances.BindingOf(other) is null ? null : PythonInstances.RecordOf(other);
            if ((op != Py_EQ && op != Py_NE) || otherRecord is null)
            {
                Py_IncRef(Py_NotImplemented);
                return Py_NotImplemented;
            }
            var record = PythonInstances.Use(self, binding);
            var equal = record.Target.Equals(otherRecord.Target);
            return ResultConverters.FromBoolean(op == Py_EQ ? equal : !equal);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Hash(nint self)
    {
        try
        {
            var hash = (nint)PythonInstances.Use(self, BindingOfInstance(self)).Target.GetHashCode();
            return hash == -1 ? -2 : hash; // -1 means an error to CPython
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static nint GetItem(nint self, nint key)
    {
        try
        {
            var binding = BindingOfInstance(self);
            var record = PythonInstances.Use(self, binding);
            return CallIndexer(binding.IndexGetters!, record, key, 0);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static int SetItem(nint self, nint key, nint value)
    {
        try
        {
            var binding = BindingOfInstance(self);
            if (value == 0)
                throw new NotSupportedException($"{binding.QualifiedName} does not support item deletion (its indexer has no del)");
            var record = PythonInstances.Use(self, binding);
            Py_DecRef(CallIndexer(binding.IndexSetters!, record, key, value)); // None
            return 0;
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return -1;
        }
    }

    // m[i, j] passes the tuple's items as the indexer's parameters (a tuple key for a one-parameter indexer stays whole);
    // a setter's value comes last.
    private static nint CallIndexer(MethodGroup group, InstanceRecord record, nint key, nint value)
    {
        var valueCount = value == 0 ? 0 : 1;
        var unpack = PyTuple_Check(key)
            && group.Overloads.Any(o => o.Parameters.Length - valueCount > 1);
        var keyCount = unpack ? PyTuple_Size(key) : 1;
        var arguments = stackalloc nint[(int)keyCount + 1];
        for (nint i = 0; i < keyCount; i++)
            arguments[i] = unpack ? PyTuple_GetItem(key, i) : key; // borrowed: the key lives for the call
        var count = keyCount;
        if (value != 0)
            arguments[count++] = value;
        return group.Call(record.Target, arguments, count, 0);
    }

    [UnmanagedCallersOnly]
    private static nint GetProperty(nint self, void* closure)
    {
        try
        {
            var property = (PropertyBinding)GCHandle.FromIntPtr((nint)closure).Target!;
            var record = PythonInstances.Use(self, property.Owner); // the getset descriptor checked self's type
            return property.Getter!(record.Target);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static int SetProperty(nint self, nint value, void* closure)
    {
        try
        {
            var property = (PropertyBinding)GCHandle.FromIntPtr((nint)closure).Target!;
            if (value == 0)
                throw new NotSupportedException($"{property.QualifiedName} cannot be deleted (it is a .NET property)");
            var record = PythonInstances.Use(self, property.Owner);
            property.Setter!(record.Target, value);
            return 0;
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Close(nint self, nint unused)
    {
        try
        {
            CloseInstance(self);
            return ResultConverters.None();
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Enter(nint self, nint unused)
    {
        try
        {
            _ = PythonInstances.Use(self, BindingOfInstance(self));
            Py_IncRef(self);
            return self;
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Exit(nint self, nint args)
    {
        try
        {
            CloseInstance(self);
            return ResultConverters.FromBoolean(false); // never swallows the with block's exception
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    private static void CloseInstance(nint self)
    {
        var record = PythonInstances.RecordOf(self);
        if (record is null || record.IsClosed)
            return;
        ((IDisposable)record.Target).Dispose();
        record.IsClosed = true;
    }
}
