using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace NdBridge.Python.Tests.Import;

/// <summary>Imports release exactly what they took, on any thread, by counting references and allocations.</summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class ImportLifetimeTests(ITestOutputHelper output)
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const int Threads = 4;
    private const int WarmCycles = 10_000;
    private const int TotalCycles = 100_000;

    [Fact]
    public void HundredThousandImports_OnFourThreads_WithGcForced_ReturnRefcountsAndAllocationsToBaseline()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\na = np.arange(64, dtype='<f8').reshape(8, 8)[::-1, ::2]\nb = bytearray(b'x' * 32)\n", ns);
        using var array = ns.GetItem("a");
        using var bytes = ns.GetItem("b");
        nint arrayRaw, bytesRaw;
        long arrayBaseline, bytesBaseline;
        using (PythonGil.Acquire())
        {
            arrayRaw = array.DangerousGetBorrowedReference();
            bytesRaw = bytes.DangerousGetBorrowedReference();
            arrayBaseline = RawPython.RefCount(arrayRaw);
            bytesBaseline = RawPython.RefCount(bytesRaw);
        }
        var nativeBaseline = MemoryDiagnostics.LiveNativeAllocationCount;
        var dependentsBaseline = PythonRuntime.LiveObjectCount;

        RunCycles(array, bytes, WarmCycles);
        var blocksAtWarm = Settle(arrayRaw, bytesRaw, arrayBaseline, bytesBaseline);
        RunCycles(array, bytes, TotalCycles - WarmCycles);
        var blocksAtEnd = Settle(arrayRaw, bytesRaw, arrayBaseline, bytesBaseline);

        output.WriteLine($"sys.getallocatedblocks(): {blocksAtWarm} after {WarmCycles:N0} cycles, {blocksAtEnd} after {TotalCycles:N0} (growth {blocksAtEnd - blocksAtWarm})");
        Assert.Equal(nativeBaseline, MemoryDiagnostics.LiveNativeAllocationCount);
        Assert.Equal(dependentsBaseline, PythonRuntime.LiveObjectCount);
        Assert.True(blocksAtEnd - blocksAtWarm <= 200, $"allocated blocks grew by {blocksAtEnd - blocksAtWarm} over {TotalCycles - WarmCycles:N0} cycles");
        // The bytearray was held (and so locked) a hundred thousand times: it resizes again now.
        Python.Exec("b.append(1)", ns);
    }

    // Each thread imports and releases; every 16th import is abandoned to its finalizer, and GC is forced as it goes.
    private static void RunCycles(PythonObject array, PythonObject bytes, int cycles)
    {
        var perThread = cycles / Threads;
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < perThread; i++)
            {
                var source = (i & 1) == 0 ? array : bytes;
                if (i % 16 == 15)
                    Abandon(source);
                else
                    source.AsNdBuffer(writable: (i & 2) == 0).Dispose();
                if (t == 0 && i % 2_000 == 1_999)
                    GC.Collect();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Abandon(PythonObject source) => _ = source.AsNdBuffer();

    private static long Settle(nint arrayRaw, nint bytesRaw, long arrayBaseline, long bytesBaseline)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Python.DrainReleaseQueue();
        using var gil = PythonGil.Acquire();
        Assert.Equal(arrayBaseline, RawPython.RefCount(arrayRaw));
        Assert.Equal(bytesBaseline, RawPython.RefCount(bytesRaw));
        return RawPython.AllocatedBlocks();
    }

    [Fact]
    public void Import_ReleasedOnAnotherThread_AndByItsFinalizer_RestoresTheRefcount()
    {
        using var array = Python.Eval("__import__('numpy').zeros(5)");
        nint raw;
        long baseline;
        using (PythonGil.Acquire())
        {
            raw = array.DangerousGetBorrowedReference();
            baseline = RawPython.RefCount(raw);
        }
        var buffer = array.AsNdBuffer();
        var view = buffer.Slice(0, 1, 3);
        var dependents = PythonRuntime.LiveObjectCount;
        buffer.Dispose();
        using (PythonGil.Acquire())
            Assert.True(RawPython.RefCount(raw) > baseline, "the view still holds the export");
        var other = new Thread(view.Dispose);
        other.Start();
        other.Join();
        Assert.Equal(dependents - 1, PythonRuntime.LiveObjectCount);
        using (PythonGil.Acquire())
            Assert.Equal(baseline, RawPython.RefCount(raw));

        Abandon(array);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using (PythonGil.Acquire())
        {
            // The finalizer queued the release; this scope's entry drained it.
            Assert.Equal(baseline, RawPython.RefCount(raw));
        }
    }
}
