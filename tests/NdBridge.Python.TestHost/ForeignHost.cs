using System.Runtime.InteropServices;

namespace NdBridge.Python.TestHost;

/// <summary>Another embedder in the same process: drives libpython through its own dlopen/dlsym, not NdBridge.</summary>
internal static unsafe partial class ForeignHost
{
    private static nint s_library;
    private static nint s_mainThreadState;

    public static void Initialize(string libraryPath)
    {
        s_library = dlopen(libraryPath, 0x2 | 0x100); // RTLD_NOW | RTLD_GLOBAL
        if (s_library == 0)
            throw new InvalidOperationException("dlopen failed: " + libraryPath);
        ((delegate* unmanaged<int, void>)Symbol("Py_InitializeEx"))(0);
        Run("import sys\nsys.foreign_host_marker = 'set by the foreign host'\n");
        s_mainThreadState = ((delegate* unmanaged<nint>)Symbol("PyEval_SaveThread"))();
    }

    public static bool IsInitialized => ((delegate* unmanaged<int>)Symbol("Py_IsInitialized"))() != 0;

    /// <summary>Runs code with the GIL taken through PyGILState, as a host thread would.</summary>
    public static int RunWithGil(string code)
    {
        var state = ((delegate* unmanaged<int>)Symbol("PyGILState_Ensure"))();
        var status = Run(code);
        ((delegate* unmanaged<int, void>)Symbol("PyGILState_Release"))(state);
        return status;
    }

    public static int FinalizeInterpreter()
    {
        ((delegate* unmanaged<nint, void>)Symbol("PyEval_RestoreThread"))(s_mainThreadState);
        return ((delegate* unmanaged<int>)Symbol("Py_FinalizeEx"))();
    }

    private static int Run(string code)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(code + "\0");
        fixed (byte* c = utf8)
            return ((delegate* unmanaged<byte*, int>)Symbol("PyRun_SimpleString"))(c);
    }

    private static nint Symbol(string name) => NativeLibrary.GetExport(s_library, name);

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string path, int flags);
}
