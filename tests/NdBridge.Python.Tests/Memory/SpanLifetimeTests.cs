namespace NdBridge.Python.Tests.Memory;

/// <summary>
/// Typed views, enumerations, Memory&lt;T&gt; and every member that touches memory (copies, arrays, tensors, exports to
/// Python) never reach freed memory without <c>unsafe</c> (issue 16, items 1-3, 7, 14, 15): each case runs
/// 500 times in a child process built in Release, with glibc unmapping freed blocks of 128 KiB and more
/// (<c>MALLOC_MMAP_THRESHOLD_</c>), so a use-after-free is a crash, not stale data.
/// </summary>
public sealed class SpanLifetimeTests
{
    private const int Repetitions = 500;

    private const int MaxAttempts = 4;

    // A race's timing is the scheduler's: on a loaded machine a run of 500 may never overlap Dispose with the use.
    // Every run must end without a crash or a leak (RunChild asserts it); another run is made until one exercised the race.
    private static TestHostResult RunUntilRaced(string scenario, Func<TestHostResult, bool> raced)
    {
        var child = RunChild(scenario);
        for (var attempt = 1; attempt < MaxAttempts && !raced(child); attempt++)
            child = RunChild(scenario);
        return child;
    }

    private static TestHostResult RunChild(string scenario)
    {
        var child = TestHostProcess.Run(["span-lifetime", scenario, Repetitions.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string?> { ["MALLOC_MMAP_THRESHOLD_"] = "131072" });
        child.AssertSucceeded();
        Assert.True(child["optimized"] == "True", "the lifetime scenarios must run optimized: run the tests in Release (make test)");
        Assert.Equal("131072", child["mmap.threshold"]);
        Assert.Equal(Repetitions.ToString(System.Globalization.CultureInfo.InvariantCulture), child["repetitions"]);
        // Nothing leaks for the safety: every buffer's memory is freed once nothing reaches it.
        Assert.Equal("0", child["live.native.after"]);
        Assert.Equal("0", child["live.owners.after"]);
        return child;
    }

    [Theory]
    [InlineData("span-gc")]
    [InlineData("readonly-span-gc")]
    [InlineData("memory-gc")]
    [InlineData("fromtensor-gc")]
    public void Span_keeps_an_unreferenced_buffer_alive_through_collections(string scenario)
    {
        var child = RunChild(scenario);
        Assert.Equal("500", child["completed"]);
    }

    [Theory]
    [InlineData("span-dispose-race")]
    [InlineData("readonly-span-dispose-race")]
    [InlineData("memory-dispose-race")]
    public void Span_in_use_while_another_thread_disposes_keeps_the_memory_until_the_use_ends(string scenario)
    {
        var child = RunUntilRaced(scenario, c => int.Parse(c["disposed.during.use"]) > 0);
        Assert.Equal("500", child["completed"]);
        Assert.True(int.Parse(child["disposed.during.use"]) > 0, $"Dispose never landed during a use in {MaxAttempts} runs: the race was not exercised\n{child.Stdout}");
    }

    [Theory]
    [InlineData("runs-dispose-race")]
    [InlineData("readonly-runs-dispose-race")]
    [InlineData("unaligned-dispose-race")]
    [InlineData("buffered-dispose-race")]
    [InlineData("readonly-buffered-dispose-race")]
    [InlineData("copyto-dispose-race")]
    [InlineData("copyto-buffer-dispose-race")]
    [InlineData("copyfrom-dispose-race")]
    [InlineData("toarray-dispose-race")]
    [InlineData("tobytearray-dispose-race")]
    [InlineData("tomultidimensional-dispose-race")]
    [InlineData("tocontiguous-dispose-race")]
    [InlineData("valueequals-dispose-race")]
    [InlineData("totensor-dispose-race")]
    [InlineData("dlpack-export-dispose-race")]
    [InlineData("tonumpy-dispose-race")]
    [InlineData("arrayinterface-dispose-race")]
    public void Enumeration_or_unaligned_access_racing_dispose_ends_complete_or_in_ObjectDisposedException(string scenario)
    {
        var child = RunUntilRaced(scenario, c => int.Parse(c["objectdisposed"]) > 0);
        Assert.Equal(Repetitions, int.Parse(child["completed"]) + int.Parse(child["objectdisposed"]));
        Assert.True(int.Parse(child["objectdisposed"]) > 0, $"no repetition saw Dispose mid-use in {MaxAttempts} runs: the race was not exercised\n{child.Stdout}");
    }
}
