using System.Runtime.InteropServices;
using static NdBridge.Python.CPython;

namespace NdBridge.Python;

/// <summary>
/// The buffer slots, <c>__array_interface__</c> and <c>__dlpack__</c> of an <see cref="IPythonBufferSource"/> class,
/// through the export machinery of <c>ndbridge.BufferExport</c> (<see cref="ExportState"/>, <see cref="ExportTable"/>,
/// <see cref="BufferExportType.Fill"/>): every view holds the memory, and the source's <see cref="BufferExportGuard"/>
/// counts it.
/// </summary>
/// <remarks>
/// Buffer protocol: the first view attaches an export state to the instance's record, the last release detaches it;
/// <c>view->obj</c> is the instance itself. <c>__array_interface__</c>: its reader keeps the instance, never a view, and
/// never says when it is done, so the instance keeps the memory it described (one <c>BufferExport</c>) until it dies,
/// uncounted: counting it would forbid a resize for the object's whole life after a mere read of the attribute. <c>__dlpack__</c>: the capsule holds a
/// buffer whose release ends the count, so it lasts until the consumer's deleter runs.
/// </remarks>
internal sealed unsafe partial class TypeBinding
{
    [UnmanagedCallersOnly]
    private static int GetBuffer(nint self, Py_buffer* view, int flags)
    {
        try
        {
            if (view == null)
                return BufferExportType.Refuse(view, "NULL view in getbuffer\0"u8);
            var binding = BindingOfInstance(self);
            var record = PythonInstances.Use(self, binding);
            var source = (IPythonBufferSource)record.Target;
            var buffer = source.Buffer ?? throw new InvalidOperationException($"{binding.QualifiedName}.Buffer is null: there is no storage to export");
            ExportState state;
            if (record.ExportIndex < 0)
            {
                record.ExportIndex = ExportTable.Rent(buffer);
                record.ExportedBuffer = buffer;
                state = ExportTable.Get(record.ExportIndex);
            }
            else
            {
                state = ExportTable.Get(record.ExportIndex);
                if (!ReferenceEquals(buffer, record.ExportedBuffer))
                    throw new BufferExportedException(
                        $"{binding.QualifiedName} replaced its storage while Python views the old one: call Exports.ThrowIfExported() before replacing it, and retry once the views are gone");
            }
            var status = BufferExportType.Fill(state, self, view, flags);
            if (status == 0)
                source.Exports.Enter();
            else if (state.ActiveViewCount == 0)
                EndExport(record);
            return status;
        }
        catch (Exception exception)
        {
            // The slot boundary: no managed exception unwinds into C.
            if (view != null)
                view->obj = 0;
            ExceptionTranslation.Raise(exception);
            return -1;
        }
    }

    [UnmanagedCallersOnly]
    private static void ReleaseBuffer(nint self, Py_buffer* view)
    {
        // Never decrefs view->obj: PyBuffer_Release does that after this returns (self is alive until then).
        var record = PythonInstances.RecordOf(self);
        if (record is null || record.ExportIndex < 0)
            return;
        var state = ExportTable.Get(record.ExportIndex);
        state.ActiveViewCount--;
        ((IPythonBufferSource)record.Target).Exports.Exit();
        if (state.ActiveViewCount == 0)
        {
            try
            {
                EndExport(record);
            }
            catch (Exception exception)
            {
                BufferExportType.ReportUnraisable(exception, self);
            }
        }
    }

    // Detaches the state (its holder released: the memory itself when the class already let it go) and returns the index.
    private static void EndExport(InstanceRecord record)
    {
        var index = record.ExportIndex;
        record.ExportIndex = -1;
        record.ExportedBuffer = null;
        try
        {
            ExportTable.Get(index).Detach();
        }
        finally
        {
            ExportTable.Return(index);
        }
    }

    [UnmanagedCallersOnly]
    private static nint ArrayInterface(nint self, void* closure)
    {
        try
        {
            var record = PythonInstances.Use(self, BindingOfInstance(self));
            var source = (IPythonBufferSource)record.Target;
            var buffer = source.Buffer;
            NdBufferPythonExtensions.ValidateForNumPy(buffer); // suboffsets and item types NumPy has no type for: ToNumPy's refusal
            var exports = record.InterfaceExports ??= [];
            if (exports.Count == 0 || !ReferenceEquals(buffer, record.InterfaceBuffer))
            {
                exports.Add(BufferExportType.Create(buffer));
                record.InterfaceBuffer = buffer;
            }
            return BufferExportType.ArrayInterface(BufferExportType.StateOf(exports[^1])!);
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    private static void ReleaseInterfaceExports(InstanceRecord record)
    {
        var exports = record.InterfaceExports;
        if (exports is null)
            return;
        record.InterfaceExports = null;
        record.InterfaceBuffer = null;
        foreach (var export in exports)
            Py_DecRef(export);
    }

    [UnmanagedCallersOnly]
    private static nint DLPack(nint self, nint args, nint kwargs)
    {
        try
        {
            var record = PythonInstances.Use(self, BindingOfInstance(self));
            var source = (IPythonBufferSource)record.Target;
            var buffer = source.Buffer;
            var guard = source.Exports;
            var held = buffer.AsReadOnly(); // a holder on the memory for as long as the capsule's buffer lives
            guard.Enter();
            NdBuffer counted;
            try
            {
                counted = NdBuffer.DangerousFromPointer(buffer.DangerousGetPointer(), buffer.Format, buffer.Layout, buffer.IsReadOnly, _ =>
                {
                    held.Dispose();
                    guard.Exit();
                });
            }
            catch
            {
                held.Dispose();
                guard.Exit();
                throw;
            }
            nint export, method = 0;
            using (counted)
                export = BufferExportType.Create(counted);
            try
            {
                fixed (byte* name = "__dlpack__\0"u8)
                    method = PythonErrors.Check(PyObject_GetAttrString(export, name));
                return PyObject_Call(method, args, kwargs);
            }
            finally
            {
                Py_DecRef(method);
                Py_DecRef(export);
            }
        }
        catch (Exception exception)
        {
            ExceptionTranslation.Raise(exception);
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static nint DLPackDevice(nint self, nint unused) => DLPackMethods.DunderDLPackDevice();
}
