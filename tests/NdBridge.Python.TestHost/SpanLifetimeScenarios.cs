using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using NdBridge;
using NdBridge.Python;

namespace NdBridge.Python.TestHost;

/// <summary>
/// Python-free scenarios for the lifetime of typed views: a span outliving an unreachable buffer through a GC, and
/// Dispose on another thread racing spans, run enumerations and unaligned accesses. Meant to run with
/// <c>MALLOC_MMAP_THRESHOLD_=131072</c>, so the buffers (256 KiB) are unmapped when freed and a use-after-free
/// crashes the process instead of reading stale memory.
/// </summary>
internal static class SpanLifetimeScenarios
{
    private const int ElementCount = 1 << 15;
    private static int s_raced;
    private static readonly byte[] s_scratch = new byte[ElementCount * sizeof(double)];
    private static NdBuffer? s_destination;

    public static void Run(string scenario, int repetitions)
    {
        var optimizerDisabled = typeof(NdBuffer).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false;
        Console.WriteLine($"optimized={!optimizerDisabled && !(typeof(SpanLifetimeScenarios).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false)}");
        Console.WriteLine($"mmap.threshold={Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_")}");
        long disposedSeen = 0, completed = 0;
        s_raced = 0;
        if (scenario is "dlpack-export-dispose-race" or "tonumpy-dispose-race" or "arrayinterface-dispose-race")
            PythonRuntime.Initialize();
        s_destination = NdBuffer.Allocate<double>([ElementCount / 64, 64]);
        for (var i = 0; i < repetitions; i++)
        {
            var outcome = scenario switch
            {
                "span-gc" => SpanAfterGc(),
                "readonly-span-gc" => ReadOnlySpanAfterGc(),
                "span-dispose-race" => Race(SpanUse),
                "readonly-span-dispose-race" => Race(ReadOnlySpanUse),
                "runs-dispose-race" => Race(RunsUse),
                "readonly-runs-dispose-race" => Race(ReadOnlyRunsUse),
                "unaligned-dispose-race" => Race(UnalignedUse),
                "copyto-dispose-race" => Race((b, w) => Repeat(b, w, x => x.CopyTo(s_scratch))),
                "copyto-buffer-dispose-race" => Race((b, w) => Repeat(b, w, x => x.CopyTo(s_destination!))),
                "copyfrom-dispose-race" => Race((b, w) => Repeat(b, w, x => x.CopyFrom(s_scratch))),
                "toarray-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToArray<double>())),
                "tobytearray-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToByteArray())),
                "tomultidimensional-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToArray2D<double>())),
                "tocontiguous-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToContiguous().Dispose())),
                "valueequals-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ValueEquals(s_destination!))),
                "totensor-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToTensor<double>())),
                "buffered-dispose-race" => Race(BufferedUse),
                "readonly-buffered-dispose-race" => Race(ReadOnlyBufferedUse),
                "memory-dispose-race" => Race(MemoryUse),
                "memory-gc" => MemoryAfterGc(),
                "fromtensor-gc" => FromTensorAfterGc(),
                "dlpack-export-dispose-race" => Race((b, w) => Repeat(b, w, x => PythonDLPack.ExportCapsule(x).Dispose())),
                "tonumpy-dispose-race" => Race((b, w) => Repeat(b, w, x => x.ToNumPy().Dispose())),
                "arrayinterface-dispose-race" => Race(ArrayInterfaceUse),
                _ => throw new ArgumentException($"unknown lifetime scenario {scenario}", nameof(scenario)),
            };
            if (outcome)
                completed++;
            else
                disposedSeen++;
        }
        Console.WriteLine($"repetitions={repetitions}");
        Console.WriteLine($"completed={completed}");
        Console.WriteLine($"objectdisposed={disposedSeen}");
        Console.WriteLine($"disposed.during.use={s_raced}");
        s_destination.Dispose();
        // Every buffer of every repetition is released once nothing reaches it: nothing leaks for the safety.
        for (var i = 0; i < 4 && (MemoryDiagnostics.LiveNativeAllocationCount != 0 || MemoryDiagnostics.LiveOwnerCount != 0); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Console.WriteLine($"live.native.after={MemoryDiagnostics.LiveNativeAllocationCount}");
        Console.WriteLine($"live.owners.after={MemoryDiagnostics.LiveOwnerCount}");
    }

    // The buffer is never stored: only the span refers to it when the collections run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StridedSpan<double> NewSpan() => NdBuffer.Allocate<double>([ElementCount]).AsStridedSpan<double>();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ReadOnlyStridedSpan<double> NewReadOnlySpan() => NdBuffer.Allocate<double>([ElementCount]).AsReadOnlyStridedSpan<double>();

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    private static bool SpanAfterGc()
    {
        var span = NewSpan();
        Collect();
        for (nint i = 0; i < ElementCount; i++)
            span[i] = i;
        Collect();
        double sum = 0;
        for (nint i = 0; i < ElementCount; i++)
            sum += span[i];
        Check(sum == (double)ElementCount * (ElementCount - 1) / 2, "the span read back what it wrote");
        return true;
    }

    private static bool ReadOnlySpanAfterGc()
    {
        var span = NewReadOnlySpan();
        Collect();
        double sum = 0;
        for (nint i = 0; i < ElementCount; i++)
            sum += span[i];
        Collect();
        for (nint i = 0; i < ElementCount; i++)
            sum += span[i];
        Check(sum == 0, "fresh native memory reads as what NdBridge.Allocate left (zeros)");
        return true;
    }

    // Runs `use` on one thread while another disposes the buffer mid-use; true when the use completed, false when it
    // ended in ObjectDisposedException. Anything else (or a crash) fails the scenario.
    private static bool Race(Func<NdBuffer, Barrier, bool> use)
    {
        // F order: enumerated in logical order, every element is a run of its own.
        var buffer = NdBuffer.Allocate<double>([ElementCount / 64, 64], MemoryOrder.F);
        using var barrier = new Barrier(2);
        var disposer = new Thread(() =>
        {
            barrier.SignalAndWait();
            Thread.SpinWait(Random.Shared.Next(0, 4000));
            buffer.Dispose();
        });
        disposer.Start();
        bool outcome;
        try
        {
            outcome = use(buffer, barrier);
        }
        catch (ObjectDisposedException)
        {
            outcome = false;
        }
        if (buffer.IsDisposed)
            s_raced++;
        disposer.Join();
        return outcome;
    }

    private static bool SpanUse(NdBuffer buffer, Barrier barrier)
    {
        var span = buffer.AsStridedSpan<double>();
        barrier.SignalAndWait();
        for (var round = 0; round < 4; round++)
            for (nint i = 0; i < span.Shape[0]; i++)
                for (nint j = 0; j < span.Shape[1]; j++)
                    span[i, j] += 1;
        Check(span[0, 0] == 4, "every round wrote through the span");
        return true;
    }

    private static bool ReadOnlySpanUse(NdBuffer buffer, Barrier barrier)
    {
        var span = buffer.AsReadOnlyStridedSpan<double>();
        barrier.SignalAndWait();
        double sum = 0;
        for (var round = 0; round < 4; round++)
            for (nint i = 0; i < span.Shape[0]; i++)
                for (nint j = 0; j < span.Shape[1]; j++)
                    sum += span[i, j];
        Check(sum == 0, "the span read zeros");
        return true;
    }

    // Logical order of an F-ordered buffer: 32 K one-element runs, so the race lands between runs and inside them.
    private static bool RunsUse(NdBuffer buffer, Barrier barrier)
    {
        var runs = buffer.EnumerateRuns<double>(preserveOrder: true);
        barrier.SignalAndWait();
        foreach (Span<double> run in runs)
            run.Fill(2);
        return true;
    }

    private static bool ReadOnlyRunsUse(NdBuffer buffer, Barrier barrier)
    {
        var runs = buffer.EnumerateReadOnlyRuns<double>(preserveOrder: true);
        barrier.SignalAndWait();
        double sum = 0;
        foreach (ReadOnlySpan<double> run in runs)
            for (var k = 0; k < run.Length; k++)
                sum += run[k];
        Check(sum == 0, "the runs read zeros");
        return true;
    }

    private static bool UnalignedUse(NdBuffer buffer, Barrier barrier)
    {
        barrier.SignalAndWait();
        for (nint i = 0; i < buffer.Shape[0]; i++)
            for (nint j = 0; j < buffer.Shape[1]; j++)
                buffer.WriteUnaligned(buffer.ReadUnaligned<double>(i, j) + 1, i, j);
        return true;
    }

    // The member called again and again from the barrier on, so Dispose lands before, during and between calls. Calls
    // go on until Dispose has landed (at most MaxCalls): a member faster than the disposer's spin would otherwise finish
    // every repetition first on a fast machine, and the race would never be run.
    private static bool Repeat(NdBuffer buffer, Barrier barrier, Action<NdBuffer> call)
    {
        const int MinCalls = 16, MaxCalls = 1 << 20;
        barrier.SignalAndWait();
        for (var k = 0; k < MinCalls || (k < MaxCalls && !buffer.IsDisposed); k++)
            call(buffer);
        return true;
    }

    private static bool BufferedUse(NdBuffer buffer, Barrier barrier)
    {
        Span<double> scratch = stackalloc double[256];
        var blocks = buffer.EnumerateBuffered<double>(scratch, preserveOrder: true); // F order walked in C order: gathered
        barrier.SignalAndWait();
        foreach (var block in blocks)
            block.Fill(3);
        return true;
    }

    private static bool ReadOnlyBufferedUse(NdBuffer buffer, Barrier barrier)
    {
        Span<double> scratch = stackalloc double[256];
        var blocks = buffer.EnumerateReadOnlyBuffered<double>(scratch, preserveOrder: true);
        barrier.SignalAndWait();
        double sum = 0;
        foreach (var block in blocks)
            sum += block[0];
        Check(sum == 0, "the blocks read zeros");
        return true;
    }

    // The Memory<T> holds the memory whatever Dispose does: every use completes.
    private static bool MemoryUse(NdBuffer buffer, Barrier barrier)
    {
        using var contiguous = buffer.Transpose(); // F order transposed: C-contiguous
        var memory = contiguous.AsMemory<double>();
        barrier.SignalAndWait();
        for (var round = 0; round < 4; round++)
        {
            var span = memory.Span;
            for (var k = 0; k < span.Length; k++)
                span[k] += 1;
        }
        Check(memory.Span[0] == 4, "every round wrote through the memory");
        GC.KeepAlive(memory);
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Memory<double> NewMemory() => NdBuffer.Allocate<double>([ElementCount]).AsMemory<double>();

    private static bool MemoryAfterGc()
    {
        var memory = NewMemory(); // the buffer is never stored: only the memory's manager reaches the memory
        Collect();
        for (var k = 0; k < ElementCount; k++)
            memory.Span[k] = k;
        Collect();
        double sum = 0;
        for (var k = 0; k < ElementCount; k++)
            sum += memory.Span[k];
        Check(sum == (double)ElementCount * (ElementCount - 1) / 2, "the memory read back what it wrote");
        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NdBuffer NewTensorBuffer() =>
        NdBuffer.FromTensor(System.Numerics.Tensors.Tensor.Create(new double[ElementCount], [ElementCount / 64, 64]));

    // The tensor is never stored: the buffer's pin keeps its array alive and in place through compacting collections.
    private static bool FromTensorAfterGc()
    {
        using var buffer = NewTensorBuffer();
        var span = buffer.AsStridedSpan<double>();
        for (var round = 0; round < 3; round++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            for (nint i = 0; i < span.Shape[0]; i++)
                for (nint j = 0; j < span.Shape[1]; j++)
                    span[i, j] += 1;
        }
        Check(span[0, 0] == 3 && buffer.ToArray<double>().All(v => v == 3), "the pinned array read back what the span wrote");
        return true;
    }

    private static bool ArrayInterfaceUse(NdBuffer buffer, Barrier barrier)
    {
        barrier.SignalAndWait();
        for (var k = 0; k < 16; k++)
        {
            var (arrayInterface, keepAlive) = buffer.ToArrayInterface();
            arrayInterface.Dispose();
            keepAlive.Dispose();
        }
        return true;
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
            throw new InvalidOperationException($"check failed: {what}");
    }
}
