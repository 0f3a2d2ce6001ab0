using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NdBridge;

/// <summary>
/// A named POSIX shared-memory segment holding an <c>.npy</c> image, the segment Python's
/// <c>multiprocessing.shared_memory.SharedMemory(name)</c> opens: <c>shm_open("/" + name)</c>, which Linux places at
/// <c>/dev/shm/<i>name</i></c>. The header inside tells the receiver dtype, shape and order:
/// <c>np.load('/dev/shm/<i>name</i>', mmap_mode='r+')</c> maps it as is, or
/// <c>np.ndarray(shape, dtype, buffer=shm.buf, offset=header.DataByteOffset)</c> over Python's own mapping.
/// </summary>
/// <remarks>
/// Lifetime, as POSIX has it: the creator removes the name (<see cref="Dispose"/> or <see cref="Unlink"/>), an opener
/// never does; mappings made before the unlink stay valid until they are released, and nothing can open the name after
/// it. The memory itself is unmapped when the last of this object, its buffer's views and their exports is released.
/// Python 3.11 and 3.12 register a segment they merely open with their resource tracker, which unlinks it when that
/// Python process exits: pass <c>track=False</c> (3.13+) or call
/// <c>multiprocessing.resource_tracker.unregister(shm._name, 'shared_memory')</c> after opening.
/// </remarks>
public sealed class NpySharedMemory : IDisposable
{
    private const uint CreatorOnlyMode = 0x180; // 0o600, as Python creates segments.
    private readonly MappedMemoryOwner _mapping;
    private int _unlinked;

    private NpySharedMemory(string name, bool isCreator, NpyHeader header, NdBuffer buffer)
    {
        Name = name;
        IsCreator = isCreator;
        Header = header;
        Buffer = buffer;
        _mapping = (MappedMemoryOwner)buffer.Owner;
    }

    /// <summary>Creates the segment <paramref name="name"/> sized for an array of <paramref name="format"/> and
    /// <paramref name="shape"/>, zeroed, with the <c>.npy</c> header NumPy would write, and maps it writable.</summary>
    /// <param name="name">The name as Python spells it: no <c>/</c>, at most 255 bytes in UTF-8.</param>
    /// <param name="format">The item format (see <see cref="NpyHeader.Create"/>).</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="order">C or F order.</param>
    /// <exception cref="ArgumentException">The name breaks the rules, or the format or shape has no <c>.npy</c> form.</exception>
    /// <exception cref="IOException">A segment with that name exists, or the system refuses the size.</exception>
    public static NpySharedMemory Create(string name, BufferFormat format, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C)
    {
        NpyMapping.ThrowIfUnsupportedPlatform();
        ValidateName(name);
        var header = NpyHeader.Create(format, shape, order);
        int fd = Posix.shm_open("/" + name, Posix.O_RDWR | Posix.O_CREAT | Posix.O_EXCL | Posix.O_CLOEXEC, CreatorOnlyMode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.EEXIST)
                ThrowHelper.ThrowIO($"A shared-memory segment named '{name}' (/dev/shm/{name}) already exists: open it with NpySharedMemory.Open, choose another name, or remove the stale one (Python: SharedMemory('{name}').unlink()).");
            ThrowHelper.ThrowIO($"Creating the shared-memory segment '{name}' failed: {Posix.Describe(errno)}.");
        }
        NdBuffer buffer;
        try
        {
            buffer = NpyMapping.Create(new SafeFileHandle(fd, ownsHandle: true), header, $"name '{name}'", segmentToUnlink: "/" + name);
        }
        catch
        {
            _ = Posix.shm_unlink("/" + name);
            throw;
        }
        return new NpySharedMemory(name, isCreator: true, header, buffer);
    }

    /// <summary>Creates a segment for an array of <typeparamref name="T"/> (see <see cref="Create(string, BufferFormat, ReadOnlySpan{nint}, MemoryOrder)"/>).</summary>
    /// <param name="name">The name as Python spells it.</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="order">C or F order.</param>
    public static NpySharedMemory Create<T>(string name, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C) where T : unmanaged =>
        Create(name, BufferFormat.Of<T>(), shape, order);

    /// <summary>Opens the segment <paramref name="name"/>, which must hold an <c>.npy</c> image, and maps it. Disposing
    /// an opened segment never unlinks it.</summary>
    /// <param name="name">The name as Python spells it: no <c>/</c>, at most 255 bytes in UTF-8.</param>
    /// <param name="writable">Whether the mapping is writable (Python's default); otherwise the buffer is read-only.</param>
    /// <exception cref="ArgumentException">The name breaks the rules.</exception>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="InvalidDataException">The segment does not hold a valid <c>.npy</c> image.</exception>
    public static NpySharedMemory Open(string name, bool writable = true)
    {
        NpyMapping.ThrowIfUnsupportedPlatform();
        ValidateName(name);
        int fd = Posix.shm_open("/" + name, (writable ? Posix.O_RDWR : Posix.O_RDONLY) | Posix.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.ENOENT)
                ThrowHelper.ThrowFileNotFound($"No shared-memory segment named '{name}' exists (/dev/shm/{name}): create it first (NpySharedMemory.Create, or Python's SharedMemory('{name}', create=True, size=...)); names are case-sensitive.", "/dev/shm/" + name);
            ThrowHelper.ThrowIO($"Opening the shared-memory segment '{name}' failed: {Posix.Describe(errno)}.");
        }
        var buffer = NpyMapping.Open(new SafeFileHandle(fd, ownsHandle: true), writable, $"name '{name}' (/dev/shm/{name})", out var header);
        return new NpySharedMemory(name, isCreator: false, header, buffer);
    }

    /// <summary>The name as Python's <c>SharedMemory.name</c> spells it (no leading <c>/</c>).</summary>
    public string Name { get; }

    /// <summary>Where Linux keeps the segment: <c>/dev/shm/<i>name</i></c>, a path <c>np.load</c> can map.</summary>
    public string Path => "/dev/shm/" + Name;

    /// <summary>Whether this object created the segment, and so unlinks it when disposed.</summary>
    public bool IsCreator { get; }

    /// <summary>The header of the image in the segment.</summary>
    public NpyHeader Header { get; }

    /// <summary>The array over the mapping. Views made from it keep the mapping alive after the unlink and after this object is disposed.</summary>
    public NdBuffer Buffer { get; }

    /// <summary>Whether the mapping is writable.</summary>
    public bool IsWritable => _mapping.IsWritable;

    /// <summary>
    /// Removes the name now (<c>shm_unlink</c>), as Python's <c>SharedMemory.unlink()</c> does: nothing can open the
    /// segment afterwards, while every existing mapping stays valid. The creator's <see cref="Dispose"/> does this; call it
    /// from an opener only when the protocol between your processes says so.
    /// </summary>
    /// <exception cref="FileNotFoundException">The name was already removed by someone else.</exception>
    public void Unlink()
    {
        if (Interlocked.Exchange(ref _unlinked, 1) != 0)
            return;
        _mapping.TakeSegmentToUnlink();
        if (Posix.shm_unlink("/" + Name) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Posix.ENOENT)
                ThrowHelper.ThrowFileNotFound($"The shared-memory segment '{Name}' was already unlinked (by another process, or by a Python resource tracker).", Path);
            ThrowHelper.ThrowIO($"Unlinking the shared-memory segment '{Name}' failed: {Posix.Describe(errno)}.");
        }
    }

    /// <summary>The creator unlinks the name (if no one did); then this object's hold on the mapping is released (views
    /// and exports keep theirs). An opener only releases its hold.</summary>
    public void Dispose()
    {
        if (IsCreator && Interlocked.Exchange(ref _unlinked, 1) == 0)
        {
            _mapping.TakeSegmentToUnlink();
            _ = Posix.shm_unlink("/" + Name);
        }
        Buffer.Dispose();
    }

    /// <summary>The name and the header.</summary>
    public override string ToString() => $"NpySharedMemory '{Name}'{(IsCreator ? " (creator)" : "")} {Header}";

    private static void ValidateName(string name)
    {
        if (name is null)
            ThrowHelper.ThrowArgumentNull(nameof(name));
        if (name.Length == 0)
            ThrowHelper.ThrowArgument("A shared-memory name must not be empty: pass a name such as 'frames'.", nameof(name));
        if (name.Contains('/'))
            ThrowHelper.ThrowArgument($"The shared-memory name '{name}' contains '/': pass the name as Python's SharedMemory(name) takes it ('frames', not '/frames'); the leading '/' of shm_open is added for you, and no other is allowed.", nameof(name));
        if (name.Contains('\0'))
            ThrowHelper.ThrowArgument("A shared-memory name must not contain a NUL character.", nameof(name));
        if (name is "." or "..")
            ThrowHelper.ThrowArgument($"'{name}' names a directory, not a shared-memory segment: choose another name.", nameof(name));
        int byteLength = Encoding.UTF8.GetByteCount(name);
        if (byteLength > Posix.NAME_MAX)
            ThrowHelper.ThrowArgument($"The shared-memory name is {byteLength} bytes long in UTF-8; Linux allows at most {Posix.NAME_MAX} (NAME_MAX, the longest file name in /dev/shm): choose a shorter name.", nameof(name));
    }
}
