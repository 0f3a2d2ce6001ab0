using System.Diagnostics;
using System.Globalization;
using NdBridge.Python;
using Spectre.Console;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// Zero-copy handoff against a copy, at 1 MiB, 64 MiB and 1 GiB: the time to give NumPy an array of .NET
/// memory (<c>ToNumPy</c> + release) beside copying the same bytes into a new NumPy array
/// (<c>np.array(memoryview)</c>, what a bridge without buffer sharing does), measured in this run.
/// </summary>
internal static class HandoffTableStep
{
    private static readonly (string Label, long ByteLength)[] Sizes = [("1 MiB", 1L << 20), ("64 MiB", 64L << 20), ("1 GiB", 1L << 30)];

    public static void Run(ShowcaseRun run)
    {
        run.BeginStep("Zero-copy handoff against a copy");
        var rows = new List<(string Label, double HandoffSeconds, double CopySeconds, bool SameAddress, bool SameValues)>();
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                foreach (var (label, byteLength) in Sizes)
                {
                    var task = progress.AddTask(label, maxValue: 4);
                    rows.Add(Measure(run, label, byteLength, task));
                }
            });

        var table = new Table().AddColumns("size", "handoff (ToNumPy + release)", "copy into a new NumPy array", "copy / handoff");
        foreach (var row in rows)
            table.AddRow(row.Label, Format(row.HandoffSeconds), Format(row.CopySeconds),
                (row.CopySeconds / row.HandoffSeconds).ToString("N0", CultureInfo.InvariantCulture) + "×");
        AnsiConsole.Write(table);
        foreach (var row in rows)
        {
            run.Check(row.SameAddress && row.SameValues, $"{row.Label}: NumPy's array is the .NET memory (same address, last element seen)");
            run.Check(row.HandoffSeconds < row.CopySeconds, $"{row.Label}: the handoff is faster than copying");
        }
    }

    private static unsafe (string, double, double, bool, bool) Measure(ShowcaseRun run, string label, long byteLength, ProgressTask task)
    {
        using var buffer = NdBuffer.Allocate<double>([(nint)(byteLength / sizeof(double))]);
        var data = buffer.AsStridedSpan<double>();
        data.Fill(1.0);                      // touched, like memory a program has been using
        data[(nint)(byteLength / sizeof(double)) - 1] = 42;
        task.Increment(1);

        const int handoffs = 200;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < handoffs; i++)
            buffer.ToNumPy().Dispose();
        double handoffSeconds = clock.Elapsed.TotalSeconds / handoffs;
        task.Increment(1);

        using (var array = buffer.ToNumPy())
            run.Namespace.SetItem("shared", array);
        bool sameAddress = run.Eval<long>("shared.ctypes.data") == (long)buffer.DangerousGetPointer();
        bool sameValues = run.Eval<double>("float(shared[-1])") == 42;
        int copies = byteLength >= 1L << 30 ? 2 : 5;
        run.Exec("copy = np.array(memoryview(shared))");   // warm: the allocator has the pages once
        clock.Restart();
        for (int i = 0; i < copies; i++)
            run.Exec("copy = np.array(memoryview(shared))");
        double copySeconds = clock.Elapsed.TotalSeconds / copies;
        run.Exec("del shared, copy");
        task.Increment(2);
        return (label, handoffSeconds, copySeconds, sameAddress, sameValues);
    }

    private static string Format(double seconds) => seconds switch
    {
        < 1e-3 => (seconds * 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " µs",
        < 1 => (seconds * 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        _ => seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
    };
}
