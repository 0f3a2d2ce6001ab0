using NdBridge.Tests.Support;

namespace NdBridge.Tests.Memory;

/// <summary>
/// <see cref="NdBuffer.DangerousFromOwner"/>: a bridge's own owner (here one that frees native memory and counts) behind
/// an <see cref="NdBuffer"/>, its first holder taken over exactly once; and the scoped typed views an importing
/// bridge hands to a callback before it disposes. Public API only.
/// </summary>
public sealed unsafe class ForeignOwnerTests
{
    [Fact]
    public void TheBufferTakesOverTheOwnersFirstHolderAndFreesOnce()
    {
        var owner = new CountingOwner(6 * sizeof(int));
        Assert.Equal(1, owner.HolderCount);
        var buffer = NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<int>(), StridedLayout.CreateContiguous([2, 3], sizeof(int)));
        Assert.Equal(1, owner.HolderCount);
        Assert.False(buffer.HasKnownExtent);
        ((int*)owner.Memory)[5] = 7;
        using (var transposed = buffer.Transpose())
        {
            Assert.Equal(2, owner.HolderCount);
            Assert.Equal(7, transposed.DangerousAsScopedReadOnlyStridedSpan<int>()[2, 1]);
        }
        Assert.Equal(0, owner.Releases);
        buffer.Dispose();
        Assert.Equal(1, owner.Releases);
        Assert.Equal(0, owner.HolderCount);
    }

    [Fact]
    public void AnOwnerServesOneBufferOnly()
    {
        var owner = new CountingOwner(8);
        using var buffer = NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([1], 8));
        var refusal = Assert.Throws<InvalidOperationException>(() =>
            NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([1], 8)));
        Assert.Contains("already taken over", refusal.Message);
        Assert.Equal(1, owner.HolderCount); // nothing released: the first buffer still holds it
        Assert.Equal(0, owner.Releases);
    }

    [Fact]
    public void MissingArgumentsReleaseTheOwnerAndNameTheParameter()
    {
        Assert.Equal("owner", Assert.Throws<ArgumentNullException>(() =>
            NdBuffer.DangerousFromOwner(null!, null, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([1], 8))).ParamName);

        var withoutFormat = new CountingOwner(8);
        Assert.Equal("format", Assert.Throws<ArgumentNullException>(() =>
            NdBuffer.DangerousFromOwner(withoutFormat, withoutFormat.Memory, null!, StridedLayout.CreateContiguous([1], 8))).ParamName);
        Assert.Equal(1, withoutFormat.Releases);

        var withoutLayout = new CountingOwner(8);
        Assert.Equal("layout", Assert.Throws<ArgumentNullException>(() =>
            NdBuffer.DangerousFromOwner(withoutLayout, withoutLayout.Memory, BufferFormat.Of<double>(), null!)).ParamName);
        Assert.Equal(1, withoutLayout.Releases);
        Assert.Equal(0, withoutLayout.HolderCount);
    }

    [Fact]
    public void AProducersLayoutIsKeptAsGiven()
    {
        // A Py_buffer-style description: zero-sized items and all-negative suboffsets, which the constructors refuse or drop.
        var owner = new CountingOwner(16);
        var layout = StridedLayout.CreateTrusted([2, 2], [8, 4], [-1, -1], hasSuboffsets: true, itemSize: 4);
        using var buffer = NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<int>(), layout, readOnly: true);
        Assert.True(buffer.Layout.HasSuboffsets);
        Assert.False(buffer.Layout.IsCContiguous); // CPython: suboffsets present are never contiguous
        Assert.True(buffer.IsReadOnly);
        Assert.Equal(0, StridedLayout.CreateTrusted([3], [0], default, false, 0).ItemSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StridedLayout([3], [0], 0));
    }

    [Fact]
    public void AScopedSpanLeavesDisposeDeterministic()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        var buffer = NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([4], 8));
        var span = buffer.DangerousAsScopedStridedSpan<double>();
        span[2] = 2.5;
        Assert.Equal(2.5, buffer.DangerousAsScopedReadOnlyStridedSpan<double>()[2]);
        buffer.Dispose();
        Assert.Equal(1, owner.Releases); // at once: no finalizer involved, unlike AsStridedSpan
        Assert.Throws<ObjectDisposedException>(() => buffer.DangerousAsScopedStridedSpan<double>());
    }

    [Fact]
    public void AScopedSpanIsRefusedAsTheCheckedOneIs()
    {
        var owner = new CountingOwner(4 * sizeof(double));
        using var buffer = NdBuffer.DangerousFromOwner(owner, owner.Memory, BufferFormat.Of<double>(), StridedLayout.CreateContiguous([4], 8), readOnly: true);
        var scoped = Assert.Throws<InvalidOperationException>(() => buffer.DangerousAsScopedStridedSpan<double>());
        var checkedView = Assert.Throws<InvalidOperationException>(() => buffer.AsStridedSpan<double>());
        Assert.Equal(checkedView.Message, scoped.Message);
        var wrongType = Assert.Throws<InvalidOperationException>(() => buffer.DangerousAsScopedReadOnlyStridedSpan<float>());
        Assert.Equal(Assert.Throws<InvalidOperationException>(() => buffer.AsReadOnlyStridedSpan<float>()).Message, wrongType.Message);
    }
}
