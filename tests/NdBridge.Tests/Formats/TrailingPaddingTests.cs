using System.Text.Json.Nodes;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Formats;

/// <summary>
/// <see cref="BufferFormat.PaddedItemSize"/> and <see cref="BufferFormat.WithTrailingPadding"/> against ctypes, whose
/// structures export a PEP 3118 format without their trailing padding and an <c>itemsize</c> of C's <c>sizeof</c>.
/// One interpreter for the batch.
/// </summary>
public sealed class TrailingPaddingTests
{
    private const string Script = """
import ctypes, json, sys

out = []
for fields in json.load(sys.stdin):
    S = type("S", (ctypes.Structure,), {"_fields_": [(f"f{i}", getattr(ctypes, t)) for i, t in enumerate(fields)]})
    view = memoryview(S())
    out.append({"format": view.format, "itemsize": view.itemsize, "sizeof": ctypes.sizeof(S),
                "offsets": [getattr(S, f"f{i}").offset for i in range(len(fields))]})
json.dump(out, sys.stdout)
""";

    // Structures whose fields sit where struct's standard sizes put them too, so only the end differs from C.
    private static readonly string[][] Cases =
    [
        ["c_double", "c_byte"],
        ["c_int", "c_short"],
        ["c_double", "c_int", "c_byte"],
        ["c_short", "c_byte"],
        ["c_float", "c_float", "c_ubyte"],
        ["c_int64", "c_int32", "c_int16", "c_int8"],
        ["c_double"],
        ["c_byte", "c_byte", "c_byte"],
    ];

    [Fact]
    public void PaddedSizesAgreeWithCtypes()
    {
        var batch = new JsonArray(Cases.Select(c => (JsonNode)new JsonArray(c.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray())).ToArray());
        var results = PythonOracle.Run(Script, batch);
        var padded = 0;
        for (var k = 0; k < Cases.Length; k++)
        {
            var ctypes = results[k]!.AsObject();
            var context = string.Join(", ", Cases[k]) + " -> " + ctypes.ToJsonString();
            var itemSize = (nint)(long)ctypes["itemsize"]!;
            Assert.Equal((long)ctypes["sizeof"]!, itemSize);
            var format = BufferFormat.Parse((string)ctypes["format"]!);
            Assert.True(format.Fields.Select(f => (long)f.ByteOffset).SequenceEqual(ctypes["offsets"]!.AsArray().Select(o => (long)o!)), context);
            Assert.Equal(itemSize, format.PaddedItemSize);
            var withPadding = format.WithTrailingPadding(itemSize);
            Assert.Equal(itemSize, withPadding.ItemSize);
            Assert.Equal(itemSize, withPadding.NumPyItemSize);
            Assert.True(format.Fields.Select(f => (f.Name, f.ByteOffset, f.Format)).SequenceEqual(withPadding.Fields.Select(f => (f.Name, f.ByteOffset, f.Format))), context);
            Assert.Equal(itemSize, BufferFormat.Parse(withPadding.ToString()).ItemSize); // the padding is written out
            if (itemSize != format.ItemSize)
                padded++;
        }
        Assert.True(padded >= 5, $"only {padded} cases had trailing padding");
    }

    [Fact]
    public void OnlyARecordTakesPaddingAndNeverLess()
    {
        var scalar = BufferFormat.Parse("d");
        Assert.Equal(8, scalar.PaddedItemSize);
        Assert.Contains("not a record", Assert.Throws<InvalidOperationException>(() => scalar.WithTrailingPadding(16)).Message);
        var record = BufferFormat.Parse("T{<d:a:<b:b:}");
        Assert.Equal(9, record.ItemSize);
        Assert.Equal(16, record.PaddedItemSize);
        Assert.Equal("itemSize", Assert.Throws<ArgumentOutOfRangeException>(() => record.WithTrailingPadding(8)).ParamName);
    }
}
