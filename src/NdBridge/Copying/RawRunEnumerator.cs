using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>
/// Enumerates a layout's innermost contiguous runs as byte spans, after dropping size-1 dimensions and
/// merging dimensions contiguous with each other, so callers can run <c>TensorPrimitives</c> on each span.
/// Runs longer than a span can hold (or than <c>maxRunByteLength</c>) are split at item boundaries.
/// </summary>
/// <remarks>
/// With <c>preserveOrder</c> the runs, concatenated, are the elements in C order. Without it a direct
/// layout may be walked in memory order (dimensions sorted by stride, reversed dimensions walked forwards),
/// which gives longer runs (a Fortran-ordered array is one run) but elements in another order.
/// Allocates its small plan once per enumeration, never per element.
/// </remarks>
internal unsafe ref struct RawRunEnumerator
{
    // Direct layouts are addressed from a reference, so managed memory (a TensorSpan's array) may move;
    // indirect ones only come from pinned or native memory and are walked with pointers.
    private readonly ref byte _origin;
    private readonly nint[] _counts;
    private readonly nint[] _byteStrides;
    private readonly nint[] _suboffsets;
    private readonly nint[] _index;
    private readonly int _rank;
    private readonly bool _indirect;
    private readonly nint _runByteLength;
    private readonly nint _chunkByteLength;
    private nint _runByteOffset;
    private byte* _runPointer;
    private nint _chunkByteOffset;
    private bool _started;
    private bool _done;
    private Span<byte> _current;

    public RawRunEnumerator(scoped ReadOnlySpan<nint> shape, nint itemSize, scoped in StridedOperand operand, bool preserveOrder,
        nint maxRunByteLength = int.MaxValue)
        : this(ref Unsafe.AsRef<byte>(operand.Origin), shape, itemSize, operand.ByteStrides, operand.Suboffsets, preserveOrder, maxRunByteLength)
    {
    }

    /// <summary>A direct layout whose element [0, ..., 0] is <paramref name="origin"/>.</summary>
    public RawRunEnumerator(ref byte origin, scoped ReadOnlySpan<nint> shape, nint itemSize, scoped ReadOnlySpan<nint> byteStrides,
        scoped ReadOnlySpan<nint> suboffsets, bool preserveOrder, nint maxRunByteLength = int.MaxValue)
    {
        StridedCopy.ValidateShape(shape, itemSize);
        if (byteStrides.Length != shape.Length)
            ThrowHelper.ThrowRankMismatch(nameof(byteStrides), shape.Length, byteStrides.Length);
        if (!suboffsets.IsEmpty && suboffsets.Length != shape.Length)
            ThrowHelper.ThrowRankMismatch(nameof(suboffsets), shape.Length, suboffsets.Length);
        if (maxRunByteLength < itemSize)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxRunByteLength), maxRunByteLength, "A run holds at least one item.");
        _origin = ref origin;
        _chunkByteLength = maxRunByteLength / itemSize * itemSize;
        _counts = new nint[shape.Length];
        _byteStrides = new nint[shape.Length];
        _suboffsets = new nint[shape.Length];
        _index = new nint[shape.Length];
        _done = LayoutMath.ElementCount(shape) == 0;

        int rank = 0;
        for (int i = 0; i < shape.Length; i++)
        {
            nint suboffset = suboffsets.IsEmpty ? -1 : suboffsets[i];
            _indirect |= suboffset >= 0;
            if (shape[i] == 1 && suboffset < 0)
                continue;
            _counts[rank] = shape[i];
            _byteStrides[rank] = byteStrides[i];
            _suboffsets[rank] = suboffset;
            rank++;
        }
        if (!_indirect && !preserveOrder)
            _runByteOffset = RunPlan.MemoryOrder(_counts, _byteStrides, rank);
        rank = RunPlan.Coalesce(_counts, _byteStrides, _suboffsets, rank);

        _runByteLength = itemSize;
        if (rank > 0 && _suboffsets[rank - 1] < 0 && _byteStrides[rank - 1] == itemSize)
        {
            rank--;
            _runByteLength = _counts[rank] * itemSize;
        }
        _rank = rank;
    }

    public readonly Span<byte> Current => _current;

    public readonly RawRunEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_done)
            return false;
        if (!_started)
        {
            _started = true;
            if (_indirect)
                _runPointer = Address();
        }
        else if (_chunkByteOffset >= _runByteLength)
        {
            if (!AdvanceIndex())
            {
                _done = true;
                return false;
            }
            _chunkByteOffset = 0;
        }
        int byteLength = (int)Math.Min(_chunkByteLength, _runByteLength - _chunkByteOffset);
        _current = _indirect
            ? new Span<byte>(_runPointer + _chunkByteOffset, byteLength)
            : MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref _origin, _runByteOffset + _chunkByteOffset), byteLength);
        _chunkByteOffset += byteLength;
        return true;
    }

    private bool AdvanceIndex()
    {
        for (int k = _rank - 1; k >= 0; k--)
        {
            if (++_index[k] < _counts[k])
            {
                if (_indirect)
                    _runPointer = Address();
                else
                    _runByteOffset += _byteStrides[k];
                return true;
            }
            if (!_indirect)
                _runByteOffset -= _byteStrides[k] * (_counts[k] - 1);
            _index[k] = 0;
        }
        return false;
    }

    /// <summary>The current run's address in an indirect layout, which lives in pinned or native memory.</summary>
    private readonly byte* Address()
    {
        byte* pointer = (byte*)Unsafe.AsPointer(ref _origin);
        for (int k = 0; k < _rank; k++)
        {
            pointer += _byteStrides[k] * _index[k];
            if (_suboffsets[k] >= 0)
                pointer = *(byte**)pointer + _suboffsets[k];
        }
        return pointer;
    }
}
