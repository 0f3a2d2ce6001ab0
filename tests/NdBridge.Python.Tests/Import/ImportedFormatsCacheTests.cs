namespace NdBridge.Python.Tests.Import;

/// <summary>The imported-format cache stays bounded by characters, whatever the exporters send.</summary>
public sealed class ImportedFormatsCacheTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    [Fact]
    public void ManyDistinctLongFormats_KeepTheCacheWithinItsCharacterBound()
    {
        // 200 records, each with one field named by 64 K characters: NumPy's buffer format is that long, and distinct.
        const int formatCount = 200;
        using var ns = Python.NewNamespace();
        Python.Exec($$"""
            import numpy as np
            arrays = [np.zeros(1, dtype=[('f' * 65536 + str(i), '<f8')]) for i in range({{formatCount}})]
            lengths = [len(memoryview(a).format) for a in arrays]
            """, ns);
        using var arrays = ns.GetItem("arrays");
        using var lengthsObject = ns.GetItem("lengths");
        var lengths = lengthsObject.ToList<long>();
        Assert.All(lengths, length => Assert.True(length > 65536));
        Assert.True(lengths.Sum() > 10 * ImportedFormats.MaxLongCharacters); // unbounded, they would pass the bound tenfold

        for (var i = 0; i < formatCount; i++)
        {
            using var array = arrays.GetItem(i);
            using var buffer = array.AsNdBuffer();
            Assert.Equal(65536 + i.ToString().Length, Assert.Single(buffer.Format.Fields).Name!.Length);
            Assert.InRange(ImportedFormats.LongCharacters, 0, ImportedFormats.MaxLongCharacters);
        }
        Assert.InRange(ImportedFormats.LongEntries, 1, ImportedFormats.MaxLongEntries);
    }
}
