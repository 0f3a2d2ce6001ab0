using System.Globalization;
using System.Numerics.Tensors;
using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// A strided reduction: the sum of a NumPy view, computed in C# over the same memory (imported, no copy), against
/// <c>numpy.sum</c> of that view. The product path is the buffered enumeration (<c>EnumerateReadOnlyBuffered</c>, long runs
/// in place, strided ones gathered into a scratch) with <c>TensorPrimitives.Sum</c> on each block; the plain run enumeration
/// and element-by-element span indexing are rows of their own, so a change that slows either is seen.
/// </summary>
internal sealed class ReductionSuite : IBenchmarkSuite
{
    private const int N = 4096;
    private const int ScratchLength = 1024; // 8 KiB of doubles: gathered blocks stay in L1
    private const double Target = 0.8;

    private enum Method { Buffered, Runs, SpanIndexing }

    // (name, base shape, the view in NumPy, method)
    private static readonly (string Name, string BaseShape, string View, Method Method)[] Cases =
    [
        ("`a` (C), 4096×4096", $"{N}, {N}", "a", Method.Buffered),
        ("`a[:, :4096]` of 4096×4104 (padded rows)", $"{N}, {N + 8}", $"a[:, :{N}]", Method.Buffered),
        ("`a.T`, 4096×4096", $"{N}, {N}", "a.T", Method.Buffered),
        ("`a[::-1, ::-1]`, 4096×4096", $"{N}, {N}", "a[::-1, ::-1]", Method.Buffered),
        ("`a[:, ::2]` of 4096×8192", $"{N}, {2 * N}", "a[:, ::2]", Method.Buffered),
        ("`a[::2, ::3]` of 8192×12288", $"{2 * N}, {3 * N}", "a[::2, ::3]", Method.Buffered),
        ("`a[:, :4096]` of 4096×4104 (padded rows)", $"{N}, {N + 8}", $"a[:, :{N}]", Method.Runs),
        ("`a[:, ::2]` of 4096×8192", $"{N}, {2 * N}", "a[:, ::2]", Method.Runs),
        ("`a` (C), 4096×4096", $"{N}, {N}", "a", Method.SpanIndexing),
        ("`a[:, ::2]` of 4096×8192", $"{N}, {2 * N}", "a[:, ::2]", Method.SpanIndexing),
    ];

    public string Title => "Strided reduction";

    public SuiteResult Run(BenchmarkContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        if (context.NumPy is not { } numPy)
        {
            rows.Add(["—", "", "no embedded NumPy: " + NumPySession.Unavailable, "", "", ""]);
            return Result(rows, notes);
        }
        foreach (var (name, baseShape, view, method) in Cases)
        {
            Console.WriteLine($"  {name} ({method})");
            // Integer-valued doubles below 2^53: every summation order gives the exact same total.
            numPy.Exec($"a = np.arange(np.prod(({baseShape},)), dtype='f8').reshape({baseShape}); v = {view}");
            try
            {
                using var viewObject = numPy.Get("v");
                using var buffer = viewObject.AsNdBuffer();
                double total = 0;
                Action sum = method switch
                {
                    Method.Buffered => () => total = SumBuffered(buffer),
                    Method.Runs => () => total = SumRuns(buffer),
                    _ => () => total = SumIndexing(buffer),
                };
                var (candidate, baseline) = context.Pair(sum, numPy.Statement("s = v.sum()"));
                double numPyTotal = numPy.Eval<double>("float(s)");
                if (total != numPyTotal)
                    throw new InvalidOperationException($"{name}: C# sum {total} differs from numpy.sum {numPyTotal}");
                var ratio = baseline / candidate;
                rows.Add([name, MethodName(method), Blocks(buffer, method),
                    ratio.ToString("0.00", CultureInfo.InvariantCulture),
                    $"{candidate * 1e3:0.0} ms / {baseline * 1e3:0.0} ms",
                    method == Method.Buffered ? (ratio >= Target ? "met" : "**missed**") : "—"]);
            }
            finally
            {
                numPy.Exec("del a, v");
            }
        }
        notes.Add("Buffered: `foreach (var block in v.EnumerateReadOnlyBuffered<double>(stackalloc double[1024], preserveOrder: false)) sum += " +
            "TensorPrimitives.Sum(block);` — dimensions sorted by stride, reversed ones walked forwards, contiguous ones merged; runs " +
            "of at least 512 bytes are summed in place (`a.T` and `a[::-1, ::-1]` are one 16 M-element run), shorter or strided ones " +
            "gathered 1024 at a time (`a[:, ::2]`: 16,384 blocks instead of 16 M one-element runs).");
        notes.Add("Run enumeration: `TensorPrimitives.Sum` over each span of `EnumerateReadOnlyRuns<double>(preserveOrder: false)`; span " +
            "indexing: `ReadOnlyStridedSpan<double>` (`AsReadOnlyStridedSpan<double>()`) indexed `[i, j]` in two loops. Their targets are " +
            "not the reduction's: these rows track the cost of the unbuffered paths.");
        notes.Add("Both sums are exact (integer-valued doubles below 2^53) and checked equal.");
        return Result(rows, notes);
    }

    private static double SumBuffered(NdBuffer buffer)
    {
        double sum = 0;
        foreach (var block in buffer.EnumerateReadOnlyBuffered<double>(stackalloc double[ScratchLength], preserveOrder: false))
            sum += TensorPrimitives.Sum(block);
        return sum;
    }

    private static double SumRuns(NdBuffer buffer)
    {
        double sum = 0;
        foreach (var run in buffer.EnumerateReadOnlyRuns<double>(preserveOrder: false))
            sum += TensorPrimitives.Sum(run);
        return sum;
    }

    private static double SumIndexing(NdBuffer buffer)
    {
        var span = buffer.AsReadOnlyStridedSpan<double>();
        nint rows = span.Shape[0], columns = span.Shape[1];
        double sum = 0;
        for (nint i = 0; i < rows; i++)
        {
            for (nint j = 0; j < columns; j++)
                sum += span[i, j];
        }
        return sum;
    }

    private static string MethodName(Method method) => method switch
    {
        Method.Buffered => "buffered",
        Method.Runs => "run enumeration",
        _ => "span indexing",
    };

    private static string Blocks(NdBuffer buffer, Method method)
    {
        if (method == Method.SpanIndexing)
            return buffer.ElementCount.ToString("N0", CultureInfo.InvariantCulture) + " elements";
        long count = 0, longest = 0;
        if (method == Method.Buffered)
        {
            foreach (var block in buffer.EnumerateReadOnlyBuffered<double>(stackalloc double[ScratchLength], preserveOrder: false))
            {
                count++;
                longest = Math.Max(longest, block.Length);
            }
        }
        else
        {
            foreach (var run in buffer.EnumerateReadOnlyRuns<double>(preserveOrder: false))
            {
                count++;
                longest = Math.Max(longest, run.Length);
            }
        }
        return count.ToString("N0", CultureInfo.InvariantCulture) + " × " + longest.ToString("N0", CultureInfo.InvariantCulture);
    }

    private SuiteResult Result(List<IReadOnlyList<string>> rows, List<string> notes) => new(Title,
        "Sum of a NumPy view of `float64` in C# over the imported view (NumPy's memory, no copy), against `v.sum()` in the embedded " +
        "NumPy on the same view, interleaved. NdBridge / NumPy is NumPy's time over NdBridge's (higher is faster). Target: every " +
        $"buffered row ≥ {Target:0.0}.",
        ["view `v`", "method", "blocks × longest (elements)", "NdBridge / NumPy (speed)", "NdBridge / NumPy (median times)", "target ≥ 0.8"], rows, notes);
}
