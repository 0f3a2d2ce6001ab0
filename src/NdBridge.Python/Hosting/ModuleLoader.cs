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
        var bindings = moduleTypes.Select(m => (m.Type, m.Name, Functions: BindFunctions(m.Type, m.Name))).ToList();
        var tuple = PythonErrors.Check(CPython.PyTuple_New(bindings.Count));
        try
        {
            for (var i = 0; i < bindings.Count; i++)
                _ = CPython.PyTuple_SetItem(tuple, i, CreateModule(bindings[i].Type, bindings[i].Name, bindings[i].Functions, path,
                    classes.Where(c => c.ModuleName == bindings[i].Name).ToList())); // steals
        }
        catch
        {
            CPython.Py_DecRef(tuple);
            throw;
        }
        foreach (var (_, name, _) in bindings)
            s_ownerByModuleName[name] = path;
        s_modulesByPath[path] = tuple;
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
        return CreateModule(type, name, BindFunctions(type, name), type.Assembly.Location, []);
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
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
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
    private static nint CreateModule(Type type, string name, List<FunctionBinding> functions, string path, List<TypeBinding> classes)
    {
        nint module;
        fixed (byte* moduleName = Utf8Z.Encode(name, nameof(name)))
            module = PythonErrors.Check(CPython.PyModule_New(moduleName));
        try
        {
            SetAttribute(module, "__file__", PythonConvert.FromString(path));
            SetAttribute(module, "__doc__", PythonConvert.FromString($"{type.FullName} from {Path.GetFileName(path)}, loaded by NdBridge."));
            var nameObject = PythonConvert.FromString(name);
            try
            {
                foreach (var function in functions)
                    SetAttribute(module, function.PythonName, FunctionDispatch.CreateFunction(function, nameObject));
                foreach (var binding in classes)
                {
                    if (functions.Any(f => f.PythonName == binding.PythonName))
                        throw ModuleDefinitionException.Create($"{name}.{binding.PythonName} names both a function and a type ({binding.Type.FullName}): rename one.");
                    SetAttribute(module, binding.PythonName, binding.CreatePythonType(nameObject));
                }
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
