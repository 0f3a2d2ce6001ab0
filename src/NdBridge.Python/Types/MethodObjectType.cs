using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>
/// The Python type <c>ndbridge.method</c>: an instance method of a bound class (nanobind's <c>nb_func</c> as a method
/// descriptor). Called through vectorcall with the instance first (<c>Py_TPFLAGS_METHOD_DESCRIPTOR</c>: <c>m.f(x)</c>
/// binds nothing); <c>m.f</c> alone is a <c>types.MethodType</c>. <c>__doc__</c> and <c>__text_signature__</c> come from
/// the <see cref="MethodGroup"/> (<c>f($self, a, b=1.0)</c>), so <c>help()</c> and <c>inspect.signature</c> read them.
/// </summary>
/// <remarks>Instance layout after the object header: the vectorcall function, then a <see cref="GCHandle"/> of the group.</remarks>
internal static unsafe class MethodObjectType
{
    private static nint s_type;
    private static nint s_headerByteSize;
    private static nint s_methodType; // types.MethodType

    /// <summary>A method object calling <paramref name="group"/> (new reference). Needs the GIL.</summary>
    internal static nint Create(MethodGroup group)
    {
        var type = s_type != 0 ? s_type : CreateType();
        var self = PythonErrors.Check(PyType_GenericAlloc(type, 0));
        var fields = (nint*)((byte*)self + s_headerByteSize); // basicsize covers the header and both fields
        fields[0] = (nint)(delegate* unmanaged<nint, nint*, nint, nint, nint>)&Vectorcall;
        fields[1] = GCHandle.ToIntPtr(GCHandle.Alloc(group));
        return self;
    }

    private static MethodGroup GroupOf(nint self) => (MethodGroup)GCHandle.FromIntPtr(((nint*)((byte*)self + s_headerByteSize))[1]).Target!;

    private static nint CreateType()
    {
        s_headerByteSize = BufferExportType.BasicSize("builtins", "object");
        var members = (PyMemberDef*)NativeMemory.AllocZeroed((nuint)(2 * sizeof(PyMemberDef)));
        members[0].name = Utf8Z.Permanent("__vectorcalloffset__"); // how PyType_FromSpec learns tp_vectorcall_offset
        members[0].type = Py_T_PYSSIZET;
        members[0].offset = s_headerByteSize;
        members[0].flags = Py_READONLY;
        string[] names = ["__doc__", "__text_signature__", "__name__", "__qualname__"];
        var getSets = (PyGetSetDef*)NativeMemory.AllocZeroed((nuint)((names.Length + 1) * sizeof(PyGetSetDef)));
        for (var i = 0; i < names.Length; i++)
        {
            getSets[i].name = Utf8Z.Permanent(names[i]); // names.Length entries and a zeroed sentinel
            getSets[i].get = (delegate* unmanaged<nint, void*, nint>)&Get;
            getSets[i].closure = (void*)(nint)i;
        }
        var slots = (PyType_Slot*)NativeMemory.AllocZeroed((nuint)(7 * sizeof(PyType_Slot)));
        // Six slots and a zeroed sentinel. No Py_tp_doc: PyType_FromSpec would put the type's doc over the __doc__ getset.
        slots[0] = new PyType_Slot { slot = Py_tp_call, pfunc = PyVectorcall_Call };
        slots[1] = new PyType_Slot { slot = Py_tp_descr_get, pfunc = (delegate* unmanaged<nint, nint, nint, nint>)&DescriptorGet };
        slots[2] = new PyType_Slot { slot = Py_tp_dealloc, pfunc = (delegate* unmanaged<nint, void>)&Dealloc };
        slots[3] = new PyType_Slot { slot = Py_tp_members, pfunc = members };
        slots[4] = new PyType_Slot { slot = Py_tp_getset, pfunc = getSets };
        slots[5] = new PyType_Slot { slot = Py_tp_repr, pfunc = (delegate* unmanaged<nint, nint>)&Repr };
        var spec = (PyType_Spec*)NativeMemory.AllocZeroed((nuint)sizeof(PyType_Spec));
        spec->name = Utf8Z.Permanent("ndbridge.method");
        spec->basicsize = checked((int)(s_headerByteSize + 2 * sizeof(nint)));
        spec->flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_METHOD_DESCRIPTOR | Py_TPFLAGS_DISALLOW_INSTANTIATION;
        spec->slots = slots;
        var type = PythonErrors.Check(PyType_FromSpec(spec));
        nint types = 0;
        try
        {
            types = PythonErrors.Check(PyImport_ImportModule(Utf8Z.Permanent("types")));
            s_methodType = PythonErrors.Check(PyObject_GetAttrString(types, Utf8Z.Permanent("MethodType"))); // held for the process
        }
        catch
        {
            Py_DecRef(type);
            throw;
        }
        finally
        {
            Py_DecRef(types);
        }
        s_type = type; // lives for the process, as its methods do
        return type;
    }

    [UnmanagedCallersOnly]
    private static nint Vectorcall(nint callable, nint* args, nint argumentCountAndFlag, nint keywordNames)
    {
        try
        {
            var group = GroupOf(callable);
            var count = argumentCountAndFlag & ~PY_VECTORCALL_ARGUMENTS_OFFSET;
            if (count == 0)
                throw ArgumentConversionException.BadCall($"{group.QualifiedName}() needs its {group.Owner.QualifiedName} instance (self) as the first argument");
            var self = args[0];
            var owner = group.Owner;
            if (PythonInstances.TypeOf(self) != owner.PythonType)
                throw ArgumentConversionException.BadCall($"{group.QualifiedName}() applies to {owner.QualifiedName} objects, not to a {PythonTypeNames.Of(self)}");
            var record = PythonInstances.RecordOf(self);
            if (record is null || record.IsClosed)
                record = PythonInstances.Use(self, owner); // throws: not initialised, or closed
            PythonRuntime.DrainQueuedReleases();
            if (group.Single is { } single)
                return FunctionDispatch.Invoke(single, record.Target, args + 1, count - 1, keywordNames);
            return group.Call(record.Target, args + 1, count - 1, keywordNames);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint DescriptorGet(nint self, nint instance, nint owner)
    {
        try
        {
            if (instance == 0 || instance == Py_None)
            {
                Py_IncRef(self); // looked up on the class: the function itself
                return self;
            }
            var args = PythonErrors.Check(PyTuple_New(2));
            Py_IncRef(self);
            _ = PyTuple_SetItem(args, 0, self); // steals
            Py_IncRef(instance);
            _ = PyTuple_SetItem(args, 1, instance);
            var bound = PyObject_Call(s_methodType, args, 0);
            Py_DecRef(args);
            return bound;
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Get(nint self, void* closure)
    {
        try
        {
            var group = GroupOf(self);
            var doc = group.DocString();
            var split = doc.IndexOf("\n--\n\n", StringComparison.Ordinal);
            switch ((int)(nint)closure)
            {
                case 0:
                    return PythonConvert.FromString(split < 0 ? doc : doc[(split + 5)..]);
                case 1:
                    // "name($self, a)" → "($self, a)", what CPython's builtins report
                    return split < 0 ? ResultConverters.None() : PythonConvert.FromString(doc[doc.IndexOf('(')..split]);
                case 2:
                    return PythonConvert.FromString(group.PythonName);
                default:
                    return PythonConvert.FromString(group.Owner.PythonName + "." + group.PythonName);
            }
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint Repr(nint self)
    {
        try
        {
            var group = GroupOf(self);
            return PythonConvert.FromString($"<method '{group.PythonName}' of '{group.Owner.QualifiedName}' objects>");
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void Dealloc(nint self)
    {
        var fields = (nint*)((byte*)self + s_headerByteSize);
        if (fields[1] != 0)
            GCHandle.FromIntPtr(fields[1]).Free();
        fields[1] = 0;
        var type = s_type;
        ((delegate* unmanaged<nint, void>)PyType_GetSlot(type, Py_tp_free))(self);
        Py_DecRef(type);
    }
}
