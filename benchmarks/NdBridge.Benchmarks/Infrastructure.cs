using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Benchmarks;

internal sealed record BenchmarkOptions(string? OutputPath, int Repetitions, string? Only, string CommandLine)
{
    public static BenchmarkOptions Parse(string[] args)
    {
        string? output = null, only = null;
        int repetitions = 15;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--output": output = args[++i]; break;
                case "--repetitions": repetitions = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--only": only = args[++i]; break;
                default: throw new ArgumentException($"unknown option {args[i]}; use --output PATH, --repetitions N, --only SUITE");
            }
        }
        string command = "dotnet run -c Release --project benchmarks/NdBridge.Benchmarks --" + (args.Length > 0 ? " " + string.Join(' ', args) : "");
        return new BenchmarkOptions(output, repetitions, only, command);
    }
}

internal sealed class BenchmarkContext(BenchmarkOptions options, NumPySession? numPy)
{
    public BenchmarkOptions Options { get; } = options;

    /// <summary>NumPy in this process, or null (<see cref="NumPySession.Unavailable"/> says why).</summary>
    public NumPySession? NumPy { get; } = numPy;

    /// <summary>
    /// Half a second of large copies before the first figure, so the first rows do not pay for a cold
    /// process (page-table set-up, tiering, the CPU leaving idle).
    /// </summary>
    public unsafe void WarmUp()
    {
        const int byteLength = 64 << 20;
        byte* a = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(byteLength);
        byte* b = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(byteLength);
        try
        {
            new Span<byte>(a, byteLength).Fill(1);
            new Span<byte>(b, byteLength).Fill(2);
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.5)
                Buffer.MemoryCopy(a, b, byteLength, byteLength);
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(a);
            System.Runtime.InteropServices.NativeMemory.Free(b);
        }
    }

    /// <summary>How long <see cref="Pair"/> runs both sides, alternating, before it times them.</summary>
    public const double PairWarmUpSeconds = 0.5;

    /// <summary>
    /// Times the candidate and its baseline alternately (so both see the same machine load) and returns the
    /// median seconds of each, after <see cref="PairWarmUpSeconds"/> of untimed alternating runs.
    /// </summary>

    public (double CandidateSeconds, double BaselineSeconds) Pair(Action candidate, Action baseline)
    {
        // Tiered compilation promotes a method only after 30 calls and 100 ms without new tier-0 code, then compiles
        // it in the background: one untimed call left the first repetitions of a short row in tier-0 code.
        long warmStart = Stopwatch.GetTimestamp();
        do
        {
            candidate();
            baseline();
        }
        while (Stopwatch.GetElapsedTime(warmStart).TotalSeconds < PairWarmUpSeconds);
        var candidateTimes = new double[Options.Repetitions];
        var baselineTimes = new double[Options.Repetitions];
        for (int i = 0; i < Options.Repetitions; i++)
        {
            baselineTimes[i] = Time(baseline);
            candidateTimes[i] = Time(candidate);
        }
        return (Median(candidateTimes), Median(baselineTimes));
    }

    private static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}

/// <summary>One benchmark table: rows of cells, each a ratio to an in-run baseline or a reason it is missing.</summary>
internal interface IBenchmarkSuite
{
    string Title { get; }

    SuiteResult Run(BenchmarkContext context);
}

internal sealed record SuiteResult(string Title, string Description, IReadOnlyList<string> Columns,
    IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes);

internal sealed record MachineInfo(string Cpu, int LogicalCores, string Os, string Runtime, string Simd,
    string LoadBefore, string? LoadAfter, DateTime StartedUtc)
{
    public static MachineInfo Capture()
    {
        string cpu = "unknown";
        if (File.Exists("/proc/cpuinfo"))
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line != null)
                cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        string simd = string.Join(' ', new[]
        {
            System.Runtime.Intrinsics.X86.Avx2.IsSupported ? "AVX2" : null,
            System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? "AVX-512F" : null,
            System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "AdvSIMD" : null,
        }.Where(s => s != null));
        return new MachineInfo(cpu, Environment.ProcessorCount, RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription, simd.Length == 0 ? "none" : simd, LoadAverage(), null, DateTime.UtcNow);
    }

    public MachineInfo WithLoadAfter() => this with { LoadAfter = LoadAverage() };

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

internal static class ResultsWriter
{
    public static string Write(MachineInfo machine, BenchmarkOptions options, string stack, IReadOnlyList<SuiteResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine($"# NdBridge benchmark results — {stack}");
        text.AppendLine();
        text.AppendLine("Every figure is a ratio to a baseline measured in the same run, on the same machine, interleaved");
        text.AppendLine("with it (median of the repetitions). Higher is faster; 1.00 is as fast as the baseline.");
        text.AppendLine();
        text.AppendLine($"- Date (UTC): {machine.StartedUtc:yyyy-MM-dd HH:mm}");
        text.AppendLine($"- Command: `{options.CommandLine}` (from the repository root; `make bench`)");
        text.AppendLine($"- Machine: {machine.Cpu}, {machine.LogicalCores} logical cores, SIMD {machine.Simd}");
        text.AppendLine($"- OS / runtime: {machine.Os} / {machine.Runtime}");
        text.AppendLine($"- Load average (1/5/15 min) before: {machine.LoadBefore}; after: {machine.LoadAfter}. " +
            "The machine is shared: absolute times are noisy, ratios taken in one run are what counts.");
        text.AppendLine($"- Repetitions per figure: {options.Repetitions} (median), after {BenchmarkContext.PairWarmUpSeconds} s of untimed alternating runs (tiered compilation settles).");
        foreach (SuiteResult result in results)
        {
            text.AppendLine();
            text.AppendLine($"## {result.Title} — {stack}");
            text.AppendLine();
            text.AppendLine(result.Description);
            text.AppendLine();
            text.AppendLine("| " + string.Join(" | ", result.Columns) + " |");
            text.AppendLine("|" + string.Concat(result.Columns.Select(_ => "---|")));
            foreach (IReadOnlyList<string> row in result.Rows)
                text.AppendLine("| " + string.Join(" | ", row) + " |");
            if (result.Notes.Count > 0)
            {
                text.AppendLine();
                foreach (string note in result.Notes)
                    text.AppendLine($"- {note}");
            }
        }
        return text.ToString();
    }
}
