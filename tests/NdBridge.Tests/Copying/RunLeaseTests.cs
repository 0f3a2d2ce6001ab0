using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NdBridge.Tests.Support;

namespace NdBridge.Tests.Copying;

/// <summary>
/// Run enumerations of an NdBuffer hold a lease on its memory for their duration (issue 16, item 2), and walk memory
/// order unless logical order is asked (item 17).
/// </summary>
public sealed unsafe class RunLeaseTests
{
    private static NdBuffer Trusted(CountingOwner owner, double* memory, nint[] shape, bool readOnly = false) =>
        NdBuffer.CreateTrusted(owner, memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous(shape, 8), readOnly);

    [Fact]
    public void DisposeDuringAnEnumerationKeepsTheMemoryAndStopsTheNextStep()
    {
        var memory = (double*)NativeMemory.AllocZeroed(6 * 6 * sizeof(double));
        var owner = new CountingOwner();
        var buffer = Trusted(owner, memory, [6, 6]);
        var runs = buffer.EnumerateRuns<double>(preserveOrder: true).GetEnumerator();
        Assert.True(runs.MoveNext());
        Assert.Equal(36, runs.Current.Length);
        buffer.Dispose();
        Assert.Equal(0, owner.Releases); // the enumeration's lease holds the memory under the current run
        runs.Current.Fill(7);
        var stopped = false;
        try
        {
            runs.MoveNext();
        }
        catch (ObjectDisposedException)
        {
            stopped = true;
        }
        Assert.True(stopped);
        runs.Dispose();
        Assert.Equal(1, owner.Releases);
        Assert.False(owner.OnFinalizerThread);
        runs.Dispose(); // copies share the lease: a second Dispose releases nothing more
        Assert.Equal(1, owner.Releases);
        Assert.Equal(7, memory[0]);
        NativeMemory.Free(memory);
    }

    [Fact]
    public void ForeachReleasesTheLeaseAtTheEndOnBreakAndTheBufferDisposeStaysDeterministic()
    {
        var memory = (double*)NativeMemory.AllocZeroed(12 * sizeof(double));
        var owner = new CountingOwner();
        var buffer = Trusted(owner, memory, [3, 4]);
        var view = buffer.Slice(1, null, null, 2);
        Assert.Equal(2, owner.HolderCount);
        foreach (var run in view.EnumerateRuns<double>())
        {
            Assert.Equal(3, owner.HolderCount); // the lease
            run.Fill(1);
        }
        Assert.Equal(2, owner.HolderCount);
        foreach (var run in view.EnumerateReadOnlyRuns<double>())
        {
            Assert.Equal(1, run[0]);
            break;
        }
        Assert.Equal(2, owner.HolderCount);
        view.Dispose();
        buffer.Dispose();
        Assert.Equal(1, owner.Releases); // enumerating alone leaves Dispose deterministic
        Assert.False(owner.OnFinalizerThread);
        NativeMemory.Free(memory);
    }

    [Fact]
    public void AnAbandonedEnumerationReleasesItsLeaseThroughTheFinalizer()
    {
        var memory = (double*)NativeMemory.AllocZeroed(4 * sizeof(double));
        var owner = new CountingOwner();
        var buffer = Trusted(owner, memory, [4]);
        StartAndAbandon(buffer);
        buffer.Dispose();
        for (var attempt = 0; attempt < 10 && Volatile.Read(ref owner.Releases) == 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(1, owner.Releases);
        Assert.True(owner.OnFinalizerThread);
        NativeMemory.Free(memory);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void StartAndAbandon(NdBuffer buffer)
    {
        var runs = buffer.EnumerateReadOnlyRuns<double>();
        Assert.True(runs.MoveNext());
    }

    [Fact]
    public void EnumeratingADisposedBufferIsRefused()
    {
        var buffer = NdBuffer.Allocate<double>([2, 2]);
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.EnumerateReadOnlyRuns<double>());
        Assert.Throws<ObjectDisposedException>(() => buffer.EnumerateRuns<double>());
    }

    [Fact]
    public void EnumeratingReadOnlyMemoryWritablyNamesTheReadOnlyTwin()
    {
        var memory = (double*)NativeMemory.AllocZeroed(4 * sizeof(double));
        using var buffer = Trusted(new CountingOwner(), memory, [4], readOnly: true);
        var message = Assert.Throws<InvalidOperationException>(() => buffer.EnumerateRuns<double>()).Message;
        Assert.Contains("read-only", message);
        Assert.Contains("EnumerateReadOnlyRuns<double>()", message);
        NativeMemory.Free(memory);
    }

    [Fact]
    public void TheDefaultOrderIsMemoryOrderAndLogicalOrderIsOneArgumentAway()
    {
        using var buffer = NdBuffer.Allocate<double>([6, 6]);
        var span = buffer.AsStridedSpan<double>();
        for (nint i = 0; i < 6; i++)
            for (nint j = 0; j < 6; j++)
                span[i, j] = i * 6 + j;
        using var reversed = buffer.Slice(1, null, null, -1); // a[:, ::-1]
        using var transposed = buffer.Transpose();            // a.T
        foreach (var view in new[] { reversed, transposed })
        {
            // The memory is one contiguous block of 36: memory order walks it as one run.
            var defaultRuns = Collect(view.EnumerateReadOnlyRuns<double>());
            Assert.Single(defaultRuns);
            Assert.Equal(36, defaultRuns[0].Length);
            Assert.Equal(defaultRuns.Count, Collect(view.AsReadOnlyStridedSpan<double>().EnumerateRuns()).Count);
            // Logical order: concatenated, the runs are the C-order elements, one element per run here.
            var logicalRuns = Collect(view.EnumerateReadOnlyRuns<double>(preserveOrder: true));
            Assert.Equal(36, logicalRuns.Count);
            Assert.Equal(MemoryMarshal.Cast<byte, double>(view.ToByteArray()).ToArray(), logicalRuns.SelectMany(r => r).ToArray());
        }
    }

    private static List<double[]> Collect(ReadOnlyRunEnumerator<double> runs)
    {
        var list = new List<double[]>();
        foreach (var run in runs)
            list.Add(run.ToArray());
        return list;
    }
}
