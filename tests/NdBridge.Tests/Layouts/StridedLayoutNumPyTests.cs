using Xunit.Abstractions;
using System.Text.Json.Nodes;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Layouts;

/// <summary>
/// A sample of slices, indexes, transposes, reshapes (C through <c>a.shape = ...</c>, which raises when a copy
/// is needed; F through <c>reshape(order='F')</c> and <c>np.shares_memory</c>) and broadcasts, cross-checked
/// against NumPy's own shapes, strides and data offsets, and CPython's <c>_testbuffer.is_contiguous</c>.
/// One interpreter for the whole batch.
/// </summary>
public sealed class StridedLayoutNumPyTests(ITestOutputHelper output)
{
    private const int CaseCount = 3_000;

    private const string Script = """
import json, sys
import numpy as np
import _testbuffer

def contiguity(x):
    m = memoryview(x)
    return [bool(_testbuffer.is_contiguous(m, o)) for o in "CFA"]

out = []
for case in json.load(sys.stdin):
    base = np.zeros(max(case["bufsize"], 1), dtype=np.uint8)
    a = np.ndarray(tuple(case["shape"]), dtype=np.dtype("V%d" % case["itemsize"]), buffer=base,
                   offset=case["origin"], strides=tuple(case["strides"]))
    op = case["op"]
    res = {"base_contiguous": contiguity(a)}
    try:
        if op == "slice":
            idx = [slice(None)] * a.ndim
            idx[case["dim"]] = slice(case["start"], case["stop"], case["step"])
            r = a[tuple(idx)]
        elif op == "index":
            r = a[(slice(None),) * case["dim"] + (case["index"], Ellipsis)]
        elif op == "transpose":
            r = a.T
        elif op == "permute":
            r = a.transpose(case["axes"])
        elif op == "reshape_c":
            r = a.view()
            r.shape = tuple(case["newshape"])
        elif op == "reshape_f":
            r = a.reshape(tuple(case["newshape"]), order="F")
            if r.size > 0 and not np.shares_memory(r, a):
                raise ValueError("copied")
        elif op == "broadcast":
            r = np.broadcast_to(a, tuple(case["target"]))
        res.update(ok=True, shape=list(r.shape), strides=list(r.strides),
                   offset=int(r.__array_interface__["data"][0] - a.__array_interface__["data"][0]),
                   size=int(r.size), contiguous=contiguity(r))
    except (AttributeError, ValueError) as e:
        res.update(ok=False, error=type(e).__name__ + ": " + str(e))
    out.append(res)
json.dump(out, sys.stdout)
""";

    [Fact]
    public void OperationsAgreeWithNumPyStrides()
    {
        var random = new Random(3118);
        var cases = new List<(StridedLayout Layout, JsonObject Case)>();
        var batch = new JsonArray();
        while (cases.Count < CaseCount)
        {
            var spec = LayoutGenerator.Next(random);
            if (spec.Suboffsets is not null)
                continue;
            var layout = new StridedLayout(StridedLayoutPropertyTests.ToN(spec.Shape), StridedLayoutPropertyTests.ToN(spec.Strides), (nint)spec.ItemSize);
            var origin = -(long)layout.LowestByteOffset;
            var entry = new JsonObject
            {
                ["shape"] = new JsonArray(spec.Shape.Select(x => JsonValue.Create(x)).ToArray<JsonNode?>()),
                ["strides"] = new JsonArray(spec.Strides.Select(x => JsonValue.Create(x)).ToArray<JsonNode?>()),
                ["itemsize"] = spec.ItemSize,
                ["origin"] = origin,
                ["bufsize"] = (long)layout.ByteSpan,
            };
            var rank = spec.Shape.Length;
            var op = rank == 0 ? (random.Next(2) == 0 ? "reshape_c" : "broadcast")
                : new[] { "slice", "slice", "index", "transpose", "permute", "reshape_c", "reshape_f", "broadcast" }[random.Next(8)];
            entry["op"] = op;
            switch (op)
            {
                case "slice":
                {
                    var dim = random.Next(rank);
                    var length = (int)spec.Shape[dim];
                    entry["dim"] = dim;
                    entry["start"] = random.Next(3) == 0 ? null : random.Next(-length - 2, length + 3);
                    entry["stop"] = random.Next(3) == 0 ? null : random.Next(-length - 2, length + 3);
                    entry["step"] = random.Next(2) == 0 ? random.Next(1, 4) : -random.Next(1, 4);
                    break;
                }
                case "index":
                {
                    var dim = random.Next(rank);
                    var length = (int)spec.Shape[dim];
                    if (length == 0)
                        continue;
                    entry["dim"] = dim;
                    entry["index"] = random.Next(-length, length);
                    break;
                }
                case "permute":
                    entry["axes"] = new JsonArray(Enumerable.Range(0, rank).OrderBy(_ => random.Next()).Select(x => JsonValue.Create(x)).ToArray<JsonNode?>());
                    break;
                case "reshape_c":
                case "reshape_f":
                    entry["newshape"] = new JsonArray(NewShape(random, spec.Shape).Select(x => JsonValue.Create(x)).ToArray<JsonNode?>());
                    break;
                case "broadcast":
                    entry["target"] = new JsonArray(Enumerable.Range(0, random.Next(0, 2)).Select(_ => (long)random.Next(0, 3))
                        .Concat(spec.Shape.Select(n => n == 1 ? random.Next(0, 3) : n)).Select(x => JsonValue.Create(x)).ToArray<JsonNode?>());
                    break;
            }
            cases.Add((layout, entry));
            batch.Add(entry);
        }

        // Numbers read back from JSON text convert to any integer type; in-memory ones do not.
        var sent = JsonNode.Parse(batch.ToJsonString())!.AsArray();
        var results = PythonOracle.Run(Script, batch);
        Assert.Equal(cases.Count, results.Count);
        var byOp = new Dictionary<string, int>();
        var copies = 0;
        for (var k = 0; k < cases.Count; k++)
        {
            var layout = cases[k].Layout;
            var entry = sent[k]!.AsObject();
            var numpy = results[k]!.AsObject();
            var context = $"case {k}: {layout} {entry.ToJsonString()} -> numpy {numpy.ToJsonString()}";
            AssertContiguity(layout, numpy["base_contiguous"]!.AsArray(), context);
            var op = (string)entry["op"]!;
            byOp[op] = byOp.GetValueOrDefault(op) + 1;
            StridedLayout? result = null;
            nint shift = 0;
            switch (op)
            {
                case "slice":
                    result = layout.Slice((int)entry["dim"]!, (nint?)(long?)entry["start"], (nint?)(long?)entry["stop"], (nint)(long)entry["step"]!, out shift);
                    break;
                case "index":
                    result = layout.Index((int)entry["dim"]!, (nint)(long)entry["index"]!, out shift);
                    break;
                case "transpose":
                    result = layout.Transpose();
                    break;
                case "permute":
                    result = layout.Permute(entry["axes"]!.AsArray().Select(x => (int)x!).ToArray());
                    break;
                case "reshape_c":
                case "reshape_f":
                    if (!layout.TryReshape(entry["newshape"]!.AsArray().Select(x => (nint)(long)x!).ToArray(), op == "reshape_c" ? MemoryOrder.C : MemoryOrder.F, out result))
                        result = null;
                    break;
                case "broadcast":
                    result = layout.BroadcastTo(entry["target"]!.AsArray().Select(x => (nint)(long)x!).ToArray());
                    break;
            }
            var ok = (bool)numpy["ok"]!;
            Assert.True(ok == (result is not null), $"view possible: NumPy {ok}, NdBridge {result is not null}: {context}");
            if (result is null)
            {
                copies++;
                continue;
            }
            Assert.True(numpy["shape"]!.AsArray().Select(x => (long)x!).SequenceEqual(result.Shape.ToArray().Select(x => (long)x)), $"shape {result}: {context}");
            Assert.True(numpy["strides"]!.AsArray().Select(x => (long)x!).SequenceEqual(result.ByteStrides.ToArray().Select(x => (long)x)), $"strides {result}: {context}");
            if ((long)numpy["size"]! > 0)
                Assert.True((long)numpy["offset"]! == shift, $"offset {shift}: {context}");
            AssertContiguity(result, numpy["contiguous"]!.AsArray(), context);
        }
        output.WriteLine($"{cases.Count} cases against NumPy: {string.Join(", ", byOp.OrderBy(p => p.Key))}; {copies} reshapes needed a copy");
        Assert.True(copies > 0 && copies < byOp["reshape_c"] + byOp["reshape_f"], "both views and copies were exercised");
    }

    private static void AssertContiguity(StridedLayout layout, JsonArray cpython, string context)
    {
        Assert.True((bool)cpython[0]! == layout.IsCContiguous, $"C contiguity of {layout}: {context}");
        Assert.True((bool)cpython[1]! == layout.IsFContiguous, $"F contiguity of {layout}: {context}");
        Assert.True((bool)cpython[2]! == layout.IsContiguous(MemoryOrder.Any), $"A contiguity of {layout}: {context}");
    }

    private static long[] NewShape(Random random, long[] shape)
    {
        var count = shape.Aggregate(1L, (p, n) => p * n);
        if (count == 0)
            return random.Next(2) == 0 ? shape.Reverse().ToArray() : [0, .. shape.Where(n => n != 0)];
        var result = new List<long>();
        var remaining = count;
        var rank = random.Next(1, 5);
        for (var i = 0; i < rank - 1 && remaining > 1; i++)
        {
            var divisors = Enumerable.Range(1, (int)remaining).Where(d => remaining % d == 0).ToArray();
            var d = divisors[random.Next(divisors.Length)];
            result.Add(d);
            remaining /= d;
        }
        result.Add(remaining);
        if (random.Next(4) == 0)
            result.Insert(random.Next(result.Count + 1), 1);
        if (random.Next(5) == 0)
            result[random.Next(result.Count)] = -1;
        return [.. result];
    }
}
