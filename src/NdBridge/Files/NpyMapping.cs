using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace NdBridge;

/// <summary>What <see cref="NpyFile"/> and <see cref="NpySharedMemory"/> share: mapping an <c>.npy</c> image whole.</summary>
internal static unsafe class NpyMapping
{
    /// <summary>Maps an existing image and reads its header. Takes <paramref name="file"/> over: it is closed on failure too.</summary>
    public static NdBuffer Open(SafeFileHandle file, bool writable, string source, out NpyHeader header)
    {
        MappedMemoryOwner owner;
        try
        {
            long fileByteLength = RandomAccess.GetLength(file);
            // An empty file cannot be mapped; anything shorter than the magic string is refused the same way.
            if (fileByteLength < 8)
                NpyHeader.Parse(new byte[fileByteLength], source);
            owner = MappedMemoryOwner.Map(file, (nint)fileByteLength, writable, source, segmentToUnlink: null);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        try
        {
            // The header is read inside the mapping, bounded by the file's length; only its first pages are touched.
            var image = new ReadOnlySpan<byte>(owner.Start, (int)Math.Min(owner.ByteLength, int.MaxValue));
            header = NpyHeader.Parse(image, source);
            if (header.TotalByteLength > owner.ByteLength)
                ThrowHelper.ThrowBadNpy(source,
                    $"the header promises {header.DataByteLength} bytes of data from byte {header.DataByteOffset} " +
                    $"(shape ({string.Join(", ", header.Shape.ToArray())}) of {header.Format.NumPyItemSize}-byte items), but the image holds only {owner.ByteLength} bytes: it is truncated.");
        }
        catch
        {
            owner.Release();
            throw;
        }
        return NdBuffer.FromMapping(owner, header);
    }

    /// <summary>Sizes an empty file or segment to <paramref name="header"/>'s image (zeroed, sparse where the file system
    /// allows), maps it and writes the header. Takes <paramref name="file"/> over: it is closed on failure too.</summary>
    public static NdBuffer Create(SafeFileHandle file, NpyHeader header, string source, string? segmentToUnlink)
    {
        MappedMemoryOwner owner;
        try
        {
            if (Posix.ftruncate((int)file.DangerousGetHandle(), header.TotalByteLength) != 0)
                ThrowHelper.ThrowIO($"Sizing {source} to {header.TotalByteLength} bytes failed: {Posix.Describe(Marshal.GetLastPInvokeError())}.");
            owner = MappedMemoryOwner.Map(file, header.TotalByteLength, writable: true, source, segmentToUnlink);
        }
        catch
        {
            file.Dispose();
            throw;
        }
        // The mapping is TotalByteLength long and the header its first DataByteOffset bytes.
        header.Bytes.CopyTo(new Span<byte>(owner.Start, header.Bytes.Length));
        return NdBuffer.FromMapping(owner, header);
    }

    public static void ThrowIfUnsupportedPlatform()
    {
        if (!OperatingSystem.IsLinux())
            ThrowHelper.ThrowPlatformNotSupported("Mapped .npy files and shared memory use Linux's mmap and shm_open: this platform is not supported yet.");
    }
}
