using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace NdBridge.Python;

/// <summary>
/// One <see cref="PythonClassAttribute">[PythonClass]</see> as a Python heap type (nanobind's <c>nb_type</c>): its
/// constructors, instance methods (overload groups), static methods, properties and indexers, each a
/// <see cref="FunctionBinding"/> or <see cref="PropertyBinding"/> with its <see cref="ParameterBinding"/>s and result
/// type; what the class implements (<see cref="IDisposable"/>, value equality, <see cref="IPythonBufferSource"/>) picks
/// the type's slots. A stub writer walks this model; <see cref="CreatePythonType"/> makes the type.
/// </summary>
internal sealed unsafe partial class TypeBinding
{
    private TypeBinding(Type type, string moduleName, string pythonName)
    {
        Type = type;
        ModuleName = moduleName;
        PythonName = pythonName;
        QualifiedName = moduleName + "." + pythonName;
    }

    /// <summary>The .NET class.</summary>
    internal Type Type { get; }

    /// <summary>The module the type is an attribute of.</summary>
    internal string ModuleName { get; }

    /// <summary>The type's name in Python.</summary>
    internal string PythonName { get; }

    /// <summary><c>module.Type</c>: the type's <c>__module__</c> and <c>__qualname__</c>.</summary>
    internal string QualifiedName { get; }

    /// <summary>The public constructors (<c>__init__</c>); none makes the type uninstantiable from Python.</summary>
    internal MethodGroup? Constructors { get; private set; }

    /// <summary>Public instance methods, by Python name.</summary>
    internal MethodGroup[] Methods { get; private set; } = [];

    /// <summary>Public static methods (functions reached through the type or an instance).</summary>
    internal FunctionBinding[] StaticMethods { get; private set; } = [];

    /// <summary>Public instance properties without parameters.</summary>
    internal PropertyBinding[] Properties { get; private set; } = [];

    /// <summary>The indexers' getters (<c>__getitem__</c>), or null.</summary>
    internal MethodGroup? IndexGetters { get; private set; }

    /// <summary>The indexers' setters (<c>__setitem__</c>; the value is the last parameter), or null.</summary>
    internal MethodGroup? IndexSetters { get; private set; }

    /// <summary>The class implements <see cref="IDisposable"/>: <c>close()</c>, <c>__enter__</c>, <c>__exit__</c>.</summary>
    internal bool IsDisposable { get; private set; }

    /// <summary>The class overrides <see cref="object.Equals(object)"/> or implements <see cref="IEquatable{T}"/>: <c>==</c> and <c>hash()</c>.</summary>
    internal bool HasValueEquality { get; private set; }

    /// <summary>The class overrides <see cref="object.ToString"/>: <c>__repr__</c>.</summary>
    internal bool HasRepr { get; private set; }

    /// <summary>The class implements <see cref="IPythonBufferSource"/>: the buffer slots, <c>__array_interface__</c>, <c>__dlpack__</c>.</summary>
    internal bool IsBufferSource { get; private set; }

    /// <summary>The class's XML documentation, when its assembly has a documentation file that documents it.</summary>
    internal MemberDocumentation? Documentation { get; set; }

    /// <summary>Every method and constructor binding: constructors, instance overloads, static methods, indexers.</summary>
    internal IEnumerable<FunctionBinding> Functions() =>
        (Constructors?.Overloads ?? []).Concat(Methods.SelectMany(m => m.Overloads)).Concat(StaticMethods)
            .Concat(IndexGetters?.Overloads ?? []).Concat(IndexSetters?.Overloads ?? []);

    /// <summary>
    /// The type's docstring: the <c>__text_signature__</c> of its one constructor, the class's summary, the constructor's
    /// parameters, and the .NET class.
    /// </summary>
    internal string DocString()
    {
        var text = new System.Text.StringBuilder();
        if (Constructors is { Overloads: [var constructor] } && constructor.TextSignature() is { } signature)
            text.Append(PythonName).Append(signature[signature.IndexOf('(')..].Replace("$self, ", "").Replace("$self", "")).Append("\n--\n\n");
        if (Documentation?.Summary is { } summary)
            text.Append(summary).Append("\n\n");
        if (Constructors is { Overloads: [var only] } && only.Parameters.Length > 0)
            text.Append(only.Description()).Append("\n\n");
        return text.Append(Type.FullName).Append(" (.NET class, NdBridge)").ToString();
    }

    /// <summary>The heap type (a reference held for the process), 0 before <see cref="CreatePythonType"/>.</summary>
    internal nint PythonType { get; private set; }

    /// <summary>The Python name of <paramref name="type"/>'s <see cref="PythonClassAttribute"/>, or null when it has none.</summary>
    internal static string? PythonNameOf(Type type) =>
        type.GetCustomAttribute<PythonClassAttribute>(inherit: false) is { } attribute ? attribute.Name ?? type.Name : null;

    /// <summary>Binds every member of <paramref name="type"/>, or throws <see cref="ModuleDefinitionException"/> naming what cannot be bound.</summary>
    [RequiresDynamicCode("Compiles an expression tree per member.")]
    [RequiresUnreferencedCode("Reads the user's types by reflection.")]
    internal static TypeBinding Bind(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods
            | DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.Interfaces)] Type type,
        string moduleName)
    {
        var name = PythonNameOf(type) ?? throw ModuleDefinitionException.Create($"{type.FullName} is not marked [PythonClass].");
        if (!type.IsClass || type.IsGenericTypeDefinition || type.IsAbstract && type.IsSealed)
            throw ModuleDefinitionException.Create($"{type.FullName}: [PythonClass] needs a non-generic, non-static class (a struct or static class cannot be a Python type; a static class can be a [PythonModule]).");
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.'))
            throw ModuleDefinitionException.Create($"{type.FullName}: [PythonClass(Name = \"{name}\")] is not a type name (no dots: the module is given by Module).");
        var binding = new TypeBinding(type, moduleName, name);
        var owner = binding.QualifiedName;
        binding.IsDisposable = typeof(IDisposable).IsAssignableFrom(type);
        binding.IsBufferSource = typeof(IPythonBufferSource).IsAssignableFrom(type);
        binding.HasRepr = type.GetMethod(nameof(ToString), Type.EmptyTypes)!.DeclaringType != typeof(object);
        binding.HasValueEquality = type.GetMethod(nameof(Equals), [typeof(object)])!.DeclaringType != typeof(object)
            || typeof(IEquatable<>).MakeGenericType(type).IsAssignableFrom(type);

        var constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length > 0 && !type.IsAbstract)
            binding.Constructors = new MethodGroup(binding, "__init__", constructors.Select(c => FunctionBinding.Create(c, owner, "__init__")));

        // Members Python reaches another way: the interfaces' (close(), the buffer slots), object's, accessors, operators.
        var hidden = new HashSet<MethodInfo>();
        if (binding.IsDisposable)
            hidden.UnionWith(type.GetInterfaceMap(typeof(IDisposable)).TargetMethods);
        if (binding.IsBufferSource)
            hidden.UnionWith(type.GetInterfaceMap(typeof(IPythonBufferSource)).TargetMethods);
        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType != typeof(object) && !hidden.Contains(m)
                && !(m.Name == nameof(Equals) && m.GetParameters().Length == 1 && binding.HasValueEquality))
            .Select(m => (Method: m, Name: m.GetCustomAttribute<PythonFunctionAttribute>()?.Name ?? PythonNames.ToSnakeCase(m.Name)))
            .ToList();
        foreach (var group in methods.GroupBy(m => m.Name).Where(g => g.Any(m => m.Method.IsStatic) && g.Count() > 1))
            throw ModuleDefinitionException.Create(
                $"{type.FullName} has {group.Count()} methods named '{group.Key}' in Python, and one is static: static methods are not overloaded; name them apart with [PythonFunction(\"...\")].");
        binding.StaticMethods = [.. methods.Where(m => m.Method.IsStatic).Select(m => FunctionBinding.Create(m.Method, owner, m.Name))];
        binding.Methods = [.. methods.Where(m => !m.Method.IsStatic).GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => new MethodGroup(binding, g.Key, g.Select(m => FunctionBinding.Create(m.Method, owner, m.Name))))];

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => !hidden.Contains(p.GetMethod!) && !(p.SetMethod is { } setter && hidden.Contains(setter)))
            .ToList();
        binding.Properties = [.. properties.Where(p => p.GetIndexParameters().Length == 0).Select(p => new PropertyBinding(p, binding))];
        var indexers = properties.Where(p => p.GetIndexParameters().Length > 0).ToList();
        if (indexers.Any(p => p.GetMethod is { IsPublic: true }))
            binding.IndexGetters = new MethodGroup(binding, "__getitem__",
                indexers.Where(p => p.GetMethod is { IsPublic: true }).Select(p => FunctionBinding.Create(p.GetMethod!, owner, "__getitem__")));
        if (indexers.Any(p => p.SetMethod is { IsPublic: true }))
            binding.IndexSetters = new MethodGroup(binding, "__setitem__",
                indexers.Where(p => p.SetMethod is { IsPublic: true }).Select(p => FunctionBinding.Create(p.SetMethod!, owner, "__setitem__")));

        var names = binding.Methods.Select(m => m.PythonName).Concat(binding.StaticMethods.Select(m => m.PythonName)).Concat(binding.Properties.Select(p => p.PythonName));
        foreach (var clash in names.GroupBy(n => n).Where(g => g.Count() > 1))
            throw ModuleDefinitionException.Create($"{type.FullName}: '{clash.Key}' names both a property and a method in Python: rename the method with [PythonFunction(\"...\")].");
        return binding;
    }
}
