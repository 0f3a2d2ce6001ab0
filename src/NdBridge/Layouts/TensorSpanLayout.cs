namespace NdBridge;

/// <summary>
/// Translates a direct layout into what <c>System.Numerics.Tensors</c> 11 accepts: element strides, rank
/// at least 1, no negative strides, stride 0 on dimensions of length 0 or 1, and dimensions with non-zero
/// strides that do not overlap (sorted by stride, each stride at least the previous stride times its length).
/// Rank 0 becomes shape <c>(1,)</c>; an empty layout gets all strides 0 and no memory. The memory spanned
/// must fit one <see cref="Span{T}"/> (int length).
/// </summary>
internal static class TensorSpanLayout
{
    public static bool TryNormalize(StridedLayout layout, int elementSize, out nint[] lengths, out nint[] elementStrides,
        out nint linearLength, out string? reason)
    {
        lengths = [];
        elementStrides = [];
        linearLength = 0;
        if (layout.IsIndirect || layout.HasSuboffsets)
        {
            reason = "the layout has suboffsets: TensorSpan addresses memory directly";
            return false;
        }
        if (layout.Rank == 0)
        {
            lengths = [1];
            elementStrides = [0];
            linearLength = 1;
            reason = null;
            return true;
        }
        lengths = layout.Shape.ToArray();
        elementStrides = new nint[layout.Rank];
        if (layout.IsEmpty)
        {
            reason = null;
            return true;
        }
        for (var i = 0; i < layout.Rank; i++)
        {
            var byteStride = layout.ByteStrides[i];
            if (lengths[i] <= 1)
                continue;
            if (byteStride < 0)
            {
                reason = $"dimension {i} has the negative byte stride {byteStride}: TensorSpan needs non-negative strides (copy it, or slice with a positive step)";
                return false;
            }
            if (byteStride % elementSize != 0)
            {
                reason = $"dimension {i} has the byte stride {byteStride}, not a multiple of the element size {elementSize}: TensorSpan strides count elements";
                return false;
            }
            elementStrides[i] = byteStride / elementSize;
        }

        Span<int> order = stackalloc int[layout.Rank];
        var count = 0;
        for (var i = 0; i < layout.Rank; i++)
        {
            if (elementStrides[i] != 0)
                order[count++] = i;
        }
        var sorted = order[..count];
        var strides = elementStrides;
        sorted.Sort((a, b) => strides[a].CompareTo(strides[b]));
        for (var k = 1; k < sorted.Length; k++)
        {
            var inner = sorted[k - 1];
            var outer = sorted[k];
            if ((Int128)elementStrides[outer] < (Int128)elementStrides[inner] * lengths[inner])
            {
                reason = $"dimensions {inner} and {outer} overlap (element strides {elementStrides[inner]} x {lengths[inner]} > {elementStrides[outer]}): TensorSpan refuses overlapping strides";
                return false;
            }
        }
        linearLength = layout.EndByteOffset / elementSize;
        if (linearLength > int.MaxValue)
        {
            reason = $"the view spans {linearLength} elements of memory; a TensorSpan over a Span<T> is limited to int.MaxValue";
            return false;
        }
        reason = null;
        return true;
    }
}
