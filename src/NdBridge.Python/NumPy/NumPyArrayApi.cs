namespace NdBridge.Python;

/// <summary>
/// The few functions of NumPy's C API the handoff uses, read from NumPy's function table (the <c>_ARRAY_API</c>
/// capsule) without compiling against NumPy. Made only for a table version listed in <see cref="Serves"/>; any
/// other version gets no instance, and the handoff goes through <c>numpy.asarray</c> instead.
/// </summary>
/// <remarks>
/// Slots are those of NumPy's generated <c>__multiarray_api.h</c>, identical in 1.24 and 2.2 for every function
/// used here (0 <c>PyArray_GetNDArrayCVersion</c>, 2 <c>PyArray_Type</c>, 94 <c>PyArray_NewFromDescr</c>,
/// 95 <c>PyArray_DescrNew</c>, 211 <c>PyArray_GetNDArrayCFeatureVersion</c>, 282 <c>PyArray_SetBaseObject</c>); their signatures did not change
/// between the two ABIs. The table lives as long as NumPy, i.e. the process.
/// </remarks>
internal sealed unsafe class NumPyArrayApi
{
    /// <summary>
    /// The (ABI version, feature version) pairs whose tables were read and checked slot by slot: NumPy 1.24
    /// (ABI <c>0x01000009</c>, feature <c>0x10</c>) and NumPy 2.2 (ABI <c>0x02000000</c>, feature <c>0x13</c>).
    /// </summary>
    internal static readonly (uint AbiVersion, uint FeatureVersion)[] Serves = [(0x01000009, 0x10), (0x02000000, 0x13)];

    private const int GetNDArrayCVersionSlot = 0;
    private const int TypeSlot = 2;
    private const int NewFromDescrSlot = 94;
    private const int DescrNewSlot = 95;
    private const int GetNDArrayCFeatureVersionSlot = 211;
    private const int SetBaseObjectSlot = 282;

    /// <summary><c>NPY_ARRAY_ALIGNED</c>.</summary>
    internal const int NPY_ARRAY_ALIGNED = 0x0100;

    /// <summary><c>NPY_ARRAY_WRITEABLE</c>.</summary>
    internal const int NPY_ARRAY_WRITEABLE = 0x0400;

    private NumPyArrayApi(void** table, uint abiVersion, uint featureVersion)
    {
        AbiVersion = abiVersion;
        FeatureVersion = featureVersion;
        PyArray_Type = (nint)table[TypeSlot];
        PyArray_NewFromDescr = (delegate* unmanaged<nint, nint, int, nint*, nint*, void*, int, nint, nint>)table[NewFromDescrSlot];
        PyArray_DescrNew = (delegate* unmanaged<nint, nint>)table[DescrNewSlot];
        PyArray_SetBaseObject = (delegate* unmanaged<nint, nint, int>)table[SetBaseObjectSlot];
    }

    /// <summary>The table's <c>PyArray_GetNDArrayCVersion()</c> (<c>NPY_ABI_VERSION</c>).</summary>
    internal uint AbiVersion { get; }

    /// <summary>The table's <c>PyArray_GetNDArrayCFeatureVersion()</c> (<c>NPY_API_VERSION</c>).</summary>
    internal uint FeatureVersion { get; }

    /// <summary><c>PyArray_Type</c>: the address of <c>numpy.ndarray</c>.</summary>
    internal nint PyArray_Type { get; }

    /// <summary>
    /// <c>PyObject *PyArray_NewFromDescr(PyTypeObject *subtype, PyArray_Descr *descr, int nd, npy_intp const *dims,
    /// npy_intp const *strides, void *data, int flags, PyObject *obj)</c>: new reference; steals <c>descr</c> (also on failure).
    /// </summary>
    internal delegate* unmanaged<nint, nint, int, nint*, nint*, void*, int, nint, nint> PyArray_NewFromDescr { get; }

    /// <summary><c>PyArray_Descr *PyArray_DescrNew(PyArray_Descr *base)</c>: new reference, a copy of <c>base</c>.</summary>
    internal delegate* unmanaged<nint, nint> PyArray_DescrNew { get; }

    /// <summary><c>int PyArray_SetBaseObject(PyArrayObject *arr, PyObject *obj)</c>: steals <c>obj</c> (also on failure).</summary>
    internal delegate* unmanaged<nint, nint, int> PyArray_SetBaseObject { get; }

    /// <summary>The versions a table reports about itself (slots 0 and 211, present in every NumPy since 1.4).</summary>
    internal static (uint AbiVersion, uint FeatureVersion) ReadVersions(void** table) =>
        (((delegate* unmanaged<uint>)table[GetNDArrayCVersionSlot])(),
         ((delegate* unmanaged<uint>)table[GetNDArrayCFeatureVersionSlot])());

    /// <summary>The API over <paramref name="table"/> when its versions are ones this class serves; otherwise null.</summary>
    internal static NumPyArrayApi? TryBind(void** table, uint abiVersion, uint featureVersion) =>
        table != null && Array.IndexOf(Serves, (abiVersion, featureVersion)) >= 0
            ? new NumPyArrayApi(table, abiVersion, featureVersion)
            : null;
}
