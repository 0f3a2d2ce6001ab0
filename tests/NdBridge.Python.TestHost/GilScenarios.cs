using System.Runtime.InteropServices;

namespace NdBridge.Python.TestHost;

/// <summary>C code that releases the GIL inside a scope and calls back into .NET (what ctypes foreign calls do).</summary>
internal static unsafe class GilScenarios
{
    public static void ReleasedByCInsideScope()
    {
        var runtime = PythonRuntime.Initialize();
        using var ns = runtime.NewNamespace();
        using (var address = runtime.ToPython((long)(delegate* unmanaged<long>)&Callback))
            ns.SetItem("callback_address", address);
        // CFUNCTYPE (not PYFUNCTYPE) releases the GIL around the call: the callback runs on this thread, inside the
        // scope Exec holds, without the GIL. Without the GIL taken back, the callback's Python calls would crash.
        runtime.Exec("import ctypes\nresult = ctypes.CFUNCTYPE(ctypes.c_long)(callback_address)()", ns);
        Console.WriteLine($"callback.result={runtime.Eval<long>("result", ns)}");
        Console.WriteLine($"callback.inside.scope={s_insideScope}");
    }

    private static bool s_insideScope;

    [UnmanagedCallersOnly]
    private static long Callback()
    {
        try
        {
            s_insideScope = PythonGil.IsHeldByCurrentThread; // the outer scope (Exec's) is still open on this thread
            using var gil = PythonGil.Acquire();
            using var ns = PythonRuntime.Current!.NewNamespace();
            PythonRuntime.Current.Exec("import sys\nvalue = sum(range(10)) + len(sys.modules) * 0", ns);
            return PythonRuntime.Current.Eval<long>("value", ns);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return -1;
        }
    }
}
