namespace NdBridge.Python;

/// <summary>
/// Runs a <see cref="PythonModuleAttribute">[PythonModule]</see> function without the GIL (as nanobind's
/// <c>gil_scoped_release</c> or PyO3's <c>allow_threads</c>): arguments are converted first, then other Python threads
/// run while the method computes. Array arguments stay valid (their exports are held); the method may take the GIL
/// back with <see cref="PythonGil.Acquire"/> to use Python objects.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ReleaseGilAttribute : Attribute;
