// Beyond one process, with no Python inside this one: .NET writes a 1 GiB .npy file and a named shared-memory segment;
// a separate python3 maps both (plain NumPy, no NdBridge), changes values in place, and .NET sees the changes through
// the mapping it already holds. Timings against np.save + np.load (copies) are taken in the same run.
//   dotnet run -c Release --project samples/NpyShare [-- --mib N]      python3: NDBRIDGE_PYTHON, else /usr/bin/python3
// It checks everything it prints and exits with 1 on any mismatch.
using System.Diagnostics;
using System.Globalization;
using NdBridge;

int mib = 1024;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--mib" && i + 1 < args.Length && int.TryParse(args[i + 1], out mib) && mib > 0)
        i++;
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'; the only option is --mib N (the file's size in MiB, default 1024)");
        return 2;
    }
}
string python = Environment.GetEnvironmentVariable("NDBRIDGE_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";
var failures = new List<string>();
void Check(bool ok, string what)
{
    Console.WriteLine($"  {(ok ? "ok" : "FAILED")}: {what}");
    if (!ok)
        failures.Add(what);
}

string dir = Path.Combine(Path.GetTempPath(), "ndbridge-npyshare-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
Directory.CreateDirectory(dir);
string path = Path.Combine(dir, "frames.npy");
string segmentName = "ndbridge-npyshare-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
const int Columns = 1024;
int rows = mib * 256; // 256 rows of 1024 float32 = 1 MiB
try
{
    // 1. A memory-mapped .npy file: created (sparse, O(1)), filled through the mapping, never copied.
    using (NpyFile.Create<float>(Path.Combine(dir, "warm-up.npy"), [1]))
    {
        // The first call of each kind pays for JIT compilation: not what the table below is about.
    }
    using (NpyFile.Open(Path.Combine(dir, "warm-up.npy")))
    {
    }
    var clock = Stopwatch.StartNew();
    using var file = NpyFile.Create<float>(path, [rows, Columns]);
    double createSeconds = clock.Elapsed.TotalSeconds;
    // The file is one contiguous run (spans hold at most int.MaxValue elements): row r, column c is at r * 1024 + c.
    Span<float> pattern = stackalloc float[Columns];
    for (int c = 0; c < Columns; c++)
        pattern[c] = c * 0.001f;
    long row = 0;
    foreach (Span<float> run in file.Buffer.EnumerateRuns<float>())
    {
        for (int k = 0; k < run.Length; k += Columns, row++)
            System.Numerics.Tensors.TensorPrimitives.Add(pattern, row % 1000, run.Slice(k, Columns));
    }
    var frames = file.Buffer.AsStridedSpan<float>();
    double fillSeconds = clock.Elapsed.TotalSeconds - createSeconds;
    Console.WriteLine($"{file}: {file.Buffer.ByteLength / (1 << 20)} MiB, created in {createSeconds * 1e3:0.0} ms, filled in {fillSeconds:0.00} s");

    // 2. A named shared-memory segment holding an .npy image: Python learns dtype, shape and order from the segment.
    using var segment = NpySharedMemory.Create<double>(segmentName, [1000, 1000]);
    var grid = segment.Buffer.AsStridedSpan<double>();
    for (nint r = 0; r < 1000; r++)
        for (nint c = 0; c < 1000; c++)
            grid[r, c] = r * 1000 + c;
    Console.WriteLine($"{segment}: at {segment.Path}");

    // 3. A separate python3 maps both, changes them in place, and times the copying way (np.save + np.load) next to it.
    string script = $$"""
import json, os, sys, time
import numpy as np
t = time.perf_counter(); a = np.load("{{path}}", mmap_mode="r+"); t_open = time.perf_counter() - t
t = time.perf_counter(); a[:, 0] = -1.0; t_modify = time.perf_counter() - t
copy = "{{Path.Combine(dir, "copy.npy")}}"
t = time.perf_counter(); np.save(copy, a); t_save = time.perf_counter() - t
t = time.perf_counter(); b = np.load(copy); t_load = time.perf_counter() - t
same = bool(np.array_equal(a[::997], b[::997])); del b; os.remove(copy)
g = np.load("/dev/shm/{{segmentName}}", mmap_mode="r+")
g[:, 0] *= -1
print(json.dumps({"open": t_open, "modify": t_modify, "save": t_save, "load": t_load, "same": same,
                  "shape": list(a.shape), "dtype": a.dtype.str, "grid_shape": list(g.shape), "grid_dtype": g.dtype.str}))
""";
    var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    start.ArgumentList.Add("-c");
    start.ArgumentList.Add(script);
    using var process = Process.Start(start)!;
    var stderr = process.StandardError.ReadToEndAsync();
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        Console.Error.WriteLine($"{python} failed ({process.ExitCode}): {stderr.Result}");
        return 1;
    }
    var result = System.Text.Json.Nodes.JsonNode.Parse(output)!;
    Console.WriteLine($"python3 (pid {process.Id}) mapped the file as {result["dtype"]} {result["shape"]!.ToJsonString()} and the segment as {result["grid_dtype"]} {result["grid_shape"]!.ToJsonString()}");
    Check((string)result["dtype"]! == "<f4" && (string)result["grid_dtype"]! == "<f8", "Python learned both dtypes from the .npy headers");

    // 4. The changes are here already: same pages, no reopen, no copy.
    bool columnChanged = true;
    for (nint r = 0; r < rows; r++)
        columnChanged &= frames[r, 0] == -1.0f;
    Check(columnChanged && frames[rows - 1, 1] == (rows - 1) % 1000 + 0.001f, $"all {rows:N0} values Python set in column 0 are visible here; the rest is unchanged");
    bool gridChanged = grid[999, 0] == -999_000 && grid[999, 1] == 999_001;
    Check(gridChanged, "Python's in-place change to the shared segment is visible here");
    Check((bool)result["same"]!, "np.save + np.load produced the same values (by copying them twice)");

    clock.Restart();
    using (var reopened = NpyFile.Open(path))
        Check(reopened.Buffer.ByteLength == file.Buffer.ByteLength, "NpyFile.Open maps the whole file again");
    double reopenSeconds = clock.Elapsed.TotalSeconds;

    Console.WriteLine();
    Console.WriteLine($"{"way to hand over " + mib + " MiB",-52} {"time",12}");
    Console.WriteLine($"{".NET NpyFile.Create (mapping, sparse)",-52} {Ms(createSeconds),12}");
    Console.WriteLine($"{".NET NpyFile.Open (mapping, O(1))",-52} {Ms(reopenSeconds),12}");
    Console.WriteLine($"{"python3 np.load(mmap_mode='r+') (mapping)",-52} {Ms((double)result["open"]!),12}");
    Console.WriteLine($"{"python3 a[:, 0] = -1, seen by .NET in place",-52} {Ms((double)result["modify"]!),12}");
    Console.WriteLine($"{"python3 np.save (copy to a file)",-52} {Ms((double)result["save"]!),12}");
    Console.WriteLine($"{"python3 np.load (copy into memory)",-52} {Ms((double)result["load"]!),12}");
}
finally
{
    Directory.Delete(dir, recursive: true);
}
Console.WriteLine(failures.Count == 0 ? "All checks held." : $"{failures.Count} checks FAILED.");
return failures.Count == 0 ? 0 : 1;

static string Ms(double seconds) => (seconds * 1e3).ToString("N1", CultureInfo.InvariantCulture) + " ms";
