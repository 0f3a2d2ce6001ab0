namespace NdBridge.Python;

/// <summary>
/// The binding model of a loaded assembly as plain data (dicts, lists, strings) for <c>ndbridge.stubgen</c>: each module,
/// its functions with their parameters, Python annotations (<see cref="PythonAnnotations"/>), defaults and docstrings.
/// Read from the bindings the calls use, so a stub says what a call accepts. Schema (<see cref="SchemaVersion"/>):
/// <code>
/// {"schema": 1, "assembly": str, "path": str, "modules": [module]}
/// module    = {"name": str, "doc": str, "functions": [function], "classes": [class]}
/// function  = {"name": str, "doc": str, "parameters": [parameter], "returns": str}
/// parameter = {"name": str, "annotation": str, "has_default": bool, "default": str | None}   (default: its Python literal)
/// class     = {"name": str, "doc": str, "constructors": [function], "methods": [function + "static": bool],
///              "properties": [{"name": str, "annotation": str, "writable": bool, "doc": str}],
///              "disposable": bool, "buffer": bool}
/// </code>
/// A module's classes are its <see cref="TypeBinding"/>s; indexers are the methods <c>__getitem__</c>/<c>__setitem__</c>;
/// "disposable" adds <c>close</c> and the <c>with</c> statement, "buffer" the buffer protocol, <c>__array_interface__</c>
/// and DLPack.
/// </summary>
internal static class BindingDescriber
{
    internal const int SchemaVersion = 1;

    internal static Dictionary<string, object?> Describe(string path, IReadOnlyList<ModuleBinding> modules) => new()
    {
        ["schema"] = SchemaVersion,
        ["assembly"] = modules.Count > 0 ? modules[0].Type.Assembly.GetName().Name : null,
        ["path"] = path,
        ["modules"] = modules.Select(m => (object?)Describe(m, path)).ToList(),
    };

    internal static Dictionary<string, object?> Describe(ModuleBinding module, string path) => new()
    {
        ["name"] = module.Name,
        ["doc"] = module.DocString(path),
        ["functions"] = module.Functions.Select(f => (object?)Describe(f)).ToList(),
        ["classes"] = module.Classes.Select(c => (object?)Describe(c)).ToList(),
    };

    internal static Dictionary<string, object?> Describe(TypeBinding type) => new()
    {
        ["name"] = type.PythonName,
        ["doc"] = type.DocString(),
        ["constructors"] = (type.Constructors?.Overloads ?? []).Select(c => (object?)Describe(c)).ToList(),
        ["methods"] = type.Methods.SelectMany(m => m.Overloads).Concat(type.IndexGetters?.Overloads ?? []).Concat(type.IndexSetters?.Overloads ?? [])
            .Select(m => (object?)Describe(m, isStatic: false))
            .Concat(type.StaticMethods.Select(m => (object?)Describe(m, isStatic: true))).ToList(),
        ["properties"] = type.Properties.Select(p => (object?)new Dictionary<string, object?>
        {
            ["name"] = p.PythonName,
            ["annotation"] = PythonAnnotations.OfProperty(p),
            ["writable"] = p.Setter is not null,
            ["doc"] = p.DocString(),
        }).ToList(),
        ["disposable"] = type.IsDisposable,
        ["buffer"] = type.IsBufferSource,
    };

    private static Dictionary<string, object?> Describe(FunctionBinding method, bool isStatic)
    {
        var description = Describe(method);
        description["static"] = isStatic;
        return description;
    }

    internal static Dictionary<string, object?> Describe(FunctionBinding function) => new()
    {
        ["name"] = function.PythonName,
        ["doc"] = function.Description(),
        ["parameters"] = function.Parameters.Select(p => (object?)Describe(p)).ToList(),
        ["returns"] = PythonAnnotations.OfResult(function),
    };

    internal static Dictionary<string, object?> Describe(ParameterBinding parameter) => new()
    {
        ["name"] = parameter.PythonName,
        ["annotation"] = PythonAnnotations.Of(parameter),
        ["has_default"] = parameter.HasDefault,
        ["default"] = parameter.HasDefault ? FunctionBinding.PythonLiteral(parameter.DefaultValue) : null,
    };
}
