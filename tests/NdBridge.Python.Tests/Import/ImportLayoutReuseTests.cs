namespace NdBridge.Python.Tests.Import;

/// <summary>
/// Consecutive imports of alike views share one immutable layout (the import makes no new one), and an import of any
/// other view never gets a stale one: each layout is NumPy's shape and strides of its own array.
/// </summary>
public sealed class ImportLayoutReuseTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    [Fact]
    public void AlikeImports_ShareTheLayout_OthersGetTheirOwn()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("""
            import numpy as np, _testbuffer as tb
            base = np.zeros((6, 8))
            views = [base, np.zeros((6, 8)), base[::-1], base[:, ::2], base.T, base[:3], np.zeros((6, 8), 'f4'),
                     tb.ndarray(list(range(48)), shape=[6, 8], format='d', flags=tb.ND_PIL), base, base]
            """, ns);
        var count = (int)Python.Eval<long>("len(views)", ns);
        StridedLayout? previous = null;
        string? previousDescription = null;
        var shared = 0;
        for (var k = 0; k < count; k++)
        {
            using var view = Python.Eval($"views[{k}]", ns);
            using var buffer = view.AsNdBuffer();
            var expected = Python.Eval($"repr((list(memoryview(views[{k}]).shape), list(memoryview(views[{k}]).strides), memoryview(views[{k}]).suboffsets, memoryview(views[{k}]).itemsize))", ns).As<string>();
            var layout = buffer.Layout;
            var actual = $"([{string.Join(", ", layout.Shape.ToArray())}], [{string.Join(", ", layout.ByteStrides.ToArray())}], " +
                $"({string.Join(", ", layout.Suboffsets.ToArray())}{(layout.Suboffsets.Length == 1 ? "," : "")}), {layout.ItemSize})";
            Assert.Equal(expected, actual);
            if (expected == previousDescription)
            {
                Assert.Same(previous, layout); // base then np.zeros((6, 8)): alike, one layout
                shared++;
            }
            else
                Assert.NotSame(previous, layout);
            previous = layout;
            previousDescription = expected;
        }
        Assert.Equal(2, shared);
    }
}
