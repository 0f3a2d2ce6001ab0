using Microsoft.Win32.SafeHandles;

namespace NdBridge;

/// <summary>
/// A NumPy <c>.npy</c> file mapped into memory (<c>mmap(MAP_SHARED)</c>): its array is an <see cref="Buffer"/> over
/// the mapping, shared with every process that maps the file — <c>np.load(path, mmap_mode='r+')</c>,
/// <c>np.lib.format.open_memmap</c> or another <see cref="NpyFile"/>. Opening reads only the header: it takes the same
/// time for a kilobyte and for a terabyte. The mapping is unmapped when the last of this object, its buffer's views and
/// the leases their exports hold is released.
/// </summary>
/// <remarks>
/// Writes through the buffer are visible at once to every process mapping the file (one page cache);
/// <see cref="Flush"/> (<c>msync</c>) only decides when they reach the disk. If another process truncates the file
/// while it is mapped, touching the lost pages raises <c>SIGBUS</c>, which ends the process: never shrink a mapped
/// file (<see cref="VerifyFileLength"/> tells whether that happened).
/// </remarks>
public sealed class NpyFile : IDisposable
{
    private readonly MappedMemoryOwner _mapping;

    private NpyFile(string path, NpyHeader header, NdBuffer buffer)
    {
        Path = path;
        Header = header;
        Buffer = buffer;
        _mapping = (MappedMemoryOwner)buffer.Owner;
    }

    /// <summary>
    /// Creates an <c>.npy</c> file of zeros for an array of <paramref name="format"/> and <paramref name="shape"/> (sparse
    /// where the file system allows), writes the header NumPy would write, and maps it writable.
    /// </summary>
    /// <param name="path">The file to create.</param>
    /// <param name="format">The item format (see <see cref="NpyHeader.Create"/>).</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="order">C or F order.</param>
    /// <param name="overwrite">Whether an existing file is replaced; otherwise it is an error.</param>
    /// <exception cref="ArgumentException">The format has no <c>.npy</c> form, or the shape is invalid.</exception>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or the disk refuses the size.</exception>
    public static NpyFile Create(string path, BufferFormat format, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, bool overwrite = false)
    {
        NpyMapping.ThrowIfUnsupportedPlatform();
        ArgumentException.ThrowIfNullOrEmpty(path);
        var header = NpyHeader.Create(format, shape, order);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, overwrite ? FileMode.Create : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException e) when (!overwrite && File.Exists(path))
        {
            ThrowHelper.ThrowIO($"The file '{path}' exists: pass overwrite: true to replace it, or NpyFile.Open it.", e);
            return null;
        }
        var buffer = NpyMapping.Create(file, header, $"path '{path}'", segmentToUnlink: null);
        return new NpyFile(path, header, buffer);
    }

    /// <summary>Creates an <c>.npy</c> file for an array of <typeparamref name="T"/> (see <see cref="Create(string, BufferFormat, ReadOnlySpan{nint}, MemoryOrder, bool)"/>).</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="shape">The array's shape.</param>
    /// <param name="order">C or F order.</param>
    /// <param name="overwrite">Whether an existing file is replaced.</param>
    public static NpyFile Create<T>(string path, ReadOnlySpan<nint> shape, MemoryOrder order = MemoryOrder.C, bool overwrite = false)
        where T : unmanaged =>
        Create(path, BufferFormat.Of<T>(), shape, order, overwrite);

    /// <summary>
    /// Maps an existing <c>.npy</c> file (written by <c>np.save</c>, <c>open_memmap</c> or <see cref="Create(string, BufferFormat, ReadOnlySpan{nint}, MemoryOrder, bool)"/>):
    /// versions 1.0, 2.0 and 3.0, C or F order. Reads only the header.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="writable">Whether the mapping is writable (<c>mmap_mode='r+'</c>); otherwise the buffer is read-only (<c>'r'</c>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid <c>.npy</c> image, is truncated, or holds a dtype
    /// NdBridge cannot represent (<c>O</c>, datetimes); the message names the path and the problem.</exception>
    public static NpyFile Open(string path, bool writable = false)
    {
        NpyMapping.ThrowIfUnsupportedPlatform();
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = File.OpenHandle(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = NpyMapping.Open(file, writable, $"path '{path}'", out var header);
        return new NpyFile(path, header, buffer);
    }

    /// <summary>The file's path as given.</summary>
    public string Path { get; }

    /// <summary>The header: format, shape, order, version.</summary>
    public NpyHeader Header { get; }

    /// <summary>The array over the mapping. Views made from it keep the mapping alive after this object is disposed.</summary>
    public NdBuffer Buffer { get; }

    /// <summary>Whether the mapping is writable.</summary>
    public bool IsWritable => _mapping.IsWritable;

    /// <summary>
    /// Writes the mapping's changed pages to the file and waits (<c>msync(MS_SYNC)</c>). Other processes that map the
    /// file see writes without it; flushing is about the disk (a crash, or a reader using <c>read()</c> on another machine).
    /// </summary>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public void Flush()
    {
        if (Buffer.IsDisposed)
            ThrowHelper.ThrowObjectDisposed(nameof(NpyFile));
        _mapping.Flush($"path '{Path}'");
    }

    /// <summary>
    /// Throws when the file has become shorter than the mapped image — another process truncated it — because touching
    /// the lost pages would raise <c>SIGBUS</c> and end this process. A check, not a guarantee: the file can shrink right
    /// after it; agree between processes never to shrink a mapped file.
    /// </summary>
    /// <exception cref="IOException">The file is shorter than the image.</exception>
    /// <exception cref="ObjectDisposedException">This object was disposed.</exception>
    public void VerifyFileLength()
    {
        if (Buffer.IsDisposed || !_mapping.IsAlive)
            ThrowHelper.ThrowObjectDisposed(nameof(NpyFile));
        long fileByteLength = RandomAccess.GetLength(_mapping.File);
        if (fileByteLength < Header.TotalByteLength)
            ThrowHelper.ThrowIO(
                $"The file '{Path}' now holds {fileByteLength} bytes but its image needs {Header.TotalByteLength}: another process truncated it. " +
                "Reading or writing the lost pages would raise SIGBUS and end this process; dispose the buffer and its views, and open the file again.");
    }

    /// <summary>Releases this object's hold on the mapping (views and exports keep theirs).</summary>
    public void Dispose() => Buffer.Dispose();

    /// <summary>The path and the header.</summary>
    public override string ToString() => $"NpyFile '{Path}' {Header}";
}
