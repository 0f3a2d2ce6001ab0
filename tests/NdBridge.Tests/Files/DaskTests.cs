using System.Diagnostics;
using NdBridge.Testing;

namespace NdBridge.Tests.Files;

/// <summary>
/// A <c>distributed.LocalCluster</c> of two worker processes reduces an <c>.npy</c> file this process wrote through
/// <see cref="NpyFile"/>, both as <c>da.from_array(np.load(path, mmap_mode='r'))</c> and as the per-block pattern the
/// README gives for a real cluster (each task maps its own slice of a file on a shared file system); both sums equal ours.
/// </summary>
public sealed class DaskTests
{
    private const string Script = """
import sys
import numpy as np
import dask
import dask.array as da
import distributed

def block(path, start, stop):
    return np.load(path, mmap_mode="r")[start:stop]

def main(path, chunk):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  timeout=60) as cluster, distributed.Client(cluster, timeout=60) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        a = np.load(path, mmap_mode="r")
        whole = da.from_array(a, chunks=chunk)
        n = a.shape[0]
        parts = [da.from_delayed(dask.delayed(block)(path, s, min(s + chunk, n)), (min(s + chunk, n) - s,), a.dtype)
                 for s in range(0, n, chunk)]
        blocks = da.concatenate(parts)
        total, per_block = client.compute([whole.sum(), blocks.sum()], sync=False)
        print(int(total.result(timeout=60)), int(per_block.result(timeout=60)), len(whole.chunks[0]), flush=True)

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
""";

    [Fact]
    public async Task ALocalClusterOfTwoWorkerProcessesSumsWhatThisProcessWrote()
    {
        using var dir = new TempDirectory();
        string path = dir.File("dask.npy");
        string script = dir.File("reduce.py");
        File.WriteAllText(script, Script);
        long expected = WriteAndSum(path, 200_000);

        var start = new ProcessStartInfo(PythonProcess.Executable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir.Path,
        };
        foreach (string argument in new[] { script, path, "25000" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The Dask cluster did not finish within 180 s: {await stderr}");
        }
        Assert.True(process.ExitCode == 0, $"The Dask script failed ({process.ExitCode}): {await stderr}");
        Assert.Equal($"{expected} {expected} 8", (await stdout).Trim());
    }

    private static long WriteAndSum(string path, int elementCount)
    {
        using var file = NpyFile.Create<long>(path, [elementCount]);
        var span = file.Buffer.AsStridedSpan<long>();
        for (nint i = 0; i < elementCount; i++)
            span[i] = (i * 7919) % 100_003 - 50_000;
        file.Flush();
        long sum = 0;
        for (nint i = 0; i < elementCount; i++)
            sum += span[i];
        return sum;
    }
}
