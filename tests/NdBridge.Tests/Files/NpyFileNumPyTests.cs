using System.Text.Json.Nodes;
using NdBridge.Testing;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Files;

/// <summary>
/// <see cref="NpyFile"/> against NumPy in a separate process: files NumPy saved open with NumPy's bytes, shape and
/// order; files NdBridge created are, byte for byte, what <c>np.save</c> writes for the array NumPy maps from them; writes
/// cross between the processes through the one mapping.
/// </summary>
public sealed unsafe class NpyFileNumPyTests
{
    private const string SaveScript = """
import json, sys, warnings
import numpy as np

out = []
for case in json.load(sys.stdin):
    dt = np.dtype(eval(case["dtype"]))
    shape = tuple(case["shape"])
    rng = np.random.default_rng(case["seed"])
    n = int(np.prod(shape))
    a = np.frombuffer(rng.bytes(n * dt.itemsize), dtype=dt).reshape(shape)
    if case["order"] == "F":
        a = np.asfortranarray(a)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.save(case["path"], a)
    major, _ = np.lib.format.read_magic(open(case["path"], "rb"))
    out.append({"data": a.tobytes(order="A").hex(), "shape": list(a.shape), "fortran": bool(np.isfortran(a)), "version": major,
                "values": a.ravel(order="A").tolist() if dt == np.dtype("<f8") else None})
json.dump(out, sys.stdout)
""";

    private const string LoadScript = """
import io, json, sys
import numpy as np

out = []
for case in json.load(sys.stdin):
    a = np.load(case["path"], mmap_mode="r")
    f = io.BytesIO()
    np.save(f, np.asarray(a))
    with open(case["path"], "rb") as file:
        same = file.read() == f.getvalue()
    out.append({"same_as_np_save": same, "data": np.asarray(a).tobytes(order="A").hex(), "shape": list(a.shape),
                "fortran": bool(np.isfortran(a)), "descr": str(np.lib.format.dtype_to_descr(a.dtype))})
json.dump(out, sys.stdout)
""";

    private static readonly (string Dtype, long[] Shape, string Order)[] NumPyCases =
    [
        ("'?'", [5], "C"), ("'i1'", [3, 4], "F"), ("'>u2'", [6], "C"), ("'<i4'", [2, 3, 4], "F"), ("'>i8'", [5], "C"),
        ("'<f2'", [9], "C"), ("'>f4'", [3, 3], "F"), ("'<f8'", [4, 5], "C"), ("'<f8'", [4, 5], "F"), ("'<c8'", [3], "C"),
        ("'>c16'", [2, 2], "C"), ("'S4'", [3], "C"), ("'V6'", [2], "C"), ("'<U3'", [2, 2], "F"), ("'<f8'", [0, 3], "C"),
        ("'<i4'", [], "C"),
        ("np.dtype([('a', 'u1'), ('b', '<f8')], align=True)", [3], "C"),
        ("[('m', '<i2', (2, 3)), ('s', 'S3'), ('n', [('x', 'u1'), ('y', '>f4', (2,))], (3,))]", [4], "C"),
        ("[('α', '<f8'), ('β', '>i4')]", [3], "C"),
        ("[('field_with_a_long_name_%04d' % i, '<u1') for i in range(3000)]", [2], "C"),
    ];

    [Fact]
    public void Open_FilesNpSaveWrote_ViewNumPysBytesShapeAndOrder()
    {
        using var dir = new TempDirectory();
        var batch = new JsonArray(NumPyCases.Select((c, i) => (JsonNode)new JsonObject
        {
            ["dtype"] = c.Dtype, ["shape"] = new JsonArray(c.Shape.Select(d => (JsonNode)d).ToArray()), ["order"] = c.Order,
            ["seed"] = 1000 + i, ["path"] = dir.File($"numpy{i}.npy"),
        }).ToArray());
        var results = PythonOracle.Run(SaveScript, batch);
        var versions = new HashSet<int>();
        for (int i = 0; i < NumPyCases.Length; i++)
        {
            var r = results[i]!;
            string label = $"case {i} {NumPyCases[i].Dtype}";
            using var file = NpyFile.Open(dir.File($"numpy{i}.npy"));
            var buffer = file.Buffer;
            Assert.True(buffer.IsReadOnly, label);
            Assert.Equal(r["shape"]!.AsArray().Select(d => (nint)(long)d!).ToArray(), buffer.Shape.ToArray());
            var order = (bool)r["fortran"]! ? MemoryOrder.F : MemoryOrder.C;
            Assert.True(order == file.Header.Order, label);
            Assert.True(buffer.Layout.IsContiguous(order), label);
            Assert.True((string)r["data"]! == Convert.ToHexString(buffer.ToByteArray(order)).ToLowerInvariant(), label);
            if (r["values"] is JsonArray values && buffer.ElementCount > 0)
            {
                var span = buffer.AsReadOnlyStridedSpan<double>();
                var expected = values.Select(v => (double)v!).ToArray();
                int k = 0;
                // NumPy's ravel(order='A') walks the file's order: the last index fastest in C, the first in F.
                for (nint a = 0; a < buffer.Shape[order == MemoryOrder.C ? 0 : 1]; a++)
                    for (nint b = 0; b < buffer.Shape[order == MemoryOrder.C ? 1 : 0]; b++)
                        Assert.Equal(expected[k++], order == MemoryOrder.C ? span[a, b] : span[b, a]);
            }
            versions.Add((int)r["version"]!);
        }
        Assert.Equal([1, 2, 3], versions.Order());
    }

    private static readonly (string Format, long[] Shape, MemoryOrder Order)[] CreatedCases =
    [
        ("?", [5], MemoryOrder.C), ("b", [3, 4], MemoryOrder.F), ("B", [7], MemoryOrder.C), ("<h", [2, 3], MemoryOrder.C),
        (">H", [2, 3], MemoryOrder.F), ("<i", [4], MemoryOrder.C), (">q", [2, 2, 2], MemoryOrder.F), ("<Q", [3], MemoryOrder.C),
        ("<e", [5], MemoryOrder.C), (">e", [5], MemoryOrder.C), ("<f", [2, 5], MemoryOrder.F), (">d", [3], MemoryOrder.C),
        ("<Zf", [3], MemoryOrder.C), (">Zd", [2, 2], MemoryOrder.F), ("g", [2], MemoryOrder.C), ("6s", [3], MemoryOrder.C),
        ("<3w", [2], MemoryOrder.C), (">2w", [2, 3], MemoryOrder.F), ("<d", [], MemoryOrder.C), ("<d", [0], MemoryOrder.C),
        ("T{<d:x:>i:y:}", [3], MemoryOrder.C), ("T{B:a:7x<d:b:}", [2, 2], MemoryOrder.F),
        ("T{(2,3)<h:m:3s:s:3T{B:x:(2)>f:y:}:n:}", [4], MemoryOrder.C), ("T{<i<d}", [3], MemoryOrder.C),
        ("T{<d:\u03b1:>i:\u00e9:}", [2], MemoryOrder.C),
    ];

    [Fact]
    public void Create_FilesNumPyMapsAsTheBytesNpSaveWrites()
    {
        using var dir = new TempDirectory();
        var patterns = new List<byte[]>();
        for (int i = 0; i < CreatedCases.Length; i++)
        {
            var (formatText, shape, order) = CreatedCases[i];
            using var file = NpyFile.Create(dir.File($"created{i}.npy"), BufferFormat.Parse(formatText), shape.Select(d => (nint)d).ToArray(), order);
            var pattern = new byte[file.Buffer.ByteLength];
            new Random(2000 + i).NextBytes(pattern);
            if (formatText == "?")
                pattern = pattern.Select(b => (byte)(b & 1)).ToArray();
            file.Buffer.CopyFrom(pattern, order);
            file.Flush();
            patterns.Add(pattern);
        }
        var batch = new JsonArray(CreatedCases.Select((_, i) => (JsonNode)new JsonObject { ["path"] = dir.File($"created{i}.npy") }).ToArray());
        var results = PythonOracle.Run(LoadScript, batch);
        for (int i = 0; i < CreatedCases.Length; i++)
        {
            var r = results[i]!;
            string label = $"case {i} {CreatedCases[i].Format} ({(string)r["descr"]!})";
            Assert.True((bool)r["same_as_np_save"]!, label + ": the file differs from np.save's");
            Assert.Equal(CreatedCases[i].Shape, r["shape"]!.AsArray().Select(d => (long)d!).ToArray());
            Assert.True((CreatedCases[i].Order == MemoryOrder.F && CreatedCases[i].Shape.Length > 1) == (bool)r["fortran"]!, label);
            Assert.True(Convert.ToHexString(patterns[i]).ToLowerInvariant() == (string)r["data"]!, label);
        }
    }

    [Fact]
    public void WritesCrossBetweenProcessesThroughTheMapping_WithoutReopening()
    {
        using var dir = new TempDirectory();
        string path = dir.File("shared.npy");
        using var file = NpyFile.Create<long>(path, [3, 4]);
        var span = file.Buffer.AsStridedSpan<long>();
        for (nint r = 0; r < 3; r++)
            for (nint c = 0; c < 4; c++)
                span[r, c] = 10 * r + c;
        // No Flush: a shared mapping and the other process's mapping are the same page cache pages.
        string seen = PythonProcess.RunCode($$"""
import numpy as np
a = np.load({{PythonString(path)}}, mmap_mode="r+")
print(a.tolist())
a[:, ::2] *= -1
a.flush()
""");
        Assert.Equal("[[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]", seen.Trim());
        for (nint r = 0; r < 3; r++)
            for (nint c = 0; c < 4; c++)
                Assert.Equal(c % 2 == 0 ? -(10 * r + c) : 10 * r + c, span[r, c]);
        GC.KeepAlive(file);
    }

    [Fact]
    public void OpenWritable_NumPysChangesAppearInTheBuffer_AndOursInTheFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("rw.npy");
        PythonProcess.RunCode($"import numpy as np; np.save({PythonString(path)}, np.arange(6, dtype='>i4').reshape(2, 3, order='F'))");
        using (var file = NpyFile.Open(path, writable: true))
        {
            Assert.Equal(MemoryOrder.F, file.Header.Order);
            Assert.False(file.Buffer.IsReadOnly);
            for (nint r = 0; r < 2; r++)
                for (nint c = 0; c < 3; c++)
                {
                    var element = new Span<byte>(file.Buffer.DangerousGetElementPointer(r, c), sizeof(int));
                    Assert.Equal(r + 2 * c, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(element));
                    System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(element, (int)(100 + r + 2 * c));
                }
            file.Flush();
        }
        string loaded = PythonProcess.RunCode($"import numpy as np; a = np.load({PythonString(path)}); print(a.dtype.str, np.isfortran(a), a.tolist())");
        Assert.Equal(">i4 True [[100, 102, 104], [101, 103, 105]]", loaded.Trim());
    }

    [Fact]
    public void TwoProcessesWriteDisjointHalvesConcurrently_AndEachSeesTheOthersHalf()
    {
        using var dir = new TempDirectory();
        string path = dir.File("halves.npy");
        const int elementCount = 1 << 22;
        using var file = NpyFile.Create<long>(path, [elementCount]);
        using var python = new InteractivePython($$"""
import sys
import numpy as np
a = np.load({{PythonString(path)}}, mmap_mode="r+")
n = a.shape[0]
print("ready", flush=True)
sys.stdin.readline()
for start in range(n // 2, n, 4096):
    a[start:start + 4096] = -np.arange(start, start + 4096)
print("written", flush=True)
sys.stdin.readline()
first = a[:n // 2]
bad = np.flatnonzero(first != np.arange(n // 2))
print("ok" if bad.size == 0 else "lost %d writes, first at %d" % (bad.size, bad[0]), flush=True)
""");
        Assert.Equal("ready", python.ReadLine());
        python.WriteLine("go");
        var span = file.Buffer.AsStridedSpan<long>();
        for (nint i = 0; i < elementCount / 2; i++)
            span[i] = i;
        Assert.Equal("written", python.ReadLine());
        for (nint i = elementCount / 2; i < elementCount; i++)
        {
            if (span[i] != -i)
                Assert.Fail($"element {i} reads {span[i]}, expected {-i}: a write from the Python process was lost");
        }
        python.WriteLine("verify");
        Assert.Equal("ok", python.ReadLine());
        python.WaitForSuccess();
        GC.KeepAlive(file);
    }

    internal static string PythonString(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
