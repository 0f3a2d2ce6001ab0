using System.Globalization;

namespace NdBridge.Benchmarks;

/// <summary>
/// Element access through the typed views and the run enumerator, against the same loops over a raw pointer with
/// the same strides: what the views' bounds checks and lifetime bookkeeping cost per element and per run.
/// </summary>
internal sealed unsafe class IndexingSuite : IBenchmarkSuite
{
    private const int N = 2048;

    public string Title => "Span indexing and run enumeration";

    public SuiteResult Run(BenchmarkContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        using var buffer = NdBuffer.Allocate<double>([N, 2 * N]);
        var origin = (double*)buffer.DangerousGetPointer();
        for (long i = 0; i < (long)N * 2 * N; i++)
            origin[i] = i % 1024;
        using var everyOther = buffer.Slice(1, null, null, 2);
        double expected = 0, actual = 0;

        void PointerSum2D()
        {
            double sum = 0;
            for (nint i = 0; i < N; i++)
                for (nint j = 0; j < 2 * N; j++)
                    sum += origin[i * 2 * N + j];
            expected = sum;
        }
        void SpanSum2D()
        {
            var span = buffer.AsStridedSpan<double>();
            double sum = 0;
            for (nint i = 0; i < N; i++)
                for (nint j = 0; j < 2 * N; j++)
                    sum += span[i, j];
            actual = sum;
        }
        void ReadOnlySpanSum2D()
        {
            var span = buffer.AsReadOnlyStridedSpan<double>();
            double sum = 0;
            for (nint i = 0; i < N; i++)
                for (nint j = 0; j < 2 * N; j++)
                    sum += span[i, j];
            actual = sum;
        }
        void SpanWrite1D()
        {
            var span = buffer.AsStridedSpan<double>().Index(0, 7);
            for (int round = 0; round < 256; round++)
                for (nint j = 0; j < 2 * N; j++)
                    span[j] += 1;
        }
        void PointerWrite1D()
        {
            double* row = origin + 7 * 2 * N;
            for (int round = 0; round < 256; round++)
                for (nint j = 0; j < 2 * N; j++)
                    row[j] += 1;
        }
        void PointerSumEveryOther()
        {
            double sum = 0;
            for (nint i = 0; i < N; i++)
                for (nint j = 0; j < 2 * N; j += 2)
                    sum += origin[i * 2 * N + j];
            expected = sum;
        }
        void RunSumEveryOther()
        {
            double sum = 0;
            foreach (ReadOnlySpan<double> run in everyOther.EnumerateReadOnlyRuns<double>(preserveOrder: false))
                sum += run[0];
            actual = sum;
        }
        void SpanRunSumEveryOther()
        {
            double sum = 0;
            foreach (Span<double> run in everyOther.AsStridedSpan<double>().EnumerateRuns(preserveOrder: false))
                sum += run[0];
            actual = sum;
        }

        Add(rows, context, "`span[i, j]` read, `StridedSpan<double>` 2048×4096", SpanSum2D, PointerSum2D, () => actual == expected);
        Add(rows, context, "`span[i, j]` read, `ReadOnlyStridedSpan<double>` 2048×4096", ReadOnlySpanSum2D, PointerSum2D, () => actual == expected);
        Add(rows, context, "`span[j] += 1`, `StridedSpan<double>` row of 4096, 256 rounds", SpanWrite1D, PointerWrite1D, () => true);
        Add(rows, context, "`NdBuffer.EnumerateReadOnlyRuns` of `a[:, ::2]`, 8 M one-element runs", RunSumEveryOther, PointerSumEveryOther, () => actual == expected);
        Add(rows, context, "`StridedSpan.EnumerateRuns` of `a[:, ::2]`, 8 M one-element runs", SpanRunSumEveryOther, PointerSumEveryOther, () => actual == expected);
        return new SuiteResult(Title,
            "Each loop against the same loop over a `double*` with the same strides (pointer time / NdBridge time: higher is faster, " +
            "1.00 is as fast as raw pointers). Bounds checks stay in; the runs are walked in memory order.",
            ["access", "pointer / NdBridge", "NdBridge / pointer (median)"], rows,
            ["Python-free: `NdBuffer.Allocate<double>([2048, 4096])`, touched before timing."]);
    }

    private static void Add(List<IReadOnlyList<string>> rows, BenchmarkContext context, string name, Action candidate, Action baseline, Func<bool> check)
    {
        Console.WriteLine($"  {name}");
        var (candidateSeconds, baselineSeconds) = context.Pair(candidate, baseline);
        baseline();
        candidate();
        if (!check())
            throw new InvalidOperationException($"{name}: the NdBridge loop and the pointer loop disagree");
        rows.Add([name, (baselineSeconds / candidateSeconds).ToString("0.00", CultureInfo.InvariantCulture),
            $"{candidateSeconds * 1e3:0.0} ms / {baselineSeconds * 1e3:0.0} ms"]);
    }
}
