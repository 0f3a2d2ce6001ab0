using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// The Python instances of <see cref="PythonClassAttribute">[PythonClass]</see> types: which heap type is which
/// <see cref="TypeBinding"/>, and the identity map (.NET object → its live Python instance) that makes an object handed
/// to Python twice the same Python object. The map holds no Python reference (the instance's <c>tp_dealloc</c> removes
/// its entry) and its .NET keys are the ones the instances keep alive anyway. Guarded by the GIL.
/// </summary>
internal static unsafe class PythonInstances
{
    private static readonly Dictionary<nint, TypeBinding> s_byPythonType = [];
    private static readonly Dictionary<Type, TypeBinding> s_byType = [];
    private static readonly Dictionary<object, nint> s_instances = new(ReferenceEqualityComparer.Instance);

    /// <summary>.NET objects that have a live Python instance.</summary>
    internal static int MappedCount => s_instances.Count;

    /// <summary>Object header bytes of every instance (<c>object.__basicsize__</c>): the record slot follows. Set when the first type is made.</summary>
    internal static nint HeaderByteSize { get; private set; }

    internal static void Register(TypeBinding binding)
    {
        if (HeaderByteSize == 0)
            HeaderByteSize = BufferExportType.BasicSize("builtins", "object");
        s_byPythonType[binding.PythonType] = binding;
        s_byType[binding.Type] = binding;
    }

    /// <summary>
    /// The type of <paramref name="o"/> (borrowed: <paramref name="o"/> holds it), read as <c>Py_TYPE(o)</c> reads it:
    /// <c>ob_type</c> is the last field of the object header in every build (default, debug, free-threaded), and the
    /// stable ABI fixes it. Before any type is registered, through <c>PyObject_Type</c>. Needs the GIL.
    /// </summary>
    internal static nint TypeOf(nint o)
    {
        if (HeaderByteSize == 0)
        {
            var plain = CPython.PyObject_Type(o);
            CPython.Py_DecRef(plain);
            return plain;
        }
        return *(nint*)((byte*)o + HeaderByteSize - sizeof(nint));
    }

    /// <summary>The binding of <paramref name="o"/>'s type, or null when it is not a bound type. Needs the GIL.</summary>
    internal static TypeBinding? BindingOf(nint o) => s_byPythonType.GetValueOrDefault(TypeOf(o));

    /// <summary>The record slot of an instance of a bound type: the <see cref="GCHandle"/>, 0 before <c>__init__</c>.</summary>
    internal static nint* Slot(nint self) => (nint*)((byte*)self + HeaderByteSize); // every bound type's basicsize covers header + slot

    /// <summary>The record of an instance of a bound type, or null before <c>__init__</c>.</summary>
    internal static InstanceRecord? RecordOf(nint self)
    {
        var handle = *Slot(self);
        return handle == 0 ? null : (InstanceRecord)GCHandle.FromIntPtr(handle).Target!;
    }

    /// <summary>The record of an initialised, open instance of <paramref name="binding"/>'s type.</summary>
    /// <exception cref="ObjectDisposedException">The instance was closed (Python: <c>ValueError</c>).</exception>
    /// <exception cref="ArgumentConversionException">Its <c>__init__</c> never ran (Python: <c>TypeError</c>).</exception>
    internal static InstanceRecord Use(nint self, TypeBinding binding)
    {
        var record = RecordOf(self) ?? throw ArgumentConversionException.BadCall(
            $"this {binding.QualifiedName} object is not initialised: its __init__ did not run (create instances by calling {binding.QualifiedName}(...))");
        if (record.IsClosed)
            ThrowClosed(binding);
        return record;
    }

    [DoesNotReturn]
    internal static void ThrowClosed(TypeBinding binding) =>
        throw new ObjectDisposedException(binding.QualifiedName,
            $"this {binding.QualifiedName} is closed (close() or the end of a with block disposed it): create a new {binding.PythonName}");

    /// <summary>Records a new instance in the identity map.</summary>
    internal static void Adopt(InstanceRecord record, nint self)
    {
        record.Self = self;
        s_instances[record.Target] = self;
    }

    /// <summary>Removes a dying instance from the identity map (unless another instance took the object's place).</summary>
    internal static void Forget(InstanceRecord record)
    {
        if (s_instances.TryGetValue(record.Target, out var self) && self == record.Self)
            s_instances.Remove(record.Target);
    }

    /// <summary>A result: the live Python instance of <paramref name="value"/>, or a new one (new reference). Needs the GIL.</summary>
    /// <exception cref="InvalidCastException">No bound type is <paramref name="value"/>'s class or a base of it.</exception>
    internal static nint ToPython(object? value)
    {
        if (value is null)
            return ResultConverters.None();
        if (s_instances.TryGetValue(value, out var known))
        {
            CPython.Py_IncRef(known);
            return known;
        }
        TypeBinding? binding = null;
        for (var type = value.GetType(); type is not null && binding is null; type = type.BaseType)
            binding = s_byType.GetValueOrDefault(type);
        if (binding is null)
            throw new InvalidCastException($"{value.GetType().FullName} has no Python type: mark it [PythonClass] in an assembly loaded by ndbridge.load().");
        var self = PythonErrors.Check(CPython.PyType_GenericAlloc(binding.PythonType, 0));
        var handle = InstanceRecord.NewHandle(value);
        *Slot(self) = handle; // self was allocated with basicsize: header + slot
        Adopt((InstanceRecord)GCHandle.FromIntPtr(handle).Target!, self);
        return self;
    }

    /// <summary>An argument: the .NET object of an open instance of a bound type that is a <typeparamref name="T"/>. Needs the GIL.</summary>
    internal static T ToInstance<T>(nint o, ParameterBinding parameter) where T : class
    {
        if (o == CPython.Py_None && parameter.HasDefault && parameter.DefaultValue is null)
            return null!;
        var binding = BindingOf(o);
        var record = binding is null ? null : RecordOf(o);
        if (record?.Target is not T target)
            throw ArgumentConversionException.WrongType(parameter, $"a {ExpectedName(typeof(T))}", o,
                record is null && binding is not null ? "the object is not initialised (its __init__ did not run)" : null);
        if (record.IsClosed)
            ThrowClosed(binding!);
        return target;
    }

    private static string ExpectedName(Type type) => s_byType.TryGetValue(type, out var binding) ? binding.QualifiedName : type.Name;
}
