namespace NdBridge;

/// <summary>
/// Walks a direct layout's elements in C order as innermost runs: each run is <see cref="RunLength"/>
/// elements <see cref="RunByteStride"/> bytes apart, starting at the byte offset <see cref="MoveNext"/> gives.
/// Dimensions that step through memory as one are merged first (<see cref="StridedLayout.Coalesce"/>).
/// </summary>
internal struct StridedRunWalker
{
    private readonly nint[] _shape;
    private readonly nint[] _byteStrides;
    private readonly nint[] _index;
    private nint _runByteOffset;
    private bool _started;
    private bool _done;

    public StridedRunWalker(StridedLayout layout)
    {
        var merged = layout.Coalesce();
        _done = merged.IsEmpty;
        _shape = merged.Rank == 0 ? [1] : merged.ShapeArray;
        _byteStrides = merged.Rank == 0 ? [merged.ItemSize] : merged.ByteStridesArray;
        _index = new nint[_shape.Length];
        RunLength = _shape[^1];
        RunByteStride = _byteStrides[^1];
    }

    /// <summary>The number of elements in every run.</summary>
    public readonly nint RunLength { get; }

    /// <summary>The distance in bytes between neighbours inside a run.</summary>
    public readonly nint RunByteStride { get; }

    /// <summary>Advances to the next run; its first element is <paramref name="runByteOffset"/> bytes from element [0, ..., 0].</summary>
    public bool MoveNext(out nint runByteOffset)
    {
        if (_done)
        {
            runByteOffset = 0;
            return false;
        }
        if (_started)
        {
            var dim = _shape.Length - 2;
            for (; dim >= 0; dim--)
            {
                _runByteOffset += _byteStrides[dim];
                if (++_index[dim] < _shape[dim])
                    break;
                _runByteOffset -= _index[dim] * _byteStrides[dim];
                _index[dim] = 0;
            }
            if (dim < 0)
            {
                _done = true;
                runByteOffset = 0;
                return false;
            }
        }
        _started = true;
        runByteOffset = _runByteOffset;
        return true;
    }
}
