using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// The elements copied into a new one-dimensional array in C order, whatever the layout (strided, reversed,
    /// unaligned). <typeparamref name="T"/> must match the format in native byte order (use
    /// <see cref="ToContiguous(MemoryOrder, BufferFormat?)"/> first for another byte order). The copy is the caller's:
    /// it shares nothing with this buffer.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the format.</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public T[] ToArray<T>() where T : unmanaged
    {
        CheckElementType<T>();
        if (ElementCount > Array.MaxLength)
            ThrowHelper.ThrowSpanTooLong("T", ElementCount);
        var array = GC.AllocateUninitializedArray<T>((int)ElementCount);
        CopyTo(MemoryMarshal.AsBytes(array.AsSpan()), MemoryOrder.C);
        return array;
    }

    /// <summary>The elements of a two-dimensional buffer copied into a new <c>T[,]</c> (see <see cref="ToArray{T}"/>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <exception cref="InvalidOperationException">The buffer is not two-dimensional, or <typeparamref name="T"/> does not match.</exception>
    public T[,] ToArray2D<T>() where T : unmanaged => (T[,])ToMultiDimensionalArray<T>(2);

    /// <summary>The elements of a three-dimensional buffer copied into a new <c>T[,,]</c> (see <see cref="ToArray{T}"/>).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <exception cref="InvalidOperationException">The buffer is not three-dimensional, or <typeparamref name="T"/> does not match.</exception>
    public T[,,] ToArray3D<T>() where T : unmanaged => (T[,,])ToMultiDimensionalArray<T>(3);

    /// <summary>
    /// The elements copied into a new .NET array of this buffer's rank and shape (<c>T[]</c> for rank 1, <c>T[,]</c>,
    /// <c>T[,,]</c>, ...; rank 0 gives a one-element <c>T[]</c>), in C order as .NET arrays are laid out.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> does not match the format, or a dimension exceeds <see cref="Array.MaxLength"/>.</exception>
    public Array ToMultiDimensionalArray<T>() where T : unmanaged => ToMultiDimensionalArray<T>(Rank);

    private Array ToMultiDimensionalArray<T>(int rank) where T : unmanaged
    {
        if (Rank != rank)
            ThrowHelper.ThrowInvalidOperation($"The buffer has {Rank} dimensions (shape {StridedLayout.FormatTuple(Shape)}); a T[{new string(',', Math.Max(rank - 1, 0))}] has {rank}: use the method for rank {Rank}, or ToMultiDimensionalArray<T>().");
        CheckElementType<T>();
        if (ElementCount > Array.MaxLength)
            ThrowHelper.ThrowSpanTooLong("T", ElementCount);
        if (rank <= 1)
            return ToArray<T>();
        var lengths = new int[rank];
        for (var i = 0; i < rank; i++)
            lengths[i] = (int)Shape[i];
        var array = Array.CreateInstance(typeof(T), lengths);
        // A multi-dimensional array's elements are contiguous in C order from its data reference.
        var bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), checked((int)ByteLength));
        CopyTo(bytes, MemoryOrder.C);
        return array;
    }
}
