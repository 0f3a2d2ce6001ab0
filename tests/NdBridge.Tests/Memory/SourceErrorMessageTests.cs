using System.Runtime.InteropServices;

namespace NdBridge.Tests.Memory;

/// <summary>Errors a newcomer meets first name the parameter they passed and the fix (issue 16, items 10-11).</summary>
public sealed unsafe class SourceErrorMessageTests
{
    [Fact]
    public void AShapeTooLargeForTheArrayBlamesTheShapeWithBothCounts()
    {
        var e = Assert.Throws<ArgumentException>(() => NdBuffer.FromArray(new double[12], [4, 4]));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("needs 16 elements; the array has 12", e.Message, StringComparison.Ordinal);
        using var prefix = NdBuffer.FromArray(new double[12], [2, 4]); // fewer elements than the array holds stay allowed
        Assert.Equal(8, prefix.ElementCount);
    }

    [Fact]
    public void APointerSizedByByteLengthInsteadOfTheSpanSaysWhichIsNeeded()
    {
        // Every other double of 7: ByteLength is 4 x 8 = 32, but the strides reach 56 bytes.
        var layout = new StridedLayout([4], [16], 8);
        Assert.Equal(32, layout.ByteLength);
        Assert.Equal(56, layout.ByteSpan);
        var memory = NativeMemory.AllocZeroed(56);
        try
        {
            var e = Assert.Throws<ArgumentException>(() => NdBuffer.FromPointer(memory, layout.ByteLength, BufferFormat.Of<double>(), layout, 0));
            Assert.Equal("layout", e.ParamName);
            Assert.Contains("must hold at least 56 bytes", e.Message, StringComparison.Ordinal);
            Assert.Contains("ByteSpan 56", e.Message, StringComparison.Ordinal);
            Assert.Contains("not its ByteLength 32", e.Message, StringComparison.Ordinal);
            using var fits = NdBuffer.FromPointer(memory, layout.ByteSpan, BufferFormat.Of<double>(), layout, 0);
            Assert.Equal(4, fits.ElementCount);
        }
        finally
        {
            NativeMemory.Free(memory);
        }
    }
}
