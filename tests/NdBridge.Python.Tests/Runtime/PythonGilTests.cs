using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NdBridge.Python.Tests.Runtime;

[Collection(SerialCollection.Name)]
public sealed class PythonGilTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void EightThreads_TenThousandScopesEach_CallIntoPython_WithoutDeadlock()
    {
        const int threadCount = 8;
        const int scopesPerThread = 10_000;
        var runtime = PythonFixture.Runtime;
        using var ns = runtime.NewNamespace();
        runtime.Exec("counts = {}\ndef bump(thread, i):\n    counts[thread] = counts.get(thread, 0) + 1\n    return i * 2\n", ns);
        using var bump = ns.GetItem("bump");
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var checksums = new long[threadCount];

        var threads = Enumerable.Range(0, threadCount).Select(t => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < scopesPerThread; i++)
                {
                    using var gil = PythonGil.Acquire();
                    using var result = bump.Call(t, i);
                    checksums[t] += result.As<long>();
                }
            }
            catch (Exception ex)
            {
                failures.Add(ex);
            }
        })).ToList();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads)
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), "a thread did not finish within 120 s: deadlock");

        output.WriteLine($"{threadCount} threads x {scopesPerThread:N0} scopes (one Python call each): {stopwatch.Elapsed.TotalSeconds:F2} s");
        Assert.Empty(failures);
        using var counts = ns.GetItem("counts");
        var perThread = counts.ToDictionary<long, long>();
        output.WriteLine("calls per thread seen by Python: " + string.Join(", ", perThread.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}")));
        Assert.Equal(Enumerable.Range(0, threadCount).ToDictionary(t => (long)t, _ => (long)scopesPerThread), perThread);
        // sum of 2*i over i < 10,000, computed naively
        long expected = 0;
        for (var i = 0; i < scopesPerThread; i++)
            expected += 2 * i;
        Assert.All(checksums, sum => Assert.Equal(expected, sum));
        Assert.False(PythonGil.IsHeldByCurrentThread);
    }

    [Fact]
    public void NestedScopes_HoldTheGilUntilTheOutermostIsDisposed()
    {
        var runtime = PythonFixture.Runtime;
        var otherAcquired = new ManualResetEventSlim();
        var outer = PythonGil.Acquire();
        Thread? other = null;
        try
        {
            {
                using var middle = PythonGil.Acquire();
                using (var inner = PythonGil.Acquire())
                    Assert.Equal(6, runtime.Eval<long>("2 * 3"));
                Assert.True(PythonGil.IsHeldByCurrentThread);
                Assert.Equal(7, runtime.Eval<long>("3 + 4")); // still usable between nested disposals
            }
            Assert.True(PythonGil.IsHeldByCurrentThread);
            // Started only now: while this thread runs Python bytecode, CPython itself may hand the GIL over between
            // instructions; while it runs none, the scope keeps it.
            other = new Thread(() =>
            {
                using var gil = PythonGil.Acquire();
                otherAcquired.Set();
            });
            other.Start();
            Assert.False(otherAcquired.Wait(TimeSpan.FromMilliseconds(300)), "another thread took the GIL while the outer scope was still open");
        }
        finally
        {
            outer.Dispose(); // also on failure, so no other test waits for this thread's GIL
        }
        Assert.False(PythonGil.IsHeldByCurrentThread);
        Assert.True(otherAcquired.Wait(TimeSpan.FromSeconds(30)), "the other thread never got the GIL after the outer scope closed");
        Assert.True(other!.Join(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Scopes_DisposedOutOfOrder_Throw_AndLeaveTheNestingIntact()
    {
        _ = PythonFixture.Runtime;
        var outer = PythonGil.Acquire();
        var inner = PythonGil.Acquire();
        InvalidOperationException? ex = null;
        try
        {
            outer.Dispose();
        }
        catch (InvalidOperationException caught)
        {
            ex = caught;
        }
        Assert.NotNull(ex);
        Assert.Contains("reverse order", ex.Message);
        inner.Dispose();
        outer.Dispose();
        Assert.False(PythonGil.IsHeldByCurrentThread);
        outer.Dispose(); // a second dispose of the same scope is a no-op
    }

    [Fact]
    public void Scope_ReleasedFromAnotherThread_Throws()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var owner = Environment.CurrentManagedThreadId;
        Exception? seen = null;
        var thread = new Thread(() => seen = Record(() => PythonRuntime.LeaveScope(owner, 1, gilState: 0)));
        thread.Start();
        thread.Join();
        var ex = Assert.IsType<InvalidOperationException>(seen);
        Assert.Contains("another thread", ex.Message);
        Assert.True(PythonGil.IsHeldByCurrentThread);
    }

    [Fact]
    public void Scope_InsideACallbackFromCodeThatReleasedTheGil_TakesItBack()
    {
        // A child process: without the fix the callback calls Python without the GIL and the interpreter aborts.
        var result = TestHostProcess.Run(["gil-released-by-c"],
            new Dictionary<string, string?> { [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath });
        result.AssertSucceeded();
        Assert.Equal("True", result["callback.inside.scope"]);
        Assert.Equal("45", result["callback.result"]);
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public void Scope_KeptAcrossAnAwait_DoesNotCompile()
    {
        const string acrossAwait = """
            using NdBridge.Python;
            using System.Threading.Tasks;
            public static class Snippet
            {
                public static async Task<long> RunAsync(PythonRuntime runtime)
                {
                    using var gil = PythonGil.Acquire();
                    await Task.Yield();
                    return runtime.Eval<long>("1 + 1");
                }
            }
            """;
        const string beforeAwait = """
            using NdBridge.Python;
            using System.Threading.Tasks;
            public static class Snippet
            {
                public static async Task<long> RunAsync(PythonRuntime runtime)
                {
                    await Task.Yield();
                    using var gil = PythonGil.Acquire();
                    return runtime.Eval<long>("1 + 1");
                }
            }
            """;

        Assert.Empty(Errors(beforeAwait)); // the control: the same code compiles when the scope does not cross the await
        var errors = Errors(acrossAwait);
        var error = Assert.Single(errors);
        Assert.Equal("CS4007", error.Id);
        Assert.Contains("PythonGil", error.GetMessage());
    }

    private static List<Diagnostic> Errors(string source)
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Select(path => MetadataReference.CreateFromFile(path))
            .Append(MetadataReference.CreateFromFile(typeof(PythonGil).Assembly.Location))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "GilSnippet",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        // CS4007 is found while lowering async methods: only emitting reports it.
        using var output = new MemoryStream();
        return compilation.Emit(output).Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
    }
}
