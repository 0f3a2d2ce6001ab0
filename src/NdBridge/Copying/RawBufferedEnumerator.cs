using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NdBridge.Copying;

/// <summary>
/// Enumerates a layout's elements in blocks a vectorised kernel can take whole, as NumPy's buffered <c>nditer</c>
/// does: where the innermost contiguous run is long (at least the scratch, or <see cref="DirectRunByteLength"/>),
/// the runs themselves; elsewhere blocks of up to a scratch-full of items gathered from the short or strided runs
/// (and, for writes, scattered back before the next block). Size-1 dimensions are dropped and dimensions contiguous
/// with each other merged first.
/// </summary>
/// <remarks>
/// With <c>preserveOrder</c> the blocks, concatenated, are the elements in C order; without it a direct layout is
/// walked in memory order (<see cref="RawRunEnumerator"/>'s rule). Allocates its small plan once per enumeration.
/// A write-back enumeration must end (<see cref="MoveNext"/> returning false) or be disposed for the last block to
/// reach memory; <c>foreach</c> does both.
/// </remarks>
internal unsafe ref struct RawBufferedEnumerator
{
    /// <summary>Runs at least this long are yielded in place even when the scratch is larger.</summary>
    internal const int DirectRunByteLength = 512;

    // Direct layouts are addressed from a reference (managed memory may move); indirect ones only come from pinned or
    // native memory, and their line starts are computed with pointers.
    private readonly ref byte _origin;
    private readonly nint[] _counts;
    private readonly nint[] _byteStrides;
    private readonly nint[] _suboffsets;
    private readonly nint[] _index;
    private readonly nint[] _blockIndex;
    private readonly int _outerRank;
    private readonly bool _indirect;
    private readonly nint _itemSize;
    private readonly nint _innerCount;
    private readonly nint _innerByteStride;
    private readonly bool _inPlace;
    private readonly bool _writeBack;
    private readonly Span<byte> _scratch;
    private readonly nint _chunkByteLength;

    // The cursor: the current line's start (byte offset from the origin, or its address when indirect) and the item
    // inside it; _blockLine/_blockItem is where the current gathered block began.
    private nint _line;
    private nint _item;
    private nint _blockLine;
    private nint _blockItem;
    private nint _blockItemCount;
    private bool _exhausted;
    private Span<byte> _current;

    /// <summary>A direct or indirect layout whose element [0, ..., 0] is <paramref name="origin"/>.</summary>
    /// <param name="origin">Element [0, ..., 0].</param>
    /// <param name="shape">The length of each dimension.</param>
    /// <param name="itemSize">The bytes of one item.</param>
    /// <param name="byteStrides">The byte step of each dimension.</param>
    /// <param name="suboffsets">PEP 3118 suboffsets, or empty for a direct layout.</param>
    /// <param name="scratch">Where blocks are gathered: at least one item.</param>
    /// <param name="preserveOrder">True: blocks in C order; false: a direct layout in memory order.</param>
    /// <param name="writeBack">Scatter each gathered block back to memory before the next (callers write the blocks).</param>
    public RawBufferedEnumerator(ref byte origin, scoped ReadOnlySpan<nint> shape, nint itemSize, scoped ReadOnlySpan<nint> byteStrides,
        scoped ReadOnlySpan<nint> suboffsets, Span<byte> scratch, bool preserveOrder, bool writeBack)
    {
        StridedCopy.ValidateShape(shape, itemSize);
        if (byteStrides.Length != shape.Length)
            ThrowHelper.ThrowRankMismatch(nameof(byteStrides), shape.Length, byteStrides.Length);
        if (!suboffsets.IsEmpty && suboffsets.Length != shape.Length)
            ThrowHelper.ThrowRankMismatch(nameof(suboffsets), shape.Length, suboffsets.Length);
        if (scratch.Length < itemSize)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(scratch), scratch.Length,
                $"The scratch holds no item ({itemSize} bytes each): pass a span of at least one element, e.g. stackalloc T[1024].");
        _origin = ref origin;
        _itemSize = itemSize;
        _writeBack = writeBack;
        _scratch = scratch[..(int)(scratch.Length / itemSize * itemSize)];
        _chunkByteLength = int.MaxValue / itemSize * itemSize;
        // One more slot than dimensions: a layout whose last dimension is indirect (or rank 0) gets an inner line of one item.
        _counts = new nint[shape.Length + 1];
        _byteStrides = new nint[shape.Length + 1];
        _suboffsets = new nint[shape.Length + 1];
        _exhausted = LayoutMath.ElementCount(shape) == 0;

        var rank = 0;
        for (var i = 0; i < shape.Length; i++)
        {
            var suboffset = suboffsets.IsEmpty ? -1 : suboffsets[i];
            _indirect |= suboffset >= 0;
            if (shape[i] == 1 && suboffset < 0)
                continue;
            _counts[rank] = shape[i];
            _byteStrides[rank] = byteStrides[i];
            _suboffsets[rank] = suboffset;
            rank++;
        }
        if (!_indirect && !preserveOrder)
            _line = RunPlan.MemoryOrder(_counts, _byteStrides, rank);
        rank = RunPlan.Coalesce(_counts, _byteStrides, _suboffsets, rank);
        if (rank == 0 || _suboffsets[rank - 1] >= 0)
        {
            _counts[rank] = 1;
            _byteStrides[rank] = itemSize;
            _suboffsets[rank] = -1;
            rank++;
        }
        _outerRank = rank - 1;
        _innerCount = _counts[rank - 1];
        _innerByteStride = _byteStrides[rank - 1];
        _index = new nint[_outerRank];
        _blockIndex = new nint[_outerRank];
        var runByteLength = _innerCount * itemSize;
        _inPlace = _innerByteStride == itemSize && runByteLength >= Math.Min(_scratch.Length, DirectRunByteLength);
        if (_indirect && !_exhausted)
            _line = (nint)LineAddress(_index);
    }

    /// <summary>The current block: a run in place, or the filled part of the scratch.</summary>
    public readonly Span<byte> Current => _current;

    /// <summary>Whether the current block is a run of the memory itself (false: a gathered copy in the scratch).</summary>
    public readonly bool CurrentIsInPlace => _inPlace;

    public readonly RawBufferedEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_blockItemCount > 0)
            ScatterBlock();
        if (_exhausted)
        {
            _current = default;
            return false;
        }
        if (_inPlace)
        {
            var byteLength = (nint)Math.Min(_chunkByteLength, (_innerCount - _item) * _itemSize);
            _current = MemoryMarshal.CreateSpan(ref Item(_line, _item), (int)byteLength);
            _item += byteLength / _itemSize;
            if (_item == _innerCount)
                NextLine();
            return true;
        }
        GatherBlock();
        return true;
    }

    /// <summary>Scatters the last gathered block back when writing; call when leaving an enumeration early.</summary>
    public void Dispose()
    {
        if (_blockItemCount > 0)
            ScatterBlock();
        _exhausted = true;
    }

    private void GatherBlock()
    {
        _index.CopyTo(_blockIndex, 0);
        _blockLine = _line;
        _blockItem = _item;
        var capacity = _scratch.Length / _itemSize;
        nint filled = 0;
        while (filled < capacity && !_exhausted)
        {
            var count = Math.Min(_innerCount - _item, capacity - filled);
            StridedKernels.Gather(ref MemoryMarshal.GetReference(_scratch[(int)(filled * _itemSize)..]), ref Item(_line, _item), _innerByteStride, count, _itemSize);
            filled += count;
            _item += count;
            if (_item == _innerCount)
                NextLine();
        }
        _current = _scratch[..(int)(filled * _itemSize)];
        if (_writeBack)
            _blockItemCount = filled;
    }

    private void ScatterBlock()
    {
        var line = _blockLine;
        var item = _blockItem;
        var remaining = _blockItemCount;
        _blockItemCount = 0;
        nint done = 0;
        while (remaining > 0)
        {
            var count = Math.Min(_innerCount - item, remaining);
            StridedKernels.Scatter(ref Item(line, item), _innerByteStride, ref MemoryMarshal.GetReference(_scratch[(int)(done * _itemSize)..]), count, _itemSize);
            done += count;
            remaining -= count;
            item += count;
            if (item == _innerCount && remaining > 0)
            {
                item = 0;
                _ = Advance(_blockIndex, ref line);
            }
        }
    }

    private void NextLine()
    {
        _item = 0;
        if (!Advance(_index, ref _line))
            _exhausted = true;
    }

    // Item `item` of the line starting at `line` (an offset from the origin, or an address when indirect).
    private readonly ref byte Item(nint line, nint item) =>
        ref _indirect
            ? ref Unsafe.AddByteOffset(ref Unsafe.AsRef<byte>((void*)line), item * _innerByteStride)
            : ref Unsafe.AddByteOffset(ref _origin, line + item * _innerByteStride);

    // Steps an outer index (odometer, last dimension fastest) and its line; false after the last line.
    private readonly bool Advance(nint[] index, ref nint line)
    {
        for (var k = _outerRank - 1; k >= 0; k--)
        {
            if (++index[k] < _counts[k])
            {
                line = _indirect ? (nint)LineAddress(index) : line + _byteStrides[k];
                return true;
            }
            if (!_indirect)
                line -= _byteStrides[k] * (_counts[k] - 1);
            index[k] = 0;
        }
        return false;
    }

    /// <summary>The start of the line at an outer index of an indirect layout, which lives in pinned or native memory.</summary>
    private readonly byte* LineAddress(nint[] index)
    {
        var pointer = (byte*)Unsafe.AsPointer(ref _origin);
        for (var k = 0; k < _outerRank; k++)
        {
            pointer += _byteStrides[k] * index[k];
            if (_suboffsets[k] >= 0)
                pointer = *(byte**)pointer + _suboffsets[k];
        }
        return pointer;
    }
}
