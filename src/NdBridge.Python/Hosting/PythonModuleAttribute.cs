namespace NdBridge.Python;

/// <summary>
/// Marks a public static class as a Python module: <c>ndbridge.load("Lib.dll")</c> in a Python process returns it as
/// a module (also put in <c>sys.modules</c>) whose functions are the class's public static methods, named in
/// snake_case (<c>PaddedMatrix</c> → <c>padded_matrix</c>) unless <see cref="PythonFunctionAttribute"/> names one.
/// </summary>
/// <remarks>
/// <para>Parameters (keyword arguments use the parameter's snake_case name; optional parameters take their defaults):</para>
/// <list type="table">
/// <listheader><term>.NET type</term><description>accepts</description></listheader>
/// <item><term><see cref="NdBuffer"/></term><description>any buffer-protocol, <c>__array_interface__</c> or DLPack
/// object, imported without a copy and read-only unless the parameter is <see cref="WritableAttribute">[Writable]</see>;
/// valid for the call (disposed when it returns: keep a copy, not the buffer).</description></item>
/// <item><term><c>ReadOnlyMemory&lt;T&gt;</c>, <c>Memory&lt;T&gt;</c></term><description>a C-contiguous array of exactly
/// <c>T</c> in native byte order, aligned: no copy (<c>Memory&lt;T&gt;</c> needs a writable array). The Python object
/// stays exported (a <c>bytearray</c> cannot be resized) until .NET collects the memory.</description></item>
/// <item><term><c>T[]</c>, <c>T[,]</c>, <c>T[,,]</c></term><description>an array of that rank and element type, any
/// layout or byte order: <b>a copy</b>.</description></item>
/// <item><term>numbers, <see cref="bool"/>, <see cref="string"/></term><description><c>int</c> (range-checked),
/// <c>float</c> (or <c>int</c>), <c>True</c>/<c>False</c>, <c>str</c>.</description></item>
/// <item><term><see cref="PythonObject"/></term><description>any object, passed through.</description></item>
/// <item><term>a <see cref="PythonClassAttribute">[PythonClass]</see></term><description>an instance of its Python
/// type (the same .NET object); a closed one is refused with <c>ValueError</c>.</description></item>
/// <item><term>a delegate (<c>Func&lt;...&gt;</c>, <c>Action&lt;...&gt;</c>)</term><description>any callable: the
/// delegate takes the GIL, passes its arguments as results are passed (arrays as zero-copy NumPy views) and converts
/// what the callable returns; a Python exception inside is a <see cref="PythonException"/>.</description></item>
/// </list>
/// <para>Results: <see cref="NdBuffer"/>, <c>T[]</c>, <c>T[,]</c>, <c>T[,,]</c>, <c>Memory&lt;T&gt;</c> and
/// <c>ReadOnlyMemory&lt;T&gt;</c> become a <c>numpy.ndarray</c> over the .NET memory (pinned or owned; the array keeps
/// it alive; a returned <see cref="NdBuffer"/> is not disposed); numbers, strings and <see cref="bool"/> their Python
/// values; <c>void</c> <c>None</c>; value tuples tuples; <see cref="PythonObject"/> the object; a
/// <see cref="PythonClassAttribute">[PythonClass]</see> object its Python instance (the same one while it lives).</para>
/// <para>Exceptions: <see cref="ArgumentException"/> → <c>ValueError</c>, <see cref="IndexOutOfRangeException"/> →
/// <c>IndexError</c>, <see cref="KeyNotFoundException"/> → <c>KeyError</c>, <see cref="InvalidCastException"/> and
/// <see cref="NotSupportedException"/> → <c>TypeError</c>, <see cref="ObjectDisposedException"/> → <c>ValueError</c> (as a
/// closed file), <see cref="BufferExportedException"/> → <c>BufferError</c>, <see cref="OutOfMemoryException"/> → <c>MemoryError</c>,
/// others <c>RuntimeError</c>; the message names the .NET type, and the exception's <c>dotnet_type</c> and
/// <c>dotnet_stack_trace</c> attributes hold it and the .NET stack trace. A <see cref="PythonException"/> leaves as
/// the original Python exception object.</para>
/// </remarks>
/// <param name="name">The module's name in Python (a dotted name is allowed: <c>"mylib.linalg"</c>).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class PythonModuleAttribute(string name) : Attribute
{
    /// <summary>The module's name in Python.</summary>
    public string Name { get; } = name;
}
