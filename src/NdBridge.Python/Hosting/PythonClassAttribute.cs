namespace NdBridge.Python;

/// <summary>
/// Makes a public class a Python type, an attribute of a <see cref="PythonModuleAttribute">[PythonModule]</see> of the
/// same assembly: public constructors become <c>__init__</c> (overloads chosen by argument count and type), public
/// instance and static methods and instance properties their snake_case names (<see cref="PythonFunctionAttribute"/>
/// renames a method), <see cref="object.ToString"/> <c>__repr__</c>, indexers <c>__getitem__</c>/<c>__setitem__</c>
/// (a tuple key for several indices), <see cref="IDisposable"/> <c>close()</c> and the <c>with</c> statement, and an
/// override of <see cref="object.Equals(object)"/> <c>==</c> and <c>hash()</c>.
/// </summary>
/// <remarks>
/// <para>Instances cross both ways as parameters and results of module functions and methods. A Python instance keeps its
/// .NET object alive until Python's last reference goes, and a .NET object handed to Python twice is the same Python
/// object while that object lives. A class that implements <see cref="IPythonBufferSource"/> also exports its memory
/// (the buffer protocol, <c>__array_interface__</c>, <c>__dlpack__</c>).</para>
/// <para>After <c>close()</c> every member raises <c>ValueError</c>, as a closed file does.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PythonClassAttribute : Attribute
{
    /// <summary>The type's name in Python; the class's name when null.</summary>
    public string? Name { get; set; }

    /// <summary>
    /// The name of the <see cref="PythonModuleAttribute">[PythonModule]</see> the type belongs to; may be left out when
    /// the assembly declares one module.
    /// </summary>
    public string? Module { get; set; }
}
