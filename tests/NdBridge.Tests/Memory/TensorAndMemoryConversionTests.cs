using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Tests.Memory;

/// <summary>
/// Out of an NdBuffer into <see cref="Tensor{T}"/> (a copy) and <see cref="Memory{T}"/> (zero-copy, C-contiguous), and
/// into an NdBuffer from <see cref="Tensor{T}"/> (zero-copy, pinned) and <see cref="TensorSpan{T}"/> (zero-copy, Dangerous),
/// against naive loops over the source arrays; lifetimes by counting frees and holders.
/// </summary>
public sealed unsafe class TensorAndMemoryConversionTests
{
    private static double[] Values(int count) => Enumerable.Range(0, count).Select(k => k * 1.5 - 4).ToArray();

    [Fact]
    public void ToTensor_CopiesTheCOrderElementsOfAStridedView_WithItsShape()
    {
        var values = Values(24);
        using var buffer = NdBuffer.FromArray(values, [4, 6]);
        using var view = buffer.Slice(0, null, null, -1).Slice(1, 1, null, 2); // a[::-1, 1::2]
        var tensor = view.ToTensor<double>();
        Assert.Equal([4, 3], tensor.Lengths.ToArray());
        for (var i = 0; i < 4; i++)
            for (var j = 0; j < 3; j++)
                Assert.Equal(values[(3 - i) * 6 + 1 + 2 * j], tensor[(nint)i, (nint)j]);
        tensor[0, 0] = 1000;
        Assert.DoesNotContain(1000.0, values); // a copy
        Assert.Throws<InvalidOperationException>(() => view.ToTensor<float>());
        using var scalar = NdBuffer.FromArray(new[] { 2.5 }, ReadOnlySpan<nint>.Empty);
        Assert.Equal([1], scalar.ToTensor<double>().Lengths.ToArray());
    }

    [Fact]
    public void FromTensor_ViewsThePinnedArray_InPlace_BothWays_AndUnpinsWhenReleased()
    {
        var values = Values(24);
        var tensor = Tensor.Create(values, [4, 6]);
        var columns = tensor.Slice([NRange.All, new NRange(1, 6)]); // columns 1..5: strides (6, 1)
        var buffer = NdBuffer.FromTensor(columns);
        Assert.Equal([4, 5], buffer.Shape.ToArray());
        Assert.Equal([6 * sizeof(double), sizeof(double)], buffer.Layout.ByteStrides.ToArray());
        fixed (double* first = &values[1])
            Assert.Equal((nint)first, (nint)buffer.DangerousGetPointer()); // element [0, 0] is values[1]: no copy
        buffer.WriteUnaligned(99.0, 2, 3);
        Assert.Equal(99.0, values[2 * 6 + 1 + 3]);
        values[0 * 6 + 1 + 4] = -7;
        Assert.Equal(-7.0, buffer.ReadUnaligned<double>(0, 4));
        var owner = buffer.Owner;
        using (var view = buffer.Transpose())
        {
            buffer.Dispose();
            Assert.True(owner.IsAlive); // the view holds the pin
        }
        Assert.False(owner.IsAlive); // released: the array is unpinned
    }

    [Fact]
    public void SlicedTensorSpans_StartAtTheirFirstElement()
    {
        var values = Values(24);
        var tensor = Tensor.Create(values, [4, 6]);
        TensorSpan<double> columns = tensor.AsTensorSpan().Slice([new NRange(1, 3), new NRange(2, 6)]);
        var span = StridedSpan<double>.FromTensorSpan(columns);
        Assert.Equal(values[1 * 6 + 2], span[0, 0]);
        Assert.Equal(values[2 * 6 + 5], span[1, 3]);
        fixed (double* pinned = values)
        {
            using var buffer = NdBuffer.DangerousFromTensorSpan(columns);
            Assert.Equal((nint)(pinned + 1 * 6 + 2), (nint)buffer.DangerousGetPointer());
            Assert.Equal(values[2 * 6 + 5], buffer.ReadUnaligned<double>(1, 3));
        }
    }

    [Fact]
    public void FromTensor_BroadcastDimension_IsReadOnly_AndNullIsRefusedByName()
    {
        var tensor = Tensor.Create(Values(3), [4, 3], [0, 1]);
        using var buffer = NdBuffer.FromTensor(tensor);
        Assert.True(buffer.IsReadOnly);
        Assert.Equal([0, sizeof(double)], buffer.Layout.ByteStrides.ToArray());
        Assert.Equal("tensor", Assert.Throws<ArgumentNullException>(() => NdBuffer.FromTensor<double>(null!)).ParamName);
    }

    [Fact]
    public void DangerousFromTensorSpan_ViewsNativeMemory_AndCallsReleaseOnce()
    {
        var native = (float*)NativeMemory.Alloc(12 * sizeof(float));
        for (var k = 0; k < 12; k++)
            native[k] = k;
        var releases = 0;
        var span = new TensorSpan<float>(native + 1, 11, [3, 2], [4, 2]); // every other column of a 3×4 array, from column 1
        var buffer = NdBuffer.DangerousFromTensorSpan(span, release: p => { Assert.Equal((nint)(native + 1), p); NativeMemory.Free(native); releases++; });
        Assert.Equal((nint)(native + 1), (nint)buffer.DangerousGetPointer());
        Assert.Equal([4 * sizeof(float), 2 * sizeof(float)], buffer.Layout.ByteStrides.ToArray());
        Assert.Equal([1f, 3, 5, 7, 9, 11], buffer.ToArray<float>());
        buffer.Dispose();
        Assert.Equal(1, releases);
    }

    [Fact]
    public void AsMemory_IsTheSameMemory_AndKeepsItAliveAfterTheBufferIsDisposed()
    {
        var frees = 0;
        var native = (int*)NativeMemory.Alloc(6 * sizeof(int));
        var owner = UseMemoryAfterDisposingTheBuffer(native, () => frees++);
        Assert.Equal(0, frees); // the manager, unreachable now, still holds it until collected
        for (var i = 0; i < 3 && frees == 0; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.Equal(1, frees);
        Assert.False(owner.IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NdMemoryOwner UseMemoryAfterDisposingTheBuffer(int* native, Action onFree)
    {
        var buffer = NdBuffer.FromPointer(native, 6 * sizeof(int), BufferFormat.Of<int>(), StridedLayout.CreateContiguous([2, 3], sizeof(int)), 0,
            release: p => { NativeMemory.Free((void*)p); onFree(); });
        var memory = buffer.AsMemory<int>();
        Assert.Equal(6, memory.Length);
        memory.Span[4] = 42;
        Assert.Equal(42, native[4]);
        var owner = buffer.Owner;
        buffer.Dispose();
        Assert.True(owner.IsAlive);
        Assert.Equal(42, memory.Span[4]); // still held by the memory's manager
        using (var pin = memory.Pin())
        {
            Assert.Equal((nint)native, (nint)pin.Pointer);
            Assert.Equal(2, owner.HolderCount); // the manager's view and the pin
        }
        Assert.Equal(1, owner.HolderCount);
        Assert.True(MemoryMarshal.TryGetMemoryManager<int, MemoryManager<int>>(memory, out var manager));
        ((IDisposable)manager).Dispose(); // a span taken before may be in use: the release waits for the finalizer
        Assert.True(owner.IsAlive);
        return owner;
    }

    [Fact]
    public void AsMemory_RefusesWhatIsNotAContiguousWritableMatch_SayingWhatToDo()
    {
        using var buffer = NdBuffer.FromArray(Values(12), [3, 4]);
        using var columns = buffer.Slice(1, null, null, 2);
        Assert.Contains("ToContiguous()", Assert.Throws<InvalidOperationException>(() => columns.AsMemory<double>()).Message);
        Assert.Contains("does not match", Assert.Throws<InvalidOperationException>(() => buffer.AsMemory<long>()).Message);
        using var readOnly = buffer.AsReadOnly();
        Assert.Contains("AsReadOnlyMemory<double>()", Assert.Throws<InvalidOperationException>(() => readOnly.AsMemory<double>()).Message);
        Assert.Equal(buffer.ToArray<double>(), readOnly.AsReadOnlyMemory<double>().ToArray());
        var disposed = NdBuffer.FromArray(Values(2));
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.AsMemory<double>());
    }
}
