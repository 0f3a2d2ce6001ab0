using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>
/// Hands .NET memory to Python without copying: <see cref="ToPython"/> makes a buffer-protocol object,
/// <see cref="ToNumPy"/> a <c>numpy.ndarray</c> on the same memory. Each export holds the memory alive
/// (one holder on its owner) until Python lets go, whatever happens to the <see cref="NdBuffer"/>.
/// </summary>
public static unsafe class NdBufferPythonExtensions
{
    /// <summary>
    /// Exports the buffer as a Python object of type <c>ndbridge.BufferExport</c> that answers every
    /// buffer-protocol request as CPython's rules require (suboffsets included) and offers
    /// <c>__array_interface__</c>: <c>memoryview(x)</c>, <c>numpy.asarray(x)</c>, PIL and friends see the
    /// memory itself. Writable requests are refused when the buffer is read-only.
    /// </summary>
    /// <param name="buffer">The buffer; disposing it afterwards leaves the export (and the memory) alive.</param>
    /// <returns>The export; dispose it to drop .NET's reference (Python's references keep it alive).</returns>
    /// <exception cref="ArgumentException">The items hold Python object pointers (<c>O</c>).</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    /// <exception cref="InvalidOperationException">No interpreter is running.</exception>
    public static PythonObject ToPython(this NdBuffer buffer)
    {
        ValidateForPython(buffer);
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(BufferExportType.Create(buffer));
    }

    /// <summary>
    /// Exports the buffer as a real <c>numpy.ndarray</c> sharing the memory, whose <c>base</c> is the export
    /// (<see cref="ToPython"/>'s object): built by NumPy's C API (<c>PyArray_NewFromDescr</c>) with the dtype NumPy's
    /// buffer import would give, or, for a NumPy whose C API version NdBridge was not checked against,
    /// <c>numpy.asarray</c> of the export (whose <c>base</c> is then a <c>memoryview</c> of it). Writable iff the buffer is.
    /// </summary>
    /// <param name="buffer">The buffer; disposing it afterwards leaves the array (and the memory) alive.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentException">
    /// NumPy cannot view the buffer: <c>O</c> items, suboffsets (NumPy refuses indirect arrays: copy to a
    /// contiguous buffer first), more dimensions than NumPy allows (32 in NumPy 1.x, 64 in 2.x), or items NumPy has no
    /// type for (<c>P</c>, <c>p</c>).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    /// <exception cref="InvalidOperationException">No interpreter is running.</exception>
    public static PythonObject ToNumPy(this NdBuffer buffer) => PythonObject.FromNewReference(ToNumPyNewReference(buffer));

    /// <summary>
    /// NumPy's <c>__array_interface__</c> (version 3) for the buffer, and the object that keeps its memory alive: for a
    /// plugin layer that makes its own Python objects array-like (as ROOT does) by setting both on them —
    /// <c>o.__array_interface__ = interface</c> and <c>o._keepalive = keepAlive</c>. <c>numpy.asarray(o)</c> is then a
    /// view of the memory (no copy) whose <c>base</c> is <c>o</c>; the memory lives while <c>o</c> (holding
    /// <paramref name="buffer"/>'s export, <c>keepAlive</c>) or any array viewing it does, whatever .NET does with the buffer.
    /// </summary>
    /// <remarks>
    /// The dict's <c>data</c> is <c>(address, readonly)</c>, so it is valid only while <c>keepAlive</c> (an
    /// <c>ndbridge.BufferExport</c>, which also offers the buffer protocol) is alive: attach both to the same object,
    /// or hand out <c>keepAlive</c> itself. <c>strides</c> is None for C-contiguous memory; <c>descr</c> gives record
    /// fields. Dispose both results to drop .NET's references.
    /// </remarks>
    /// <param name="buffer">The buffer; disposing it afterwards leaves the memory alive while <c>keepAlive</c> is.</param>
    /// <returns>The interface dict and the export holding the memory.</returns>
    /// <exception cref="ArgumentException">NumPy cannot view the buffer (as for <see cref="ToNumPy"/>: <c>O</c>, <c>P</c> or
    /// <c>p</c> items, suboffsets).</exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    /// <exception cref="InvalidOperationException">No interpreter is running.</exception>
    public static (PythonObject Interface, PythonObject KeepAlive) ToArrayInterface(this NdBuffer buffer)
    {
        ValidateForNumPy(buffer);
        using var gil = PythonGil.Acquire();
        var export = PythonObject.FromNewReference(BufferExportType.Create(buffer));
        try
        {
            return (export.GetAttr("__array_interface__"), export);
        }
        catch
        {
            export.Dispose();
            throw;
        }
    }

    /// <summary><see cref="ToNumPy"/> as a new <c>PyObject*</c> reference (a hosted function's result).</summary>
    internal static nint ToNumPyNewReference(NdBuffer buffer)
    {
        ValidateForNumPy(buffer);
        using var gil = PythonGil.Acquire();
        return NewArray(buffer, NumPyModule.Api);
    }

    /// <summary>
    /// <see cref="ToNumPy(NdBuffer)"/> through <paramref name="api"/>, or through <c>numpy.asarray</c> when it is null
    /// (what a NumPy of an unserved C API version gets): the two paths side by side, for tests.
    /// </summary>
    internal static PythonObject ToNumPyThrough(NdBuffer buffer, NumPyArrayApi? api)
    {
        ValidateForNumPy(buffer);
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(NewArray(buffer, api));
    }

    internal static void ValidateForNumPy(NdBuffer buffer)
    {
        ValidateForPython(buffer);
        if (buffer.Layout.HasSuboffsets)
            ThrowHelper.ThrowExportRefused(
                $"NumPy cannot view a buffer with suboffsets (a PIL-style indirect array: {buffer.Layout}); copy it first with buffer.ToContiguous() (a C-contiguous copy NumPy can view), or use ToPython() for an object memoryview can read.",
                nameof(buffer));
        if (!HasNumPyType(buffer.Format))
            ThrowHelper.ThrowExportRefused(
                $"NumPy has no type for items of format '{buffer.Format}' ({buffer.Format.Describe()}): pointers (P) and Pascal strings (p) cannot be viewed by NumPy; use ToPython() for a memoryview.",
                nameof(buffer));
    }

    // A new reference to the array. Needs the GIL.
    private static nint NewArray(NdBuffer buffer, NumPyArrayApi? api)
    {
        var asarray = NumPyModule.AsArray;
        var numPy = NumPyModule.Version;
        if (buffer.Rank > numPy.MaxDimensions)
            ThrowHelper.ThrowExportRefused(
                $"NumPy {numPy} allows at most {numPy.MaxDimensions} dimensions; this buffer has {buffer.Rank}. Reshape or index it first, or use ToPython() for a memoryview (up to {StridedLayout.MaxRank}).",
                nameof(buffer));
        var descr = api is null ? 0 : NumPyDescriptors.NewReference(api, buffer.Format.WithItemSize(buffer.Layout.ItemSize), buffer.Layout.ItemSize);
        if (descr == 0)
        {
            var export = BufferExportType.Create(buffer);
            return PythonErrors.Check(CallWithNewArgs(asarray, export));
        }
        return NewArrayOverExport(api!, buffer, descr);
    }

    // NumPy's own buffer import (_array_from_buffer_3118) without the memoryview: the same descr, shape, strides, data
    // and flags (ALIGNED | WRITEABLE unless read-only; NumPy recomputes contiguity and alignment from the strides), with
    // the export itself as base. Steals descr. Needs the GIL.
    private static nint NewArrayOverExport(NumPyArrayApi api, NdBuffer buffer, nint descr)
    {
        nint export;
        try
        {
            export = BufferExportType.Create(buffer);
        }
        catch
        {
            Py_DecRef(descr);
            throw;
        }
        var state = BufferExportType.StateOf(export)!; // Create initialised it
        var flags = NumPyArrayApi.NPY_ARRAY_ALIGNED | (state.IsReadOnly ? 0 : NumPyArrayApi.NPY_ARRAY_WRITEABLE);
        // shape and strides are the export's native block (rank nints each); NumPy copies both.
        var array = api.PyArray_NewFromDescr(api.PyArray_Type, descr, state.Rank, state.Shape, state.Strides, state.Origin, flags, 0);
        if (array == 0)
        {
            var error = PythonErrors.FetchPending();
            Py_DecRef(export);
            throw error;
        }
        if (api.PyArray_SetBaseObject(array, export) != 0) // steals export, also on failure
        {
            var error = PythonErrors.FetchPending();
            Py_DecRef(array);
            throw error;
        }
        return array;
    }

    // asarray(export) through a tuple of its own. Steals export. Needs the GIL.
    private static nint CallWithNewArgs(nint asarray, nint export)
    {
        var args = PyTuple_New(1);
        if (args == 0)
        {
            Py_DecRef(export);
            throw PythonErrors.FetchPending();
        }
        _ = PyTuple_SetItem(args, 0, export); // steals export: the memoryview NumPy makes holds its own reference
        var array = PyObject_Call(asarray, args, 0);
        Py_DecRef(args);
        return array;
    }

    private static void ValidateForPython(NdBuffer buffer)
    {
        if (buffer is null)
            ThrowHelper.ThrowArgumentNull(nameof(buffer));
        if (buffer.IsDisposed)
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        if (buffer.Format.ContainsObjects)
            ThrowHelper.ThrowExportRefused(
                $"Format '{buffer.Format}' ({buffer.Format.Describe()}) holds Python object pointers (O): exporting them would let Python dereference memory .NET wrote.",
                nameof(buffer));
    }

    private static bool HasNumPyType(BufferFormat format)
    {
        if (format.Kind == BufferFormatKind.Scalar)
            return format.ScalarKind is not (ScalarKind.Pointer or ScalarKind.PascalString);
        foreach (var run in format.ScalarRuns)
        {
            if (run.Kind is ScalarKind.Pointer or ScalarKind.PascalString)
                return false;
        }
        return true;
    }
}
