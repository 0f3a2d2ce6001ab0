namespace NdBridge.Tests.Layouts;

/// <summary>Every bad layout is refused with a specific exception naming the parameter, before any memory is touched.</summary>
public sealed unsafe class BadLayoutTests
{
    // Never dereferenced: a layout over it must be refused before anything reads it.
    private static readonly void* Unmapped = (void*)0x10;

    [Fact]
    public void NegativeDimension()
    {
        var e = Assert.Throws<ArgumentException>(() => new StridedLayout([2, -1], [8, 8], 8));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("negative length -1", e.Message);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => StridedLayout.CreateContiguous([-3], 4)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new StridedLayout([2, 3], [8, 8], 8).BroadcastTo([-1, 3])).ParamName);
    }

    [Fact]
    public void OverflowingShapeProducts()
    {
        var huge = (nint)1 << 32;
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new StridedLayout([huge, huge], [0, 0], 1)).ParamName);
        // The product fits, but not times the item size.
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new StridedLayout([(nint)1 << 61], [8], 8)).ParamName);
        // An empty dimension does not hide an overflowing product of the others.
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new StridedLayout([huge, 0, huge], [0, 0, 0], 1)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => StridedLayout.CreateContiguous([huge, huge], 8)).ParamName);
        var layout = StridedLayout.CreateContiguous([4], 1);
        Assert.Equal("newShape", Assert.Throws<ArgumentException>(() => layout.Reshape([huge, huge, 0])).ParamName);
    }

    [Fact]
    public void OverflowingStridesAndExtents()
    {
        Assert.Equal("byteStrides", Assert.Throws<ArgumentException>(() => new StridedLayout([3], [nint.MaxValue / 2 + 1], 1)).ParamName);
        Assert.Equal("byteStrides", Assert.Throws<ArgumentException>(() => new StridedLayout([2, 2], [nint.MaxValue / 2 + 1, nint.MaxValue / 2 + 1], 1)).ParamName);
        Assert.Equal("byteStrides", Assert.Throws<ArgumentException>(() => new StridedLayout([2], [nint.MaxValue], 8)).ParamName);
        // A step whose stride product overflows picks a single element: the slice stays valid.
        var slicing = new StridedLayout([4], [nint.MaxValue / 4], 1);
        Assert.Equal([1], slicing.Slice(0, 0, null, 5, out _).Shape.ToArray());
    }

    [Fact]
    public void RankAboveSixtyFour()
    {
        var shape = Enumerable.Repeat((nint)1, 65).ToArray();
        var e = Assert.Throws<ArgumentException>(() => new StridedLayout(shape, new nint[65], 1));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("64", e.Message);
        Assert.Equal(64, new StridedLayout(shape[..64], new nint[64], 1).Rank);
        Assert.Throws<ArgumentException>(() => new StridedLayout(shape[..64], new nint[64], 1).ExpandDims(0));
        Assert.Throws<ArgumentException>(() => StridedLayout.CreateContiguous([4], 1).Reshape(shape));
    }

    [Fact]
    public void MismatchedLengthsAndItemSize()
    {
        Assert.Equal("byteStrides", Assert.Throws<ArgumentException>(() => new StridedLayout([2, 3], [8], 8)).ParamName);
        Assert.Equal("suboffsets", Assert.Throws<ArgumentException>(() => new StridedLayout([2, 3], [8, 8], [0], 8)).ParamName);
        Assert.Equal("itemSize", Assert.Throws<ArgumentOutOfRangeException>(() => new StridedLayout([2], [8], 0)).ParamName);
        var e = Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(new double[4], BufferFormat.Of<float>(), StridedLayout.CreateContiguous([4], 8), 0));
        Assert.Equal("layout", e.ParamName);
        Assert.Contains("'f'", e.Message);
    }

    [Fact]
    public void StridesReachingOutsideTheExtent()
    {
        var array = new double[12];
        var format = BufferFormat.Of<double>();
        // One element too many.
        var tooLong = Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(array, [13]));
        Assert.Equal("shape", tooLong.ParamName);
        Assert.Contains("needs 13 elements; the array has 12", tooLong.Message);
        // a[::-1] with its origin at the array's first byte reaches before the array.
        Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(array, format, new StridedLayout([12], [-8], 8), 0));
        Assert.Equal(12, NdBuffer.FromArray(array, format, new StridedLayout([12], [-8], 8), 88).ElementCount);
        // Padded rows whose last row runs past the end.
        Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(array, format, new StridedLayout([3, 4], [40, 8], 8), 0));
        Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(array, format, StridedLayout.CreateContiguous([4], 8), -8));
        Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(array, format, StridedLayout.CreateContiguous([0], 8), 97));
        // Raw pointers: refused from the numbers alone, the memory is never read.
        Assert.Throws<ArgumentException>(() => NdBuffer.FromPointer(Unmapped, 64, format, StridedLayout.CreateContiguous([9], 8), 0));
        Assert.Throws<ArgumentException>(() => NdBuffer.FromPointer(Unmapped, 64, format, new StridedLayout([2, 2], [-32, 8], 8), 16));
        Assert.Throws<ArgumentException>(() => NdBuffer.FromPointer(Unmapped, 64, format, new StridedLayout([2], [8], [0], 8), 0));
        Assert.Throws<ArgumentNullException>(() => NdBuffer.FromPointer(null, 64, format, StridedLayout.CreateContiguous([8], 8), 0));
        Assert.Throws<ArgumentException>(() => NdBuffer.FromMemory(array.AsMemory(4), [2, 5]));
        Assert.False(new StridedLayout([2], [8], 8).FitsInExtent(0, 15));
        Assert.True(new StridedLayout([2], [8], 8).FitsInExtent(0, 16));
    }

    [Fact]
    public void BadOperations()
    {
        var layout = StridedLayout.CreateContiguous([2, 3], 4);
        Assert.Equal("step", Assert.Throws<ArgumentOutOfRangeException>(() => layout.Slice(0, 0, 1, 0, out _)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => layout.Slice(2, 0, 1, 1, out _)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => layout.Index(1, 3, out _)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => layout.Index(1, -4, out _)).ParamName);
        Assert.Equal("axes", Assert.Throws<ArgumentException>(() => layout.Permute(0, 0)).ParamName);
        Assert.Equal("axes", Assert.Throws<ArgumentException>(() => layout.Permute(0)).ParamName);
        Assert.Equal("newShape", Assert.Throws<ArgumentException>(() => layout.Reshape([4, 2])).ParamName);
        Assert.Equal("newShape", Assert.Throws<ArgumentException>(() => layout.Reshape([-1, -1])).ParamName);
        Assert.Equal("newShape", Assert.Throws<ArgumentException>(() => layout.Reshape([-1, 4])).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => layout.BroadcastTo([2, 4])).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => layout.BroadcastTo([3])).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentOutOfRangeException>(() => layout.GetByteOffset(2, 0)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => layout.GetByteOffset(1)).ParamName);
        var needsCopy = Assert.Throws<InvalidOperationException>(() => layout.Transpose().Reshape([6]));
        Assert.Contains("without copying", needsCopy.Message);
    }
}
