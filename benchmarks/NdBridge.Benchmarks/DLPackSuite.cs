using System.Globalization;
using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// DLPack handoff per call, both ways, beside the buffer-protocol handoff, against NumPy's own
/// <c>np.from_dlpack(a)</c> of a NumPy array measured in the same run. The target row hands over a live export, as the
/// baseline hands over a live array; the rows marked fresh make a new <see cref="NdBuffer"/> per call. Every call
/// releases what it got.
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
        using var liveBuffer = NdBuffer.FromArray(values, [8, 8]);
        using var liveExport = liveBuffer.ToPython();

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
            (LikeForLike, Repeat(() =>
            {
                using var result = fromDLPack.Call(liveExport);
            })),
            (".NET → NumPy, DLPack, the whole way: fresh `NdBuffer` → `ToPython()` → `np.from_dlpack(export)`, all released", Repeat(() =>
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
            var target = name == LikeForLike
                ? (candidate / reference <= TargetRatio ? "met" : "**missed**")
                : "";
            rows.Add([name, (reference / candidate).ToString("0.00", CultureInfo.InvariantCulture),
                (candidate / reference).ToString("0.00", CultureInfo.InvariantCulture), Microseconds(candidate), target]);
        }
        notes.Add($"Each figure times a batch of {CallsPerRepetition} handoffs called from C# (NumPy's own rows through `PythonObject.Call` too), the GIL held around the batch.");
        notes.Add(legacyOnly
            ? $"NumPy {numPyVersion}'s `__dlpack__` rejects `max_version`: the first import of a type pays one TypeError before the legacy call, as the array API prescribes; the type is then remembered and asked without `max_version`."
            : $"NumPy {numPyVersion}'s `__dlpack__` takes `max_version`: imports get a versioned capsule, which can say read-only.");
        notes.Add("The target row is like for like: `np.from_dlpack` of a live exporter on both sides, each call making the capsule, its tensor (one native block holding a reference to the export, as NumPy's holds one to its array) and NumPy's array, and releasing them. "
            + "The whole-way row also makes and releases the `NdBuffer` (pinning the .NET array) and the export object per call, work NumPy's baseline does not do; the buffer-protocol row makes the export and the array over it (NumPy's C API).");
        return new SuiteResult(Title,
            "Per-call handoff of an 8×8 `double` array, as a ratio to NumPy's own `np.from_dlpack(a)` of a NumPy array timed in the same run " +
            "(baseline time / candidate time; higher is faster). Rows marked fresh create the `NdBuffer` exporter per call and release it; " +
            "each import is disposed. The µs column is the absolute time per handoff. Target: `np.from_dlpack` of a .NET export ≤ 1.5× NumPy's own of a NumPy array.",
            ["handoff", "baseline / this", "NdBridge / NumPy (time)", "µs per handoff", "target ≤ 1.5"],
            rows, notes);
    }

    private const string LikeForLike = ".NET → NumPy, DLPack: `np.from_dlpack(export)` of a live `NdBuffer` export (`ToPython()`), like the baseline's live array";

    private static Action Repeat(Action once) => () =>
    {
        using var gil = PythonGil.Acquire(); // held around the batch, as timeit holds it for NumPy's own rows
        for (var i = 0; i < CallsPerRepetition; i++)
            once();
    };

    private static string Microseconds(double secondsPerRepetition) =>
        (secondsPerRepetition / CallsPerRepetition * 1e6).ToString("0.00", CultureInfo.InvariantCulture);
}
