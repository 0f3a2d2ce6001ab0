using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>The exported type's <c>__dlpack__</c> and <c>__dlpack_device__</c> (entries of its method table).</summary>
internal static unsafe partial class BufferExportType
{
    [UnmanagedCallersOnly]
    private static nint DLPack(nint self, nint* args, nint positionalCount, nint keywordNames)
    {
        try
        {
            var state = StateOf(self);
            if (state is null)
                return DLPackMethods.SetError(CPython.PyExc_BufferError, $"{Name} is not initialised");
            using var gil = PythonGil.Acquire(); // the caller holds the GIL; this records it for NdBridge
            // The export holds a holder on the owner while it lives: the tensor keeps the export.
            var source = new DLPackSource(state.Owner, state.Format, state.Layout, state.Origin, state.IsReadOnly, keeper: self);
            return DLPackMethods.DunderDLPack(source, args, positionalCount, keywordNames);
        }
        catch (Exception exception)
        {
            // The method boundary: no managed exception unwinds into C.
            PythonErrors.SetFromManaged(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint DLPackDevice(nint self, nint unused) => DLPackMethods.DunderDLPackDevice();
}
