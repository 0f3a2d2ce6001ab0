using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// Loads a shared library with its symbols global. <see cref="NativeLibrary.Load(string)"/> uses
/// <c>RTLD_LOCAL</c> on Unix, but CPython's extension modules (NumPy's on Debian) are not linked
/// against libpython and find its symbols only when libpython was loaded <c>RTLD_GLOBAL</c>.
/// </summary>
internal static partial class DynamicLibrary
{
    private const int RTLD_NOW = 0x2;

    /// <summary>Opens <paramref name="path"/> (never closed while the process may still call into it).</summary>
    /// <param name="path">A file path or a bare soname for the loader's search path.</param>
    /// <param name="handle">The library handle.</param>
    /// <param name="error">The loader's message on failure.</param>
    internal static bool TryOpenGlobal(string path, out nint handle, out string? error)
    {
        if (OperatingSystem.IsWindows())
        {
            error = null;
            if (NativeLibrary.TryLoad(path, out handle))
                return true;
            error = $"LoadLibrary failed (error {Marshal.GetLastPInvokeError()})";
            return false;
        }

        var flags = RTLD_NOW | (OperatingSystem.IsMacOS() ? 0x8 : 0x100); // RTLD_GLOBAL differs per OS
        handle = dlopen(path, flags);
        if (handle != 0)
        {
            error = null;
            return true;
        }
        var message = dlerror();
        error = message == 0 ? "dlopen failed" : Marshal.PtrToStringUTF8(message);
        return false;
    }

    /// <summary>Closes a handle that was opened only to be probed and then refused.</summary>
    internal static void Close(nint handle)
    {
        if (OperatingSystem.IsWindows())
            NativeLibrary.Free(handle);
        else
            _ = dlclose(handle);
    }

    /// <summary>
    /// The handle of a library this process already mapped (<c>RTLD_NOLOAD</c>: never maps a new one), or 0.
    /// </summary>
    internal static nint OpenLoaded(string path)
    {
        if (OperatingSystem.IsWindows())
            return NativeLibrary.TryLoad(path, out var handle) ? handle : 0;
        var noLoad = OperatingSystem.IsMacOS() ? 0x10 : 0x4;
        return dlopen(path, RTLD_NOW | noLoad);
    }

    /// <summary>The file of the mapped object (executable or shared library) that holds <paramref name="address"/>, or null.</summary>
    internal static unsafe string? ObjectFileOf(nint address)
    {
        if (OperatingSystem.IsWindows())
            return null;
        DlInfo info;
        if (dladdr(address, &info) == 0 || info.dli_fname == 0)
            return null;
        return Marshal.PtrToStringUTF8(info.dli_fname);
    }

    /// <summary><c>Dl_info</c> (dlfcn.h).</summary>
    private struct DlInfo
    {
        public nint dli_fname; // const char *
        public nint dli_fbase; // void *
        public nint dli_sname; // const char *
        public nint dli_saddr; // void *
    }

    [LibraryImport("libc", EntryPoint = "dladdr")]
    private static unsafe partial int dladdr(nint address, DlInfo* info);

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint dlopen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint dlerror();

    [LibraryImport("libc", EntryPoint = "dlclose")]
    private static partial int dlclose(nint handle);
}
