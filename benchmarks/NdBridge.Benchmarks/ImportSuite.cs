using System.Globalization;
using NdBridge.Python;

namespace NdBridge.Benchmarks;

/// <summary>
/// Import + release of a Python buffer as an <see cref="NdBuffer"/> (<c>obj.AsNdBuffer().Dispose()</c>) against
/// <c>memoryview(a)</c> (which also takes and releases a <c>Py_buffer</c>) timed by <c>timeit</c> in the same process.
/// </summary>
internal sealed class ImportSuite : IBenchmarkSuite
{
    private const int CallsPerRepetition = 20_000;
    private const double TargetNanoseconds = 1_000;
    private const double TargetRatioToMemoryview = 1.5;

    /// <summary>Each source, as the Python statement that makes <c>a</c>.</summary>
    internal static readonly (string Name, string Code)[] Cases =
    [
        ("`np.zeros((64, 64))` (C, float64)", "a = np.zeros((64, 64))"),
        ("`np.zeros((64, 64))[::-1, ::2]`", "a = np.zeros((64, 64))[::-1, ::2]"),
        ("`np.zeros(8, dtype=[('x', 'u1'), ('y', '>f8')])` (record)", "a = np.zeros(8, dtype=[('x', 'u1'), ('y', '>f8')])"),
        ("`bytearray(64)`", "a = bytearray(64)"),
        ("`_testbuffer.ndarray(..., shape=[8, 8], flags=ND_PIL)` (suboffsets)",
            "a = _testbuffer.ndarray(list(range(64)), shape=[8, 8], format='i', flags=_testbuffer.ND_PIL)"),
    ];

    public string Title => "Import (Python buffer → NdBuffer)";

    public SuiteResult Run(BenchmarkContext context)
    {
        var python = PythonRuntime.Initialize(); // NDBRIDGE_PYTHON, as `make bench` sets it
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        // Pass 0 only warms up (tiered compilation, NumPy's per-array buffer info, the GIL paths); pass 1 measures.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var (name, code) in Cases)
            {
                if (pass == 1)
                    Console.WriteLine($"  {name}");
                using var ns = python.NewNamespace();
                python.Exec("import numpy as np, _testbuffer, timeit\n" + code + "\nt = timeit.Timer('memoryview(a)', globals=globals())\n", ns);
                using var source = ns.GetItem("a");
                using var timer = ns.GetItem("t");
                Action memoryview = () => timer.CallMethod("timeit", CallsPerRepetition).Dispose();
                Action gilHeld = () =>
                {
                    using var gil = PythonGil.Acquire();
                    for (var i = 0; i < CallsPerRepetition; i++)
                        source.AsNdBuffer().Dispose();
                };
                Action gilPerCall = () =>
                {
                    for (var i = 0; i < CallsPerRepetition; i++)
                        source.AsNdBuffer().Dispose();
                };
                if (pass == 0)
                {
                    var warmStart = System.Diagnostics.Stopwatch.GetTimestamp();
                    while (System.Diagnostics.Stopwatch.GetElapsedTime(warmStart).TotalSeconds < 0.2)
                    {
                        gilHeld();
                        gilPerCall();
                        memoryview();
                    }
                    continue;
                }
                var (held, baseline) = context.Pair(gilHeld, memoryview);
                var (perCall, _) = context.Pair(gilPerCall, memoryview);
                Verify(source, python, ns);
                double heldNs = held / CallsPerRepetition * 1e9, perCallNs = perCall / CallsPerRepetition * 1e9, memoryviewNs = baseline / CallsPerRepetition * 1e9;
                var timeRatio = heldNs / memoryviewNs;
                rows.Add([
                    name,
                    Nanoseconds(heldNs),
                    Nanoseconds(memoryviewNs),
                    timeRatio.ToString("0.00", CultureInfo.InvariantCulture),
                    timeRatio <= TargetRatioToMemoryview ? "met" : "**missed**",
                    Nanoseconds(perCallNs),
                    heldNs <= TargetNanoseconds ? "met" : "**missed**",
                ]);
            }
        }
        notes.Add($"Each figure is the median of {context.Options.Repetitions} repetitions of {CallsPerRepetition:N0} calls, " +
            "the candidate interleaved with `timeit.Timer('memoryview(a)').timeit(n)` in the same process.");
        notes.Add("\"GIL held\": the caller is inside a `PythonGil` scope (the import's own scope is then re-entrant); " +
            "\"GIL per call\": the import and the release each take and drop the GIL (`PyGILState_Ensure`/`Release`).");
        return new SuiteResult(Title,
            "`obj.AsNdBuffer().Dispose()`: `PyObject_GetBuffer(FULL_RO)` into native memory, format (cached) and layout read, " +
            "an `NdBuffer` made, then `PyBuffer_Release` and the memory freed — per call, against `memoryview(a)` in Python " +
            $"(NdBridge / memoryview: NdBridge's time over memoryview's, lower is faster). Targets (medians, GIL held): ≤ {TargetRatioToMemoryview:0.0}× `memoryview(a)` in the same run, " +
            "and the earlier absolute target ≤ 1 µs (which `memoryview(a)` itself nearly misses on the record row when this machine is slow).",
            ["source `a`", "import + release, GIL held", "`memoryview(a)` in Python", "NdBridge / memoryview (time)", "target ≤ 1.5×", "import + release, GIL per call", "≤ 1 µs (GIL held)"],
            rows, notes);
    }

    private static string Nanoseconds(double value) => value.ToString("0", CultureInfo.InvariantCulture) + " ns";

    // The imported buffer must hold the object's contents, or the timing measured something else.
    private static void Verify(PythonObject source, PythonRuntime python, PythonObject ns)
    {
        using var buffer = source.AsNdBuffer();
        if (Convert.ToHexStringLower(buffer.ToByteArray()) != python.Eval<string>("memoryview(a).tobytes().hex()", ns))
            throw new InvalidOperationException("the imported buffer's bytes differ from memoryview(a).tobytes()");
    }
}
