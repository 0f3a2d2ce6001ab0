using System.Runtime.CompilerServices;
using NdBridge.Testing;

namespace NdBridge.Tests.Files;

/// <summary>
/// The mapping is unmapped exactly once, when the last of the file object, its views and their holders lets go —
/// counted on the owner and in the kernel's own list of this process's mappings (<c>/proc/self/maps</c>).
/// </summary>
public sealed class NpyFileLifetimeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ViewsKeepTheMappingAfterTheFileIsDisposed_TheLastOneUnmapsIt()
    {
        string path = _dir.File("life.npy");
        var file = NpyFile.Create<long>(path, [16]);
        var owner = file.Buffer.Owner;
        var view = file.Buffer.Slice(0, 4, 8);
        var readOnly = view.AsReadOnly();
        Assert.Equal(3, owner.HolderCount);
        Assert.Equal(1, NpyFileBadInputTests.CountMappings(path));

        file.Dispose();
        file.Dispose();
        Assert.Equal(2, owner.HolderCount);
        Assert.Throws<ObjectDisposedException>(file.Flush);
        Assert.Throws<ObjectDisposedException>(file.VerifyFileLength);
        view.WriteUnaligned(77L, 1); // element accessors, not spans: a span would leave the unmapping to the finalizer
        Assert.Equal(77, readOnly.ReadUnaligned<long>(1));
        Assert.Equal(1, NpyFileBadInputTests.CountMappings(path));

        view.Dispose();
        Assert.Equal(1, NpyFileBadInputTests.CountMappings(path));
        readOnly.Dispose();
        Assert.Equal(0, owner.HolderCount);
        Assert.False(owner.IsAlive);
        Assert.Equal(0, NpyFileBadInputTests.CountMappings(path));
        Assert.Throws<ObjectDisposedException>(() => readOnly.AsReadOnlyStridedSpan<long>());

        using var reopened = NpyFile.Open(path);
        Assert.Equal(77, reopened.Buffer.AsReadOnlyStridedSpan<long>()[5]);
    }

    [Fact]
    public void AViewNobodyDisposedIsUnmappedByItsFinalizer()
    {
        string path = _dir.File("finalized.npy");
        var owner = CreateAndDropWithAView(path);
        Assert.Equal(1, NpyFileBadInputTests.CountMappings(path));
        for (int i = 0; i < 10 && owner.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(owner.IsAlive);
        Assert.Equal(0, NpyFileBadInputTests.CountMappings(path));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NdMemoryOwner CreateAndDropWithAView(string path)
    {
        var file = NpyFile.Create<float>(path, [8, 8]);
        _ = file.Buffer.Transpose();
        var owner = file.Buffer.Owner;
        file.Dispose();
        Assert.True(owner.IsAlive);
        return owner;
    }

    [Fact]
    public void AFileShrunkByAnotherProcess_IsReportedBeforeItsLostPagesAreTouched()
    {
        // Touching a page past the new end of file raises SIGBUS and ends the process: this test never does; it shows the check.
        string path = _dir.File("shrunk.npy");
        using var file = NpyFile.Create<double>(path, [4096]);
        file.VerifyFileLength();
        PythonProcess.RunCode($"import os; os.truncate({NpyFileNumPyTests.PythonString(path)}, 128)");
        var e = Assert.Throws<IOException>(file.VerifyFileLength);
        Assert.Contains("now holds 128 bytes", e.Message);
        Assert.Contains("SIGBUS", e.Message);
    }
}
