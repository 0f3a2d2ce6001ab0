using System.Globalization;
using System.Runtime.InteropServices;

namespace NdBridge.Benchmarks;

/// <summary>
/// Copy to a C-contiguous buffer of each layout, against single-threaded <c>Buffer.MemoryCopy</c> of the
/// same number of bytes between two touched buffers.
/// </summary>
internal sealed unsafe class CopySuite : IBenchmarkSuite
{
    /// <summary>A layout over a freshly allocated base array (NumPy notation in the name).</summary>
    /// <remarks><see cref="NumPyView"/> builds the same view in NumPy from a base array <c>a</c> of <see cref="BaseShape"/>.</remarks>
    internal sealed record CopyCase(string Name, long[] BaseShape, long[] Shape, long[] ByteStrides, long OriginByteOffset, double? Target,
        string NumPyView, bool SwapBytes = false);

    private const long N = 4096;
    private const long Cube = 256;

    internal static readonly CopyCase[] Cases =
    [
        new("`a` (C), 4096×4096 double", [N, N], [N, N], [N * 8, 8], 0, 0.8, "a"),
        new("`a[:, :4096]` of 4096×4104 (padded rows)", [N, N + 8], [N, N], [(N + 8) * 8, 8], 0, 0.8, "a[:, :4096]"),
        new("`a[:, ::2]` of 4096×8192", [N, 2 * N], [N, N], [2 * N * 8, 16], 0, 0.6, "a[:, ::2]"),
        new("`a.T`, 4096×4096", [N, N], [N, N], [8, N * 8], 0, 0.3, "a.T"),
        new("`a[::-1, :]`, 4096×4096", [N, N], [N, N], [-N * 8, 8], (N - 1) * N * 8, 0.8, "a[::-1, :]"),
        new("`a[:, ::-1]`, 4096×4096", [N, N], [N, N], [N * 8, -8], (N - 1) * 8, 0.6, "a[:, ::-1]"),
        new("`a.transpose(2, 0, 1)`, 256×256×256", [Cube, Cube, Cube], [Cube, Cube, Cube], [8, Cube * Cube * 8, Cube * 8], 0, 0.3, "a.transpose(2, 0, 1)"),
        new("`a.astype('<f8')` of a `>f8` 4096×4096 (byte-order conversion)", [N, N], [N, N], [N * 8, 8], 0, null, "a", SwapBytes: true),
        new("`a.T.astype('<f8')` of a `>f8` 4096×4096", [N, N], [N, N], [8, N * 8], 0, null, "a.T", SwapBytes: true),
    ];



    public string Title => "Copy to C-contiguous";

    public SuiteResult Run(BenchmarkContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        foreach (CopyCase copyCase in Cases)
        {
            Console.WriteLine($"  {copyCase.Name}");
            long baseBytes = 8;
            foreach (long n in copyCase.BaseShape)
                baseBytes *= n;
            long dstBytes = 8;
            foreach (long n in copyCase.Shape)
                dstBytes *= n;

            byte* source = Allocate(baseBytes);
            byte* destination = Allocate(dstBytes);
            byte* baselineSource = Allocate(dstBytes);
            try
            {
                for (long i = 0; i < baseBytes / 8; i++)
                    ((double*)source)[i] = i;
                for (long i = 0; i < dstBytes / 8; i++)
                    ((double*)baselineSource)[i] = -i;
                nint[] shape = Array.ConvertAll(copyCase.Shape, x => (nint)x);
                nint[] strides = Array.ConvertAll(copyCase.ByteStrides, x => (nint)x);
                byte* origin = source + copyCase.OriginByteOffset;
                BufferFormat format = BufferFormat.Parse(copyCase.SwapBytes ? ">d" : "d");
                using NdBuffer view = NdBuffer.FromPointer(source, (nint)baseBytes, format,
                    new StridedLayout(shape, strides, 8), (nint)copyCase.OriginByteOffset, readOnly: true);
                using NdBuffer packed = NdBuffer.FromPointer(destination, (nint)dstBytes, BufferFormat.Parse("d"),
                    StridedLayout.CreateContiguous(shape, 8), 0);
                Action run = copyCase.SwapBytes
                    ? () => view.CopyTo(packed)
                    : () => view.CopyTo(new Span<byte>(destination, (int)dstBytes), MemoryOrder.C);
                var (candidate, baseline) = context.Pair(run, () => Buffer.MemoryCopy(baselineSource, destination, dstBytes, dstBytes));
                // The last run was the baseline; run the candidate once more and check a sample of its output.
                run();
                Verify(copyCase, origin, destination);

                double ratio = baseline / candidate;
                string goal = copyCase.Target is { } wanted ? "≥ " + wanted.ToString("0.0", CultureInfo.InvariantCulture) : "—";
                string verdict = copyCase.Target is { } min ? (ratio >= min ? "met" : "**missed**") : "";
                var (numPyFresh, numPyTouched, touchedRatio) = TimeNumPy(context, copyCase, () => Buffer.MemoryCopy(baselineSource, destination, dstBytes, dstBytes));
                var versusNumPy = touchedRatio is { } numPyRatio ? ratio / numPyRatio : (double?)null;
                rows.Add([
                    copyCase.Name,
                    ratio.ToString("0.00", CultureInfo.InvariantCulture),
                    goal,
                    verdict,
                    numPyFresh,
                    numPyTouched,
                    versusNumPy is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "—",
                    versusNumPy is { } w ? (w >= 1.0 ? "met" : "**missed**") : "",
                ]);
                notes.Add($"{copyCase.Name}: memcpy baseline {dstBytes / (1 << 20)} MiB in {baseline * 1e3:0.0} ms " +
                    $"({dstBytes / baseline / 1e9:0.0} GB/s), NdBridge {candidate * 1e3:0.0} ms.");
            }
            finally
            {
                NativeMemory.AlignedFree(source);
                NativeMemory.AlignedFree(destination);
                NativeMemory.AlignedFree(baselineSource);
            }
        }
        return new SuiteResult(Title,
            "`NdBuffer.CopyTo(Span<byte>, MemoryOrder.C)` of each layout (8-byte `double` items) into a C-contiguous buffer " +
            "(`NdBuffer.CopyTo(NdBuffer)` from a `>d` view into a `d` one for the byte-order rows), " +
            "as a ratio to single-threaded `Buffer.MemoryCopy` of the same number of bytes between two already " +
            "touched buffers (memcpy time / NdBridge time). Target: the issue's acceptance ratio (none set for byte-order rows). " +
            "NumPy runs in this process (the embedded runtime), timed the same way against the same memcpy on the same view built " +
            "in NumPy (its shape and strides checked against the C# layout): `np.ascontiguousarray` allocates fresh memory on " +
            "every call, as NumPy users meet it; `np.copyto` into an already touched C-contiguous array is the like-for-like copy." +
            (context.NumPy is { } numPy ? $" NumPy {numPy.Version}." : ""),
            ["layout", "NdBridge / memcpy", "target", "", "NumPy `np.ascontiguousarray(v)` (`dtype='<f8'` for byte-order rows) / memcpy",
                "NumPy `np.copyto(out, v)`, `out` touched / memcpy", "NdBridge / NumPy `copyto` (speed; target ≥ 1.0)", ""],
            rows, notes);
    }

    /// <summary>NumPy on the same view, against the same memcpy: (fresh <c>ascontiguousarray</c>, <c>copyto</c> into touched memory, its ratio).</summary>
    private static (string Fresh, string Touched, double? TouchedRatio) TimeNumPy(BenchmarkContext context, CopyCase copyCase, Action memcpy)
    {
        if (context.NumPy is not { } numPy)
        {
            string reason = "— no embedded NumPy: " + NumPySession.Unavailable;
            return (reason, reason, null);
        }
        string baseShape = string.Join(", ", copyCase.BaseShape);
        numPy.Exec($"a = np.arange({string.Join(" * ", copyCase.BaseShape)}, dtype='{(copyCase.SwapBytes ? ">f8" : "<f8")}').reshape({baseShape})\n" +
                   $"v = {copyCase.NumPyView}\n" +
                   "out = np.empty(v.shape, dtype='<f8'); out.fill(1)");
        try
        {
            string expected = $"{string.Join(",", copyCase.Shape)};{string.Join(",", copyCase.ByteStrides)}";
            string actual = numPy.Eval<string>("','.join(map(str, v.shape)) + ';' + ','.join(map(str, v.strides))");
            if (actual != expected)
                throw new InvalidOperationException($"{copyCase.Name}: NumPy's view `{copyCase.NumPyView}` has shape;strides {actual}, the C# layout {expected}");
            // astype keeps the memory order (order='K'): only ascontiguousarray with a dtype converts into C order.
            string fresh = copyCase.SwapBytes ? "np.ascontiguousarray(v, dtype='<f8')" : "np.ascontiguousarray(v)";
            string freshCell;
            if (numPy.Eval<bool>($"{fresh} is v"))
            {
                freshCell = "no copy (returns `v`)";
            }
            else
            {
                var (freshSeconds, freshBaseline) = context.Pair(numPy.Statement(fresh), memcpy);
                freshCell = (freshBaseline / freshSeconds).ToString("0.00", CultureInfo.InvariantCulture);
            }
            var (touchedSeconds, touchedBaseline) = context.Pair(numPy.Statement("np.copyto(out, v)"), memcpy);
            if (!numPy.Eval<bool>($"bool(np.array_equal(out, v))"))
                throw new InvalidOperationException($"{copyCase.Name}: np.copyto did not copy the view");
            var touchedRatio = touchedBaseline / touchedSeconds;
            return (freshCell, touchedRatio.ToString("0.00", CultureInfo.InvariantCulture), touchedRatio);
        }
        finally
        {
            numPy.Exec("del a, v, out");
        }
    }

    private static byte* Allocate(long byteLength)
    {
        byte* memory = (byte*)NativeMemory.AlignedAlloc((nuint)byteLength, 64);
        NativeAllocationOwner.AdviseHugePages(memory, (nint)byteLength); // as NdBuffer.Allocate and NumPy's arrays: like for like
        new Span<byte>(memory, 1).Clear();
        // Touch every page so the timings measure copying, not page faults.
        for (long i = 0; i < byteLength; i += 4096)
            memory[i] = 1;
        return memory;
    }

    /// <summary>Checks a spread of elements against the layout's address arithmetic.</summary>
    private static void Verify(CopyCase copyCase, byte* origin, byte* destination)
    {
        var random = new Random(7);
        int rank = copyCase.Shape.Length;
        for (int sample = 0; sample < 1000; sample++)
        {
            long srcOffset = 0, dstIndex = 0;
            for (int k = 0; k < rank; k++)
            {
                long index = random.NextInt64(copyCase.Shape[k]);
                srcOffset += index * copyCase.ByteStrides[k];
                dstIndex = dstIndex * copyCase.Shape[k] + index;
            }
            ulong expected = *(ulong*)(origin + srcOffset);
            if (copyCase.SwapBytes)
                expected = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(expected);
            if (expected != ((ulong*)destination)[dstIndex])
                throw new InvalidOperationException($"{copyCase.Name}: wrong element at C index {dstIndex}");
        }
    }
}
