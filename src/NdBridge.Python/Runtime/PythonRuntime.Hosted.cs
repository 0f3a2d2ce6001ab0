using System.Runtime.InteropServices;

namespace NdBridge.Python;

public sealed unsafe partial class PythonRuntime
{
    /// <summary>
    /// True when Python is the host: this process is a Python interpreter that loaded NdBridge (the <c>ndbridge</c>
    /// package), and NdBridge bound the C API the interpreter itself exports.
    /// </summary>
    public bool IsHostedByPython { get; private init; }

    /// <summary>True when a runtime is bound and Python is its host.</summary>
    internal static bool IsCurrentHostedByPython => s_current is { IsHostedByPython: true };

    /// <summary>
    /// Binds NdBridge to the interpreter running this process, its C API resolved from the process (the main program
    /// and what it loaded globally, else a libpython already mapped): never a second libpython. Debian's
    /// <c>python3.11</c> is linked statically and exports the C API itself; other builds link <c>libpython3.X.so</c>.
    /// Returns the runtime already bound when there is one.
    /// </summary>
    /// <exception cref="InvalidOperationException">This process has no initialised CPython 3.11 or later.</exception>
    internal static PythonRuntime AttachToProcess()
    {
        lock (s_gate)
        {
            if (s_current is { _running: true } running)
                return running;
            var library = FindProcessPython(out var objectFile);
            CPython.Bind(library);
            if (CPython.Py_IsInitialized() == 0)
                ThrowHelper.ThrowInvalidOperation($"The CPython in this process ({objectFile}) is not initialised: NdBridge binds to a running interpreter when Python is the host.");
            var installation = PythonInstallation.ForRunningProcess(objectFile, Marshal.PtrToStringUTF8((nint)CPython.Py_GetVersion()) ?? "");
            if (installation.Version < PythonInstallation.MinimumVersion)
                ThrowHelper.ThrowInvalidOperation($"This process runs Python {installation.Version}; NdBridge needs {PythonInstallation.MinimumVersion} or later (the buffer protocol's stable ABI).");
            return s_current = new PythonRuntime(installation, isAttached: true, mainThreadState: 0) { IsHostedByPython = true };
        }
    }

    private static nint FindProcessPython(out string objectFile)
    {
        var main = NativeLibrary.GetMainProgramHandle();
        if (NativeLibrary.TryGetExport(main, "Py_IsInitialized", out var address))
        {
            objectFile = DynamicLibrary.ObjectFileOf(address) ?? "the main program";
            return main;
        }
        // A program that loaded libpython without RTLD_GLOBAL: use the mapped copy, never map another.
        var tried = new List<string> { "the main program and its global scope: no Py_IsInitialized" };
        if (File.Exists("/proc/self/maps"))
        {
            foreach (var path in File.ReadLines("/proc/self/maps")
                         .Select(line => line.IndexOf('/') is var slash and >= 0 ? line[slash..] : "")
                         .Where(path => Path.GetFileName(path).StartsWith("libpython3", StringComparison.Ordinal))
                         .Distinct())
            {
                var handle = DynamicLibrary.OpenLoaded(path);
                if (handle != 0 && NativeLibrary.TryGetExport(handle, "Py_IsInitialized", out _))
                {
                    objectFile = path;
                    return handle;
                }
                tried.Add($"{path}: mapped but not usable");
            }
        }
        objectFile = "";
        return ThrowHelper.ThrowInvalidOperation<nint>($"No CPython C API was found in this process (tried {string.Join("; ", tried)}). NdBridge's Python hosting runs inside a CPython 3.11+ process that imported the ndbridge package.");
    }
}
