using System.Numerics.Tensors;
using System.Text.Json.Nodes;

namespace NdBridge.Tests.Copying;

/// <summary>
/// The public copy API on views NumPy can make too (steps, negative steps, permutations, overlap): NumPy's
/// <c>tobytes</c>, slice assignment and <c>astype</c> are the expected side, run once per batch.
/// </summary>
public sealed class NdBufferCopyingTests
{
    /// <summary>A view: a base of doubles 0..n-1 in C order, sliced per dimension, then axes permuted.</summary>
    private sealed record View(long[] BaseShape, (long Start, long Stop, long Step)[] Slices, int[] Axes)
    {
        public JsonObject ToJson() => new()
        {
            ["base"] = new JsonArray(BaseShape.Select(x => (JsonNode)x).ToArray()),
            ["slices"] = new JsonArray(Slices.Select(s => (JsonNode)new JsonArray(s.Start, s.Stop, s.Step)).ToArray()),
            ["axes"] = new JsonArray(Axes.Select(x => (JsonNode)x).ToArray()),
        };

        public NdBuffer Make(double[] memory)
        {
            NdBuffer buffer = NdBuffer.FromArray(memory, BaseShape.Select(x => (nint)x).ToArray());
            for (int d = 0; d < Slices.Length; d++)
            {
                var (start, stop, step) = Slices[d];
                NdBuffer sliced = buffer.Slice(d, (nint)start, stop < 0 ? null : (nint)stop, (nint)step);
                buffer.Dispose();
                buffer = sliced;
            }
            NdBuffer permuted = buffer.Permute(Axes);
            buffer.Dispose();
            return permuted;
        }

        public long[] Shape => Axes.Select(a => Count(Slices[a])).ToArray();

        private static long Count((long Start, long Stop, long Step) s) =>
            s.Step > 0 ? Math.Max(0, (s.Stop - s.Start + s.Step - 1) / s.Step) : Math.Max(0, (s.Start - (s.Stop < 0 ? -1 : s.Stop) - s.Step - 1) / -s.Step);
    }

    private const string Prelude = """
        import sys, json, base64
        import numpy as np
        def view(spec, base=None):
            if base is None:
                base = np.arange(int(np.prod(spec['base'])), dtype=np.float64).reshape(spec['base'])
            index = tuple(slice(s[0], None if s[1] < 0 else s[1], s[2]) for s in spec['slices'])
            return base, base[index].transpose(spec['axes'])
        def b64(b):
            return base64.b64encode(b).decode()

        """;

    private static View RandomView(Random random, int rank, long[]? baseShape = null)
    {
        baseShape ??= Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 9)).ToArray();
        var slices = new (long, long, long)[rank];
        for (int d = 0; d < rank; d++)
        {
            long step = new long[] { 1, 1, 2, 3, -1, -2 }[random.Next(6)];
            long start = step > 0 ? random.Next(0, (int)baseShape[d]) : random.Next(0, (int)baseShape[d]);
            long stop = step > 0 ? random.Next((int)start, (int)baseShape[d] + 1) : (random.Next(3) == 0 ? -1 : random.Next(0, (int)start + 1));
            slices[d] = (start, stop, step);
        }
        int[] axes = Enumerable.Range(0, rank).ToArray();
        random.Shuffle(axes);
        return new View(baseShape, slices, axes);
    }

    private static double[] Iota(long[] shape) => Enumerable.Range(0, (int)NaiveReference.Count(shape)).Select(i => (double)i).ToArray();

    [Fact]
    public void BytesInEachOrderAndContiguousCopiesAgreeWithNumPy()
    {
        var random = new Random(4601);
        var views = Enumerable.Range(0, 400).Select(_ => RandomView(random, random.Next(1, 5))).ToList();
        var request = new JsonArray(views.Select(v => (JsonNode)v.ToJson()).ToArray());
        JsonArray answers = Support.PythonOracle.Run(Prelude + """
            out = []
            for spec in json.load(sys.stdin):
                _, v = view(spec)
                out.append({o: b64(v.tobytes(order=o)) for o in 'CFA'} | {'big': b64(v.astype('>f8').tobytes())})
            json.dump(out, sys.stdout)
            """, request);
        for (int i = 0; i < views.Count; i++)
        {
            using NdBuffer buffer = views[i].Make(Iota(views[i].BaseShape));
            foreach (var (order, key) in new[] { (MemoryOrder.C, "C"), (MemoryOrder.F, "F"), (MemoryOrder.Any, "A") })
            {
                byte[] expected = Convert.FromBase64String(answers[i]![key]!.GetValue<string>());
                Assert.True(expected.AsSpan().SequenceEqual(buffer.ToByteArray(order)), $"view {i} order {key}: {buffer}");
                using NdBuffer copy = buffer.ToContiguous(order);
                Assert.True(order == MemoryOrder.F ? copy.Layout.IsFContiguous : copy.Layout.IsContiguous(MemoryOrder.Any));
                Assert.True(expected.AsSpan().SequenceEqual(copy.ToByteArray(order)), $"view {i} contiguous copy {key}");
            }
            using NdBuffer bigEndian = buffer.ToContiguous(MemoryOrder.C, BufferFormat.Parse(">d"));
            Assert.True(Convert.FromBase64String(answers[i]!["big"]!.GetValue<string>()).AsSpan().SequenceEqual(bigEndian.ToByteArray()),
                $"view {i} as >f8");
            Assert.True(buffer.ValueEquals(bigEndian), $"view {i}: a byte-swapped copy is equal by value");
        }
    }

    [Fact]
    public void CopiesBetweenViewsAgreeWithNumPySliceAssignmentIncludingOverlap()
    {
        var random = new Random(4602);
        var cases = new List<(View Src, View Dst, bool Shared)>();
        while (cases.Count < 400)
        {
            int rank = random.Next(1, 4);
            View src = RandomView(random, rank);
            bool sameBase = random.Next(3) == 0;
            View dst = RandomView(random, rank, sameBase ? src.BaseShape : null);
            if (!src.Shape.SequenceEqual(dst.Shape))
                continue;
            cases.Add((src, dst, sameBase));
        }
        var request = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
        {
            ["src"] = c.Src.ToJson(), ["dst"] = c.Dst.ToJson(), ["shared"] = c.Shared,
        }).ToArray());
        JsonArray answers = Support.PythonOracle.Run(Prelude + """
            out = []
            for case in json.load(sys.stdin):
                src_base, src = view(case['src'])
                if case['shared']:
                    dst_base, dst = view(case['dst'], src_base)
                else:
                    dst_base, dst = view(case['dst'], -np.arange(int(np.prod(case['dst']['base'])), dtype=np.float64).reshape(case['dst']['base']))
                dst[...] = src
                out.append(b64(dst_base.tobytes()))
            json.dump(out, sys.stdout)
            """, request);
        int shared = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var (srcView, dstView, isShared) = cases[i];
            double[] srcMemory = Iota(srcView.BaseShape);
            double[] dstMemory = isShared ? srcMemory : Iota(dstView.BaseShape).Select(x => -x).ToArray();
            using (NdBuffer src = srcView.Make(srcMemory))
            using (NdBuffer dst = dstView.Make(dstMemory))
                src.CopyTo(dst);
            byte[] expected = Convert.FromBase64String(answers[i]!.GetValue<string>());
            Assert.True(expected.AsSpan().SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(dstMemory.AsSpan())),
                $"case {i} shared={isShared}: {srcView} -> {dstView}");
            shared += isShared ? 1 : 0;
        }
        Assert.True(shared > 50, $"only {shared} overlapping cases");
    }

    [Fact]
    public void RunsFeedTensorPrimitivesAndCoverTheViewOnce()
    {
        var random = new Random(4603);
        var views = Enumerable.Range(0, 300).Select(_ => RandomView(random, random.Next(1, 5))).ToList();
        var request = new JsonArray(views.Select(v => (JsonNode)v.ToJson()).ToArray());
        JsonArray answers = Support.PythonOracle.Run(Prelude + """
            out = []
            for spec in json.load(sys.stdin):
                _, v = view(spec)
                out.append({'sum': float(v.sum()), 'squares': float((v * v).sum())})
            json.dump(out, sys.stdout)
            """, request);
        for (int i = 0; i < views.Count; i++)
        {
            using NdBuffer buffer = views[i].Make(Iota(views[i].BaseShape));
            foreach (bool preserveOrder in new[] { true, false })
            {
                double sum = 0, squares = 0;
                foreach (ReadOnlySpan<double> run in buffer.EnumerateReadOnlyRuns<double>(preserveOrder))
                {
                    sum += TensorPrimitives.Sum(run);
                    squares += TensorPrimitives.SumOfSquares(run);
                }
                Assert.Equal(answers[i]!["sum"]!.GetValue<double>(), sum);
                Assert.Equal(answers[i]!["squares"]!.GetValue<double>(), squares);
            }
            double spanSum = 0;
            foreach (ReadOnlySpan<double> run in buffer.AsReadOnlyStridedSpan<double>().EnumerateRuns(preserveOrder: false))
                spanSum += TensorPrimitives.Sum(run);
            Assert.Equal(answers[i]!["sum"]!.GetValue<double>(), spanSum);
            foreach (Span<double> run in buffer.EnumerateRuns<double>())
                TensorPrimitives.Negate(run, run);
            using NdBuffer negated = buffer.ToContiguous();
            Assert.Equal(-answers[i]!["sum"]!.GetValue<double>(), negated.EnumerateReadOnlyRuns<double>().SumAll());
        }
    }

    [Fact]
    public void RunsOfATensorSpanOverAManagedArraySurviveACompactingCollection()
    {
        // A padded 3x4x3 view of a 3x4x5 array: 12 runs of 3, a compacting collection before each is used.
        var values = Enumerable.Range(0, 60).Select(i => (double)i).ToArray();
        var tensor = new System.Numerics.Tensors.TensorSpan<double>(values, [3, 4, 3], [20, 5, 1]);
        StridedSpan<double> span = tensor;
        int runs = 0;
        double sum = 0;
        foreach (Span<double> run in span.EnumerateRuns())
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            sum += TensorPrimitives.Sum(run);
            TensorPrimitives.Multiply(run, 2.0, run);
            runs++;
        }
        var inView = Enumerable.Range(0, 60).Where(i => i % 5 < 3).ToArray();
        Assert.Equal(12, runs);
        Assert.Equal(inView.Sum(), sum);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => i % 5 < 3 ? 2.0 * i : i), values);
    }

    [Fact]
    public void ValueEqualityComparesNumbersAsNumbers()
    {
        using NdBuffer ints = NdBuffer.FromArray(new[] { 1, -2, 3 });
        using NdBuffer longs = NdBuffer.Allocate(BufferFormat.Parse(">q"), [3]);
        longs.CopyFrom([0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0, 3]);
        Assert.True(ints.ValueEquals(longs));
        using NdBuffer doubles = NdBuffer.FromArray(new[] { 1.0, -2.0, 3.0 });
        Assert.True(doubles.ValueEquals(ints));
        using NdBuffer nan = NdBuffer.FromArray(new[] { double.NaN });
        Assert.False(nan.ValueEquals(nan));
        using NdBuffer shorter = NdBuffer.FromArray(new[] { 1, -2 });
        Assert.False(ints.ValueEquals(shorter));
    }

    [Fact]
    public void WholeRunsCompareAsIeeeNumbers()
    {
        // Long enough for the vector loops: NaN anywhere is unequal, -0.0 equals 0.0, a transposed copy is equal.
        double[] values = Enumerable.Range(0, 4 * 19).Select(i => i * 0.5).ToArray();
        double[] negativeZero = (double[])values.Clone();
        negativeZero[0] = -0.0;
        double[] withNaN = (double[])values.Clone();
        withNaN[41] = double.NaN;
        using NdBuffer a = NdBuffer.FromArray(values, [4, 19]);
        using NdBuffer b = NdBuffer.FromArray(negativeZero, [4, 19]);
        using NdBuffer c = NdBuffer.FromArray(withNaN, [4, 19]);
        Assert.True(a.ValueEquals(b));
        Assert.False(c.ValueEquals(c));
        using NdBuffer fortran = a.ToContiguous(MemoryOrder.F);
        Assert.True(a.ValueEquals(fortran));
        using NdBuffer transposed = a.Transpose();
        Assert.False(transposed.ValueEquals(a));
        using NdBuffer transposedCopy = transposed.ToContiguous();
        Assert.True(transposed.ValueEquals(transposedCopy));
        float[] singles = values.Select(v => (float)v).ToArray();
        singles[70] = float.NaN;
        using NdBuffer f = NdBuffer.FromArray(singles, [4, 19]);
        Assert.False(f.ValueEquals(f));
        using NdBuffer fSlice = f.Slice(0, 0, 3);
        Assert.True(fSlice.ValueEquals(fSlice));
    }

    [Fact]
    public void ScalarsAndEmptyBuffersCopy()
    {
        using NdBuffer scalar = NdBuffer.FromArray(new[] { 2.5 }, []);
        Assert.Equal(BitConverter.GetBytes(2.5), scalar.ToByteArray(MemoryOrder.Any));
        using NdBuffer scalarCopy = scalar.ToContiguous(MemoryOrder.F, BufferFormat.Parse(">d"));
        Assert.Equal(BitConverter.GetBytes(2.5).Reverse(), scalarCopy.ToByteArray());
        Assert.True(scalar.ValueEquals(scalarCopy));
        using NdBuffer full = NdBuffer.FromArray(new double[6], [2, 3]);
        using NdBuffer empty = full.Slice(1, 1, 1);
        Assert.Equal(0, empty.ElementCount);
        Assert.Empty(empty.ToByteArray());
        using NdBuffer emptyCopy = empty.ToContiguous();
        Assert.Equal([2, 0], emptyCopy.Shape.ToArray());
        int runs = 0;
        foreach (ReadOnlySpan<double> run in empty.EnumerateReadOnlyRuns<double>())
            runs++;
        Assert.Equal(0, runs);
    }

    [Fact]
    public void BadCopiesAreRefusedNamingWhatIsWrong()
    {
        using NdBuffer a = NdBuffer.FromArray(new double[6], [2, 3]);
        using NdBuffer wrongShape = NdBuffer.FromArray(new double[6], [3, 2]);
        using NdBuffer wrongFormat = NdBuffer.FromArray(new long[6], [2, 3]);
        using NdBuffer readOnly = NdBuffer.FromArray(new double[6], [2, 3], readOnly: true);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => a.CopyTo(wrongShape)).ParamName);
        var formatError = Assert.Throws<ArgumentException>(() => a.CopyTo(wrongFormat));
        Assert.Contains("same scalars", formatError.Message);
        Assert.Throws<InvalidOperationException>(() => a.CopyTo(readOnly));
        Assert.Throws<InvalidOperationException>(() => readOnly.CopyFrom(new byte[48]));
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => a.CopyTo(new byte[47])).ParamName);
        Assert.Throws<InvalidOperationException>(() => a.EnumerateRuns<int>());
        var disposed = NdBuffer.FromArray(new double[6], [2, 3]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.CopyTo(a));
        Assert.Throws<ObjectDisposedException>(() => a.CopyTo(disposed));
        Assert.Throws<ObjectDisposedException>(() => disposed.ToByteArray());
    }
}

internal static class RunSums
{
    public static double SumAll(this ReadOnlyRunEnumerator<double> runs)
    {
        double sum = 0;
        foreach (ReadOnlySpan<double> run in runs)
            sum += TensorPrimitives.Sum(run);
        return sum;
    }
}
