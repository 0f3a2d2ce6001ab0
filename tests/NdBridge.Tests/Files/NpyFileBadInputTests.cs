using System.Buffers.Binary;
using System.Text;
using NdBridge.Testing;

namespace NdBridge.Tests.Files;

/// <summary>
/// Every malformed <c>.npy</c> image is refused with <see cref="InvalidDataException"/> naming the parameter (the path),
/// the problem and the fix, before any view exists; nothing stays mapped; bad arguments get argument exceptions.
/// </summary>
public sealed class NpyFileBadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A version 1.0 image with <paramref name="dict"/> as its header text, padded as NumPy pads, and
    /// <paramref name="dataByteLength"/> zero bytes of data.</summary>
    private static byte[] Image(string dict, int dataByteLength, int major = 1)
    {
        int lengthField = major == 1 ? 2 : 4;
        byte[] text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(dict);
        int used = 8 + lengthField + text.Length + 1;
        int total = used + 64 - used % 64;
        var bytes = new byte[total + dataByteLength];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = (byte)major;
        if (major == 1)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(total - 10));
        else
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(total - 12));
        text.CopyTo(bytes, 8 + lengthField);
        bytes.AsSpan(8 + lengthField + text.Length, total - 1 - 8 - lengthField - text.Length).Fill((byte)' ');
        bytes[total - 1] = (byte)'\n';
        return bytes;
    }

    private InvalidDataException Refused(byte[] image, params string[] messageParts)
    {
        string path = _dir.File(Guid.NewGuid().ToString("N") + ".npy");
        File.WriteAllBytes(path, image);
        return Refused(path, messageParts);
    }

    private static InvalidDataException Refused(string path, params string[] messageParts)
    {
        long mappingsBefore = CountMappings(path);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Open(path));
        Assert.Contains($"path '{path}'", e.Message);
        foreach (var part in messageParts)
            Assert.Contains(part, e.Message);
        Assert.Equal(0, mappingsBefore);
        Assert.Equal(0, CountMappings(path));
        return e;
    }

    /// <summary>Lines of /proc/self/maps that map <paramref name="path"/>: the kernel's own count of live mappings.</summary>
    internal static int CountMappings(string path) =>
        File.ReadAllLines("/proc/self/maps").Count(line => line.EndsWith(" " + path, StringComparison.Ordinal) || line.EndsWith(" " + path + " (deleted)", StringComparison.Ordinal));

    [Fact]
    public void WrongMagic() => Refused(Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip, not an npy"), "magic string", "np.save");

    [Fact]
    public void WrongVersion()
    {
        var image = Image("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8);
        image[6] = 4;
        Refused(image, "format version 4.0", "1.0, 2.0 or 3.0");
        image[6] = 1;
        image[7] = 1;
        Refused(image, "format version 1.1");
    }

    [Fact]
    public void HeaderLengthPastTheFileEnd()
    {
        var image = Image("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 0);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(8), 60000);
        Refused(image, "header length 60000 reaches past the end", $"({image.Length} bytes");
        var v2 = Image("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 0, major: 2);
        BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), uint.MaxValue);
        Refused(v2, "header length 4294967295 reaches past the end");
    }

    [Theory]
    [InlineData("{'descr': np.float64, 'fortran_order': False, 'shape': (1,), }", "not a Python literal", "character 10")]
    [InlineData("__import__('os').system('true')", "not a Python literal", "character 0")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ", "not a Python literal", "the end of the header")]
    [InlineData("{'descr': '<f8' 'fortran_order': False}", "not a Python literal")]
    [InlineData("['<f8', False, (1,)]", "not a dictionary")]
    [InlineData("{'descr': '<f8', 'shape': (1,), }", "correct keys: ['descr', 'shape']")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}", "correct keys: ['descr', 'extra', 'fortran_order', 'shape']")]
    [InlineData("{'extra': 1, 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", "correct keys: ['descr', 'extra', 'fortran_order', 'shape']")]
    [InlineData("{1: 2, 'descr': '<f8', 'shape': (1,)}", "correct keys: ['descr', 'shape', 1]")]
    [InlineData("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }", "fortran_order is not a valid bool: 0")]
    [InlineData("{'descr': '<f8', 'fortran_order': 'False', 'shape': (1,), }", "fortran_order is not a valid bool: 'False'")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': [1], }", "shape is not valid: [1]")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 'a'), }", "shape is not valid")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "length -1 at dimension 0")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,), }", "not a Python literal", "floats")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000000000,), }", "length 100000000000000000000")]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", "overflow")]
    [InlineData("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,), }", "cannot be represented by NdBridge", "datetimes and timedeltas")]
    [InlineData("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", "Python objects")]
    [InlineData("{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }", "cannot be represented by NdBridge", "unknown type 'q'")]
    [InlineData("{'descr': 7, 'fortran_order': False, 'shape': (1,), }", "neither a type string")]
    [InlineData("{'descr': [('a', '<f8', 'x')], 'fortran_order': False, 'shape': (1,), }", "shape that is not an integer")]
    [InlineData("{'descr': [(('title', 'a'), '<f8')], 'fortran_order': False, 'shape': (1,), }", "titles")]
    [InlineData("{'descr': [('a', '<f8'), ('a', '<i4')], 'fortran_order': False, 'shape': (1,), }", "names the field 'a' twice")]
    [InlineData("{'descr': ('<f8', (2,)), 'fortran_order': False, 'shape': (1,), }", "top-level sub-array")]
    public void MalformedHeader(string dict, params string[] messageParts) => Refused(Image(dict, 64), messageParts);

    [Fact]
    public void HeaderNestingDeeperThanTheLimit() =>
        Refused(Image("{'descr': " + new string('[', 500) + new string(']', 500) + ", 'fortran_order': False, 'shape': (1,), }", 0), "nests deeper");

    [Fact]
    public void Version3HeaderThatIsNotUtf8()
    {
        var image = Image("{'descr': [('\u00e9', '<f8')], 'fortran_order': False, 'shape': (1,), }", 8, major: 1);
        image[6] = 3;
        image[8] = image[9] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(8), (uint)(Array.IndexOf(image, (byte)'\n') - 11));
        Refused(image, "UTF-8");
    }

    [Fact]
    public void ShapeLargerThanTheFile() =>
        Refused(Image("{'descr': '<f8', 'fortran_order': False, 'shape': (1000,), }", 64), "promises 8000 bytes of data", "truncated");

    [Fact]
    public void TruncatedFiles()
    {
        string path = _dir.File("saved.npy");
        PythonProcess.RunCode($"import numpy as np; np.save({NpyFileNumPyTests.PythonString(path)}, np.arange(100.0))");
        byte[] whole = File.ReadAllBytes(path);
        Refused(whole[..(whole.Length - 1)], "promises 800 bytes", "truncated");
        Refused(whole[..100], "reaches past the end");
        Refused(whole[..9], "ends inside the header length field");
        Refused(whole[..5], "holds 5 bytes", "truncated or empty");
        Refused([], "holds 0 bytes");
    }

    [Fact]
    public void DtypesNumPyWritesButNdBridgeCannotMapAreRefusedByName()
    {
        string objects = _dir.File("objects.npy"), dates = _dir.File("dates.npy");
        PythonProcess.RunCode($"import numpy as np; np.save({NpyFileNumPyTests.PythonString(objects)}, np.array([1, 'a', None], dtype=object)); " +
                              $"np.save({NpyFileNumPyTests.PythonString(dates)}, np.array(['2024-01-01'], dtype='M8[D]'))");
        Refused(objects, "'|O'", "Python objects");
        Refused(dates, "'<M8[D]'", "datetimes");
    }

    [Fact]
    public void MissingFile() =>
        Assert.Throws<FileNotFoundException>(() => NpyFile.Open(_dir.File("missing.npy")));

    [Fact]
    public void CreateRefusesBadArguments()
    {
        string path = _dir.File("bad.npy");
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => NpyFile.Create<double>(path, [3, -1])).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => NpyFile.Create<double>(path, [nint.MaxValue / 4, 4])).ParamName);
        var subArray = Assert.Throws<ArgumentException>(() => NpyFile.Create(path, BufferFormat.Parse("(2,3)d"), [4]));
        Assert.Equal("format", subArray.ParamName);
        Assert.Contains("append its dimensions (2, 3) to the shape", subArray.Message);
        Assert.Equal("format", Assert.Throws<ArgumentException>(() => NpyFile.Create(path, BufferFormat.Parse("O"), [4])).ParamName);
        Assert.Equal("format", Assert.Throws<ArgumentException>(() => NpyFile.Create(path, BufferFormat.Parse("P"), [4])).ParamName);
        Assert.Equal("order", Assert.Throws<ArgumentException>(() => NpyFile.Create<double>(path, [4], MemoryOrder.Any)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => NpyFile.Create<double>("", [4])).ParamName);
        Assert.False(File.Exists(path), "a refused Create left a file behind");

        using (NpyFile.Create<double>(path, [4]))
        {
        }
        var exists = Assert.Throws<IOException>(() => NpyFile.Create<double>(path, [4]));
        Assert.Contains("overwrite: true", exists.Message);
        using var replaced = NpyFile.Create<int>(path, [2], overwrite: true);
        Assert.Equal(BufferFormat.Of<int>(), NpyFile.Open(path).Header.Format);
    }

    [Fact]
    public void ReadOnlyOpenRefusesTypedWrites()
    {
        string path = _dir.File("ro.npy");
        using (NpyFile.Create<double>(path, [4]))
        {
        }
        using var file = NpyFile.Open(path);
        Assert.True(file.Buffer.IsReadOnly);
        Assert.False(file.IsWritable);
        Assert.Throws<InvalidOperationException>(() => file.Buffer.AsStridedSpan<double>());
        Assert.Equal(0.0, file.Buffer.AsReadOnlyStridedSpan<double>()[3]);
    }
}
