using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace NdBridge.Python;

/// <summary>
/// The entry points the <c>ndbridge</c> Python package calls through hostfxr's <c>get_function_pointer</c> once .NET runs
/// inside a Python process. <see cref="Attach"/> is called without the GIL (ctypes <c>CFUNCTYPE</c>), the others with it
/// (<c>PYFUNCTYPE</c>: a NULL result raises the Python exception they set).
/// </summary>
internal static unsafe class HostEntry
{
    /// <summary>Binds NdBridge to the interpreter running this process. 0 on success; otherwise -1 and a UTF-8 message in <paramref name="message"/>.</summary>
    [UnmanagedCallersOnly]
    internal static int Attach(byte* message, int capacity)
    {
        try
        {
            _ = PythonRuntime.AttachToProcess();
            return 0;
        }
        catch (Exception exception)
        {
            var text = System.Text.Encoding.UTF8.GetBytes($"{exception.GetType().FullName}: {exception.Message}");
            var length = Math.Min(text.Length, capacity - 1);
            if (length >= 0)
            {
                text.AsSpan(0, length).CopyTo(new Span<byte>(message, capacity)); // capacity bytes are the caller's
                message[length] = 0;
            }
            return -1;
        }
    }

    /// <summary>The tuple of Python modules of the assembly at the UTF-8 <paramref name="path"/> (new reference), or NULL with a Python exception set.</summary>
    [UnmanagedCallersOnly]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Python hosting reads user assemblies loaded at run time; it is never trimmed.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Python hosting runs on the JIT (hostfxr), never Native AOT.")]
    internal static nint LoadModules(byte* path)
    {
        try
        {
            return ModuleLoader.Load(Marshal.PtrToStringUTF8((nint)path) ?? "");
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    /// <summary>
    /// The binding model of the assembly at the UTF-8 <paramref name="path"/>, which <see cref="LoadModules"/> loaded, as a
    /// dict (<see cref="BindingDescriber"/>; new reference), or NULL with a Python exception set.
    /// </summary>
    [UnmanagedCallersOnly]
    internal static nint Describe(byte* path)
    {
        try
        {
            var text = Marshal.PtrToStringUTF8((nint)path) ?? "";
            return PythonConvert.ToPythonNew(BindingDescriber.Describe(text, ModuleLoader.BindingsOf(text)), "description");
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    /// <summary>NdBridge's counters as a dict (new reference), read in the one NdBridge of the process.</summary>
    [UnmanagedCallersOnly]
    internal static nint Diagnostics()
    {
        try
        {
            var runtime = PythonRuntime.Current;
            var counters = new Dictionary<string, object?>
            {
                ["live_owners"] = MemoryDiagnostics.LiveOwnerCount,
                ["live_holders"] = MemoryDiagnostics.LiveHolderCount,
                ["live_pins"] = MemoryDiagnostics.LivePinCount,
                ["live_native_allocations"] = MemoryDiagnostics.LiveNativeAllocationCount,
                ["live_exports"] = MemoryDiagnostics.LiveExportCount,
                ["live_python_references"] = PythonRuntime.LiveObjectCount,
                ["pending_releases"] = PythonRuntime.PendingReleaseCount,
                ["live_instances"] = InstanceRecord.LiveCount,
                ["mapped_instances"] = PythonInstances.MappedCount,
                ["live_callbacks"] = PythonCallback.LiveCount,
                ["ndbridge_assembly"] = typeof(NdBuffer).Assembly.Location,
                ["load_context"] = AssemblyLoadContext.GetLoadContext(typeof(NdBuffer).Assembly)?.Name,
                ["python_library"] = runtime.Installation.LibraryPath,
                ["dotnet_version"] = Environment.Version.ToString(),
            };
            return PythonConvert.ToPythonNew(counters, "counters");
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    /// <summary>Collects .NET garbage, runs finalizers, and performs the Python releases they queued; returns None.</summary>
    [UnmanagedCallersOnly]
    internal static nint Collect()
    {
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers(); // finalizers never take the GIL: they only queue
            GC.Collect();
            _ = PythonRuntime.Current.DrainReleaseQueue();
            return ResultConverters.None();
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }
}
