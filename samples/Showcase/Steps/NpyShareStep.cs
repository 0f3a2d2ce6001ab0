using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// Beyond one process: a memory-mapped <c>.npy</c> file and a named shared-memory segment, written by .NET and
/// changed in place by a separate <c>python3</c> process (plain NumPy, not the embedded interpreter); .NET sees the
/// changes through the mapping it already holds. Small here (8 MiB); <c>samples/NpyShare</c> does 1 GiB.
/// </summary>
internal static class NpyShareStep
{
    public static void Run(ShowcaseRun run)
    {
        run.BeginStep("Beyond one process: a mapped .npy file and a named shared-memory segment");
        string? python = run.Python.Installation.ExecutablePath;
        if (!run.Check(python is not null, "a python3 executable to start as a separate process is known"))
            return;
        string dir = Path.Combine(Path.GetTempPath(), "ndbridge-showcase-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string name = "ndbridge-showcase-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "a.npy");
            using var file = NpyFile.Create<double>(path, [1024, 1024]);
            long first = 0;
            foreach (Span<double> span in file.Buffer.EnumerateRuns<double>())
            {
                for (int k = 0; k < span.Length; k++)
                    span[k] = first + k;
                first += span.Length;
            }
            using var segment = NpySharedMemory.Create<int>(name, [4, 5], MemoryOrder.F);
            var grid = segment.Buffer.AsStridedSpan<int>();
            for (nint r = 0; r < 4; r++)
                for (nint c = 0; c < 5; c++)
                    grid[r, c] = (int)(10 * r + c);
            run.Say($"{file}");
            run.Say($"{segment}");

            string script = $$"""
import json, os, time
import numpy as np
t = time.perf_counter(); a = np.load("{{path}}", mmap_mode="r+"); t_map = time.perf_counter() - t
a[::2, 0] = -1.0
g = np.load("{{segment.Path}}", mmap_mode="r+")
g += 100
copy = "{{Path.Combine(dir, "copy.npy")}}"
t = time.perf_counter(); np.save(copy, a); b = np.load(copy); t_copy = time.perf_counter() - t
print(json.dumps({"pid": os.getpid(), "a": [a.dtype.str, list(a.shape)], "g": [g.dtype.str, list(g.shape), bool(np.isfortran(g))],
                  "g00": int(g[0, 0]), "map": t_map, "copy": t_copy, "equal": bool(np.array_equal(a, b))}))
""";
            var start = new ProcessStartInfo(python!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (!run.Check(process.ExitCode == 0, $"a separate {python} mapped both and changed them in place"))
            {
                run.Say(stderr.Result);
                return;
            }
            var result = JsonNode.Parse(output)!;
            run.Say($"python3 pid {result["pid"]} (this process: {Environment.ProcessId}) read the headers: file {result["a"]![0]} {result["a"]![1]!.ToJsonString()}, segment {result["g"]![0]} {result["g"]![1]!.ToJsonString()} fortran_order={result["g"]![2]}");
            run.Check((int)result["pid"]! != Environment.ProcessId && result["a"]![0]!.ToString() == "<f8" && result["g"]![0]!.ToString() == "<i4" && (bool)result["g"]![2]!,
                "another process learned dtype, shape and F order from the .npy headers alone");
            var a = file.Buffer.AsReadOnlyStridedSpan<double>();
            bool rowsChanged = true;
            for (nint r = 0; r < 1024; r++)
                rowsChanged &= a[r, 0] == (r % 2 == 0 ? -1.0 : r * 1024);
            run.Check(rowsChanged && a[1023, 1023] == 1024 * 1024 - 1, "Python's a[::2, 0] = -1 is visible here through the same mapping, nothing reopened or copied");
            run.Check(grid[0, 0] == 100 && grid[3, 4] == 134 && (int)result["g00"]! == 100, "Python's g += 100 on the shared segment is visible here");
            run.Say($"in python3: np.load(mmap_mode='r+') {(double)result["map"]! * 1e3:0.00} ms; np.save + np.load (two copies of 8 MiB) {(double)result["copy"]! * 1e3:0.00} ms");
            run.Check((bool)result["equal"]!, "np.save + np.load gives the same array, by copying it twice");

            var view = segment.Buffer.AsReadOnly();
            segment.Dispose();
            run.Check(!File.Exists("/dev/shm/" + name) && view.AsReadOnlyStridedSpan<int>()[1, 1] == 111,
                "the creator's Dispose unlinked the name; a view taken before still reads the memory (POSIX: mappings outlive the unlink)");
            view.Dispose();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
