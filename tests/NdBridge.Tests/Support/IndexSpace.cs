namespace NdBridge.Tests.Support;

/// <summary>Every index of a shape, last index fastest (C order); nothing for an empty shape, one empty index for rank 0.</summary>
internal static class IndexSpace
{
    public static IEnumerable<nint[]> COrder(nint[] shape)
    {
        if (shape.Any(n => n == 0))
            yield break;
        var index = new nint[shape.Length];
        while (true)
        {
            yield return (nint[])index.Clone();
            var d = shape.Length - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                    break;
                index[d] = 0;
            }
            if (d < 0)
                yield break;
        }
    }
}
