namespace NdBridge.Python.Tests.Import;

/// <summary>A Python object straight to a typed strided view, and the refusals that name both sides.</summary>
public sealed class TypedImportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static PythonObject Namespace(string code)
    {
        var ns = Python.NewNamespace();
        Python.Exec("import numpy as np\n" + code, ns);
        return ns;
    }

    [Fact]
    public void ReadOnlyStridedSpan_OfAReversedStridedView_SumsAsNumPyDoes()
    {
        using var ns = Namespace("a = np.arange(48, dtype='<f8').reshape(6, 8)[::-2, 1::3]\n");
        using var view = ns.GetItem("a");
        var (sum, corner) = view.WithReadOnlyStridedSpan<double, (double, double)>(span =>
        {
            var total = 0.0;
            for (nint i = 0; i < span.Shape[0]; i++)
            {
                for (nint j = 0; j < span.Shape[1]; j++)
                    total += span[i, j];
            }
            return (total, span[2, 1]);
        });
        Assert.Equal(Python.Eval<double>("float(a.sum())", ns), sum);
        Assert.Equal(Python.Eval<double>("float(a[2, 1])", ns), corner);
    }

    [Fact]
    public void StridedSpan_WritesAreSeenByNumPy()
    {
        using var ns = Namespace("a = np.zeros((4, 4), dtype=np.int32)\nt = a.T[1:3]\n");
        using var view = ns.GetItem("t");
        view.WithStridedSpan<int>(span =>
        {
            for (nint i = 0; i < span.Shape[0]; i++)
            {
                for (nint j = 0; j < span.Shape[1]; j++)
                    span[i, j] = (int)(10 * i + j);
            }
        });
        Assert.Equal(Python.EvalList<long>("[10 * i + j for i in range(2) for j in range(4)]", ns), Python.EvalList<long>("t.ravel().tolist()", ns));
        Assert.Equal(Python.EvalList<long>("[0] * 4", ns), Python.EvalList<long>("a[:, 0].tolist()", ns));
    }

    [Theory]
    [InlineData("a = np.zeros(3, dtype=np.float32)", "float32 array (a numpy.ndarray with format 'f', item size 4), asked for double")]
    [InlineData("a = np.zeros(3, dtype='>f8')", "big-endian float64 array (a numpy.ndarray with format '>d', item size 8), asked for double: big-endian: use the byte-order copy")]
    [InlineData("a = np.zeros(3, dtype=[('x', 'u1'), ('y', '<f8')])['y']", "float64 array (a numpy.ndarray): element [0, ..., 0] at address")]
    [InlineData("a = np.zeros(3, dtype=[('x', '<f8'), ('y', '<f8')])", "asked for double")]
    public void ReadOnlyStridedSpan_OfTheWrongItems_IsRefused_NamingBothSides(string code, string message)
    {
        using var ns = Namespace(code);
        using var source = ns.GetItem("a");
        var error = Assert.Throws<ArgumentException>(() => source.WithReadOnlyStridedSpan<double>(_ => Assert.Fail("the view must not be granted")));
        Assert.Contains(message, error.Message);
        Assert.Equal("source", error.ParamName);
        // NumPy's own dtype agrees it is not native float64.
        Assert.False(Python.Eval<bool>("a.dtype == np.dtype('=f8') and a.flags.aligned", ns));
    }

    [Fact]
    public void StridedSpan_OfReadOnlySource_IsRefused()
    {
        using var ns = Namespace("a = np.zeros(3)\na.flags.writeable = False\n");
        using var source = ns.GetItem("a");
        var error = Assert.Throws<ArgumentException>(() => source.WithStridedSpan<double>(_ => Assert.Fail("the view must not be granted")));
        Assert.Contains("read-only buffer, asked writable", error.Message);
        Assert.Equal(0.0, source.WithReadOnlyStridedSpan<double, double>(span => span[1]));
    }

    [Fact]
    public void TypedScopes_ReleaseTheImport_EvenWhenTheCallbackThrows()
    {
        using var ns = Namespace("b = bytearray(8)\ndef grow():\n    try:\n        b.append(1)\n        return 'grew'\n    except BufferError:\n        return 'BufferError'\n");
        using var bytes = ns.GetItem("b");
        Assert.Throws<InvalidTimeZoneException>(() => bytes.WithStridedSpan<byte>(span =>
        {
            Assert.Equal("BufferError", Python.Eval<string>("grow()", ns)); // held during the callback
            throw new InvalidTimeZoneException("from the callback");
        }));
        Assert.Equal("grew", Python.Eval<string>("grow()", ns));
    }
}
