using Xunit.Abstractions;
using System.Runtime.InteropServices;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Layouts;

/// <summary>
/// Every layout operation and every element address of NdBridge agrees with <see cref="NaiveLayout"/>, over
/// 10,000+ random layouts with fixed seeds (rank 0, empty dims, negative and zero strides, padded rows, F order,
/// suboffsets, record-sized items).
/// </summary>
public sealed unsafe class StridedLayoutPropertyTests(ITestOutputHelper output)
{
    private const int LayoutCount = 12_000;

    // Pointer table for indirect layouts: every 8-byte slot holds a distinct fake address, never dereferenced.
    private const int TableByteLength = 1024;
    private const int TableOrigin = 512;

    // The NdBridge side: a layout with the origin shift accumulated by layout operations and, where a buffer
    // exists (indirect layouts over the pointer table, direct ones over a byte array),
    // the same operations applied to NdBuffer views, whose element pointers must agree.
    private sealed class Actual
    {
        public required StridedLayout Layout;
        public nint OriginByteOffset;
        public NdBuffer? Buffer;
        public long RootAddress;

        public long Address(long[] index)
        {
            var indices = index.Select(i => (nint)i).ToArray();
            if (Layout.IsIndirect)
                return (long)(nint)Buffer!.DangerousGetElementPointer(indices);
            var byteOffset = OriginByteOffset + Layout.GetByteOffset(indices);
            if (Buffer is not null)
            {
                var pointer = (long)(nint)Buffer.DangerousGetElementPointer(indices);
                if (pointer - RootAddress != byteOffset)
                    Assert.Fail($"NdBuffer view puts [{string.Join(", ", index)}] at {pointer - RootAddress}, its layout at {byteOffset}");
            }
            return byteOffset;
        }
    }

    [Fact]
    public void EveryOperationAndAddressAgreesWithTheNaiveReference()
    {
        var table = (byte*)NativeMemory.AlignedAlloc(TableByteLength, 64);
        try
        {
            for (var slot = 0; slot < TableByteLength / 8; slot++)
                ((long*)table)[slot] = 0x4000_0000 + slot * 0x1_0000L;
            var origin = table + TableOrigin;
            long ReadPointer(long relative) => *(long*)(origin + relative);

            var random = new Random(20261121);
            var kinds = new Dictionary<string, int>();
            var traits = new Dictionary<string, int>();
            var operations = new Dictionary<string, int>();
            long addressesChecked = 0;
            for (var n = 0; n < LayoutCount; n++)
            {
                var spec = LayoutGenerator.Next(random);
                kinds[spec.Kind] = kinds.GetValueOrDefault(spec.Kind) + 1;
                if (spec.Shape.Length == 0)
                    traits["rank 0"] = traits.GetValueOrDefault("rank 0") + 1;
                if (spec.Shape.Contains(0))
                    traits["empty dim"] = traits.GetValueOrDefault("empty dim") + 1;
                if (spec.ItemSize is 3 or 9 or 12 or 16)
                    traits["record item"] = traits.GetValueOrDefault("record item") + 1;
                var layout = spec.Suboffsets is null
                    ? new StridedLayout(ToN(spec.Shape), ToN(spec.Strides), (nint)spec.ItemSize)
                    : new StridedLayout(ToN(spec.Shape), ToN(spec.Strides), ToN(spec.Suboffsets), (nint)spec.ItemSize);
                var naive = NaiveLayout.FromStrides(spec.Shape, spec.Strides, spec.Suboffsets, spec.ItemSize, ReadPointer);
                var buffers = new List<NdBuffer>();
                NdBuffer? buffer = null;
                if (spec.Suboffsets is not null)
                    buffer = NdBuffer.DangerousFromPointer(origin, FormatOfSize(spec.ItemSize), layout, readOnly: true);
                else
                    buffer = NdBuffer.FromArray(new byte[Math.Max(layout.ByteSpan, 1)], FormatOfSize(spec.ItemSize), layout, -layout.LowestByteOffset);
                if (buffer is not null)
                    buffers.Add(buffer);
                var actual = new Actual { Layout = layout, Buffer = buffer, RootAddress = buffer is null ? 0 : (long)(nint)buffer.DangerousGetPointer() };
                var context = $"layout #{n} {spec.Kind} {layout}";
                addressesChecked += Compare(naive, actual, context);

                var steps = random.Next(1, 4);
                for (var s = 0; s < steps; s++)
                {
                    var (name, next, nextNaive) = ApplyRandomOperation(random, actual, naive, out var description);
                    operations[name] = operations.GetValueOrDefault(name) + 1;
                    context += " -> " + description;
                    if (next is null)
                        break;
                    if (next.Buffer is not null && !buffers.Contains(next.Buffer))
                        buffers.Add(next.Buffer);
                    actual = next;
                    naive = nextNaive!;
                    addressesChecked += Compare(naive, actual, context);
                }
                foreach (var owned in buffers)
                    owned.Dispose();
                if (buffer is not null)
                    Assert.False(buffer.Owner.IsAlive);
            }

            output.WriteLine($"{LayoutCount} layouts: {string.Join(", ", kinds.OrderBy(k => k.Key))}");
            output.WriteLine($"with: {string.Join(", ", traits.OrderBy(k => k.Key))}");
            Assert.True(traits.Count == 3 && traits.Values.All(count => count > 100), string.Join(", ", traits));
            output.WriteLine($"operations: {string.Join(", ", operations.OrderBy(k => k.Key))}");
            output.WriteLine($"{addressesChecked} element addresses compared");
            Assert.True(kinds.Count == 8, "every kind of layout was generated: " + string.Join(", ", kinds));
            Assert.True(operations.Count >= 10, "every operation was exercised: " + string.Join(", ", operations));
            Assert.True(addressesChecked > 100_000, $"{addressesChecked} element addresses compared");
        }
        finally
        {
            NativeMemory.AlignedFree(table);
        }
    }

    private static long Compare(NaiveLayout naive, Actual actual, string context)
    {
        var layout = actual.Layout;
        Assert.True(naive.Shape.SequenceEqual(layout.Shape.ToArray().Select(x => (long)x)), $"shape: {context}");
        Assert.True(naive.Count == layout.ElementCount, $"count {naive.Count}: {context}");
        Assert.Equal(naive.Count * naive.ItemSize, (long)layout.ByteLength);
        Assert.True(naive.HasSuboffsets == layout.HasSuboffsets, $"suboffsets {naive.HasSuboffsets}: {context}");
        Assert.True(naive.IsIndirect == layout.IsIndirect, $"indirect {naive.IsIndirect}: {context}");
        var c = naive.IsContiguous(fortran: false);
        var f = naive.IsContiguous(fortran: true);
        Assert.True(c == layout.IsCContiguous, $"C contiguity {c}: {context}");
        Assert.True(f == layout.IsFContiguous, $"F contiguity {f}: {context}");
        Assert.Equal(c || f, layout.IsContiguous(MemoryOrder.Any));
        if (!naive.IsIndirect)
        {
            var (lowest, end) = naive.Extent();
            Assert.True(lowest == layout.LowestByteOffset && end == layout.EndByteOffset,
                $"extent [{lowest}, {end}) vs [{layout.LowestByteOffset}, {layout.EndByteOffset}): {context}");
        }
        long count = 0;
        foreach (var index in naive.Indices())
        {
            var expected = naive.Address(index);
            var got = actual.Address(index);
            if (expected != got)
                Assert.Fail($"address of [{string.Join(", ", index)}]: expected {expected}, got {got}: {context}");
            count++;
        }
        return count;
    }

    private static (string Name, Actual? Next, NaiveLayout? NextNaive) ApplyRandomOperation(Random random, Actual actual, NaiveLayout naive, out string description)
    {
        var layout = actual.Layout;
        var rank = layout.Rank;
        var op = random.Next(rank == 0 ? 3 : 10);
        if (rank == 0)
            op = op switch { 0 => 5, 1 => 7, _ => 9 };
        switch (op)
        {
            case 0:
            {
                var dim = random.Next(rank);
                var length = naive.Shape[dim];
                long? start = random.Next(3) == 0 ? null : random.Next(-(int)length - 2, (int)length + 3);
                long? stop = random.Next(3) == 0 ? null : random.Next(-(int)length - 2, (int)length + 3);
                var step = (long)(random.Next(2) == 0 ? random.Next(1, 4) : -random.Next(1, 4));
                description = $"slice({dim}, {start?.ToString() ?? "None"}, {stop?.ToString() ?? "None"}, {step})";
                var expectedSlice = naive.Slice(dim, start, stop, step);
                if (naive.Indirect.Take(dim).Any(x => x) && expectedSlice.Count > 0)
                {
                    try
                    {
                        layout.Slice(dim, (nint?)start, (nint?)stop, (nint)step, out _);
                    }
                    catch (InvalidOperationException e) when (e.Message.Contains("below zero"))
                    {
                        return ("slice-suboffset-below-zero-refused", null, null);
                    }
                }
                var next = Derive(actual, (b) => b.Slice(dim, (nint?)start, (nint?)stop, (nint)step),
                    l => l.Slice(dim, (nint?)start, (nint?)stop, (nint)step, out var shift) is var r ? (r, shift) : default);
                return ("slice", next, expectedSlice);
            }
            case 1:
            {
                var dim = random.Next(rank);
                var length = naive.Shape[dim];
                description = $"index({dim})";
                if (length == 0)
                {
                    Assert.Throws<ArgumentOutOfRangeException>(() => layout.Index(dim, 0, out _));
                    return ("index-out-of-range", null, null);
                }
                var index = (long)random.Next(-(int)length, (int)length);
                description = $"index({dim}, {index})";
                if (naive.Indirect[dim])
                {
                    Assert.Throws<InvalidOperationException>(() => layout.Index(dim, (nint)index, out _));
                    return ("index-indirect-refused", null, null);
                }
                var next = Derive(actual, b => b.Index(dim, (nint)index), l => (l.Index(dim, (nint)index, out var shift), shift));
                return ("index", next, naive.Index(dim, index));
            }
            case 2:
            case 3:
            {
                var axes = Enumerable.Range(0, rank).OrderBy(_ => random.Next()).ToArray();
                description = $"permute({string.Join(",", axes)})";
                var identity = axes.SequenceEqual(Enumerable.Range(0, rank));
                if (naive.IsIndirect && !identity)
                {
                    Assert.Throws<InvalidOperationException>(() => layout.Permute(axes));
                    return ("permute-indirect-refused", null, null);
                }
                var next = Derive(actual, b => b.Permute(axes), l => (l.Permute(axes), 0));
                return (op == 2 ? "permute" : "transpose-like", next, naive.Permute(axes));
            }
            case 4:
            {
                var fortran = random.Next(2) == 0;
                var order = fortran ? MemoryOrder.F : MemoryOrder.C;
                var newShape = RandomReshape(random, naive.Shape);
                description = $"reshape(({string.Join(",", newShape)}), {order})";
                if (naive.HasSuboffsets)
                {
                    Assert.Throws<ArgumentException>(() => layout.TryReshape(ToN(newShape), order, out _));
                    return ("reshape-suboffsets-refused", null, null);
                }
                var expected = naive.Reshape(newShape, fortran);
                var ok = layout.TryReshape(ToN(newShape), order, out var reshaped);
                Assert.True(ok == (expected is not null), $"reshape possible: naive {expected is not null}, NdBridge {ok}: {description} of {layout}");
                if (!ok)
                {
                    Assert.Throws<InvalidOperationException>(() => layout.Reshape(ToN(newShape), order));
                    return ("reshape-needs-copy", null, null);
                }
                var reshapedView = actual.Buffer?.Reshape(ToN(newShape), order);
                return ("reshape", new Actual { Layout = reshaped!, OriginByteOffset = actual.OriginByteOffset, Buffer = reshapedView, RootAddress = actual.RootAddress }, expected!);
            }
            case 5:
            {
                var lead = random.Next(0, 2);
                var target = Enumerable.Range(0, lead).Select(_ => (long)random.Next(0, 3))
                    .Concat(naive.Shape.Select(n => n == 1 ? random.Next(0, 3) : n)).ToArray();
                description = $"broadcast_to(({string.Join(",", target)}))";
                var next = Derive(actual, b => b.BroadcastTo(ToN(target)), l => (l.BroadcastTo(ToN(target)), 0));
                return ("broadcast", next, naive.BroadcastTo(target));
            }
            case 6:
            {
                var ones = Enumerable.Range(0, rank).Where(i => naive.Shape[i] == 1).ToArray();
                if (ones.Length == 0)
                {
                    description = "squeeze-nothing";
                    Assert.Throws<ArgumentException>(() => layout.Squeeze(0));
                    return ("squeeze-refused", null, null);
                }
                var dim = ones[random.Next(ones.Length)];
                description = $"squeeze({dim})";
                if (naive.Indirect[dim])
                {
                    Assert.Throws<InvalidOperationException>(() => layout.Squeeze(dim));
                    return ("squeeze-indirect-refused", null, null);
                }
                var next = Derive(actual, b => b.Index(dim, 0), l => (l.Squeeze(dim), 0));
                return ("squeeze", next, naive.Index(dim, 0));
            }
            case 7:
            {
                var dim = random.Next(rank + 1);
                description = $"expand_dims({dim})";
                var next = Derive(actual, b => b.ExpandDims(dim), l => (l.ExpandDims(dim), 0));
                return ("expand", next, naive.ExpandDims(dim));
            }
            case 8:
            {
                description = "transpose";
                var axes = Enumerable.Range(0, rank).Reverse().ToArray();
                if (naive.IsIndirect && rank > 1)
                {
                    Assert.Throws<InvalidOperationException>(() => layout.Transpose());
                    return ("transpose-indirect-refused", null, null);
                }
                var next = Derive(actual, b => b.Transpose(), l => (l.Transpose(), 0));
                return ("transpose", next, naive.Permute(axes));
            }
            default:
            {
                description = "coalesce";
                var merged = layout.Coalesce();
                var expectedAddresses = naive.Addresses();
                if (!layout.IsIndirect)
                {
                    var got = new List<long>();
                    var shadow = NaiveLayout.FromStrides(merged.Shape.ToArray().Select(x => (long)x).ToArray(),
                        merged.ByteStrides.ToArray().Select(x => (long)x).ToArray(), null, naive.ItemSize);
                    foreach (var index in shadow.Indices())
                        got.Add(actual.OriginByteOffset + merged.GetByteOffset(index.Select(i => (nint)i).ToArray()));
                    Assert.True(expectedAddresses.SequenceEqual(got), $"coalesce keeps C-order addresses: {layout} -> {merged}");
                    Assert.True(merged.Rank <= Math.Max(layout.Rank, 1));
                }
                return ("coalesce", null, null);
            }
        }
    }

    private static Actual Derive(Actual actual, Func<NdBuffer, NdBuffer> onBuffer, Func<StridedLayout, (StridedLayout Layout, nint Shift)> onLayout)
    {
        var (layout, shift) = onLayout(actual.Layout);
        var view = actual.Buffer is null ? null : onBuffer(actual.Buffer);
        if (view is not null)
            Assert.Equal(layout, view.Layout);
        return new Actual { Layout = layout, OriginByteOffset = actual.OriginByteOffset + shift, Buffer = view, RootAddress = actual.RootAddress };
    }

    private static long[] RandomReshape(Random random, long[] shape)
    {
        var count = shape.Aggregate(1L, (p, n) => p * n);
        var result = new List<long>();
        var remaining = count;
        var rank = random.Next(0, 5);
        for (var i = 0; i < rank - 1 && remaining > 1; i++)
        {
            var divisors = Enumerable.Range(1, (int)remaining).Where(d => remaining % d == 0).ToArray();
            var d = divisors[random.Next(divisors.Length)];
            result.Add(d);
            remaining /= d;
        }
        if (count == 0)
        {
            result = shape.Reverse().ToList();
            if (random.Next(2) == 0)
                result.Add(1);
            return result.ToArray();
        }
        if (remaining != 1 || result.Count == 0 || random.Next(2) == 0)
            result.Add(remaining);
        if (random.Next(4) == 0)
            result.Insert(random.Next(result.Count + 1), 1);
        return result.OrderBy(_ => random.Next()).ToArray();
    }

    // Scalars for the power-of-two sizes, records for the rest (standard sizes: no padding).
    private static BufferFormat FormatOfSize(long itemSize) => BufferFormat.Parse(itemSize switch
    {
        1 => "B",
        2 => "H",
        4 => "I",
        8 => "Q",
        3 => "3s",
        9 => "T{=B:x:=d:y:}",
        12 => "=iq",
        16 => "=dd",
        _ => throw new ArgumentOutOfRangeException(nameof(itemSize)),
    });

    internal static nint[] ToN(long[] values) => values.Select(v => (nint)v).ToArray();
}
