using System.Text.Json.Nodes;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// Equality by value against CPython's <c>memoryview</c> comparison (struct unpacking, Python <c>==</c>):
/// Python packs the same (or a slightly changed) list of values with two formats and says whether the
/// arrays are equal; the engine compares the same bytes scattered into random strided and indirect layouts.
/// </summary>
public sealed unsafe class ValueEqualityTests : IDisposable
{
    private const string Script = """
        import sys, json, base64, struct, random, math
        from _testbuffer import ndarray
        POOL = [0, 1, 2, 7, 100, -1, 255, 2**53 + 1, 2**31, 0.0, -0.0, 1.0, 2.5, 7.0, float('nan'), float('inf'),
                1e10, True, False, b'', b'a', b'ab', b'abc', b'\x00b']
        def leaves(fmt):
            order, codes, i = fmt[0], [], 1
            while i < len(fmt):
                n = ''
                while fmt[i].isdigit():
                    n += fmt[i]; i += 1
                c = fmt[i]; i += 1
                if c == 'x':
                    continue
                codes.append(order + (n + c if c == 's' else c))
            return codes
        def packable(code, v):
            try:
                struct.pack(code, v)
                return True
            except (struct.error, OverflowError, TypeError, ValueError):
                return False
        out = []
        for case in json.load(sys.stdin):
            rng = random.Random(case['seed'])
            la, lb = leaves(case['a']), leaves(case['b'])
            count = math.prod(case['shape'])
            def value(k):
                while True:
                    v = rng.choice(POOL)
                    if packable(la[k], v) and packable(lb[k], v):
                        return v
            def item():
                return tuple(value(k) for k in range(len(la)))
            va = [item() for _ in range(max(count, 1))]
            vb = list(va)
            if count and rng.random() < 0.5:
                j = rng.randrange(count)
                t = list(vb[j]); k = rng.randrange(len(t)); t[k] = value(k); vb[j] = tuple(t)
            single = len(la) == 1
            def items(vs):
                xs = [v[0] if single else v for v in vs]
                return xs[0] if not case['shape'] else xs
            na = ndarray(items(va), shape=case['shape'], format=case['a'])
            nb = ndarray(items(vb), shape=case['shape'], format=case['b'])
            out.append({'a': base64.b64encode(na.tobytes()).decode(), 'b': base64.b64encode(nb.tobytes()).decode(),
                        'equal': memoryview(na) == memoryview(nb)})
        json.dump(out, sys.stdout)
        """;

    private sealed record Format(string Text, int ItemSize, ValueLeaf[] Leaves)
    {
        public string Signature => string.Concat(Leaves.Select(l => l.Kind == ScalarKind.Bytes ? "s" : "n"));
    }

    private static ValueLeaf L(int offset, int size, ScalarKind kind, bool big) => new(offset, size, kind, big);

    private static readonly Format[] Formats = BuildFormats();

    private static Format[] BuildFormats()
    {
        var formats = new List<Format>();
        foreach (bool big in new[] { false, true })
        {
            string o = big ? ">" : "<";
            formats.Add(new(o + "b", 1, [L(0, 1, ScalarKind.SignedInteger, big)]));
            formats.Add(new(o + "B", 1, [L(0, 1, ScalarKind.UnsignedInteger, big)]));
            formats.Add(new(o + "h", 2, [L(0, 2, ScalarKind.SignedInteger, big)]));
            formats.Add(new(o + "H", 2, [L(0, 2, ScalarKind.UnsignedInteger, big)]));
            formats.Add(new(o + "i", 4, [L(0, 4, ScalarKind.SignedInteger, big)]));
            formats.Add(new(o + "I", 4, [L(0, 4, ScalarKind.UnsignedInteger, big)]));
            formats.Add(new(o + "q", 8, [L(0, 8, ScalarKind.SignedInteger, big)]));
            formats.Add(new(o + "Q", 8, [L(0, 8, ScalarKind.UnsignedInteger, big)]));
            formats.Add(new(o + "?", 1, [L(0, 1, ScalarKind.Boolean, big)]));
            formats.Add(new(o + "e", 2, [L(0, 2, ScalarKind.Float, big)]));
            formats.Add(new(o + "f", 4, [L(0, 4, ScalarKind.Float, big)]));
            formats.Add(new(o + "d", 8, [L(0, 8, ScalarKind.Float, big)]));
            formats.Add(new(o + "3s", 3, [L(0, 3, ScalarKind.Bytes, big)]));
            formats.Add(new(o + "c", 1, [L(0, 1, ScalarKind.Bytes, big)]));
            formats.Add(new(o + "id", 12, [L(0, 4, ScalarKind.SignedInteger, big), L(4, 8, ScalarKind.Float, big)]));
            formats.Add(new(o + "qe", 10, [L(0, 8, ScalarKind.SignedInteger, big), L(8, 2, ScalarKind.Float, big)]));
            formats.Add(new(o + "Hxf", 7, [L(0, 2, ScalarKind.UnsignedInteger, big), L(3, 4, ScalarKind.Float, big)]));
            formats.Add(new(o + "f2x?", 7, [L(0, 4, ScalarKind.Float, big), L(6, 1, ScalarKind.Boolean, big)]));
            formats.Add(new(o + "2sH", 4, [L(0, 2, ScalarKind.Bytes, big), L(2, 2, ScalarKind.UnsignedInteger, big)]));
            formats.Add(new(o + "3sq", 11, [L(0, 3, ScalarKind.Bytes, big), L(3, 8, ScalarKind.SignedInteger, big)]));
        }
        return formats.ToArray();
    }

    private readonly TestArena _left = new(), _right = new();

    public void Dispose()
    {
        _left.Dispose();
        _right.Dispose();
    }

    [Fact]
    public void EqualityAgreesWithMemoryviewComparison()
    {
        var random = new Random(4501);
        var generator = new ArenaLayoutGenerator(_left, random) { DisjointBlocks = true };
        var rightGenerator = new ArenaLayoutGenerator(_right, random) { DisjointBlocks = true };
        var cases = new List<(Format A, Format B, long[] Shape)>();
        var request = new JsonArray();
        while (cases.Count < 1500)
        {
            Format a = Formats[random.Next(Formats.Length)];
            Format[] partners = Formats.Where(f => f.Signature == a.Signature).ToArray();
            Format b = random.Next(4) == 0 ? a : partners[random.Next(partners.Length)];
            long[] shape = generator.RandomShape(maxRank: 3, maxDim: 4);
            cases.Add((a, b, shape));
            request.Add(new JsonObject
            {
                ["a"] = a.Text,
                ["b"] = b.Text,
                ["shape"] = new JsonArray(shape.Select(x => (JsonNode)x).ToArray()),
                ["seed"] = cases.Count,
            });
        }
        JsonArray answers = Support.PythonOracle.Run(Script, request);
        int equal = 0, unequal = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var (a, b, shape) = cases[i];
            bool expected = answers[i]!["equal"]!.GetValue<bool>();
            _left.Reset(random);
            _right.Reset(random);
            TestLayout? left = Place(generator, shape, a.ItemSize, Convert.FromBase64String(answers[i]!["a"]!.GetValue<string>()));
            TestLayout? right = Place(rightGenerator, shape, b.ItemSize, Convert.FromBase64String(answers[i]!["b"]!.GetValue<string>()));
            if (left == null || right == null)
                continue;
            bool actual = ValueEquality.Equal(left.ShapeN,
                new ValueEquality.Side(StridedCopyTests.Operand(left), a.ItemSize, a.Leaves),
                new ValueEquality.Side(StridedCopyTests.Operand(right), b.ItemSize, b.Leaves));
            Assert.True(expected == actual, $"case {i}: {a.Text} vs {b.Text} shape ({string.Join(",", shape)}): Python says {expected}");
            if (expected)
                equal++;
            else
                unequal++;
        }
        Assert.True(equal > 300 && unequal > 300, $"coverage: {equal} equal, {unequal} unequal");
    }

    /// <summary>Scatters C-order item bytes into a fresh random layout (direct or indirect) that holds each element once.</summary>
    private static TestLayout? Place(ArenaLayoutGenerator generator, long[] shape, int itemSize, byte[] cOrderBytes)
    {
        TestLayout? layout = generator.Any(shape, itemSize, allowAliasing: false);
        if (layout == null)
            return null;
        long count = NaiveReference.Count(shape);
        NaiveReference.Scatter(layout, cOrderBytes, count, 'C');
        return layout;
    }
}
