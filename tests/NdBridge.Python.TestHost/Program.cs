using NdBridge.Python;
using NdBridge.Python.TestHost;

// Each scenario prints "key=value" lines and ends with "OK"; any exception exits non-zero with it printed.
var scenario = args.Length > 0 ? args[0] : "";
switch (scenario)
{
    case "report":
        Report(PythonRuntime.Initialize(args.Length > 1 ? new PythonRuntimeOptions { PythonPath = args[1] } : null));
        break;
    case "shutdown":
        Shutdown();
        break;
    case "attach":
        Attach();
        break;
    case "host-finalises":
        HostFinalises();
        break;
    case "import-shutdown":
        ImportScenarios.Shutdown();
        break;
    case "import-host-finalises":
        ImportScenarios.HostFinalises();
        break;
    case "torch-dlpack":
        TorchDLPack.Run();
        break;
    case "gil-released-by-c":
        GilScenarios.ReleasedByCInsideScope();
        break;
    case "numpy-missing":
        NumPyMissing(PythonRuntime.Initialize(new PythonRuntimeOptions { PythonPath = args[1] }));
        break;
    case "span-lifetime":
        SpanLifetimeScenarios.Run(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture));
        break;
    default:
        Console.Error.WriteLine("usage: NdBridge.Python.TestHost report [python] | shutdown | attach | host-finalises | import-shutdown | import-host-finalises | torch-dlpack | gil-released-by-c | numpy-missing python | span-lifetime SCENARIO REPETITIONS");
        return 2;
}
Console.WriteLine("OK");
return 0;

// The interpreter's view of itself, for the locate and venv tests.
static void Report(PythonRuntime runtime)
{
    Console.WriteLine($"installation.library={runtime.Installation.LibraryPath}");
    Console.WriteLine($"installation.executable={runtime.Installation.ExecutablePath}");
    Console.WriteLine($"installation.source={runtime.Installation.Source}");
    Console.WriteLine($"attached={runtime.IsAttached}");
    using var ns = runtime.NewNamespace();
    runtime.Exec(
        "import sys, site\n" +
        "r = {'sys.executable': sys.executable, 'sys.prefix': sys.prefix, 'sys.base_prefix': sys.base_prefix,\n" +
        "     'site.getsitepackages': '|'.join(site.getsitepackages()), 'sys.version': sys.version.split()[0]}\n" +
        "try:\n" +
        "    import numpy\n" +
        "    r['numpy'] = numpy.__version__ + ' ' + str(int(numpy.arange(10).sum()))\n" +
        "except Exception as e:\n" +
        "    r['numpy'] = 'unavailable: ' + repr(e)\n",
        ns);
    using var report = ns.GetItem("r");
    foreach (var (key, value) in report.ToDictionary<string, string>())
        Console.WriteLine($"{key}={value}");
}

// The README's first step with an interpreter that has no NumPy: the message a newcomer reads.
static void NumPyMissing(PythonRuntime runtime)
{
    using var buffer = NdBridge.NdBuffer.FromArray(new double[,] { { 1, 2 }, { 3, 4 } });
    try
    {
        using var array = buffer.ToNumPy();
        Console.WriteLine("message=no error");
    }
    catch (InvalidOperationException e)
    {
        Console.WriteLine($"message={e.Message.Replace('\n', ' ')}");
    }
    _ = runtime;
}

// Shutdown refuses while objects live, then finalises; afterwards everything refuses cleanly and late releases are no-ops.
static void Shutdown()
{
    var runtime = PythonRuntime.Initialize();
    using (var numpy = runtime.Import("numpy"))
    using (var range = numpy.CallMethod("arange", 5))
    using (var sum = range.CallMethod("sum"))
        Console.WriteLine($"numpy.sum={sum.As<long>()}");
    MakeGarbage(runtime); // never disposed: only finalizers release these
    var live = runtime.Import("sys");
    Console.WriteLine($"refused.live={Refuses(runtime.Shutdown)}");
    string? otherThread = null;
    var thread = new Thread(() => otherThread = Refuses(runtime.Shutdown));
    thread.Start();
    thread.Join();
    Console.WriteLine($"refused.other.thread={otherThread}");
    Console.WriteLine($"refused.in.scope={Refuses(() => { using var gil = PythonGil.Acquire(); runtime.Shutdown(); })}");
    Console.WriteLine($"live.after.refusal={live.GetAttr<string>("platform")}");
    live.Dispose();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    Console.WriteLine($"queued.by.finalizers={PythonRuntime.PendingReleaseCount}");
    Console.WriteLine($"drained={runtime.DrainReleaseQueue()}");
    Console.WriteLine($"refused.other.thread.without.objects={RefusesOnOtherThread(runtime)}");
    Console.WriteLine($"liveobjects.before={PythonRuntime.LiveObjectCount}");
    runtime.Shutdown();
    Console.WriteLine($"running={runtime.IsRunning}");
    Console.WriteLine($"current.refuses={Refuses(() => _ = PythonRuntime.Current)}");
    Console.WriteLine($"gil.refuses={Refuses(() => { using var gil = PythonGil.Acquire(); })}");
    Console.WriteLine($"reinitialize.refuses={Refuses(() => PythonRuntime.Initialize())}");
    runtime.Shutdown(); // a second call is a no-op
}

// Another host initialised Python; NdBridge attaches, works, detaches, and the host keeps going.
static void Attach()
{
    var installation = PythonInstallation.Locate();
    ForeignHost.Initialize(installation.LibraryPath);
    var runtime = PythonRuntime.Initialize();
    Console.WriteLine($"attached={runtime.IsAttached}");
    Console.WriteLine($"marker={runtime.Eval<string>("__import__('sys').foreign_host_marker")}");
    using (var numpy = runtime.Import("numpy"))
    using (var range = numpy.CallMethod("arange", 10))
    using (var sum = range.CallMethod("sum"))
        Console.WriteLine($"numpy.sum={sum.As<long>()}");
    var held = runtime.ToPython("held");
    Console.WriteLine($"refused.live={Refuses(runtime.Shutdown)}");
    held.Dispose();
    runtime.Shutdown();
    Console.WriteLine($"running={runtime.IsRunning}");
    Console.WriteLine($"host.initialized.after.detach={ForeignHost.IsInitialized}");
    Console.WriteLine($"host.run.after.detach={ForeignHost.RunWithGil("import sys\nassert sys.foreign_host_marker\n")}");
    var again = PythonRuntime.Initialize();
    Console.WriteLine($"reattached={again.IsAttached && again.IsRunning}");
    again.Shutdown();
    Console.WriteLine($"host.finalize={ForeignHost.FinalizeInterpreter()}");
}

// The host finalises Python behind NdBridge's back: releasing afterwards is a no-op, scopes refuse.
static void HostFinalises()
{
    var installation = PythonInstallation.Locate();
    ForeignHost.Initialize(installation.LibraryPath);
    var runtime = PythonRuntime.Initialize();
    var disposed = runtime.ToPython(new[] { 1, 2, 3 });
    MakeGarbage(runtime);
    Console.WriteLine($"host.finalize={ForeignHost.FinalizeInterpreter()}");
    disposed.Dispose(); // no-op: no interpreter to release into
    GC.Collect();
    GC.WaitForPendingFinalizers(); // the garbage's finalizers only enqueue; the release is a no-op too
    Console.WriteLine($"gil.refuses={Refuses(() => { using var gil = PythonGil.Acquire(); })}");
    Console.WriteLine($"liveobjects.after={PythonRuntime.LiveObjectCount}");
}

[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
static void MakeGarbage(PythonRuntime runtime)
{
    for (var i = 0; i < 100; i++)
        _ = runtime.ToPython(i * 1000);
}

static string RefusesOnOtherThread(PythonRuntime runtime)
{
    runtime.DrainReleaseQueue();
    GC.Collect();
    GC.WaitForPendingFinalizers();
    runtime.DrainReleaseQueue();
    string? result = null;
    var thread = new Thread(() => result = Refuses(runtime.Shutdown));
    thread.Start();
    thread.Join();
    return result!;
}

static string Refuses(Action action)
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
