using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// The owner of memory imported from Python: holds a <c>Py_buffer</c> (in native memory, since exporters may
/// point its <c>shape</c>/<c>strides</c> into the struct itself) and, for <c>__array_interface__</c> sources, a
/// reference to the object whose memory the interface describes. Released by <c>PyBuffer_Release</c> and
/// <c>Py_DecRef</c> under the GIL from whichever thread lets go; queued when that is the finalizer thread; a
/// no-op once the interpreter is finalised.
/// </summary>
internal sealed unsafe class PythonBufferOwner : NdMemoryOwner
{
    /// <summary>What one import holds, in one native block.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Holding
    {
        /// <summary>The exporter's view; <c>obj</c> is 0 when no buffer was requested (an address from <c>__array_interface__</c>).</summary>
        public CPython.Py_buffer View;

        /// <summary>A new reference kept alive beside the view (the <c>__array_interface__</c> object), or 0.</summary>
        public nint HeldObject;
    }

    private static long s_liveHoldings; // allocated and freed with the GIL held: the GIL orders the counting

    private readonly Holding* _holding;

    private PythonBufferOwner(Holding* holding) => _holding = holding;

    /// <summary>Holdings allocated and not yet freed (an import's native block; for leak tests).</summary>
    internal static long LiveHoldingCount => Volatile.Read(ref s_liveHoldings);

    /// <summary>The view this owner holds.</summary>
    internal CPython.Py_buffer* View => &_holding->View;

    /// <summary>A native <see cref="Holding"/> holding nothing yet (the GIL is held); free it with <see cref="FreeUnowned"/> until <see cref="TakeOver"/> succeeds.</summary>
    internal static Holding* AllocateHolding()
    {
        // Not zeroed as a whole, as CPython's memoryview leaves its Py_buffer: the exporter fills every field (and
        // a 64-byte vector store just before the exporter's narrow stores and reads cost 200 ns per import here).
        var holding = (Holding*)NativeMemory.Alloc((nuint)sizeof(Holding));
        holding->View.obj = 0;
        holding->HeldObject = 0;
        s_liveHoldings++;
        return holding;
    }

    /// <summary>Frees a holding no owner took over (a failed import); releases what it holds. Needs the GIL.</summary>
    internal static void FreeUnowned(Holding* holding) => ReleaseHolding((nint)holding);

    /// <summary>
    /// Makes an owner of a filled holding (its view acquired, its object referenced): from now on the owner
    /// releases them. Counts one dependent of the interpreter, so shutdown refuses while it lives.
    /// </summary>
    internal static PythonBufferOwner TakeOver(Holding* holding)
    {
        PythonRuntime.RegisterDependent();
        return new PythonBufferOwner(holding);
    }

    /// <inheritdoc/>
    protected override void ReleaseMemory(bool onFinalizerThread) =>
        PythonRuntime.Release((nint)_holding, &ReleaseHolding, onFinalizerThread);

    // Runs with the GIL held, exactly once per holding; must not throw.
    private static void ReleaseHolding(nint state)
    {
        var holding = (Holding*)state;
        if (holding->View.obj != 0)
            CPython.PyBuffer_Release(&holding->View); // calls the exporter's releasebuffer, then decrefs view.obj
        if (holding->HeldObject != 0)
            CPython.Py_DecRef(holding->HeldObject);
        NativeMemory.Free(holding);
        s_liveHoldings--;
    }
}
