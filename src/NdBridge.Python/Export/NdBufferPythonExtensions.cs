using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>
/// Hands .NET memory to Python without copying: <see cref="ToPython"/> makes a buffer-protocol object,
/// <see cref="ToNumPy"/> a <c>numpy.ndarray</c> on the same memory. Each export holds the memory alive
/// (one holder on its owner) until Python lets go, whatever happens to the <see cref="NdBuffer"/>.
/// </summary>
public static unsafe class NdBufferPythonExtensions
{
    private static nint s_asarray;
    private static int s_numPyMaxRank;

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
    /// Exports the buffer as a real <c>numpy.ndarray</c> sharing the memory: <c>numpy.asarray</c> of the
    /// export, so the array's <c>base</c> is a <c>memoryview</c> of it. Writable iff the buffer is.
    /// </summary>
    /// <param name="buffer">The buffer; disposing it afterwards leaves the array (and the memory) alive.</param>
    /// <returns>The array.</returns>
    /// <exception cref="ArgumentException">
    /// NumPy cannot view the buffer: <c>O</c> items, suboffsets (NumPy refuses indirect arrays: copy to a
    /// contiguous buffer first), more dimensions than NumPy allows (32 in NumPy 1.x), or items NumPy has no
    /// type for (<c>P</c>, <c>p</c>).
    /// </exception>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    /// <exception cref="InvalidOperationException">No interpreter is running.</exception>
    public static PythonObject ToNumPy(this NdBuffer buffer)
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
        using var gil = PythonGil.Acquire();
        var asarray = s_asarray != 0 ? s_asarray : LoadNumPy();
        if (buffer.Rank > s_numPyMaxRank)
            ThrowHelper.ThrowExportRefused(
                $"NumPy {(s_numPyMaxRank == 32 ? "1.x" : "")} allows at most {s_numPyMaxRank} dimensions; this buffer has {buffer.Rank}. Reshape or index it first.",
                nameof(buffer));
        var export = BufferExportType.Create(buffer);
        var args = PyTuple_New(1);
        if (args == 0)
        {
            Py_DecRef(export);
            throw PythonErrors.FetchPending();
        }
        _ = PyTuple_SetItem(args, 0, export); // steals export: the memoryview NumPy makes holds its own reference
        var array = PyObject_Call(asarray, args, 0);
        Py_DecRef(args);
        return PythonObject.FromNewReference(PythonErrors.Check(array));
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

    // numpy.asarray, kept for the process (NumPy cannot be unloaded), and NumPy's dimension limit.
    private static nint LoadNumPy()
    {
        nint numpy = 0, version = 0;
        try
        {
            fixed (byte* name = "numpy\0"u8)
                numpy = PythonErrors.Check(PyImport_ImportModule(name));
            fixed (byte* name = "__version__\0"u8)
                version = PythonErrors.Check(PyObject_GetAttrString(numpy, name));
            var major = PythonConvert.ToStringExact(version).Split('.')[0];
            s_numPyMaxRank = major is "0" or "1" ? 32 : 64;
            nint asarray;
            fixed (byte* name = "asarray\0"u8)
                asarray = PythonErrors.Check(PyObject_GetAttrString(numpy, name));
            if (s_asarray != 0)
            {
                // Another thread got here while the import let the GIL go.
                Py_DecRef(asarray);
                return s_asarray;
            }
            Volatile.Write(ref s_asarray, asarray); // after s_numPyMaxRank: readers check s_asarray first
            return asarray;
        }
        finally
        {
            Py_DecRef(version);
            Py_DecRef(numpy);
        }
    }
}
