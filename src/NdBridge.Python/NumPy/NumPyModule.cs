namespace NdBridge.Python;

/// <summary>
/// What the handoff needs from the running NumPy, loaded once per process (NumPy cannot be unloaded): <c>numpy.asarray</c>,
/// the dimension limit, the C API table when its version is one <see cref="NumPyArrayApi"/> serves, and NumPy's own
/// PEP 3118 parser. What differs between NumPy 1.x and 2.x (the package, the dimension limit) comes from
/// <see cref="NumPyVersion"/>, asked of the running NumPy; whether its C API is used, from the table's own version
/// (<see cref="NumPyArrayApi"/>). All members need the GIL.
/// </summary>
internal static unsafe class NumPyModule
{
    private static nint s_asarray;
    private static NumPyVersion s_version;
    private static NumPyArrayApi? s_api;
    private static nint s_dtypeFromPep3118;

    /// <summary><c>numpy.asarray</c> (a reference kept for the process).</summary>
    internal static nint AsArray => s_asarray != 0 ? s_asarray : Load();

    /// <summary>The running NumPy's version (<c>numpy.__version__</c>).</summary>
    internal static NumPyVersion Version
    {
        get
        {
            _ = AsArray;
            return s_version;
        }
    }

    /// <summary>The C API of the running NumPy, or null when its table version is not one <see cref="NumPyArrayApi"/> serves.</summary>
    internal static NumPyArrayApi? Api
    {
        get
        {
            _ = AsArray;
            return s_api;
        }
    }

    /// <summary>The running NumPy's C API table (the <c>_ARRAY_API</c> capsule's pointer), whatever its version.</summary>
    internal static void** Table { get; private set; }

    /// <summary>
    /// <c>_internal._dtype_from_pep3118</c>: the parser NumPy's buffer import calls for a format string
    /// (<c>_descriptor_from_pep3118_format</c> in NumPy's <c>buffer.c</c>). A reference kept for the process.
    /// </summary>
    internal static nint DTypeFromPep3118
    {
        get
        {
            _ = AsArray;
            return s_dtypeFromPep3118;
        }
    }

    private static nint Load()
    {
        var imported = Import("numpy");
        if (imported == 0)
            ThrowNumPyMissing(PythonErrors.FetchPending());
        using var numpy = PythonObject.FromNewReference(imported);
        var version = NumPyVersion.Parse(numpy.GetAttr<string>("__version__"));
        var package = version.CorePackage;
        var multiarray = PythonErrors.Check(Import(package + "._multiarray_umath"));
        void** table;
        using (var module = PythonObject.FromNewReference(multiarray))
        using (var capsule = module.GetAttr("_ARRAY_API"))
            table = (void**)PythonErrors.Check((nint)CPython.PyCapsule_GetPointer(capsule.DangerousGetBorrowedReference(), null));
        var (abiVersion, featureVersion) = NumPyArrayApi.ReadVersions(table);
        var api = NumPyArrayApi.TryBind(table, abiVersion, featureVersion);

        using var internals = PythonObject.FromNewReference(PythonErrors.Check(Import(package + "._internal")));
        var dtypeFromPep3118 = internals.GetAttr("_dtype_from_pep3118").ToNewReference();
        var asarray = numpy.GetAttr("asarray").ToNewReference();
        if (s_asarray != 0)
        {
            // Another thread got here while an import let the GIL go.
            CPython.Py_DecRef(dtypeFromPep3118);
            CPython.Py_DecRef(asarray);
            return s_asarray;
        }
        s_version = version;
        Table = table;
        s_api = api;
        s_dtypeFromPep3118 = dtypeFromPep3118;
        Volatile.Write(ref s_asarray, asarray); // last: readers check s_asarray first
        return asarray;
    }

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

    private static nint Import(string name)
    {
        var utf8 = Utf8Z.Encode(name, nameof(name));
        fixed (byte* n = utf8)
            return CPython.PyImport_ImportModule(n);
    }
}
