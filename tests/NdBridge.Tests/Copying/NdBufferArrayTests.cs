namespace NdBridge.Tests.Copying;

/// <summary>.NET arrays out of an NdBuffer (issue 16, item 14): copies in C order of any layout, against naive loops over the source array.</summary>
public sealed class NdBufferArrayTests
{
    private static double[,] Source()
    {
        var source = new double[3, 4];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                source[i, j] = i * 10 + j;
        return source;
    }

    [Fact]
    public void ToArray2DOfATransposeIsTheTransposedArray()
    {
        var source = Source();
        using var buffer = NdBuffer.FromArray(source);
        using var transposed = buffer.Transpose();
        var copy = transposed.ToArray2D<double>();
        Assert.Equal(4, copy.GetLength(0));
        Assert.Equal(3, copy.GetLength(1));
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 3; j++)
                Assert.Equal(source[j, i], copy[i, j]);
        copy[0, 0] = -1;
        Assert.Equal(0, source[0, 0]); // a copy, sharing nothing
    }

    [Fact]
    public void ToArrayIsTheCOrderElementsOfAReversedStridedView()
    {
        var source = Source();
        using var buffer = NdBuffer.FromArray(source);
        using var view = buffer.Slice(0, null, null, -1).Slice(1, null, null, 2); // a[::-1, ::2]
        var expected = new List<double>();
        for (var i = 2; i >= 0; i--)
            for (var j = 0; j < 4; j += 2)
                expected.Add(source[i, j]);
        Assert.Equal(expected, view.ToArray<double>());
        Assert.Equal(expected, view.ToMultiDimensionalArray<double>().Cast<double>());
    }

    [Fact]
    public void ToArray3DAndAnyRank()
    {
        var source = new int[2, 3, 4];
        var k = 0;
        foreach (var index in Enumerable.Range(0, 24))
            source[index / 12, index / 4 % 3, index % 4] = k++;
        using var buffer = NdBuffer.FromArray(source);
        Assert.Equal(source, buffer.ToArray3D<int>());
        Assert.Equal(source, (int[,,])buffer.ToMultiDimensionalArray<int>());
        using var scalar = buffer.Index(0, 1).Index(0, 2).Index(0, 3);
        Assert.Equal([source[1, 2, 3]], (int[])scalar.ToMultiDimensionalArray<int>());
    }

    [Fact]
    public void WrongRankOrElementTypeSaysWhatToUse()
    {
        using var buffer = NdBuffer.FromArray(Source());
        var rank = Assert.Throws<InvalidOperationException>(() => buffer.ToArray3D<double>());
        Assert.Contains("2 dimensions", rank.Message, StringComparison.Ordinal);
        Assert.Contains("ToMultiDimensionalArray<T>()", rank.Message, StringComparison.Ordinal);
        var type = Assert.Throws<InvalidOperationException>(() => buffer.ToArray<long>());
        Assert.Contains("does not match long", type.Message, StringComparison.Ordinal);
        buffer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => buffer.ToArray<double>());
    }
}
