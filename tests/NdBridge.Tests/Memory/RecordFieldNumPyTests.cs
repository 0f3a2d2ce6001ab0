using System.Text.Json.Nodes;
using NdBridge.Tests.Support;
using Xunit.Abstractions;

namespace NdBridge.Tests.Memory;

/// <summary>
/// Record fields (<see cref="NdBuffer.Field"/>) against NumPy's <c>a['name']</c>: shape, strides, offset, format
/// and every value (read unaligned where NumPy's fields are unaligned), over packed, aligned, sub-array,
/// reversed and transposed record arrays. One interpreter for the batch.
/// </summary>
public sealed unsafe class RecordFieldNumPyTests(ITestOutputHelper output)
{
    private const string Script = """
import json, sys
import numpy as np

out = []
for case in json.load(sys.stdin):
    dt = np.dtype(eval(case["dtype"]), align=case["align"])
    a0 = np.zeros(tuple(case["shape"]), dtype=dt)
    for k, name in enumerate(dt.names):
        f = a0[name]
        f[...] = (np.arange(f.size).reshape(f.shape) * 1.5 + 10 * k + 1).astype(f.dtype)
    a = eval(case["view"])
    base = a0.__array_interface__["data"][0]
    f = a[case["field"]]
    out.append({
        "bytes": a0.tobytes().hex(), "offset": a.__array_interface__["data"][0] - base,
        "shape": list(a.shape), "strides": list(a.strides), "itemsize": a.itemsize, "format": memoryview(a).format,
        "field_shape": list(f.shape), "field_strides": list(f.strides),
        "field_offset": f.__array_interface__["data"][0] - base, "field_format": memoryview(f).format,
        "values": [float(v) for v in f.ravel(order="C").tolist()],
    })
json.dump(out, sys.stdout)
""";

    private static readonly (string Dtype, bool Align, long[] Shape, string View, string Field)[] Cases =
    [
        ("[('x','u1'),('y','<f8')]", false, [4], "a0", "y"),
        ("[('x','u1'),('y','<f8')]", false, [4], "a0", "x"),
        ("[('x','u1'),('y','<f8')]", true, [4], "a0", "y"),
        ("[('x','u1'),('y','<f8')]", false, [5], "a0[::-2]", "y"),
        ("[('a','<i4'),('b','<f8',(2,3))]", false, [3], "a0", "b"),
        ("[('a','<i4'),('b','<f8',(2,3))]", true, [3], "a0[1:]", "b"),
        ("[('p','<i2'),('q','<f4')]", false, [2, 3], "a0.T", "q"),
        ("[('p','<i2'),('q','<f4')]", true, [2, 3], "a0[:, ::-1].T", "p"),
        ("[('p','<i2'),('q','<f4'),('r','<i4')]", false, [3, 2], "a0[::2]", "r"),
    ];

    [Fact]
    public void FieldsAgreeWithNumPy()
    {
        var batch = new JsonArray();
        foreach (var (dtype, align, shape, view, field) in Cases)
        {
            batch.Add(new JsonObject
            {
                ["dtype"] = dtype, ["align"] = align, ["view"] = view, ["field"] = field,
                ["shape"] = new JsonArray(shape.Select(x => JsonValue.Create(x)).ToArray<JsonNode?>()),
            });
        }
        var results = PythonOracle.Run(Script, batch);
        var unaligned = 0;
        for (var k = 0; k < Cases.Length; k++)
        {
            var numpy = JsonNode.Parse(results[k]!.ToJsonString())!.AsObject();
            var context = $"{Cases[k]} -> {numpy["format"]} / {numpy["field_format"]}";
            var bytes = Convert.FromHexString((string)numpy["bytes"]!);
            var layout = new StridedLayout(Longs(numpy["shape"]), Longs(numpy["strides"]), (nint)(long)numpy["itemsize"]!);
            using var records = NdBuffer.FromArray(bytes, BufferFormat.Parse((string)numpy["format"]!), layout, (nint)(long)numpy["offset"]!);
            using var column = records.Field(Cases[k].Field);
            Assert.True(Longs(numpy["field_shape"]).SequenceEqual(column.Shape.ToArray()), $"shape {column.Layout}: {context}");
            Assert.True(Longs(numpy["field_strides"]).SequenceEqual(column.Layout.ByteStrides.ToArray()), $"strides {column.Layout}: {context}");
            Assert.Equal((long)numpy["field_offset"]!, (long)((byte*)column.DangerousGetPointer() - records.ExtentStart));
            Assert.Equal(BufferFormat.Parse((string)numpy["field_format"]!), column.Format);

            var expected = numpy["values"]!.AsArray().Select(v => (double)v!).ToArray();
            var got = new List<double>();
            foreach (var index in IndexSpace.COrder(column.Shape.ToArray()))
                got.Add(ReadAsDouble(column, index));
            Assert.True(expected.SequenceEqual(got), $"values {string.Join(",", got)}: {context}");
            if (!column.CanViewAs<double>(writable: false, out _) && column.Format.Describes<double>())
                unaligned++;
        }
        output.WriteLine($"{Cases.Length} record fields agree with NumPy; {unaligned} unaligned double fields read through ReadUnaligned");
        Assert.True(unaligned >= 2);
        using var scalar = NdBuffer.FromArray(new double[2]);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => scalar.Field("y")).ParamName);
    }

    private static double ReadAsDouble(NdBuffer column, nint[] index) =>
        column.Format.Describes<double>() ? column.ReadUnaligned<double>(index)
        : column.Format.Describes<float>() ? column.ReadUnaligned<float>(index)
        : column.Format.Describes<int>() ? column.ReadUnaligned<int>(index)
        : column.Format.Describes<short>() ? column.ReadUnaligned<short>(index)
        : column.Format.Describes<byte>() ? column.ReadUnaligned<byte>(index)
        : throw new InvalidOperationException($"no reader for {column.Format}");

    private static nint[] Longs(JsonNode? node) => node!.AsArray().Select(x => (nint)(long)x!).ToArray();
}
