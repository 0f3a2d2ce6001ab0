using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Loader;

namespace NdBridge.Python;

/// <summary>
/// Makes the Python modules of a user assembly: every public static class marked <see cref="PythonModuleAttribute"/>
/// becomes a module whose attributes are its functions. Assemblies live in the default load context beside NdBridge,
/// so NdBridge's state exists once however many are loaded. All state here is guarded by the GIL.
/// </summary>
internal static unsafe class ModuleLoader
{
    private static readonly Dictionary<string, nint> s_modulesByPath = new(StringComparer.Ordinal); // a tuple of modules, held for the process
    private static readonly Dictionary<string, string> s_ownerByModuleName = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, List<ModuleBinding>> s_bindingsByPath = new(StringComparer.Ordinal);

    /// <summary>A new reference to the tuple of modules of the assembly at <paramref name="path"/> (the same tuple on every call).</summary>
    /// <exception cref="ModuleDefinitionException">Not an assembly, no module, a name taken, or a method that cannot be bound.</exception>
    [RequiresDynamicCode("Compiles an expression tree per function.")]
    [RequiresUnreferencedCode("Reads the user's types by reflection.")]
    internal static nint Load(string path)
    {
        if (s_modulesByPath.TryGetValue(path, out var known))
        {
            CPython.Py_IncRef(known);
            return known;
        }
        var assembly = FindOrLoad(path);
        var moduleTypes = assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.IsDefined(typeof(PythonModuleAttribute), inherit: false))
            .Select(t => (Type: t, Name: t.GetCustomAttribute<PythonModuleAttribute>()!.Name))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        if (moduleTypes.Count == 0)
            throw ModuleDefinitionException.Create(
                $"{path} (assembly {assembly.GetName().Name}) has no module: mark a public static class with [PythonModule(\"name\")] (NdBridge.Python) to make its public static methods Python functions.");
        foreach (var group in moduleTypes.GroupBy(m => m.Name).Where(g => g.Count() > 1))
            throw ModuleDefinitionException.Create(
                $"{path} declares the Python module '{group.Key}' twice ({string.Join(" and ", group.Select(m => m.Type.FullName))}): give each [PythonModule] its own name.");
        foreach (var (type, name) in moduleTypes)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Split('.').Any(part => part.Length == 0))
                throw ModuleDefinitionException.Create($"{type.FullName}: [PythonModule(\"{name}\")] is not a module name.");
            if (s_ownerByModuleName.TryGetValue(name, out var owner))
                throw ModuleDefinitionException.Create(
                    $"{path} declares the Python module '{name}' ({type.FullName}), which {owner} already declared: one name, one module; rename one of them.");
        }

        var classes = BindClasses(assembly, path, moduleTypes.Select(m => m.Name).ToList());

        // Every function and type is bound before any module exists: a member that cannot be bound leaves nothing behind.
        var bindings = moduleTypes
            .Select(m => new ModuleBinding(m.Type, m.Name, BindFunctions(m.Type, m.Name), classes.Where(c => c.ModuleName == m.Name).ToList()))
            .ToList();
        foreach (var module in bindings)
        {
            foreach (var clash in module.Classes.Where(c => module.Functions.Any(f => f.PythonName == c.PythonName)))
                throw ModuleDefinitionException.Create($"{module.Name}.{clash.PythonName} names both a function and a type ({clash.Type.FullName}): rename one.");
        }
        Document(assembly, bindings);
        var tuple = PythonErrors.Check(CPython.PyTuple_New(bindings.Count));
        try
        {
            for (var i = 0; i < bindings.Count; i++)
                _ = CPython.PyTuple_SetItem(tuple, i, CreateModule(bindings[i], path)); // steals
        }
        catch
        {
            CPython.Py_DecRef(tuple);
            throw;
        }
        foreach (var binding in bindings)
            s_ownerByModuleName[binding.Name] = path;
        s_modulesByPath[path] = tuple;
        s_bindingsByPath[path] = bindings;
        CPython.Py_IncRef(tuple);
        return tuple;
    }

    /// <summary>A new module for one <see cref="PythonModuleAttribute"/> class, outside any assembly's registry (for use beside another host, and tests).</summary>
    [RequiresDynamicCode("Compiles an expression tree per function.")]
    [RequiresUnreferencedCode("Reads the user's types by reflection.")]
    internal static nint CreateModule([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type type)
    {
        var name = type.GetCustomAttribute<PythonModuleAttribute>()?.Name
            ?? throw ModuleDefinitionException.Create($"{type.FullName} is not marked [PythonModule].");
        var binding = new ModuleBinding(type, name, BindFunctions(type, name), []);
        Document(type.Assembly, [binding]);
        return CreateModule(binding, type.Assembly.Location);
    }

    /// <summary>The modules <see cref="Load"/> made of the assembly at <paramref name="path"/>, as bound (what <c>ndbridge.stubgen</c> describes).</summary>
    /// <exception cref="ModuleDefinitionException">The assembly was not loaded.</exception>
    internal static IReadOnlyList<ModuleBinding> BindingsOf(string path) =>
        s_bindingsByPath.TryGetValue(path, out var bindings) ? bindings
            : throw ModuleDefinitionException.Create($"{path} is not loaded: load it first (ndbridge.load(path)), then describe it.");

    // Each binding gets its XML documentation, crefs named as Python knows them. A documentation file that cannot be
    // read costs the docstrings, never the load: a RuntimeWarning says which file and why.
    private static void Document(Assembly assembly, List<ModuleBinding> modules)
    {
        XmlDocumentation? documentation;
        try
        {
            documentation = XmlDocumentation.Load(assembly);
        }
        catch (Exception error) when (error is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Warn($"{error.Message}; the functions of {assembly.GetName().Name} have no documentation summaries. Rebuild the library (GenerateDocumentationFile) or delete the file.");
            return;
        }
        if (documentation is null)
            return;
        var pythonNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            pythonNames[DocumentationIds.Of(module.Type)] = module.Name;
            foreach (var function in module.Functions)
                pythonNames[DocumentationIds.Of(function.Method)] = function.QualifiedName;
            foreach (var type in module.Classes)
            {
                pythonNames[DocumentationIds.Of(type.Type)] = type.QualifiedName;
                foreach (var function in type.Functions())
                    pythonNames[DocumentationIds.Of(function.Method)] = function.Kind == FunctionKind.Constructor ? type.QualifiedName : function.QualifiedName;
                foreach (var property in type.Properties)
                    pythonNames[DocumentationIds.Of(property.Property)] = property.QualifiedName;
            }
        }
        string? PythonNameOf(string id) => pythonNames.GetValueOrDefault(id);
        foreach (var module in modules)
        {
            module.Documentation = documentation.Find(DocumentationIds.Of(module.Type), PythonNameOf);
            foreach (var function in module.Functions)
                function.Documentation = documentation.Find(DocumentationIds.Of(function.Method), PythonNameOf);
            foreach (var type in module.Classes)
            {
                type.Documentation = documentation.Find(DocumentationIds.Of(type.Type), PythonNameOf);
                foreach (var function in type.Functions())
                    function.Documentation = documentation.Find(DocumentationIds.Of(function.Method), PythonNameOf);
                foreach (var property in type.Properties)
                    property.Documentation = documentation.Find(DocumentationIds.Of(property.Property), PythonNameOf);
            }
        }
    }

    private static void Warn(string message)
    {
        fixed (byte* text = Utf8Z.Encode(message, nameof(message)))
            PythonErrors.CheckStatus(CPython.PyErr_WarnEx(CPython.PyExc_RuntimeWarning, text, 1)); // -1: the filters made it an error
    }

    // Every public [PythonClass] of the assembly, bound for the module it names (or the assembly's only module).
    [RequiresDynamicCode("Compiles an expression tree per member.")]
    [RequiresUnreferencedCode("Reads the user's types by reflection.")]
    private static List<TypeBinding> BindClasses(Assembly assembly, string path, List<string> moduleNames)
    {
        var classes = new List<TypeBinding>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t.IsDefined(typeof(PythonClassAttribute), inherit: false)))
        {
            var module = type.GetCustomAttribute<PythonClassAttribute>()!.Module;
            if (module is null && moduleNames.Count > 1)
                throw ModuleDefinitionException.Create(
                    $"{type.FullName} is a [PythonClass] of {path}, which declares {moduleNames.Count} modules ({string.Join(", ", moduleNames)}): say which one with [PythonClass(Module = \"{moduleNames[0]}\")].");
            module ??= moduleNames[0];
            if (!moduleNames.Contains(module))
                throw ModuleDefinitionException.Create(
                    $"{type.FullName}: [PythonClass(Module = \"{module}\")] names no [PythonModule] of {path} (its modules: {string.Join(", ", moduleNames)}).");
            classes.Add(TypeBinding.Bind(type, module));
        }
        foreach (var clash in classes.GroupBy(c => c.QualifiedName).Where(g => g.Count() > 1))
            throw ModuleDefinitionException.Create($"{path} declares the Python type '{clash.Key}' twice ({string.Join(" and ", clash.Select(c => c.Type.FullName))}): name them apart with [PythonClass(Name = \"...\")].");
        return classes;
    }

    [RequiresUnreferencedCode("Loads a user assembly.")]
    private static Assembly FindOrLoad(string path)
    {
        var loaded = AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => !a.IsDynamic && string.Equals(a.Location, path, StringComparison.Ordinal));
        if (loaded is not null)
            return loaded;
        try
        {
            var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
            ResolveDependenciesBeside(path);
            return assembly;
        }
        catch (BadImageFormatException error)
        {
            throw ModuleDefinitionException.Create($"{path} is not a .NET assembly ({error.Message}).");
        }
        catch (FileLoadException error)
        {
            throw ModuleDefinitionException.Create($"{path} cannot be loaded beside NdBridge ({error.Message}).");
        }
    }

    // A library's own dependencies (listed in its .deps.json, or the files beside it) resolve from its directory, as
    // hostfxr's load_assembly does for the assembly it loads: NdBridge itself may have come from elsewhere (the wheel).
    [RequiresUnreferencedCode("Loads a user assembly's dependencies.")]
    private static void ResolveDependenciesBeside(string path)
    {
        var resolver = new AssemblyDependencyResolver(path);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            resolver.ResolveAssemblyToPath(name) is { } found ? context.LoadFromAssemblyPath(found) : null;
    }

    [RequiresDynamicCode("Compiles an expression tree per function.")]
    [RequiresUnreferencedCode("Reads the user's methods by reflection.")]
    private static List<FunctionBinding> BindFunctions([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type type, string moduleName)
    {
        var functions = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName)
            .Select(m => FunctionBinding.Create(m, moduleName))
            .ToList();
        foreach (var group in functions.GroupBy(f => f.PythonName).Where(g => g.Count() > 1))
            throw ModuleDefinitionException.Create(
                $"{type.FullName} has {group.Count()} methods named '{group.Key}' in Python (overloads): module functions are not overloaded; name them apart with [PythonFunction(\"...\")].");
        return functions;
    }

    [RequiresUnreferencedCode("Reads the user's types by reflection.")]
    private static nint CreateModule(ModuleBinding binding, string path)
    {
        var name = binding.Name;
        nint module;
        fixed (byte* moduleName = Utf8Z.Encode(name, nameof(name)))
            module = PythonErrors.Check(CPython.PyModule_New(moduleName));
        try
        {
            SetAttribute(module, "__file__", PythonConvert.FromString(path));
            SetAttribute(module, "__doc__", PythonConvert.FromString(binding.DocString(path)));
            var nameObject = PythonConvert.FromString(name);
            try
            {
                foreach (var function in binding.Functions)
                    SetAttribute(module, function.PythonName, FunctionDispatch.CreateFunction(function, nameObject));
                foreach (var type in binding.Classes)
                    SetAttribute(module, type.PythonName, type.CreatePythonType(nameObject));
            }
            finally
            {
                CPython.Py_DecRef(nameObject);
            }
            return module;
        }
        catch
        {
            CPython.Py_DecRef(module);
            throw;
        }
    }

    // Steals value.
    private static void SetAttribute(nint target, string name, nint value)
    {
        try
        {
            fixed (byte* attribute = Utf8Z.Encode(name, nameof(name)))
                PythonErrors.CheckStatus(CPython.PyObject_SetAttrString(target, attribute, value));
        }
        finally
        {
            CPython.Py_DecRef(value);
        }
    }
}
