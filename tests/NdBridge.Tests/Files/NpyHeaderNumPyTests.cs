using System.Text.Json.Nodes;
using NdBridge.Testing;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Files;

/// <summary>
/// <see cref="NpyHeader"/> against NumPy's own writer (<c>np.save</c> in a separate interpreter): every dtype family,
/// C and F order, versions 1.0, 2.0 (a header longer than 65535 bytes) and 3.0 (a field name outside Latin-1). NumPy's
/// bytes are parsed, the parsed header is written again, and the bytes must be the same.
/// </summary>
public sealed class NpyHeaderNumPyTests
{
    private const string Script = """
import io, json, sys, warnings
import numpy as np

out = []
for case in json.load(sys.stdin):
    dt = np.dtype(eval(case["dtype"]))
    a = np.zeros(tuple(case["shape"]), dtype=dt, order=case["order"])
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.save(f, a)
    data = f.getvalue()
    major, minor = np.lib.format.read_magic(io.BytesIO(data))
    out.append({"header": data[:len(data) - a.nbytes].hex(), "version": major,
                "fortran": bool(np.isfortran(a)), "shape": list(a.shape), "itemsize": dt.itemsize,
                "names": list(dt.names) if dt.names else None})
json.dump(out, sys.stdout)
""";

    private static readonly (string Dtype, long[] Shape, string Order)[] Cases =
    [
        ("'?'", [3], "C"), ("'i1'", [5], "C"), ("'u1'", [2, 3], "F"), ("'<i2'", [4], "C"), ("'>i2'", [4], "C"),
        ("'<u4'", [2, 2], "C"), ("'>i8'", [3, 4], "F"), ("'<u8'", [0], "C"), ("'<f2'", [7], "C"), ("'>f2'", [7], "C"),
        ("'<f4'", [2, 3, 4], "F"), ("'>f8'", [], "C"), ("'<f8'", [1000000, 3], "C"), ("'<c8'", [2], "C"), ("'>c16'", [2, 2], "F"),
        ("'g'", [3], "C"), ("'G'", [2], "C"), ("'S5'", [3], "C"), ("'V7'", [2], "C"), ("'<U3'", [2], "C"), ("'>U2'", [2, 2], "F"),
        ("[('x', '<f8'), ('y', '>i4')]", [3], "C"),
        ("np.dtype([('a', 'u1'), ('b', '<f8')], align=True)", [2, 2], "F"),
        ("{'names': ['a', 'b'], 'formats': ['u1', '<f8'], 'offsets': [0, 8], 'itemsize': 24}", [2], "C"),
        ("[('m', '<i2', (2, 3)), ('s', 'S3'), ('n', [('x', 'u1'), ('y', '>f4', (2,))], (3,))]", [4], "C"),
        ("[('', '<i4'), ('', '<f8')]", [2], "C"),
        ("[(\"it's\", '<i4'), ('q\"', '<i2'), ('é', '<f4'), ('tab\\t', 'u1')]", [2], "C"),
        ("[('α', '<f8'), ('β', '<i4')]", [3], "C"),
        ("[('field_with_a_long_name_%04d' % i, '<f4') for i in range(3000)]", [2], "C"),
    ];

    [Fact]
    public void Create_WritesTheBytesNpSaveWrites_ForEveryDtypeFamilyOrderAndVersion()
    {
        var batch = new JsonArray(Cases.Select(c => (JsonNode)new JsonObject
        {
            ["dtype"] = c.Dtype, ["shape"] = new JsonArray(c.Shape.Select(d => (JsonNode)d).ToArray()), ["order"] = c.Order,
        }).ToArray());
        var results = PythonOracle.Run(Script, batch);
        var versions = new HashSet<int>();
        for (int i = 0; i < Cases.Length; i++)
        {
            var r = results[i]!;
            byte[] numpyHeader = Convert.FromHexString((string)r["header"]!);
            var parsed = NpyHeader.Parse(numpyHeader);
            string label = $"case {i} {Cases[i].Dtype}";
            Assert.True((int)r["version"]! == parsed.MajorVersion, label);
            Assert.True(numpyHeader.Length == parsed.DataByteOffset, label);
            Assert.True(parsed.DataByteOffset % NpyHeader.DataAlignment == 0, label);
            Assert.Equal(r["shape"]!.AsArray().Select(d => (nint)(long)d!).ToArray(), parsed.Shape.ToArray());
            Assert.True(((bool)r["fortran"]! ? MemoryOrder.F : MemoryOrder.C) == parsed.Order, label);
            Assert.True((long)r["itemsize"]! == parsed.Format.NumPyItemSize, label);
            if (r["names"] is JsonArray names)
                Assert.Equal(names.Select(n => (string)n!), parsed.Format.Fields.Select(f => f.Name));

            var written = NpyHeader.Create(parsed.Format, parsed.Shape, parsed.Order);
            Assert.True(numpyHeader.AsSpan().SequenceEqual(written.Bytes),
                $"{label}:\nNumPy:    {System.Text.Encoding.UTF8.GetString(numpyHeader)}\nNdBridge: {System.Text.Encoding.UTF8.GetString(written.Bytes)}");
            versions.Add(written.MajorVersion);
        }
        Assert.Equal([1, 2, 3], versions.Order());
    }

    [Fact]
    public void Create_NumbersUnnamedFieldsAsNumPyNamesThem()
    {
        var header = NpyHeader.Create(BufferFormat.Parse("T{<i<d}"), [2]);
        string names = PythonProcess.RunCode(
            "import io, sys, numpy as np; print(','.join(np.load(io.BytesIO(bytes.fromhex(sys.stdin.read()))).dtype.names))",
            Convert.ToHexString(header.Bytes) + new string('0', 2 * 2 * 16)).Trim();
        Assert.Equal("f0,f1", names);
    }
}
