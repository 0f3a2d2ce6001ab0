using System.Runtime.CompilerServices;

namespace NdBridge.Python.TestHost;

/// <summary>Imported buffers across the interpreter's end: shutdown refuses while they live; after the host finalises, releasing is a no-op.</summary>
internal static class ImportScenarios
{
    public static void Shutdown()
    {
        var runtime = PythonRuntime.Initialize();
        using var ns = runtime.NewNamespace();
        runtime.Exec("import numpy as np\na = np.arange(6.0)[::-1]\nb = bytearray(8)\n", ns);
        var array = ns.GetItem("a");
        var bytes = ns.GetItem("b");
        var held = array.AsNdBuffer();
        Abandon(bytes);
        array.Dispose();
        bytes.Dispose();
        ns.Dispose();
        Console.WriteLine($"import.refused.live={Refuses(runtime.Shutdown)}");
        Console.WriteLine($"import.value.after.refusal={held.ReadUnaligned<double>(0)}");
        held.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Console.WriteLine($"import.drained={runtime.DrainReleaseQueue()}");
        Console.WriteLine($"import.liveobjects.before={PythonRuntime.LiveObjectCount}");
        runtime.Shutdown();
        Console.WriteLine($"import.running={runtime.IsRunning}");
    }

    public static void HostFinalises()
    {
        ForeignHost.Initialize(PythonInstallation.Locate().LibraryPath);
        var runtime = PythonRuntime.Initialize();
        var bytes = runtime.Eval("bytearray(b'abcd')");
        var held = bytes.AsNdBuffer(writable: true);
        var view = held.Slice(0, 1, 3);
        Abandon(bytes);
        bytes.Dispose();
        Console.WriteLine($"import.host.finalize={ForeignHost.FinalizeInterpreter()}");
        held.Dispose(); // the view still holds: nothing released yet
        view.Dispose(); // the last holder: the release finds no interpreter and is a no-op
        GC.Collect();
        GC.WaitForPendingFinalizers(); // the abandoned import's finalizer: a no-op too
        Console.WriteLine($"import.liveobjects.after={PythonRuntime.LiveObjectCount}");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(PythonObject source) => _ = source.AsNdBuffer();

    private static string Refuses(Action action)
    {
        try
        {
            action();
            return "no";
        }
        catch (InvalidOperationException ex)
        {
            return "InvalidOperationException: " + ex.Message.Replace('\n', ' ');
        }
    }
}
