using System.Globalization;
using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// DLPack handoff per call, both ways, beside the buffer-protocol handoff, against NumPy's own
/// <c>np.from_dlpack(a)</c> of a NumPy array measured in the same run. Every call hands over a fresh
/// exporter (a new <see cref="NdBuffer"/> for .NET → Python) and releases what it got.
/// </summary>
internal sealed class DLPackSuite : IBenchmarkSuite
{
    private const int CallsPerRepetition = 2000;
    private const double TargetRatio = 1.5;

    public string Title => "DLPack handoff";

    public SuiteResult Run(BenchmarkContext context)
    {
        if (context.NumPy is null)
            return new SuiteResult(Title, "Needs the embedded NumPy: " + NumPySession.Unavailable, ["handoff"], [], []);
        var python = PythonRuntime.Current;
        using var ns = python.NewNamespace();
        python.Exec("""
            import numpy as np
            a = np.arange(64.0).reshape(8, 8)
            from_dlpack = np.from_dlpack
            def numpy_buffer(x):
                return np.asarray(memoryview(x))
            try:
                a.__dlpack__(max_version=(1, 0))
                legacy_only = False
            except TypeError:
                legacy_only = True
            """, ns);
        // NumPy 1.x's __dlpack__ rejects max_version (one TypeError per type, then the legacy call); 2.x answers it.
        var legacyOnly = python.Eval<bool>("legacy_only", ns);
        var numPyVersion = python.Eval<string>("np.__version__", ns);
        using var array = ns.GetItem("a");
        using var fromDLPack = ns.GetItem("from_dlpack");
        using var numPyBuffer = ns.GetItem("numpy_buffer");
        var values = new double[64];
        for (var i = 0; i < values.Length; i++)
            values[i] = i;

        Action baseline = Repeat(() =>
        {
            using var result = fromDLPack.Call(array);
        });
        var cases = new List<(string Name, Action Run)>
        {
            ("NumPy → NumPy, buffer protocol: `np.asarray(memoryview(a))`", Repeat(() =>
            {
                using var result = numPyBuffer.Call(array);
            })),
            (".NET → NumPy, DLPack: fresh `NdBuffer` → `ToPython()` → `np.from_dlpack(export)`", Repeat(() =>
            {
                using var buffer = NdBuffer.FromArray(values, [8, 8]);
                using var export = buffer.ToPython();
                using var result = fromDLPack.Call(export);
            })),
            (".NET → NumPy, buffer protocol: fresh `NdBuffer` → `ToNumPy()` (`PyArray_NewFromDescr` over the export)", Repeat(() =>
            {
                using var buffer = NdBuffer.FromArray(values, [8, 8]);
                using var result = buffer.ToNumPy();
            })),
            (".NET → Python, DLPack capsule only: `PythonDLPack.ExportCapsule` of a fresh `NdBuffer`, never consumed", Repeat(() =>
            {
                using var buffer = NdBuffer.FromArray(values, [8, 8]);
                using var capsule = PythonDLPack.ExportCapsule(buffer, (1, 1));
            })),
            ($"NumPy → .NET, DLPack: `PythonDLPack.Import(a)` ({(legacyOnly ? $"NumPy {numPyVersion}'s type remembered as legacy-only" : $"NumPy {numPyVersion}: a versioned capsule")}), disposed", Repeat(() =>
            {
                using var buffer = PythonDLPack.Import(array);
            })),
            ("NumPy → .NET, buffer protocol: `NdBufferImport.FromBufferProtocol(a, writable: true)`, disposed", Repeat(() =>
            {
                using var buffer = NdBufferImport.FromBufferProtocol(array, writable: true);
            })),
        };

        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        var (_, baselineAlone) = context.Pair(baseline, baseline);
        rows.Add(["NumPy → NumPy, DLPack: `np.from_dlpack(a)` (baseline)", "1.00", "1.00", Microseconds(baselineAlone), ""]);
        foreach (var (name, run) in cases)
        {
            Console.WriteLine($"  {name}");
            var (candidate, reference) = context.Pair(run, baseline);
            var target = name.StartsWith(".NET → NumPy, DLPack", StringComparison.Ordinal)
                ? (candidate / reference <= TargetRatio ? "met" : "**missed**")
                : "";
            rows.Add([name, (reference / candidate).ToString("0.00", CultureInfo.InvariantCulture),
                (candidate / reference).ToString("0.00", CultureInfo.InvariantCulture), Microseconds(candidate), target]);
        }
        notes.Add($"Each figure times a batch of {CallsPerRepetition} handoffs called from C# (NumPy's own rows through `PythonObject.Call` too), the GIL held around the batch.");
        notes.Add(legacyOnly
            ? $"NumPy {numPyVersion}'s `__dlpack__` rejects `max_version`: the first import of a type pays one TypeError before the legacy call, as the array API prescribes; the type is then remembered and asked without `max_version`."
            : $"NumPy {numPyVersion}'s `__dlpack__` takes `max_version`: imports get a versioned capsule, which can say read-only.");
        notes.Add(".NET → NumPy through DLPack makes the export object, then the capsule and its tensor (one native block, a GCHandle to the owner), and NumPy's array; the buffer-protocol row makes the export and the array over it (NumPy's C API).");
        return new SuiteResult(Title,
            "Per-call handoff of an 8×8 `double` array, as a ratio to NumPy's own `np.from_dlpack(a)` of a NumPy array timed in the same run " +
            "(baseline time / candidate time; higher is faster). Each .NET → Python call creates a fresh `NdBuffer` exporter and releases it; " +
            "each import is disposed. The µs column is the absolute time per handoff. Target: .NET → NumPy through DLPack ≤ 1.5× NumPy's own.",
            ["handoff", "baseline / this", "NdBridge / NumPy (time)", "µs per handoff", "target ≤ 1.5"],
            rows, notes);
    }

    private static Action Repeat(Action once) => () =>
    {
        using var gil = PythonGil.Acquire(); // held around the batch, as timeit holds it for NumPy's own rows
        for (var i = 0; i < CallsPerRepetition; i++)
            once();
    };

    private static string Microseconds(double secondsPerRepetition) =>
        (secondsPerRepetition / CallsPerRepetition * 1e6).ToString("0.00", CultureInfo.InvariantCulture);
}
