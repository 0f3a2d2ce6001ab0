namespace NdBridge.Python;

/// <summary>
/// Declares that an <see cref="NdBuffer"/> parameter of a <see cref="PythonModuleAttribute">[PythonModule]</see>
/// function writes to the array: it is imported writable, and a read-only array is refused with a <c>TypeError</c>
/// saying how to pass a writable one. Without it the buffer is read-only.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class WritableAttribute : Attribute;
