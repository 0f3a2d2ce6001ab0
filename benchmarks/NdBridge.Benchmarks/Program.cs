using NdBridge.Benchmarks;

// make bench: dotnet run -c Release --project benchmarks/NdBridge.Benchmarks -- --output benchmarks/RESULTS.md
var options = BenchmarkOptions.Parse(args);
var suites = new List<IBenchmarkSuite>
{
    new CopySuite(),
    new HandoffSuite(),
    new ImportSuite(),
    new DLPackSuite(),
    new ReductionSuite(),
    new NpyFileSuite(),
    new IndexingSuite(),
};

using var numPy = NumPySession.TryStart();
var context = new BenchmarkContext(options, numPy);
context.WarmUp();
var machine = MachineInfo.Capture();
var results = new List<SuiteResult>();
foreach (IBenchmarkSuite suite in suites)
{
    if (options.Only != null && !suite.Title.Contains(options.Only, StringComparison.OrdinalIgnoreCase))
        continue;
    Console.WriteLine($"== {suite.Title}");
    results.Add(suite.Run(context));
}
machine = machine.WithLoadAfter();

// make bench runs once per stack (eng/stacks/run.sh names it); every table says which stack it was measured on.
string stack = $"{Environment.GetEnvironmentVariable("NDBRIDGE_STACK") ?? "no stack named"}: " +
    (numPy is null ? $"no NumPy ({NumPySession.Unavailable})" : $"CPython {numPy.PythonVersion}, NumPy {numPy.Version}");
string markdown = ResultsWriter.Write(machine, options, stack, results);
Console.WriteLine();
Console.WriteLine(markdown);
if (options.OutputPath != null)
{
    File.WriteAllText(options.OutputPath, markdown);
    Console.WriteLine($"written to {options.OutputPath}");
}
