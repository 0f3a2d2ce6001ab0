using System.Runtime.InteropServices;

namespace NdBridge;

/// <summary>The POSIX calls that map files and shared memory, and advise on memory (Linux values of the constants), names verbatim.</summary>
internal static unsafe partial class Posix
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x01;
    public const int MS_SYNC = 0x4;
    public const int MADV_HUGEPAGE = 14;
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000;
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int EACCES = 13;
    public static readonly nint MAP_FAILED = -1;

    /// <summary>Linux's <c>NAME_MAX</c>: the longest file name in <c>/dev/shm</c>, in bytes.</summary>
    public const int NAME_MAX = 255;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    public static partial int msync(nint addr, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "madvise")]
    public static partial int madvise(nint addr, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "shm_open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_open(string name, int oflag, uint mode);

    [LibraryImport("libc", EntryPoint = "shm_unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int shm_unlink(string name);

    /// <summary>The text of the last call's <c>errno</c>, e.g. "No such file or directory (errno 2)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
