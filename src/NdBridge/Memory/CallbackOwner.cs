namespace NdBridge;

/// <summary>Memory given as a raw pointer; the caller's callback (if any) releases it.</summary>
internal sealed class CallbackOwner(nint address, Action<nint>? release) : NdMemoryOwner
{
    protected override void ReleaseMemory(bool onFinalizerThread) => release?.Invoke(address);
}
