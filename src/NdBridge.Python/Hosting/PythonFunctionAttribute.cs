namespace NdBridge.Python;

/// <summary>Names a <see cref="PythonModuleAttribute">[PythonModule]</see> function in Python instead of the method's snake_case name.</summary>
/// <param name="name">The function's name in Python.</param>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PythonFunctionAttribute(string name) : Attribute
{
    /// <summary>The function's name in Python.</summary>
    public string Name { get; } = name;
}
