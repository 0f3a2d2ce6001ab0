namespace NdBridge.Copying;

/// <summary>The scalar leaves of a <see cref="BufferFormat"/> as the copy and equality kernels take them.</summary>
internal static class FormatLeaves
{
    /// <summary>Every scalar of one item, sub-arrays expanded, complex numbers as two floats, padding left out.</summary>
    public static ValueLeaf[] ValueLeaves(BufferFormat format, string paramName)
    {
        var leaves = new List<ValueLeaf>();
        foreach (ScalarRun run in format.ScalarRuns)
        {
            ScalarKind kind = run.Kind switch
            {
                ScalarKind.Boolean or ScalarKind.SignedInteger or ScalarKind.UnsignedInteger or ScalarKind.Float => run.Kind,
                ScalarKind.Complex => ScalarKind.Float,
                ScalarKind.Pointer => ScalarKind.UnsignedInteger,
                ScalarKind.Bytes or ScalarKind.PascalString or ScalarKind.UnicodeText or ScalarKind.Void => ScalarKind.Bytes,
                ScalarKind.Padding => ScalarKind.Padding,
                _ => ThrowHelper.ThrowNotComparable(paramName, format),
            };
            if (kind == ScalarKind.Padding)
                continue;
            bool bigEndian = run.ByteOrder == ByteOrder.BigEndian;
            foreach (nint byteOffset in Offsets(run))
            {
                if (run.Kind == ScalarKind.Complex)
                {
                    leaves.Add(new ValueLeaf(byteOffset, run.ByteSize / 2, kind, bigEndian));
                    leaves.Add(new ValueLeaf(byteOffset + run.ByteSize / 2, run.ByteSize / 2, kind, bigEndian));
                }
                else
                {
                    leaves.Add(new ValueLeaf(byteOffset, run.ByteSize, kind, bigEndian));
                }
            }
        }
        return leaves.ToArray();
    }

    /// <summary>
    /// Whether two formats hold the same scalars at the same offsets (names and byte orders aside), and if so
    /// which scalars a copy from one to the other reverses.
    /// </summary>
    public static bool TryGetSwapLeaves(BufferFormat source, BufferFormat destination, out SwapLeaf[] swapLeaves)
    {
        swapLeaves = [];
        IReadOnlyList<ScalarRun> from = source.ScalarRuns, to = destination.ScalarRuns;
        if (from.Count != to.Count)
            return false;
        var leaves = new List<SwapLeaf>();
        for (int i = 0; i < from.Count; i++)
        {
            ScalarRun a = from[i], b = to[i];
            if (a.ByteOffset != b.ByteOffset || a.Kind != b.Kind || a.ByteSize != b.ByteSize
                || !a.Counts.SequenceEqual(b.Counts) || !a.ByteStrides.SequenceEqual(b.ByteStrides))
                return false;
            if (a.ByteOrder == b.ByteOrder || a.ByteOrder == ByteOrder.NotApplicable || b.ByteOrder == ByteOrder.NotApplicable)
                continue;
            foreach (nint byteOffset in Offsets(a))
            {
                if (a.Kind == ScalarKind.Complex)
                {
                    leaves.Add(new SwapLeaf(byteOffset, a.ByteSize / 2));
                    leaves.Add(new SwapLeaf(byteOffset + a.ByteSize / 2, a.ByteSize / 2));
                }
                else
                {
                    leaves.Add(new SwapLeaf(byteOffset, a.ByteSize));
                }
            }
        }
        swapLeaves = leaves.ToArray();
        return true;
    }

    /// <summary>The byte offset of every scalar of a run (its repetitions, outermost first).</summary>
    private static IEnumerable<nint> Offsets(ScalarRun run)
    {
        var index = new nint[run.Counts.Count];
        for (nint n = 0; n < run.ElementCount; n++)
        {
            nint byteOffset = run.ByteOffset;
            for (int k = 0; k < index.Length; k++)
                byteOffset += index[k] * run.ByteStrides[k];
            yield return byteOffset;
            for (int k = index.Length - 1; k >= 0; k--)
            {
                if (++index[k] < run.Counts[k])
                    break;
                index[k] = 0;
            }
        }
    }
}
