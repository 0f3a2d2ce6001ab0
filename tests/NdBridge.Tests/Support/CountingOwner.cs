using System.Runtime.InteropServices;

namespace NdBridge.Tests.Support;

/// <summary>
/// An owner as a bridge writes one: counts its releases and says whether the last came from a finalizer; with a
/// byte length, it also owns zeroed native memory (<see cref="Memory"/>) and frees it on release.
/// </summary>
internal sealed unsafe class CountingOwner(nint byteLength = 0) : NdMemoryOwner
{
    public readonly byte* Memory = byteLength > 0 ? (byte*)NativeMemory.AllocZeroed((nuint)byteLength) : null;
    public int Releases;
    public bool? OnFinalizerThread;

    protected override void ReleaseMemory(bool onFinalizerThread)
    {
        Interlocked.Increment(ref Releases);
        OnFinalizerThread = onFinalizerThread;
        NativeMemory.Free(Memory); // NULL when the test owns the memory
    }
}
