using System.Diagnostics;
using System.Globalization;

namespace NdBridge.Benchmarks;

/// <summary>
/// Opening a memory-mapped <c>.npy</c> file: <see cref="NpyFile.Open"/> at 1 MiB, 1 GiB and a 64 GiB sparse file,
/// against <c>np.load(path, mmap_mode='r')</c> (the same mapping in NumPy) and, where it fits in memory,
/// <c>np.load(path)</c> (a copy), in the same run. O(1) shows as the same open time at every size.
/// </summary>
internal sealed class NpyFileSuite : IBenchmarkSuite
{
    private static readonly (string Name, long ByteLength, bool Copy)[] Sizes =
    [
        ("1 MiB", 1L << 20, true),
        ("1 GiB", 1L << 30, true),
        ("64 GiB (sparse)", 64L << 30, false),
    ];

    public string Title => "Memory-mapped .npy open";

    public SuiteResult Run(BenchmarkContext context)
    {
        var rows = new List<IReadOnlyList<string>>();
        var notes = new List<string>();
        string dir = Path.Combine(Path.GetTempPath(), "ndbridge-bench-npy-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var openSeconds = new List<double>();
        try
        {
            foreach (var (name, byteLength, copy) in Sizes)
            {
                Console.WriteLine($"  {name}");
                string path = Path.Combine(dir, "a.npy");
                // ftruncate makes the file: sparse, so 64 GiB takes no disk. The 1 MiB and 1 GiB data are written (touched).
                using (var created = NpyFile.Create<double>(path, [(nint)(byteLength / sizeof(double))], overwrite: true))
                {
                    if (copy)
                        FillAndFlush(created);
                }
                void OpenInCSharp()
                {
                    using var file = NpyFile.Open(path);
                    if (file.Buffer.ByteLength != byteLength)
                        throw new InvalidOperationException($"{name}: opened {file.Buffer.ByteLength} bytes");
                }
                if (context.NumPy is not { } numPy)
                {
                    var (alone, _) = context.Pair(OpenInCSharp, OpenInCSharp);
                    openSeconds.Add(alone);
                    rows.Add([name, Micro(alone), "—", "—", "no embedded NumPy: " + NumPySession.Unavailable]);
                    continue;
                }
                numPy.Exec($"path = {PythonString(path)}");
                var (open, numPyOpen) = context.Pair(OpenInCSharp, numPy.Statement("m = np.load(path, mmap_mode='r'); del m"));
                openSeconds.Add(open);
                string copyCell = "— (does not fit in memory)";
                if (copy)
                {
                    // A full read is seconds per GiB: a few repetitions give its median.
                    double loadSeconds = MedianOf(3, numPy.Statement("c = np.load(path); del c"));
                    copyCell = $"{Micro(loadSeconds)} ({loadSeconds / open:N0}×)";
                }
                rows.Add([name, Micro(open), Micro(numPyOpen), (numPyOpen / open).ToString("0.00", CultureInfo.InvariantCulture), copyCell]);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        if (openSeconds.Count == Sizes.Length)
            notes.Add($"O(1): opening 64 GiB takes {openSeconds[2] / openSeconds[0]:0.00}× the time of opening 1 MiB " +
                "(open, fstat, one mmap of the whole file, the header read from its first page).");
        notes.Add("`np.load(path, mmap_mode='r')` is the same operation in NumPy (a `numpy.memmap`); `np.load(path)` reads the whole file into a new array.");
        return new SuiteResult(Title,
            "`NpyFile.Open(path)` (read-only, then disposed) of a `float64` `.npy` file, against NumPy in the same process, interleaved; median.",
            ["file", "NpyFile.Open", "np.load mmap_mode='r'", "np.load mmap / NpyFile.Open", "np.load (copy) (× NpyFile.Open)"], rows, notes);
    }

    private static void FillAndFlush(NpyFile file)
    {
        var span = file.Buffer.AsStridedSpan<double>();
        for (nint i = 0; i < span.Shape[0]; i++)
            span[i] = i;
        file.Flush();
    }

    private static double MedianOf(int count, Action action)
    {
        action();
        var times = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        return times[count / 2];
    }

    private static string Micro(double seconds) => seconds < 1e-3
        ? (seconds * 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " µs"
        : (seconds * 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static string PythonString(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
