namespace NdBridge.Python.Tests.Files;

/// <summary>
/// A mapped <c>.npy</c> file exported to the embedded NumPy: the NumPy array views the mapping itself (same address),
/// and the mapping stays until NumPy lets go, counted on the owner and in <c>/proc/self/maps</c>.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class MappedExportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static int CountMappings(string path) =>
        File.ReadAllLines("/proc/self/maps").Count(line => line.EndsWith(" " + path, StringComparison.Ordinal) || line.EndsWith(" " + path + " (deleted)", StringComparison.Ordinal));

    private static void ForceGc()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Python.DrainReleaseQueue();
    }

    [Fact]
    public void AMappedFileExportedToNumPy_StaysMappedUntilNumPyLetsGo()
    {
        string path = Path.Combine(Path.GetTempPath(), "ndbridge-export-" + Guid.NewGuid().ToString("N") + ".npy");
        try
        {
            var file = NpyFile.Create<double>(path, [3, 4], MemoryOrder.F);
            var owner = file.Buffer.Owner;
            using var ns = Python.NewNamespace();
            using (var array = file.Buffer.ToNumPy())
                ns.SetItem("a", array);
            Assert.Equal((long)(nint)file.Buffer.DangerousGetPointer(), Python.Eval<long>("a.__array_interface__['data'][0]", ns));
            Assert.True(Python.Eval<bool>("a.flags.f_contiguous and a.dtype.str == '<f8' and a.shape == (3, 4)", ns));
            file.Dispose();
            ForceGc();
            Assert.True(owner.IsAlive);
            Assert.Equal(1, CountMappings(path));
            Python.Exec("a[2, 3] = 5.5\nb = a.T[::-1]\ndel a\n", ns);
            ForceGc();
            Assert.Equal(1, CountMappings(path));
            Python.Exec("del b\n", ns);
            ForceGc();
            Assert.False(owner.IsAlive);
            Assert.Equal(0, CountMappings(path));
            using var reopened = NpyFile.Open(path);
            Assert.Equal(5.5, reopened.Buffer.AsReadOnlyStridedSpan<double>()[2, 3]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
