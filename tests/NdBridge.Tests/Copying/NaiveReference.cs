namespace NdBridge.Tests.Copying;

/// <summary>
/// The expected side of the copy tests: walks indices one by one with PEP 3118's address rule and
/// copies bytes one at a time. Uses no NdBridge type.
/// </summary>
internal static unsafe class NaiveReference
{
    public static byte* Address(TestLayout layout, long[] index)
    {
        byte* pointer = layout.Origin;
        for (int i = 0; i < index.Length; i++)
        {
            pointer += layout.Strides[i] * index[i];
            if (layout.Suboffsets != null && layout.Suboffsets[i] >= 0)
                pointer = *(byte**)pointer + layout.Suboffsets[i];
        }
        return pointer;
    }

    public static long Count(long[] shape)
    {
        long count = 1;
        foreach (long n in shape)
            count *= n;
        return count;
    }

    /// <summary>Every index tuple, in C order (last index fastest) or Fortran order.</summary>
    public static IEnumerable<long[]> Indices(long[] shape, char order)
    {
        long count = Count(shape);
        var index = new long[shape.Length];
        for (long item = 0; item < count; item++)
        {
            yield return (long[])index.Clone();
            if (order == 'F')
            {
                for (int k = 0; k < shape.Length; k++)
                {
                    if (++index[k] < shape[k])
                        break;
                    index[k] = 0;
                }
            }
            else
            {
                for (int k = shape.Length - 1; k >= 0; k--)
                {
                    if (++index[k] < shape[k])
                        break;
                    index[k] = 0;
                }
            }
        }
    }

    public static byte[] Gather(TestLayout layout, char order)
    {
        var bytes = new byte[Count(layout.Shape) * layout.ItemSize];
        long at = 0;
        foreach (long[] index in Indices(layout.Shape, order))
        {
            byte* element = Address(layout, index);
            for (int b = 0; b < layout.ItemSize; b++)
                bytes[at++] = element[b];
        }
        return bytes;
    }

    public static void Scatter(TestLayout layout, byte[] bytes, long itemCount, char order)
    {
        long at = 0, done = 0;
        foreach (long[] index in Indices(layout.Shape, order))
        {
            if (done++ == itemCount)
                break;
            byte* element = Address(layout, index);
            for (int b = 0; b < layout.ItemSize; b++)
                element[b] = bytes[at++];
        }
    }

    /// <summary>memmove semantics by definition: read everything, then write everything, both in C order.</summary>
    public static void Copy(TestLayout dst, TestLayout src) =>
        Scatter(dst, Gather(src, 'C'), Count(src.Shape), 'C');

    public static bool IsContiguous(TestLayout layout, char order)
    {
        if (layout.Suboffsets != null)
            return false;
        if (Count(layout.Shape) == 0)
            return true;
        bool c = Matches(layout, Enumerable.Range(0, layout.Shape.Length).Reverse());
        bool f = Matches(layout, Enumerable.Range(0, layout.Shape.Length));
        return order switch { 'C' => c, 'F' => f, _ => c || f };
    }

    private static bool Matches(TestLayout layout, IEnumerable<int> innerToOuter)
    {
        long expected = layout.ItemSize;
        foreach (int i in innerToOuter)
        {
            if (layout.Shape[i] > 1 && layout.Strides[i] != expected)
                return false;
            expected *= layout.Shape[i];
        }
        return true;
    }

    public static byte[] ToContiguous(TestLayout layout, char order)
    {
        char walk = order == 'F' || (order == 'A' && IsContiguous(layout, 'F') && !IsContiguous(layout, 'C')) ? 'F' : 'C';
        return Gather(layout, walk);
    }

    public static void FromContiguous(TestLayout layout, byte[] source, char order)
    {
        long total = Count(layout.Shape) * layout.ItemSize;
        long byteLength = Math.Min(source.Length, total);
        var bytes = source[..(int)byteLength];
        if (IsContiguous(layout, order))
        {
            for (long b = 0; b < byteLength; b++)
                layout.Origin[b] = bytes[b];
            return;
        }
        Scatter(layout, bytes, byteLength / layout.ItemSize, order == 'F' ? 'F' : 'C');
    }

    /// <summary>Copy, then reverse the bytes of each listed leaf of each destination item, via a C-order temporary.</summary>
    public static void CopySwapped(TestLayout dst, TestLayout src, (int Offset, int Size)[] swapLeaves)
    {
        byte[] bytes = Gather(src, 'C');
        for (long item = 0; item < Count(src.Shape); item++)
        {
            foreach (var (offset, size) in swapLeaves)
                Array.Reverse(bytes, (int)(item * src.ItemSize + offset), size);
        }
        Scatter(dst, bytes, Count(src.Shape), 'C');
    }
}
