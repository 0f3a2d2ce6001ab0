namespace NdBridge.Python;

/// <summary>What a <see cref="FunctionBinding"/> calls.</summary>
internal enum FunctionKind
{
    /// <summary>A static method: a module function or a type's static method.</summary>
    Function,
    /// <summary>An instance method, called on the .NET object of the Python instance (<c>$self</c>).</summary>
    Method,
    /// <summary>A constructor: <c>__init__</c>.</summary>
    Constructor,
}
