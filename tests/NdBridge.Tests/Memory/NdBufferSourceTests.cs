using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Tests.Memory;

/// <summary>Every source: what the buffer sees is the memory it was given, in the order asked for.</summary>
public sealed unsafe class NdBufferSourceTests
{
    [Fact]
    public void OneDimensionalArrayIsPinnedAndWritableThroughTheView()
    {
        var array = new double[] { 1, 2, 3, 4, 5 };
        using var buffer = NdBuffer.FromArray(array);
        Assert.Equal([5], buffer.Shape.ToArray());
        Assert.Equal("d", buffer.Format.ToString());
        Assert.True(buffer.Layout.IsCContiguous);
        Assert.True(buffer.HasKnownExtent);
        fixed (double* first = array)
            Assert.Equal((nint)first, (nint)buffer.DangerousGetPointer());
        var span = buffer.AsStridedSpan<double>();
        span[4] = 50;
        Assert.Equal(50, array[4]);
    }

    [Fact]
    public void ArrayWithShapeInCAndFOrder()
    {
        var array = Enumerable.Range(0, 6).Select(i => (float)i).ToArray();
        using var c = NdBuffer.FromArray(array, [2, 3]);
        using var f = NdBuffer.FromArray(array, [2, 3], MemoryOrder.F);
        var cs = c.AsReadOnlyStridedSpan<float>();
        var fs = f.AsReadOnlyStridedSpan<float>();
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                Assert.Equal(array[i * 3 + j], cs[i, j]);
                Assert.Equal(array[j * 2 + i], fs[i, j]);
            }
        }
        Assert.True(f.Layout.IsFContiguous && !f.Layout.IsCContiguous);
    }

    [Fact]
    public void MultiDimensionalArraysKeepTheirShape()
    {
        var matrix = new int[3, 4];
        var cube = new short[2, 3, 4];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                matrix[i, j] = i * 10 + j;
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    cube[i, j, k] = (short)(i * 100 + j * 10 + k);
        var four = new byte[2, 1, 2, 3];
        four[1, 0, 1, 2] = 42;

        using var m = NdBuffer.FromArray(matrix);
        using var c = NdBuffer.FromArray(cube);
        using var g = NdBuffer.FromArray<byte>((Array)four);
        Assert.Equal([3, 4], m.Shape.ToArray());
        Assert.Equal([2, 3, 4], c.Shape.ToArray());
        Assert.Equal([2, 1, 2, 3], g.Shape.ToArray());
        var ms = m.AsStridedSpan<int>();
        var cs = c.AsReadOnlyStridedSpan<short>();
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 4; j++)
                Assert.Equal(matrix[i, j], ms[i, j]);
        for (var i = 0; i < 2; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 4; k++)
                    Assert.Equal(cube[i, j, k], cs[i, j, k]);
        Assert.Equal(42, g.AsReadOnlyStridedSpan<byte>()[1, 0, 1, 2]);
        ms[2, 3] = -1;
        Assert.Equal(-1, matrix[2, 3]);
        Assert.Throws<ArgumentException>(() => NdBuffer.FromArray<int>((Array)new long[2, 2]));
    }

    [Fact]
    public void BoolAndCharArraysCanBePinned()
    {
        using var flags = NdBuffer.FromArray(new[] { true, false, true });
        Assert.True(flags.AsReadOnlyStridedSpan<bool>()[2]);
    }

    [Fact]
    public void MemoryIsPinnedThroughItsHandle()
    {
        var backing = Enumerable.Range(0, 12).Select(i => (long)i).ToArray();
        var memory = backing.AsMemory(2, 8);
        using var buffer = NdBuffer.FromMemory(memory, [2, 4]);
        var span = buffer.AsStridedSpan<long>();
        Assert.Equal(2, span[0, 0]);
        Assert.Equal(9, span[1, 3]);
        span[1, 0] = 100;
        Assert.Equal(100, backing[6]);

        using var readOnly = NdBuffer.FromMemory((ReadOnlyMemory<long>)memory, [8]);
        Assert.True(readOnly.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => readOnly.AsStridedSpan<long>());
        Assert.Equal(100, readOnly.AsReadOnlyStridedSpan<long>()[4]);
        Assert.Throws<ArgumentException>(() => NdBuffer.FromMemory(memory, [3, 3]));
    }

    [Fact]
    public void PaddedColumnMajorNativeMatrixHasAlignedColumns()
    {
        // The seed case: a 5 x 3 double matrix in column-major order, each column padded to 8 elements (64 bytes).
        using var buffer = NdBuffer.Allocate<double>([5, 3], MemoryOrder.F, leadingDimension: 8, byteAlignment: 64);
        Assert.Equal([8, 64], buffer.Layout.ByteStrides.ToArray());
        Assert.False(buffer.Layout.IsFContiguous);
        var span = buffer.AsStridedSpan<double>();
        for (var j = 0; j < 3; j++)
        {
            Assert.Equal(0, (nint)Unsafe.AsPointer(ref span[0, j]) % 64);
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(0, span[i, j]);
                span[i, j] = i + 10 * j;
            }
        }
        var column = (double*)buffer.DangerousGetPointer() + 8;
        Assert.Equal([10, 11, 12, 13, 14], new ReadOnlySpan<double>(column, 5).ToArray());
        Assert.Equal(24 * sizeof(double), (int)buffer.ExtentByteLength);

        using var rowMajor = NdBuffer.Allocate<float>([2, 3], leadingDimension: 4);
        Assert.Equal([16, 4], rowMajor.Layout.ByteStrides.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => NdBuffer.Allocate<float>([2, 3], leadingDimension: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => NdBuffer.Allocate<float>([2, 3], byteAlignment: 48));
    }

    [Fact]
    public void RawPointerWithAnyLayoutAndOrigin()
    {
        var block = (int*)NativeMemory.Alloc(12 * sizeof(int));
        for (var i = 0; i < 12; i++)
            block[i] = i;
        var releases = 0;
        nint releasedAddress = 0;
        // a[::-1, ::2] of a 3 x 4 C array: origin at element [2, 0].
        var layout = new StridedLayout([3, 2], [-16, 8], sizeof(int));
        var buffer = NdBuffer.FromPointer(block, 12 * sizeof(int), BufferFormat.Of<int>(), layout, 8 * sizeof(int),
            release: address => { releases++; releasedAddress = address; });
        Assert.Equal([8, 10, 4, 6, 0, 2], MemoryMarshal.Cast<byte, int>(buffer.ToByteArray()).ToArray());
        buffer.Dispose();
        Assert.Equal(1, releases);
        Assert.Equal((nint)block, releasedAddress);
        NativeMemory.Free(block);
    }

    [Fact]
    public void DangerousPointerWithSuboffsetsFollowsPointersLikePyBufferGetPointer()
    {
        // A PIL-style 3 x 4 image: a table of row pointers, each row 2 bytes after where its pointer points.
        var rows = new byte*[3];
        for (var r = 0; r < 3; r++)
        {
            rows[r] = (byte*)NativeMemory.Alloc(8);
            for (var c = 0; c < 6; c++)
                rows[r][c] = (byte)(r * 16 + c);
        }
        var table = (byte**)NativeMemory.Alloc(3 * (nuint)sizeof(byte*));
        for (var r = 0; r < 3; r++)
            table[r] = rows[r];
        var layout = new StridedLayout([3, 4], [sizeof(byte*), 1], [2, -1], 1);
        using (var buffer = NdBuffer.DangerousFromPointer(table, BufferFormat.UnsignedBytes, layout, readOnly: true))
        {
            Assert.False(buffer.HasKnownExtent);
            for (var r = 0; r < 3; r++)
                for (var c = 0; c < 4; c++)
                    Assert.Equal((byte)(r * 16 + c + 2), *(byte*)buffer.DangerousGetElementPointer(r, c));
            using var columns = buffer.Slice(1, 1, null, 2);
            Assert.Equal((byte)(2 * 16 + 2 + 3), columns.ReadUnaligned<byte>(2, 1));
            var refusal = Assert.Throws<InvalidOperationException>(() => buffer.AsReadOnlyStridedSpan<byte>());
            Assert.Contains("indirect", refusal.Message);
            Assert.Throws<ArgumentException>(() => NdBuffer.FromPointer(table, 24, BufferFormat.UnsignedBytes, layout, 0));
        }
        for (var r = 0; r < 3; r++)
            NativeMemory.Free(rows[r]);
        NativeMemory.Free(table);
    }

    [Fact]
    public void ViewsShareTheOwnerAndInheritReadOnly()
    {
        var array = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();
        using var buffer = NdBuffer.FromArray(array, [2, 3, 4]);
        using var readOnly = buffer.AsReadOnly();
        Assert.True(readOnly.IsReadOnly);
        Assert.False(buffer.IsReadOnly);
        Assert.Same(buffer.Owner, readOnly.Owner);
        using var transposed = readOnly.Transpose();
        Assert.True(transposed.IsReadOnly);
        Assert.Equal([4, 3, 2], transposed.Shape.ToArray());
        using var reshaped = buffer.Reshape([6, -1]);
        Assert.Equal([6, 4], reshaped.Shape.ToArray());
        Assert.Equal(23, reshaped.AsReadOnlyStridedSpan<double>()[5, 3]);
        var lastRow = buffer.Index(0, -1);
        var element = lastRow.Index(0, 0);
        using var broadcast = element.BroadcastTo([3, 4]);
        Assert.True(broadcast.IsReadOnly);
        Assert.Equal(15, broadcast.AsReadOnlyStridedSpan<double>()[2, 3]);
        var secondBlock = buffer.Slice(0, 1, 2);
        using var squeezed = secondBlock.Squeeze();
        Assert.Equal([3, 4], squeezed.Shape.ToArray());
        using var expanded = squeezed.ExpandDims(1);
        Assert.Equal([3, 1, 4], expanded.Shape.ToArray());
        using var permuted = buffer.Permute(2, 0, 1);
        Assert.Equal(array[1 * 12 + 2 * 4 + 3], permuted.AsReadOnlyStridedSpan<double>()[3, 1, 2]);
        var transposedAgain = buffer.Transpose();
        Assert.Throws<InvalidOperationException>(() => transposedAgain.Reshape([24]));
        // 8 buffers in `using`, plus 4 intermediate views (two Index, one Slice, one Transpose) not disposed: kept
        // reachable below, so no collection can finalize one before the count is read.
        Assert.Equal(12, buffer.Owner.HolderCount);
        GC.KeepAlive(lastRow);
        GC.KeepAlive(element);
        GC.KeepAlive(secondBlock);
        GC.KeepAlive(transposedAgain);
    }
}
