using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// The CPython C API, stable ABI only, as function pointers resolved from the loaded libpython.
/// One partial file per area; C names verbatim. Nothing here reads an object's fields by offset.
/// </summary>
/// <remarks>
/// Every <c>PyObject*</c> is an <see cref="nint"/>. A function's comment says whether its result is a
/// new or a borrowed reference and whether it steals an argument. All calls need the GIL unless noted.
/// </remarks>
internal static unsafe partial class CPython
{
    /// <summary>The handle of the loaded libpython (from <c>dlopen</c>); 0 before <see cref="Bind"/>.</summary>
    internal static nint Library { get; private set; }

    /// <summary>Resolves every declared function and data symbol from <paramref name="library"/>.</summary>
    /// <exception cref="EntryPointNotFoundException">The library lacks a symbol (not a libpython ≥ 3.11).</exception>
    internal static void Bind(nint library)
    {
        BindLifecycle(library);
        BindObject(library);
        BindErrors(library);
        BindNumbers(library);
        BindUnicode(library);
        BindCollections(library);
        BindEval(library);
        BindBuffer(library);
        BindMethods(library);
        BindTypes(library);
        BindModules(library);
        Library = library;
    }

    /// <summary>The address of <paramref name="name"/> in <paramref name="library"/>.</summary>
    private static nint Export(nint library, string name) => NativeLibrary.GetExport(library, name);

    /// <summary>The value of a <c>PyObject*</c> global variable (<c>PyExc_TypeError</c> and friends).</summary>
    private static nint ReadPointerVariable(nint library, string name) => *(nint*)Export(library, name);
}
