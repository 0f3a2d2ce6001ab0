namespace NdBridge.Python;

/// <summary>Times Python statements in this process (for the benchmark program's NumPy columns).</summary>
internal static class PythonTiming
{
    /// <summary>
    /// The best of <paramref name="repeat"/> runs of <c>timeit</c>, each running <paramref name="statement"/>
    /// <paramref name="number"/> times in <paramref name="globals"/>; returned per execution.
    /// </summary>
    internal static TimeSpan BestPerExecution(PythonRuntime runtime, string statement, PythonObject globals, int number, int repeat = 5)
    {
        if (number < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(number), number, "At least one execution per run.");
        if (repeat < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(repeat), repeat, "At least one run.");
        using var timeit = runtime.Import("timeit");
        using var timerType = timeit.GetAttr("Timer");
        using var timer = timerType.CallWithKeywords([statement], [new("globals", globals)]);
        using var runs = timer.CallMethod("repeat", repeat, number);
        var bestSeconds = runs.ToList<double>().Min();
        return TimeSpan.FromSeconds(bestSeconds / number);
    }
}
