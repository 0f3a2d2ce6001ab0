using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// What a Python instance of a <see cref="PythonClassAttribute">[PythonClass]</see> knows of its .NET object. The
/// instance's one slot holds a <see cref="GCHandle"/> of this record (so the instance keeps the object alive);
/// <c>tp_dealloc</c> frees it. Fields other than the counter are guarded by the GIL.
/// </summary>
internal sealed class InstanceRecord
{
    private static long s_liveCount;

    private InstanceRecord(object target)
    {
        Target = target;
        Interlocked.Increment(ref s_liveCount);
    }

    /// <summary>Records whose Python instance has not been deallocated (each holds one <see cref="GCHandle"/>).</summary>
    internal static long LiveCount => Interlocked.Read(ref s_liveCount);

    /// <summary>The .NET object.</summary>
    internal object Target { get; }

    /// <summary>The Python instance (borrowed: the identity map never keeps it alive).</summary>
    internal nint Self { get; set; }

    /// <summary>Set by <c>close()</c>: every member then raises <c>ValueError</c>.</summary>
    internal bool IsClosed { get; set; }

    /// <summary>The <see cref="ExportTable"/> index of the buffer-protocol export while views are alive, else -1.</summary>
    internal int ExportIndex { get; set; } = -1;

    /// <summary>The buffer that export describes (the source's <see cref="IPythonBufferSource.Buffer"/> when it began).</summary>
    internal NdBuffer? ExportedBuffer { get; set; }

    /// <summary>
    /// The <c>ndbridge.BufferExport</c>s (owned references) kept for <c>__array_interface__</c> readers until the instance
    /// dies, the newest last: one per buffer the source has exposed, since arrays made from an older one may still view it.
    /// </summary>
    internal List<nint>? InterfaceExports { get; set; }

    /// <summary>The buffer the newest of <see cref="InterfaceExports"/> exports.</summary>
    internal NdBuffer? InterfaceBuffer { get; set; }

    /// <summary>A <see cref="GCHandle"/> (as <see cref="nint"/>) of a new record for <paramref name="target"/>: a constructor binding's result.</summary>
    internal static nint NewHandle(object target) => GCHandle.ToIntPtr(GCHandle.Alloc(new InstanceRecord(target)));

    /// <summary>Frees the handle of a record whose instance is gone.</summary>
    internal static void FreeHandle(nint handle)
    {
        GCHandle.FromIntPtr(handle).Free();
        Interlocked.Decrement(ref s_liveCount);
    }
}
