using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// Python callables backed by .NET delegates: a <c>PyCFunction</c> whose <c>self</c> is a capsule holding a
/// <see cref="GCHandle"/> to the delegate; the capsule's destructor frees the handle.
/// </summary>
internal static unsafe class ManagedFunction
{
    private static readonly byte* s_capsuleName = Utf8Z.Permanent("ndbridge.function");

    // One PyMethodDef per distinct name, in native memory never freed: functions point at it for their lifetime.
    private static readonly ConcurrentDictionary<string, nint> s_methodDefs = new(StringComparer.Ordinal);

    internal static nint Create(string name, Func<PythonObject, object?> body)
    {
        var methodDef = s_methodDefs.GetOrAdd(name, static n =>
        {
            var def = (CPython.PyMethodDef*)NativeMemory.AllocZeroed((nuint)sizeof(CPython.PyMethodDef));
            def->ml_name = Utf8Z.Permanent(n);
            def->ml_meth = (delegate* unmanaged<nint, nint, nint>)&Invoke;
            def->ml_flags = CPython.METH_VARARGS;
            return (nint)def;
        });
        var handle = GCHandle.Alloc(body);
        var capsule = CPython.PyCapsule_New((void*)GCHandle.ToIntPtr(handle), s_capsuleName, &DestroyCapsule);
        if (capsule == 0)
        {
            handle.Free();
            throw PythonErrors.FetchPending();
        }
        var function = CPython.PyCFunction_NewEx((CPython.PyMethodDef*)methodDef, capsule, 0);
        CPython.Py_DecRef(capsule); // the function holds its own reference to self
        return PythonErrors.Check(function);
    }

    [UnmanagedCallersOnly]
    private static nint Invoke(nint self, nint args)
    {
        try
        {
            var pointer = CPython.PyCapsule_GetPointer(self, s_capsuleName);
            if (pointer == null)
                return 0; // Python's error is set
            var body = (Func<PythonObject, object?>)GCHandle.FromIntPtr((nint)pointer).Target!;
            using var gil = PythonGil.Acquire(); // the caller holds the GIL; this records it for NdBridge
            using var arguments = PythonObject.FromBorrowedReference(args);
            return PythonConvert.ToPythonNew(body(arguments), "result");
        }
        catch (Exception exception)
        {
            // The callback boundary: no managed exception may unwind into C.
            PythonErrors.SetFromManaged(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void DestroyCapsule(nint capsule)
    {
        var pointer = CPython.PyCapsule_GetPointer(capsule, s_capsuleName);
        if (pointer == null)
        {
            CPython.PyErr_WriteUnraisable(capsule);
            return;
        }
        GCHandle.FromIntPtr((nint)pointer).Free();
    }
}
