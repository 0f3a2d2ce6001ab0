namespace NdBridge.Python.Tests.Runtime;

/// <summary>
/// No silent conversions (issue 16, item 13): .NET arrays of any rank, Memory&lt;T&gt; and NdBuffer arrive in Python as
/// NumPy arrays over the same memory; NumPy arrays come back as .NET arrays of their shape (a copy).
/// </summary>
public sealed class ArrayConversionTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const string Probe = """
        import numpy as np
        def probe(a):
            # What keeps the memory alive: NdBridge's export, as a's base (NumPy's C API handoff) or behind a memoryview
            # (the numpy.asarray fallback for a NumPy whose C API version NdBridge was not checked against).
            holder = a.base.obj if isinstance(a.base, memoryview) else a.base
            r = (type(a).__name__, a.dtype.str, a.shape, bool(a.flags.writeable), type(holder).__name__, a.tolist())
            if a.flags.writeable:
                a[(0,) * a.ndim] = 42
            return repr(r)
        """;

    [Fact]
    public void A2DArrayArrivesAsANumPyArrayOfItsShapeViewingTheSameMemory()
    {
        using var ns = Python.NewNamespace();
        Python.Exec(Probe, ns);
        using var probe = ns.GetItem("probe");
        double[,] matrix = { { 1, 2, 3 }, { 4, 5, 6 } };
        using var result = probe.Call(matrix);
        Assert.Equal("('ndarray', '<f8', (2, 3), True, 'BufferExport', [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])", result.As<string>());
        Assert.Equal(42, matrix[0, 0]); // NumPy wrote into the .NET array: zero-copy
    }

    [Fact]
    public void ArraysOfAnyRankAndMemoryAndNdBuffersAreNumPyArrays()
    {
        using var ns = Python.NewNamespace();
        Python.Exec(Probe, ns);
        using var probe = ns.GetItem("probe");
        var ints = new[] { 7, 8, 9 };
        using (var result = probe.Call(ints))
            Assert.Equal("('ndarray', '<i4', (3,), True, 'BufferExport', [7, 8, 9])", result.As<string>());
        Assert.Equal(42, ints[0]);
        var cube = new byte[2, 1, 2] { { { 1, 2 } }, { { 3, 4 } } };
        using (var result = probe.Call(cube))
            Assert.Equal("('ndarray', '|u1', (2, 1, 2), True, 'BufferExport', [[[1, 2]], [[3, 4]]])", result.As<string>());
        var floats = new float[] { 0, 1.5f, 2.5f, 3.5f };
        using (var result = probe.Call(floats.AsMemory(1, 2)))
            Assert.Equal("('ndarray', '<f4', (2,), True, 'BufferExport', [1.5, 2.5])", result.As<string>());
        Assert.Equal(42, floats[1]);
        using (var result = probe.Call((ReadOnlyMemory<float>)floats.AsMemory(2)))
            Assert.Equal("('ndarray', '<f4', (2,), False, 'BufferExport', [2.5, 3.5])", result.As<string>());
        using var buffer = NdBuffer.FromArray(new long[] { 1, 2, 3, 4, 5, 6 }, [2, 3], MemoryOrder.F);
        using (var result = probe.Call(buffer))
            Assert.Equal("('ndarray', '<i8', (2, 3), True, 'BufferExport', [[1, 3, 5], [2, 4, 6]])", result.As<string>());
        Assert.Equal(42, buffer.ReadUnaligned<long>(0, 0));
        // Arrays of other element types stay sequences, as before.
        using (var strings = Python.ToPython(new[] { "a", "b" }))
            Assert.Equal("['a', 'b']", strings.Repr());
    }

    [Fact]
    public void EvalOfArrayTypesCopiesNumPyArraysBackWithTheirShape()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\na = np.arange(6.0).reshape(2, 3)", ns);
        var expected = Python.EvalList<double>("a.T.ravel().tolist()", ns);
        var transposed = Python.Eval<double[,]>("a.T", ns);
        Assert.Equal(3, transposed.GetLength(0));
        Assert.Equal(2, transposed.GetLength(1));
        Assert.Equal(expected, transposed.Cast<double>());
        transposed[0, 0] = 100;
        Assert.Equal(0.0, Python.Eval<double>("float(a[0, 0])", ns)); // a copy
        Assert.Equal([1, 2, 3], Python.Eval<int[]>("[1, 2, 3]"));
        Assert.Equal(Python.EvalList<long>("a[::-1].astype(np.int64).ravel().tolist()", ns), Python.Eval<long[,]>("a[::-1]", ns).Cast<long>());
        using (var row = Python.Eval("a[1]", ns))
            Assert.Equal(Python.EvalList<double>("a[1].tolist()", ns), row.As<double[]>());
        var wrongRank = Assert.Throws<ArgumentException>(() => Python.Eval<double[]>("a", ns));
        Assert.Contains("ask for Double[,]", wrongRank.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedValuesAndTargetsSayWhatToUse()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("def f(x):\n    return x", ns);
        using var f = ns.GetItem("f");
        var e = Assert.Throws<ArgumentException>(() => f.Call(new Uri("http://localhost/")));
        Assert.Contains("NdBuffer.FromPointer", e.Message, StringComparison.Ordinal);
        var target = Assert.Throws<NotSupportedException>(() => Python.Eval<decimal>("1"));
        Assert.Contains("AsNdBuffer()", target.Message, StringComparison.Ordinal);
    }
}
