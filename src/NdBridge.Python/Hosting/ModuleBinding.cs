namespace NdBridge.Python;

/// <summary>One <see cref="PythonModuleAttribute"/> class bound as a Python module: its name, functions and types (what stubs describe).</summary>
internal sealed class ModuleBinding
{
    internal ModuleBinding(Type type, string name, List<FunctionBinding> functions, List<TypeBinding> classes)
    {
        Type = type;
        Name = name;
        Functions = functions;
        Classes = classes;
    }

    internal Type Type { get; }

    /// <summary>The module's name in <c>sys.modules</c> (dotted names are submodules).</summary>
    internal string Name { get; }

    internal List<FunctionBinding> Functions { get; }

    /// <summary>The <see cref="PythonClassAttribute">[PythonClass]</see> types that are attributes of the module.</summary>
    internal List<TypeBinding> Classes { get; }

    /// <summary>The class's XML documentation, when its assembly has a documentation file that documents it.</summary>
    internal MemberDocumentation? Documentation { get; set; }

    /// <summary>The module's <c>__doc__</c>: the class's summary, then where it comes from.</summary>
    internal string DocString(string path) =>
        (Documentation?.Summary is { } summary ? summary + "\n\n" : "") + $"{Type.FullName} from {System.IO.Path.GetFileName(path)}, loaded by NdBridge.";
}
