namespace NdBridge.Python;

/// <summary>The C entry points of the exported type, named for the test-only fault hook.</summary>
internal enum ExportSlot
{
    /// <summary><c>bf_getbuffer</c>.</summary>
    GetBuffer,
    /// <summary><c>bf_releasebuffer</c> (cannot fail: errors go to <c>sys.unraisablehook</c>).</summary>
    ReleaseBuffer,
    /// <summary><c>tp_dealloc</c> (cannot fail: errors go to <c>sys.unraisablehook</c>).</summary>
    Dealloc,
    /// <summary>The <c>__array_interface__</c> getter.</summary>
    ArrayInterface,
}
