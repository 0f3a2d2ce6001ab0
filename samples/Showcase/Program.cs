// NdBridge showcase: the seeds' story end to end. Every step prints what it proves and checks it across the
// boundary; the program exits non-zero if any check fails. `make demo` runs it.
//   --break-check TEXT   (test-only) inverts the first check whose claim contains TEXT, to prove failures are seen
using NdBridge.Python;
using NdBridge.Showcase;
using NdBridge.Showcase.Steps;
using Spectre.Console;

string? brokenCheck = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--break-check" && i + 1 < args.Length)
        brokenCheck = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'; the only option is --break-check TEXT (test-only)");
        return 2;
    }
}

if (Console.IsOutputRedirected)
{
    // A log, not a terminal: plain text, one line per claim.
    AnsiConsole.Profile.Capabilities.Ansi = false;
    AnsiConsole.Profile.Width = 160;
}

var started = System.Diagnostics.Stopwatch.StartNew();
var python = PythonRuntime.Initialize();
AnsiConsole.MarkupLine($"[bold]NdBridge showcase[/] — Python {Markup.Escape(python.Installation.Version.ToString())} at {Markup.Escape(python.Installation.ExecutablePath ?? "(library only)")}");
using var numPy = python.NewNamespace();
python.Exec("import numpy as np", numPy);
var run = new ShowcaseRun(python, numPy, brokenCheck);

Action<ShowcaseRun>[] steps =
[
    PaddedMatrixStep.Run,
    StridedBytesStep.Run,
    RecordArrayStep.Run,
    NumPyInCSharpStep.Run,
    SuboffsetsStep.Run,
    DLPackStep.Run,
    NpyShareStep.Run,
    HandoffTableStep.Run,
];
foreach (var step in steps)
{
    try
    {
        step(run);
    }
    catch (Exception e)
    {
        // A step that throws is a failed check, and the story goes on.
        run.Check(false, $"the step ran to its end (it threw {e.GetType().Name}: {e.Message.Split('\n')[0]})");
    }
}

AnsiConsole.WriteLine();
AnsiConsole.Write(new Rule());
AnsiConsole.MarkupLine(run.Failures == 0
    ? $"[green]All {run.Checks.Count} checks held[/] in {started.Elapsed.TotalSeconds:0.0} s."
    : $"[red]{run.Failures} of {run.Checks.Count} checks FAILED[/] in {started.Elapsed.TotalSeconds:0.0} s.");
return run.Failures == 0 ? 0 : 1;
