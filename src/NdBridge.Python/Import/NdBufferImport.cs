namespace NdBridge.Python;

/// <summary>
/// Views Python memory from .NET without copying: any object with the buffer protocol (NumPy arrays of every
/// layout and byte order, <c>bytes</c>, <c>bytearray</c>, <c>memoryview</c> slices, <c>array.array</c>, ctypes
/// arrays, PIL-style exporters with suboffsets) or with only <c>__array_interface__</c> becomes an
/// <see cref="NdBuffer"/> over the same memory.
/// </summary>
/// <remarks>
/// <para>The buffer holds the exporter's <c>Py_buffer</c> (so a <c>bytearray</c> cannot be resized meanwhile) and a
/// reference to the object until its last holder (the buffer, its views, its exports back to Python) is released,
/// from any thread: disposing takes the GIL; a finalizer only queues the release; after the interpreter was
/// finalised, releasing is a no-op. Until then the interpreter refuses to shut down.</para>
/// <para>The exporter's layout is trusted, as CPython trusts it (NdBridge checks it only for overflow), and its
/// <c>itemsize</c> is the truth: a record format whose struct size is smaller by C's trailing alignment padding is
/// accepted, the padding written out (ctypes describes <c>struct {char a; int b;}</c> as <c>T{&lt;b:a:&lt;i:b:}</c>
/// with item size 8: the buffer's format is <c>T{&lt;b:a:&lt;i:b:3x}</c>, 8 bytes). Any other disagreement between
/// format and item size is refused, as NumPy refuses it.</para>
/// <para>A read-only source never yields a writable buffer; a buffer imported read-only refuses writes even when
/// the memory is writable.</para>
/// </remarks>
public static unsafe partial class NdBufferImport
{
    [ThreadStatic] private static StridedLayout? t_lastLayout;

    /// <summary>
    /// The memory of <paramref name="source"/> as an <see cref="NdBuffer"/>: through the buffer protocol when the
    /// object has it, otherwise through DLPack when it has <c>__dlpack__</c> or is a DLPack capsule (PyTorch,
    /// JAX; see <see cref="PythonDLPack.Import"/>), otherwise through <c>__array_interface__</c> (see <see cref="FromArrayInterface"/>).
    /// Dispose the result.
    /// </summary>
    /// <param name="source">The Python object; it stays alive while the buffer (or a view of it) does.</param>
    /// <param name="writable">Ask for writable memory (a read-only source then throws).</param>
    /// <exception cref="ArgumentException">The object has neither interface, is read-only while
    /// <paramref name="writable"/> was asked, or describes its memory inconsistently (the message says how).</exception>
    /// <exception cref="NotSupportedException">The items hold Python objects (<c>O</c>) or a type NdBridge cannot read.</exception>
    /// <exception cref="PythonException">The exporter raised.</exception>
    public static NdBuffer AsNdBuffer(this PythonObject source, bool writable = false)
    {
        if (source is null)
            ThrowHelper.ThrowArgumentNull(nameof(source));
        using var gil = PythonRuntime.EnterScopeUnlessHeld();
        using var borrow = new Borrow(source);
        if (CPython.PyObject_CheckBuffer(borrow.Reference) != 0)
            return ImportBuffer(borrow.Reference, writable);
        if (DLPackImport.IsProducer(borrow.Reference))
            return DLPackImport.ImportAs(borrow.Reference, PythonTypeNames.Of(borrow.Reference), writable, nameof(source));
        return ImportArrayInterface(source, writable, requireInterface: true);
    }

    /// <summary>
    /// The memory of <paramref name="source"/> through the buffer protocol only (<c>PyBUF_FULL_RO</c>, or
    /// <c>PyBUF_FULL</c> when <paramref name="writable"/>), suboffsets included. Dispose the result.
    /// </summary>
    /// <param name="source">The exporter; it stays alive while the buffer (or a view of it) does.</param>
    /// <param name="writable">Ask for writable memory (a read-only source then throws).</param>
    /// <exception cref="ArgumentException">The object does not support the buffer protocol, is read-only while
    /// <paramref name="writable"/> was asked, or its item size contradicts its format.</exception>
    /// <exception cref="NotSupportedException">The items hold Python objects (<c>O</c>) or a type NdBridge cannot read.</exception>
    /// <exception cref="PythonException">The exporter raised.</exception>
    public static NdBuffer FromBufferProtocol(PythonObject source, bool writable = false)
    {
        if (source is null)
            ThrowHelper.ThrowArgumentNull(nameof(source));
        using var gil = PythonRuntime.EnterScopeUnlessHeld();
        using var borrow = new Borrow(source);
        if (CPython.PyObject_CheckBuffer(borrow.Reference) == 0)
            ThrowHelper.ThrowImportNoBufferProtocol(nameof(source), PythonTypeNames.Of(borrow.Reference));
        return ImportBuffer(borrow.Reference, writable);
    }

    /// <summary>
    /// <see cref="FromBufferProtocol"/> for a raw <c>PyObject*</c> (for use beside another host); the buffer takes
    /// its own reference through the <c>Py_buffer</c>.
    /// </summary>
    /// <param name="source">A borrowed, non-NULL <c>PyObject*</c>, alive for the duration of the call.</param>
    /// <param name="writable">Ask for writable memory.</param>
    public static NdBuffer DangerousFromBorrowedReference(nint source, bool writable = false)
    {
        if (source == 0)
            ThrowHelper.ThrowArgument("The reference is NULL.", nameof(source));
        using var gil = PythonRuntime.EnterScopeUnlessHeld();
        if (CPython.PyObject_CheckBuffer(source) == 0)
            ThrowHelper.ThrowImportNoBufferProtocol(nameof(source), PythonTypeNames.Of(source));
        return ImportBuffer(source, writable);
    }

    /// <summary>
    /// <see cref="AsNdBuffer"/> for a borrowed argument of a hosted function (the GIL is held): the buffer protocol,
    /// then DLPack, then <c>__array_interface__</c>.
    /// </summary>
    internal static NdBuffer ImportArgument(nint source, bool writable)
    {
        if (CPython.PyObject_CheckBuffer(source) != 0)
            return ImportBuffer(source, writable);
        if (DLPackImport.IsProducer(source))
            return DLPackImport.ImportAs(source, PythonTypeNames.Of(source), writable, nameof(source));
        using var borrowed = PythonObject.FromBorrowedReference(source);
        return ImportArrayInterface(borrowed, writable, requireInterface: true);
    }

    /// <summary>Whether the buffer-protocol object <paramref name="source"/> gives only read-only views. Needs the GIL.</summary>
    internal static bool IsReadOnlyExporter(nint source) =>
        CPython.PyObject_CheckBuffer(source) != 0 && IsReadOnlyExporter(source, CPython.PyBUF_FULL_RO);

    // The GIL is held.
    private static NdBuffer ImportBuffer(nint source, bool writable)
    {
        var holding = PythonBufferOwner.AllocateHolding();
        var view = &holding->View;
        if (CPython.PyObject_GetBuffer(source, view, writable ? CPython.PyBUF_FULL : CPython.PyBUF_FULL_RO) != 0)
        {
            view->obj = 0; // the exporter's duty on failure; ensured, so the holding releases nothing it does not hold
            var error = PythonErrors.FetchPending();
            PythonBufferOwner.FreeUnowned(holding);
            // Exporters refuse a writable request on read-only memory with BufferError (NumPy: ValueError): say which.
            if (writable && IsReadOnlyExporter(source, CPython.PyBUF_FULL_RO))
                ThrowHelper.ThrowImportReadOnly(nameof(source), $"A {PythonTypeNames.Of(source)} object", error);
            throw error;
        }
        if (view->obj == 0)
        {
            // An exporter that filled the view without naming itself: hold the object anyway, the memory is its.
            CPython.Py_IncRef(source);
            holding->HeldObject = source;
        }
        return Wrap(holding, (byte*)view->buf, view->@readonly != 0 || !writable, source, nameof(source));
    }

    /// <summary>Whether <paramref name="source"/> gives a read-only view when asked for one with <paramref name="flags"/>.</summary>
    private static bool IsReadOnlyExporter(nint source, int flags)
    {
        CPython.Py_buffer probe; // on the stack: native memory that does not move during the call
        if (CPython.PyObject_GetBuffer(source, &probe, flags) != 0)
        {
            CPython.PyErr_Clear();
            return false;
        }
        var readOnly = probe.@readonly != 0;
        CPython.PyBuffer_Release(&probe);
        return readOnly;
    }

    /// <summary>
    /// Builds the buffer from a filled holding, or frees the holding and throws. A <paramref name="format"/> and
    /// <paramref name="layout"/> (from <c>__array_interface__</c>) replace the view's own description when given.
    /// </summary>
    private static NdBuffer Wrap(PythonBufferOwner.Holding* holding, byte* origin, bool readOnly, nint describedObject,
        string paramName, BufferFormat? format = null, StridedLayout? layout = null)
    {
        PythonBufferOwner? owner = null;
        try
        {
            if (format is null || layout is null)
            {
                var view = &holding->View;
                format = CheckItemSize(ReadFormat(view, describedObject), view, describedObject, paramName);
                layout = ReadLayout(view);
            }
            if (format.ContainsObjects)
                ThrowHelper.ThrowImportObjects(paramName, PythonTypeNames.Of(describedObject), format);
            owner = PythonBufferOwner.TakeOver(holding);
            return NdBuffer.DangerousFromOwner(owner, origin, format, layout, readOnly);
        }
        catch
        {
            if (owner is null)
                PythonBufferOwner.FreeUnowned(holding);
            // else: DangerousFromOwner released the owner's holder before it threw.
            throw;
        }
    }

    private static BufferFormat ReadFormat(CPython.Py_buffer* view, nint source)
    {
        try
        {
            return ImportedFormats.Get(view->format);
        }
        catch (BufferFormatException e)
        {
            return ThrowHelper.ThrowImportFormat<BufferFormat>(PythonTypeNames.Of(source), e);
        }
    }

    // The protocol's NULL cases: shape NULL means one dimension of len / itemsize (unless ndim is 0: a scalar);
    // strides NULL means C-contiguous; suboffsets only count with a shape.
    private static StridedLayout ReadLayout(CPython.Py_buffer* view)
    {
        var rank = view->ndim;
        var itemSize = view->itemsize;
        if (rank < 0 || rank > StridedLayout.MaxRank)
            ThrowHelper.ThrowArgumentOutOfRange("source", rank, $"The exporter's ndim {rank} is outside 0..{StridedLayout.MaxRank}.");
        // Imports of one array (or of arrays alike) describe the same layout again and again: a layout is immutable,
        // so this thread's last one serves when the view matches it field for field (no arrays made, nothing recomputed).
        if (view->shape is not null && view->strides is not null && t_lastLayout is { } last && last.ItemSize == itemSize
            && last.Rank == rank && last.HasSuboffsets == (view->suboffsets is not null)
            && last.Shape.SequenceEqual(new ReadOnlySpan<nint>(view->shape, rank)) // ndim lengths and strides, by the protocol
            && last.ByteStrides.SequenceEqual(new ReadOnlySpan<nint>(view->strides, rank))
            && (view->suboffsets is null || last.Suboffsets.SequenceEqual(new ReadOnlySpan<nint>(view->suboffsets, rank))))
            return last;
        var layout = ReadNewLayout(view, rank, itemSize);
        if (view->shape is not null && view->strides is not null)
            t_lastLayout = layout;
        return layout;
    }

    private static StridedLayout ReadNewLayout(CPython.Py_buffer* view, int rank, nint itemSize)
    {
        scoped ReadOnlySpan<nint> shape;
        nint impliedLength;
        if (view->shape is not null || rank == 0)
        {
            shape = new ReadOnlySpan<nint>(view->shape, rank); // the exporter gives ndim lengths
        }
        else
        {
            impliedLength = itemSize > 0 ? view->len / itemSize : 0;
            shape = new ReadOnlySpan<nint>(&impliedLength, 1);
            rank = 1;
        }
        Span<nint> contiguousStrides = stackalloc nint[rank];
        scoped ReadOnlySpan<nint> byteStrides;
        if (view->strides is not null && (view->shape is not null || rank == 0))
        {
            byteStrides = new ReadOnlySpan<nint>(view->strides, rank); // ndim strides, by the protocol
        }
        else
        {
            var byteStride = itemSize;
            for (var i = rank - 1; i >= 0; i--)
            {
                contiguousStrides[i] = byteStride;
                byteStride *= Math.Max(shape[i], 1);
            }
            byteStrides = contiguousStrides;
        }
        var hasSuboffsets = view->suboffsets is not null && view->shape is not null;
        var suboffsets = hasSuboffsets ? new ReadOnlySpan<nint>(view->suboffsets, rank) : default;
        return StridedLayout.CreateTrusted(shape, byteStrides, suboffsets, hasSuboffsets, itemSize);
    }

    /// <summary>
    /// The exporter's <c>itemsize</c> is the truth; its format must describe it: the same struct or NumPy size; for a
    /// record, the struct size rounded up to the largest alignment of its scalars (C's trailing padding, as ctypes
    /// gives), or any size that still holds every field (the trailing padding NumPy's parser would add, left out: NumPy
    /// exports a record view with at most one element per dimension that way). A record accepted that way is resized
    /// to the item size (<see cref="BufferFormat.WithItemSize"/>), so what NdBridge exports again says so.
    /// </summary>
    private static BufferFormat CheckItemSize(BufferFormat format, CPython.Py_buffer* view, nint source, string paramName)
    {
        var itemSize = view->itemsize;
        if (format.ItemSize == itemSize || format.NumPyItemSize == itemSize)
            return format;
        var padded = format.PaddedItemSize;
        nint fieldsEnd = 0;
        foreach (var field in format.Fields)
            fieldsEnd = Math.Max(fieldsEnd, field.ByteOffset + field.Format.NumPyItemSize);
        if (format.Kind == BufferFormatKind.Record && (itemSize == padded || (itemSize >= fieldsEnd && itemSize < format.ItemSize)))
            return format.WithItemSize(itemSize);
        var sent = view->format is null ? "B" : System.Text.Encoding.Latin1.GetString(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated(view->format));
        return ThrowHelper.ThrowImportItemSize(paramName, PythonTypeNames.Of(source), sent, format, itemSize, fieldsEnd, padded);
    }

    /// <summary>
    /// Keeps a <see cref="PythonObject"/>'s reference from being released by a concurrent Dispose while its raw
    /// pointer is in use (Python code run by an exporter or a property may let another thread take the GIL).
    /// </summary>
    private readonly ref struct Borrow
    {
        private readonly PythonObject _source;

        public Borrow(PythonObject source)
        {
            var added = false;
            source.DangerousAddRef(ref added); // throws ObjectDisposedException once released
            _source = source;
            Reference = source.DangerousGetHandle();
        }

        /// <summary>The borrowed <c>PyObject*</c>.</summary>
        public nint Reference { get; }

        public void Dispose() => _source.DangerousRelease();
    }
}
