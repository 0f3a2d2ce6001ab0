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
    private static NumPyVersion s_numPy;

    // A 1-tuple holding None between calls, reused as asarray's arguments; 0 until NumPy is loaded (or after it was
    // found shared). Both fields are guarded by the GIL.
    private static nint s_args;
    private static bool s_argsInUse;

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
    /// contiguous buffer first), more dimensions than NumPy allows (32 in NumPy 1.x, 64 in 2.x), or items NumPy has no
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
        if (buffer.Rank > s_numPy.MaxDimensions)
            ThrowHelper.ThrowExportRefused(
                $"NumPy {s_numPy} allows at most {s_numPy.MaxDimensions} dimensions; this buffer has {buffer.Rank}. Reshape or index it first, or use ToPython() for a memoryview (up to {StridedLayout.MaxRank}).",
                nameof(buffer));
        var export = BufferExportType.Create(buffer);
        var array = s_args != 0 && !s_argsInUse ? CallWithSharedArgs(asarray, export) : CallWithNewArgs(asarray, export);
        return PythonObject.FromNewReference(PythonErrors.Check(array));
    }

    // asarray(export) through the shared 1-tuple (no tuple made and freed per handoff). Steals export. Needs the GIL.
    // The old item dropped by each PyTuple_SetItem is None, or the export whose memoryview holds it (or, when NumPy
    // failed, the export whose deallocation is then due: an ordinary call, with its GC transition).
    private static nint CallWithSharedArgs(nint asarray, nint export)
    {
        // In use until the call returns: code the call runs (a collection's finalizers, another thread taking the GIL
        // they let go) may reach ToNumPy again, and must not overwrite an item NumPy is still reading.
        s_argsInUse = true;
        try
        {
            // PyTuple_SetItem only succeeds while the tuple has no other reference (Python's rule for mutating a tuple);
            // it steals even on failure, so it gets a reference of its own and ours stays for the fallback.
            Py_IncRef(export);
            if (PyTuple_SetItem(s_args, 0, export) != 0)
            {
                // Something kept a reference to the tuple: stop sharing it, and call with a tuple of this call's own.
                _ = PythonErrors.FetchPending(); // the SystemError of the refused mutation
                Py_DecRef(s_args);
                s_args = 0;
                return CallWithNewArgs(asarray, export);
            }
            Py_DecRef(export); // the tuple's reference keeps it alive: never a deallocation
            var array = PyObject_Call(asarray, s_args, 0);
            // Drops the tuple's reference to the export (the memoryview NumPy made holds its own).
            Py_IncRef(Py_None);
            if (PyTuple_SetItem(s_args, 0, Py_None) != 0)
            {
                // The call kept a reference to the tuple (NumPy never does): whoever holds it now holds the export,
                // and releases it with the tuple. Stop sharing it; keep the call's own outcome.
                var refused = PythonErrors.FetchPending();
                Py_DecRef(s_args);
                s_args = 0;
                if (array == 0)
                    throw refused;
            }
            return array;
        }
        finally
        {
            s_argsInUse = false;
        }
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

    // numpy.asarray, kept for the process (NumPy cannot be unloaded), and NumPy's dimension limit.
    // The interpreter was chosen without the user seeing which: say which, how, and how to choose another.
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNumPyMissing(PythonException importError)
    {
        var installation = PythonRuntime.Current.Installation;
        var how = installation.Source switch
        {
            "option" => "PythonRuntimeOptions.PythonPath",
            "PATH" => $"the first python3 on PATH ({PythonInstallation.EnvironmentVariable} is not set)",
            var source => source,
        };
        throw new InvalidOperationException(
            $"NumPy cannot be imported ({importError.PythonTypeName}: {importError.PythonMessage}) by the Python NdBridge uses: " +
            $"{installation.ExecutablePath ?? installation.LibraryPath}, chosen by {how}. Install NumPy for that interpreter, or choose one " +
            $"that has it with PythonRuntimeOptions.PythonPath or the {PythonInstallation.EnvironmentVariable} environment variable " +
            "(an executable, a bare name looked up on PATH, a venv's bin/python, or a libpython).", importError);
    }

    private static nint LoadNumPy()
    {
        nint numpy = 0, version = 0;
        try
        {
            fixed (byte* name = "numpy\0"u8)
                numpy = PyImport_ImportModule(name);
            if (numpy == 0)
                ThrowNumPyMissing(PythonErrors.FetchPending());
            fixed (byte* name = "__version__\0"u8)
                version = PythonErrors.Check(PyObject_GetAttrString(numpy, name));
            s_numPy = NumPyVersion.Parse(PythonConvert.ToStringExact(version));
            nint asarray;
            fixed (byte* name = "asarray\0"u8)
                asarray = PythonErrors.Check(PyObject_GetAttrString(numpy, name));
            var args = PyTuple_New(1);
            if (args == 0)
            {
                Py_DecRef(asarray);
                throw PythonErrors.FetchPending();
            }
            Py_IncRef(Py_None);
            _ = PyTuple_SetItem(args, 0, Py_None); // steals; a new tuple is unshared
            if (s_asarray != 0)
            {
                // Another thread got here while the import (or the tuple's allocation) let the GIL go.
                Py_DecRef(args);
                Py_DecRef(asarray);
                return s_asarray;
            }
            s_args = args;
            Volatile.Write(ref s_asarray, asarray); // after s_numPy: readers check s_asarray first
            return asarray;
        }
        finally
        {
            Py_DecRef(version);
            Py_DecRef(numpy);
        }
    }
}
