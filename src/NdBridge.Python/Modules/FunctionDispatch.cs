using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// The one C entry point of every hosted function (<c>METH_FASTCALL | METH_KEYWORDS</c>): finds the function's
/// <see cref="FunctionBinding"/> from its <c>self</c> capsule, places positional and keyword arguments in a frame on the
/// stack, and runs the compiled invoker. No managed exception crosses into C: each becomes a Python exception.
/// </summary>
internal static unsafe class FunctionDispatch
{
    internal static readonly byte* CapsuleName = Utf8Z.Permanent("ndbridge.function_binding");

    /// <summary>A Python function object for <paramref name="binding"/> (new reference); its capsule keeps the binding alive.</summary>
    internal static nint CreateFunction(FunctionBinding binding, nint moduleName)
    {
        var def = binding.CreateMethodDef();
        var handle = GCHandle.Alloc(binding);
        var capsule = CPython.PyCapsule_New((void*)GCHandle.ToIntPtr(handle), CapsuleName, &DestroyCapsule);
        if (capsule == 0)
        {
            handle.Free();
            throw PythonErrors.FetchPending();
        }
        var function = CPython.PyCFunction_NewEx(def, capsule, moduleName);
        CPython.Py_DecRef(capsule); // the function holds its own reference to self
        return PythonErrors.Check(function);
    }

    [UnmanagedCallersOnly]
    internal static nint Call(nint self, nint* args, nint positionalCount, nint keywordNames)
    {
        FunctionBinding? binding = null;
        try
        {
            if (CPython.Py_IsInitialized() == 0)
                return RefuseDuringShutdown();
            binding = (FunctionBinding)GCHandle.FromIntPtr((nint)CPython.PyCapsule_GetPointer(self, CapsuleName)).Target!;
            PythonRuntime.DrainQueuedReleases();
            return Invoke(binding, null, args, positionalCount, keywordNames);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    /// <summary>Places the vectorcall arguments in a frame and runs the binding's invoker on <paramref name="target"/>. Needs the GIL.</summary>
    internal static nint Invoke(FunctionBinding binding, object? target, nint* args, nint positionalCount, nint keywordNames)
    {
        var parameters = binding.Parameters;
        var frame = stackalloc nint[parameters.Length == 0 ? 1 : parameters.Length];
        if (positionalCount != parameters.Length || keywordNames != 0)
            Place(binding, args, positionalCount, keywordNames, frame);
        else
        {
            for (var i = 0; i < parameters.Length; i++)
                frame[i] = args[i];
        }
        return binding.Invoker(target, (nint)frame);
    }

    // Slow path: fewer positional arguments than parameters, or keywords. Every slot ends non-zero or at a default.
    private static void Place(FunctionBinding binding, nint* args, nint positionalCount, nint keywordNames, nint* frame)
    {
        var parameters = binding.Parameters;
        if (positionalCount > parameters.Length)
            throw ArgumentConversionException.BadCall(
                $"{binding.QualifiedName}() takes {Count(parameters.Length)} but {positionalCount} were given");
        new Span<nint>(frame, parameters.Length).Clear();
        for (var i = 0; i < positionalCount; i++)
            frame[i] = args[i];
        var keywordCount = keywordNames == 0 ? 0 : CPython.PyTuple_Size(keywordNames);
        for (nint k = 0; k < keywordCount; k++)
        {
            var name = CPython.PyTuple_GetItem(keywordNames, k); // borrowed; a tuple of str by the vectorcall protocol
            var index = Find(parameters, name);
            if (index < 0)
                throw ArgumentConversionException.BadCall(
                    $"{binding.QualifiedName}() got an unexpected keyword argument '{PythonConvert.ToStringExact(name)}' (parameters: {string.Join(", ", parameters.Select(p => p.PythonName))})");
            if (frame[index] != 0)
                throw ArgumentConversionException.BadCall(
                    $"{binding.QualifiedName}() got multiple values for argument '{parameters[index].PythonName}'");
            frame[index] = args[positionalCount + k];
        }
        foreach (var p in parameters)
        {
            if (frame[p.Position] == 0 && !p.HasDefault)
                throw ArgumentConversionException.BadCall(
                    $"{binding.QualifiedName}() missing required argument '{p.PythonName}' (position {p.Position + 1})");
        }
    }

    private static string Count(int n) => n == 1 ? "1 positional argument" : $"{n} positional arguments";

    private static int Find(ParameterBinding[] parameters, nint name)
    {
        foreach (var p in parameters)
        {
            if (p.InternedName == name)
                return p.Position;
        }
        var text = PythonConvert.ToStringExact(name); // a keyword str that was not interned (built at run time)
        foreach (var p in parameters)
        {
            if (p.PythonName == text)
                return p.Position;
        }
        return -1;
    }

    private static nint RefuseDuringShutdown()
    {
        fixed (byte* message = "a .NET function was called while the Python interpreter is shutting down; NdBridge refuses calls from then on\0"u8)
            CPython.PyErr_SetString(CPython.PyExc_RuntimeError, message);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static void DestroyCapsule(nint capsule)
    {
        var pointer = CPython.PyCapsule_GetPointer(capsule, CapsuleName);
        if (pointer == null)
        {
            CPython.PyErr_WriteUnraisable(capsule);
            return;
        }
        GCHandle.FromIntPtr((nint)pointer).Free();
    }
}
