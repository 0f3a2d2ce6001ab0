namespace NdBridge.Python;

/// <summary>An assembly whose modules cannot be made (none declared, two with one name, a method that cannot be bound); leaves as Python's <c>ImportError</c>.</summary>
internal sealed class ModuleDefinitionException : Exception
{
    private ModuleDefinitionException(string message)
        : base(message)
    {
    }

    internal static ModuleDefinitionException Create(string message) => new(message);
}
