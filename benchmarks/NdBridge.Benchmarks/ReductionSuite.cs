using System.Globalization;
using System.Numerics.Tensors;
using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// A strided reduction: the sum of a NumPy view, computed in C# over the same memory (imported, no copy) with the
/// run enumerator and <c>TensorPrimitives.Sum</c> on each contiguous run, against <c>numpy.sum</c> of that view.
/// </summary>
internal sealed class ReductionSuite : IBenchmarkSuite
{
    private const int N = 4096;

    // (name, base shape, the view in NumPy)
    private static readonly (string Name, string BaseShape, string View)[] Cases =
    [
        ("`a` (C), 4096×4096", $"{N}, {N}", "a"),
        ("`a[:, :4096]` of 4096×4104 (padded rows)", $"{N}, {N + 8}", $"a[:, :{N}]"),
        ("`a.T`, 4096×4096", $"{N}, {N}", "a.T"),
        ("`a[::-1, ::-1]`, 4096×4096", $"{N}, {N}", "a[::-1, ::-1]"),
        ("`a[:, ::2]` of 4096×8192", $"{N}, {2 * N}", "a[:, ::2]"),
    ];

    public string Title => "Strided reduction";

    public SuiteResult Run(BenchmarkContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        if (context.NumPy is not { } numPy)
        {
            rows.Add(["—", "no embedded NumPy: " + NumPySession.Unavailable, "", ""]);
            return Result(rows, notes);
        }
        foreach (var (name, baseShape, view) in Cases)
        {
            Console.WriteLine($"  {name}");
            // Integer-valued doubles below 2^53: every summation order gives the exact same total.
            numPy.Exec($"a = np.arange(np.prod(({baseShape},)), dtype='f8').reshape({baseShape}); v = {view}");
            try
            {
                using var viewObject = numPy.Get("v");
                using var buffer = viewObject.AsNdBuffer();
                double total = 0;
                void SumInCSharp()
                {
                    double sum = 0;
                    foreach (ReadOnlySpan<double> run in buffer.EnumerateReadOnlyRuns<double>(preserveOrder: false))
                        sum += TensorPrimitives.Sum(run);
                    total = sum;
                }
                var (candidate, baseline) = context.Pair(SumInCSharp, numPy.Statement("s = v.sum()"));
                double numPyTotal = numPy.Eval<double>("float(s)");
                if (total != numPyTotal)
                    throw new InvalidOperationException($"{name}: C# sum {total} differs from numpy.sum {numPyTotal}");
                long runCount = 0, longestRun = 0;
                foreach (ReadOnlySpan<double> run in buffer.EnumerateReadOnlyRuns<double>(preserveOrder: false))
                {
                    runCount++;
                    longestRun = Math.Max(longestRun, run.Length);
                }
                rows.Add([name, (baseline / candidate).ToString("0.00", CultureInfo.InvariantCulture),
                    runCount.ToString("N0", CultureInfo.InvariantCulture) + " × " + longestRun.ToString("N0", CultureInfo.InvariantCulture),
                    $"{candidate * 1e3:0.0} ms / {baseline * 1e3:0.0} ms"]);
            }
            finally
            {
                numPy.Exec("del a, v");
            }
        }
        notes.Add("The runs are walked in memory order (`preserveOrder: false`): dimensions sorted by stride, reversed ones walked " +
            "forwards, contiguous ones merged, so `a.T` and `a[::-1, ::-1]` reduce over one 16 M-element run. `a[:, ::2]` has no " +
            "contiguous run longer than one element: the enumerator hands out 16 M one-element spans, and NumPy's strided inner loop wins.");
        notes.Add("Both sums are exact (integer-valued doubles below 2^53) and checked equal.");
        return Result(rows, notes);
    }

    private SuiteResult Result(List<IReadOnlyList<string>> rows, List<string> notes) => new(Title,
        "Sum of a NumPy view of `float64`: in C#, `TensorPrimitives.Sum` over each run of `NdBuffer.EnumerateReadOnlyRuns<double>()` of " +
        "the imported view (NumPy's memory, no copy), against `v.sum()` in the embedded NumPy on the same view, interleaved " +
        "(NumPy time / NdBridge time: higher is faster).",
        ["view `v`", "numpy.sum / NdBridge", "runs × longest run (elements)", "NdBridge / NumPy (median)"], rows, notes);
}
