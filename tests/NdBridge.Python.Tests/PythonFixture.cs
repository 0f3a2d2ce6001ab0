namespace NdBridge.Python.Tests;

/// <summary>
/// The one interpreter of the test process, from <c>NDBRIDGE_PYTHON</c>. Every Python test starts with
/// <see cref="Runtime"/>; when the variable is unset or names a broken Python, every one of them fails
/// with the reason.
/// </summary>
internal static class PythonFixture
{
    private static readonly Lazy<PythonRuntime> s_runtime = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static PythonRuntime Runtime => s_runtime.Value;

    /// <summary>The value of NDBRIDGE_PYTHON (checked non-empty).</summary>
    public static string PythonPath =>
        Environment.GetEnvironmentVariable(PythonInstallation.EnvironmentVariable) is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException(
                $"{PythonInstallation.EnvironmentVariable} is not set: the Python tests need a CPython 3.11+ with NumPy " +
                "(`make test` sets it to /usr/bin/python3).");

    private static PythonRuntime Start()
    {
        _ = PythonPath; // fails with the reason when the variable is unset
        var runtime = PythonRuntime.Initialize(); // from NDBRIDGE_PYTHON, as a user's program would
        // NumPy is part of what the tests need; fail here, once, with a clear reason.
        using var numpy = runtime.Import("numpy");
        return runtime;
    }
}

/// <summary>Tests that measure process-wide quantities (refcounts of shared objects, allocated blocks, thread contention) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide measurements)";
}
