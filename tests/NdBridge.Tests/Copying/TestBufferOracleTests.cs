using System.Text.Json;
using System.Text.Json.Nodes;
using NdBridge.Copying;

namespace NdBridge.Tests.Copying;

/// <summary>
/// The C, F and A bytes of random layouts (direct, and PIL-style with suboffsets) against CPython's own
/// <c>PyBuffer_ToContiguous</c>, reached through <c>_testbuffer.py_buffer_to_contiguous</c>, and
/// contiguity against <c>_testbuffer.is_contiguous</c>. One interpreter for the whole batch.
/// </summary>
public sealed unsafe class TestBufferOracleTests : IDisposable
{
    private const string Script = """
        import sys, json, base64
        from _testbuffer import ndarray, py_buffer_to_contiguous, is_contiguous, ND_PIL, PyBUF_FULL_RO
        out = []
        for case in json.load(sys.stdin):
            raw = base64.b64decode(case['items'])
            k = case['itemsize']
            if k == 1:
                fmt, items = 'B', list(raw)
            else:
                fmt, items = '%ds' % k, [raw[i:i + k] for i in range(0, len(raw), k)]
            nd = ndarray(items, shape=case['shape'], strides=case['strides'], offset=case['offset'],
                         format=fmt, flags=ND_PIL if case['pil'] else 0)
            out.append({
                'bytes': {o: base64.b64encode(py_buffer_to_contiguous(nd, o, PyBUF_FULL_RO)).decode() for o in 'CFA'},
                'contiguous': {o: bool(is_contiguous(nd, o)) for o in 'CFA'},
                'suboffsets': list(nd.suboffsets),
            })
        json.dump(out, sys.stdout)
        """;

    private readonly TestArena _arena = new(1 << 20);

    public void Dispose() => _arena.Dispose();

    [Fact]
    public void ContiguousBytesAgreeWithCPython()
    {
        var random = new Random(4201);
        _arena.Reset(random);
        var generator = new ArenaLayoutGenerator(_arena, random);
        var layouts = new List<(TestLayout Direct, TestLayout Engine, bool Pil)>();
        var request = new JsonArray();
        while (layouts.Count < 600)
        {
            long[] shape = generator.RandomShape(maxRank: 4, maxDim: 4);
            int itemSize = ArenaLayoutGenerator.ItemSizes[random.Next(ArenaLayoutGenerator.ItemSizes.Length)];
            // _testbuffer wants strides and offset in whole items.
            TestLayout? direct = generator.Direct(shape, itemSize, generator.RandomStrides(shape, itemSize, itemSize, allowAliasing: true));
            if (direct == null)
                continue;
            bool pil = shape.Length > 0 && random.Next(2) == 0;
            TestLayout? engine = pil ? PilStyle(direct, random) : direct;
            if (engine == null)
                continue;
            var (low, high) = ArenaLayoutGenerator.Extent(shape, direct.Strides, itemSize);
            byte[] items = new Span<byte>(direct.Origin + low, (int)(high - low)).ToArray();
            request.Add(new JsonObject
            {
                ["items"] = Convert.ToBase64String(items),
                ["itemsize"] = itemSize,
                ["shape"] = new JsonArray(shape.Select(x => (JsonNode)x).ToArray()),
                ["strides"] = new JsonArray(direct.Strides.Select(x => (JsonNode)x).ToArray()),
                ["offset"] = -low,
                ["pil"] = pil,
            });
            layouts.Add((direct, engine, pil));
        }

        JsonArray answers = Support.PythonOracle.Run(Script, request);
        Assert.Equal(layouts.Count, answers.Count);
        int pilCases = 0, contiguousAnswers = 0;
        for (int i = 0; i < layouts.Count; i++)
        {
            var (direct, engine, pil) = layouts[i];
            JsonNode answer = answers[i]!;
            if (pil)
            {
                pilCases++;
                Assert.True(answer["suboffsets"]!.AsArray().Count == engine.Shape.Length, $"case {i}: _testbuffer gave no suboffsets");
            }
            foreach (char order in "CFA")
            {
                string o = order.ToString();
                byte[] expected = Convert.FromBase64String(answer["bytes"]![o]!.GetValue<string>());
                var actual = new byte[expected.Length];
                ContiguousCopy.ToContiguous(actual, engine.ShapeN, engine.ItemSize, StridedCopyTests.Operand(engine), order);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"case {i} order {order}: {engine} (as {direct})");

                // Contiguity is the exporter's: for the PIL case that is _testbuffer's own layout, never contiguous.
                bool expectedContiguous = answer["contiguous"]![o]!.GetValue<bool>();
                contiguousAnswers += expectedContiguous ? 1 : 0;
                Assert.Equal(expectedContiguous, LayoutMath.IsContiguous(engine.ShapeN, engine.StridesN, engine.SuboffsetsN, engine.ItemSize, order));
            }
        }
        Assert.True(pilCases > 200 && contiguousAnswers > 100, $"coverage: PIL {pilCases}, contiguous answers {contiguousAnswers}");
    }

    /// <summary>The same logical array through a table of row pointers, as PIL and _testbuffer's ND_PIL build it.</summary>
    private TestLayout? PilStyle(TestLayout direct, Random random)
    {
        long rows = direct.Shape[0];
        long slotStride = random.Next(2) == 0 ? 8 : -8;
        long suboffset = random.Next(0, 48);
        byte* table = _arena.AllocatePointers(Math.Max(rows, 1) * 8);
        if (table == null)
            return null;
        byte* origin = slotStride > 0 ? table : table + (rows - 1) * 8;
        for (long i = 0; i < rows; i++)
            *(byte**)(origin + i * slotStride) = direct.Origin + i * direct.Strides[0] - suboffset;
        long[] strides = (long[])direct.Strides.Clone();
        strides[0] = slotStride;
        long[] suboffsets = Enumerable.Repeat(-1L, direct.Shape.Length).ToArray();
        suboffsets[0] = suboffset;
        return new TestLayout { Origin = origin, Shape = direct.Shape, Strides = strides, Suboffsets = suboffsets, ItemSize = direct.ItemSize };
    }
}
