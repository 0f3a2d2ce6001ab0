using System.Text.Json.Nodes;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// Scalar leaves taken from real formats (the PEP 3118 strings NumPy exports) drive the byte-order copy and
/// equality; NumPy's <c>astype</c> between byte orders is the expected side.
/// </summary>
public sealed unsafe class FormatLeavesTests
{
    private const string Script = """
        import sys, json, base64
        import numpy as np
        out = []
        for case in json.load(sys.stdin):
            rng = np.random.default_rng(case['seed'])
            a_type, b_type = np.dtype(eval(case['a'])), np.dtype(eval(case['b']))
            raw = rng.integers(0, 256, size=a_type.itemsize * case['n'], dtype=np.uint8).tobytes()
            a = np.frombuffer(raw, dtype=a_type).copy()
            # No NaN: equality by value must then hold between a and its conversion.
            for name in (a.dtype.names or [None]):
                field = a if name is None else a[name]
                if field.dtype.kind in 'fc':
                    field[...] = rng.integers(-1000, 1000, size=field.shape) / 8
            b = a.astype(b_type)
            out.append({'a_format': memoryview(a).format, 'b_format': memoryview(b).format,
                        'a': base64.b64encode(a.tobytes()).decode(), 'b': base64.b64encode(b.tobytes()).decode()})
        json.dump(out, sys.stdout)
        """;

    private static readonly (string A, string B)[] Pairs =
    [
        ("'>i4'", "'<i4'"), ("'<i4'", "'>i4'"), ("'>u2'", "'<u2'"), ("'>i8'", "'<i8'"),
        ("'>f2'", "'<f2'"), ("'>f4'", "'<f4'"), ("'>f8'", "'<f8'"), ("'<f8'", "'<f8'"),
        ("'>c8'", "'<c8'"), ("'>c16'", "'<c16'"), ("'?'", "'?'"), ("'S5'", "'S5'"),
        ("[('a','>i2'),('b','>f4'),('c','S3'),('d','>u8',(2,))]", "[('a','<i2'),('b','<f4'),('c','S3'),('d','<u8',(2,))]"),
        ("[('x','u1'),('y','>f8')]", "[('x','u1'),('y','<f8')]"),
        ("[('p','>c16'),('q','<i4',(2,3))]", "[('p','<c16'),('q','>i4',(2,3))]"),
        ("[('v','>f8',(3,))]", "[('v','<f8',(3,))]"),
    ];

    [Fact]
    public void ByteOrderCopiesFromFormatLeavesAgreeWithNumPyAstype()
    {
        var random = new Random(4701);
        var cases = Enumerable.Range(0, 160).Select(i => (Pair: Pairs[i % Pairs.Length], N: random.Next(1, 40))).ToList();
        var request = new JsonArray(cases.Select((c, i) => (JsonNode)new JsonObject
        {
            ["a"] = c.Pair.A, ["b"] = c.Pair.B, ["n"] = c.N, ["seed"] = i,
        }).ToArray());
        JsonArray answers = Support.PythonOracle.Run(Script, request);
        int swapped = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            JsonNode answer = answers[i]!;
            BufferFormat a = BufferFormat.Parse(answer["a_format"]!.GetValue<string>());
            BufferFormat b = BufferFormat.Parse(answer["b_format"]!.GetValue<string>());
            byte[] source = Convert.FromBase64String(answer["a"]!.GetValue<string>());
            byte[] expected = Convert.FromBase64String(answer["b"]!.GetValue<string>());
            nint itemSize = source.Length / cases[i].N;
            Assert.True(FormatLeaves.TryGetSwapLeaves(a, b, out SwapLeaf[] leaves), $"case {i}: '{a}' -> '{b}'");
            swapped += leaves.Length > 0 ? 1 : 0;
            var actual = new byte[expected.Length];
            fixed (byte* from = source)
            fixed (byte* to = actual)
            {
                // Reversed source (a[::-1]) into a reversed destination: the strided path, not only the packed one.
                ByteOrderCopy.Copy([cases[i].N], itemSize,
                    new StridedOperand(to + (cases[i].N - 1) * itemSize, [-itemSize]),
                    new StridedOperand(from + (cases[i].N - 1) * itemSize, [-itemSize]), leaves);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {i}: '{a}' -> '{b}'");
                Assert.True(ValueEquality.Equal([cases[i].N],
                    new ValueEquality.Side(new StridedOperand(from, [itemSize]), itemSize, FormatLeaves.ValueLeaves(a, "a")),
                    new ValueEquality.Side(new StridedOperand(to, [itemSize]), itemSize, FormatLeaves.ValueLeaves(b, "b"))),
                    $"case {i}: '{a}' and its conversion '{b}' are equal by value");
            }
        }
        Assert.True(swapped > 100, $"only {swapped} cases swapped anything");
    }

    [Fact]
    public void FormatsWithOtherScalarsDoNotMatch()
    {
        Assert.False(FormatLeaves.TryGetSwapLeaves(BufferFormat.Parse("<i"), BufferFormat.Parse("<f"), out _));
        Assert.False(FormatLeaves.TryGetSwapLeaves(BufferFormat.Parse("<id"), BufferFormat.Parse("<i4xd"), out _));
        Assert.True(FormatLeaves.TryGetSwapLeaves(BufferFormat.Parse("T{<i:a:}"), BufferFormat.Parse("T{>i:b:}"), out SwapLeaf[] leaves));
        Assert.Equal([new SwapLeaf(0, 4)], leaves);
        Assert.Throws<NotSupportedException>(() => FormatLeaves.ValueLeaves(BufferFormat.Parse("O"), "format"));
    }
}
