using System.Runtime.CompilerServices;
using NdBridge.Testing;

namespace NdBridge.Tests.Files;

/// <summary>
/// <see cref="NpySharedMemory"/> against Python's <c>multiprocessing.shared_memory.SharedMemory</c> and
/// <c>np.load('/dev/shm/...')</c> in a separate process: same names and placement, the header tells Python dtype, shape
/// and order, writes cross both ways; the creator unlinks, an opener never does, mappings outlive the unlink.
/// </summary>
public sealed class NpySharedMemoryTests
{
    // Python 3.11 and 3.12 register a segment they only open with their resource tracker, which would unlink it when the
    // process exits; 3.13 has track=False. The script asks its own interpreter which applies.
    private const string AttachPrelude = """
import io, sys
import numpy as np
from multiprocessing import shared_memory, resource_tracker

def attach(name, **kw):
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name, track=False, **kw)
    shm = shared_memory.SharedMemory(name, **kw)
    resource_tracker.unregister(shm._name, "shared_memory")
    return shm

def array_in(shm):
    f = io.BytesIO(bytes(shm.buf[:min(shm.size, 1 << 20)]))
    version = np.lib.format.read_magic(f)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(f)
    return np.ndarray(shape, dtype, buffer=shm.buf, offset=f.tell(), order="F" if fortran else "C"), f.tell()
""";

    private static string NewName() => "ndbridge-test-" + Guid.NewGuid().ToString("N");

    [Fact]
    public void ACreatedSegmentIsWhatPythonOpensByName_AndWritesCrossBothWays()
    {
        string name = NewName();
        using var segment = NpySharedMemory.Create<float>(name, [2, 3], MemoryOrder.F);
        Assert.Equal("/dev/shm/" + name, segment.Path);
        Assert.True(File.Exists(segment.Path));
        var span = segment.Buffer.AsStridedSpan<float>();
        for (nint r = 0; r < 2; r++)
            for (nint c = 0; c < 3; c++)
                span[r, c] = 10 * r + c + 0.5f;

        string output = PythonProcess.RunCode(AttachPrelude + "\n" + $$"""
a = np.load("/dev/shm/{{name}}", mmap_mode="r+")
print(a.dtype.str, a.shape, np.isfortran(a), a.tolist())
shm = attach("{{name}}")
b, offset = array_in(shm)
print(offset, b.dtype.str, b.shape, b.tolist())
b[1, 2] = -1.0
a[0, 0] = -2.0
a.flush()
del a, b
shm.close()
""");
        var lines = output.Trim().Split('\n');
        Assert.Equal("<f4 (2, 3) True [[0.5, 1.5, 2.5], [10.5, 11.5, 12.5]]", lines[0]);
        Assert.Equal($"{segment.Header.DataByteOffset} <f4 (2, 3) [[0.5, 1.5, 2.5], [10.5, 11.5, 12.5]]", lines[1]);
        Assert.Equal(-1.0f, span[1, 2]);
        Assert.Equal(-2.0f, span[0, 0]);
        Assert.True(File.Exists(segment.Path), "the Python opener unlinked the segment");
    }

    [Fact]
    public void ASegmentPythonCreated_OpensHere_AndAnOpenerNeverUnlinksIt()
    {
        string name = NewName();
        PythonProcess.RunCode(AttachPrelude + "\n" + $$"""
f = io.BytesIO()
np.save(f, np.arange(12, dtype=">i2").reshape(3, 4))
image = f.getvalue()
shm = shared_memory.SharedMemory("{{name}}", create=True, size=len(image))
resource_tracker.unregister(shm._name, "shared_memory")
shm.buf[:len(image)] = image
shm.close()
""");
        try
        {
            using (var segment = NpySharedMemory.Open(name, writable: false))
            {
                Assert.False(segment.IsCreator);
                Assert.True(segment.Buffer.IsReadOnly);
                Assert.Equal(BufferFormat.Parse(">h"), segment.Header.Format);
                Assert.Equal([3, 4], segment.Buffer.Shape.ToArray());
                var bigEndian = segment.Buffer.ToByteArray();
                for (int i = 0; i < 12; i++)
                    Assert.Equal(i, System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(bigEndian.AsSpan(2 * i)));
            }
            Assert.True(File.Exists("/dev/shm/" + name), "disposing an opener unlinked the segment");
        }
        finally
        {
            using var cleanup = NpySharedMemory.Open(name);
            cleanup.Unlink();
            cleanup.Unlink();
        }
        Assert.False(File.Exists("/dev/shm/" + name));
    }

    [Fact]
    public void TheCreatorUnlinks_AndMappingsOutliveTheUnlink()
    {
        string name = NewName();
        var segment = NpySharedMemory.Create<int>(name, [8]);
        var owner = segment.Buffer.Owner;
        var view = segment.Buffer.Slice(0, 2, null);
        using (var opener = NpySharedMemory.Open(name))
            opener.Buffer.WriteUnaligned(33, 3); // not a span: a span would leave the unmapping to the finalizer
        segment.Dispose();
        Assert.False(File.Exists("/dev/shm/" + name));
        var missing = Assert.Throws<FileNotFoundException>(() => NpySharedMemory.Open(name));
        Assert.Contains("create it first", missing.Message);
        Assert.Equal(33, view.ReadUnaligned<int>(1));
        view.WriteUnaligned(5, 0);
        Assert.Equal(1, NpyFileBadInputTests.CountMappings("/dev/shm/" + name));
        Assert.True(owner.IsAlive);
        view.Dispose();
        Assert.False(owner.IsAlive);
        Assert.Equal(0, NpyFileBadInputTests.CountMappings("/dev/shm/" + name));
    }

    [Fact]
    public void AForgottenCreatorsSegmentIsUnlinkedWhenItsMemoryIsReleased()
    {
        string name = NewName();
        var owner = CreateAndForget(name);
        for (int i = 0; i < 10 && owner.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(owner.IsAlive);
        Assert.False(File.Exists("/dev/shm/" + name));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NdMemoryOwner CreateAndForget(string name) => NpySharedMemory.Create<byte>(name, [100]).Buffer.Owner;

    [Theory]
    [InlineData("a/b", "contains '/'")]
    [InlineData("/frames", "contains '/'")]
    [InlineData("", "must not be empty")]
    [InlineData(".", "names a directory")]
    [InlineData("..", "names a directory")]
    [InlineData("a\0b", "NUL")]
    public void BadNamesAreRefused(string name, string messagePart)
    {
        var create = Assert.Throws<ArgumentException>(() => NpySharedMemory.Create<int>(name, [1]));
        Assert.Equal("name", create.ParamName);
        Assert.Contains(messagePart, create.Message);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => NpySharedMemory.Open(name)).ParamName);
    }

    [Fact]
    public void NamesUpTo255BytesAreAllowed_LongerOnesRefused()
    {
        string longest = "n" + Guid.NewGuid().ToString("N") + new string('x', 255 - 33);
        using (var segment = NpySharedMemory.Create<int>(longest, [1]))
            Assert.True(File.Exists(segment.Path));
        var tooLong = Assert.Throws<ArgumentException>(() => NpySharedMemory.Create<int>(longest + "x", [1]));
        Assert.Equal("name", tooLong.ParamName);
        Assert.Contains("256 bytes long", tooLong.Message);
        Assert.Contains("at most 255", Assert.Throws<ArgumentException>(() => NpySharedMemory.Open(new string('\u00e9', 128))).Message);
        Assert.Throws<ArgumentNullException>(() => NpySharedMemory.Open(null!));
    }

    [Fact]
    public void OpeningAMissingSegmentAndCreatingAnExistingOneAreRefused()
    {
        string name = NewName();
        var missing = Assert.Throws<FileNotFoundException>(() => NpySharedMemory.Open(name));
        Assert.Contains($"'{name}'", missing.Message);
        using var segment = NpySharedMemory.Create<double>(name, [4]);
        var exists = Assert.Throws<IOException>(() => NpySharedMemory.Create<double>(name, [4]));
        Assert.Contains("already exists", exists.Message);
        Assert.Contains("NpySharedMemory.Open", exists.Message);
        Assert.True(File.Exists(segment.Path), "the refused Create removed the existing segment");
    }

    [Fact]
    public void ASegmentWithoutAnNpyImageIsRefusedByName()
    {
        string name = NewName();
        File.WriteAllBytes("/dev/shm/" + name, new byte[4096]);
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => NpySharedMemory.Open(name));
            Assert.Contains($"name '{name}'", e.Message);
            Assert.Contains("magic string", e.Message);
            Assert.Equal(0, NpyFileBadInputTests.CountMappings("/dev/shm/" + name));
        }
        finally
        {
            File.Delete("/dev/shm/" + name);
        }
    }
}
