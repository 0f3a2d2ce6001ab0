using System.Text.Json.Nodes;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Formats;

/// <summary>
/// <see cref="BufferFormat.PaddedItemSize"/> and <see cref="BufferFormat.WithItemSize"/> against ctypes: C's
/// <c>sizeof</c> and field offsets of a structure, beside the standard-size format of its fields (<c>&lt;</c>: no
/// alignment, so no trailing padding; the cases place every field where C does). ctypes' own PEP 3118 format leaves
/// that padding out on some CPython versions and writes it on others: either way an import accepts it.
/// One interpreter for the batch.
/// </summary>
public sealed class TrailingPaddingTests
{
    private const string Script = """
import ctypes, json, struct, sys

def standard_code(t):  # the struct code of the same size in '<' mode (ctypes calls an 8-byte long 'l')
    return t._type_ if struct.calcsize("<" + t._type_) == ctypes.sizeof(t) else {"l": "q", "L": "Q"}[t._type_]

out = []
for fields in json.load(sys.stdin):
    S = type("S", (ctypes.Structure,), {"_fields_": [(f"f{i}", getattr(ctypes, t)) for i, t in enumerate(fields)]})
    view = memoryview(S())
    out.append({"format": view.format, "itemsize": view.itemsize, "sizeof": ctypes.sizeof(S),
                "codes": [standard_code(getattr(ctypes, t)) for t in fields],
                "offsets": [getattr(S, f"f{i}").offset for i in range(len(fields))]})
json.dump(out, sys.stdout)
""";

    private static readonly string[][] Cases =
    [
        ["c_double", "c_byte"],
        ["c_int", "c_short"],
        ["c_double", "c_int", "c_byte"],
        ["c_short", "c_byte"],
        ["c_float", "c_float", "c_ubyte"],
        ["c_longlong", "c_int32", "c_int16", "c_int8"],
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
            var sizeOf = (nint)(long)ctypes["sizeof"]!;
            Assert.Equal(sizeOf, (nint)(long)ctypes["itemsize"]!);
            var codes = ctypes["codes"]!.AsArray().Select(c => (string)c!).ToArray();
            var format = BufferFormat.Parse("T{" + string.Concat(codes.Select((c, i) => $"<{c}:f{i}:")) + "}");
            Assert.True(format.Fields.Select(f => (long)f.ByteOffset).SequenceEqual(ctypes["offsets"]!.AsArray().Select(o => (long)o!)), context);
            Assert.Equal(sizeOf, format.PaddedItemSize);
            var withPadding = format.WithItemSize(sizeOf);
            Assert.Equal(sizeOf, withPadding.ItemSize);
            Assert.Equal(sizeOf, withPadding.NumPyItemSize);
            Assert.True(format.Fields.Select(f => (f.Name, f.ByteOffset, f.Format)).SequenceEqual(withPadding.Fields.Select(f => (f.Name, f.ByteOffset, f.Format))), context);
            Assert.Equal(sizeOf, BufferFormat.Parse(withPadding.ToString()).ItemSize); // the padding is written out
            if (sizeOf != format.ItemSize)
                padded++;

            var own = BufferFormat.Parse((string)ctypes["format"]!);
            Assert.True(own.ItemSize == sizeOf || own.PaddedItemSize == sizeOf, context);
        }
        Assert.True(padded >= 5, $"only {padded} cases had trailing padding");
    }

    [Fact]
    public void OnlyARecordChangesSizeAndNeverBelowItsFields()
    {
        var scalar = BufferFormat.Parse("d");
        Assert.Equal(8, scalar.PaddedItemSize);
        Assert.Same(scalar, scalar.WithItemSize(8));
        var scalarError = Assert.Throws<ArgumentOutOfRangeException>(() => scalar.WithItemSize(16));
        Assert.Equal("itemSize", scalarError.ParamName);
        Assert.Contains("only a record's size can change", scalarError.Message);
        var record = BufferFormat.Parse("T{<d:a:<b:b:}");
        Assert.Equal(9, record.ItemSize);
        Assert.Equal(16, record.PaddedItemSize);
        var shortError = Assert.Throws<ArgumentOutOfRangeException>(() => record.WithItemSize(8));
        Assert.Equal("itemSize", shortError.ParamName);
        Assert.Contains("end at byte 9", shortError.Message);
    }
}
