using System.Reflection;

namespace NdBridge.Python;

/// <summary>One parameter of a bound function: its Python name (snake_case, also its keyword), .NET type and default.</summary>
internal sealed unsafe class ParameterBinding
{
    internal ParameterBinding(ParameterInfo parameter, int position, string functionName)
    {
        Type = parameter.ParameterType;
        Position = position;
        PythonName = PythonNames.ToSnakeCase(parameter.Name ?? $"arg{position}");
        FunctionName = functionName;
        HasDefault = parameter.HasDefaultValue;
        DefaultValue = parameter.HasDefaultValue ? parameter.DefaultValue : null;
        Writable = parameter.IsDefined(typeof(WritableAttribute), inherit: false);
        fixed (byte* name = Utf8Z.Encode(PythonName, nameof(parameter)))
            InternedName = PythonErrors.Check(CPython.PyUnicode_InternFromString(name)); // kept for the process, as the function is
    }

    /// <summary>A value that is not a method's parameter: a property's new value, a callback's argument or result.</summary>
    /// <param name="type">The .NET type.</param>
    /// <param name="pythonName">The name messages use.</param>
    /// <param name="functionName">The qualified name of what takes the value.</param>
    /// <param name="description">What messages say before "must be ...": e.g. <c>property 'rows' of mod.Matrix</c>.</param>
    internal ParameterBinding(Type type, string pythonName, string functionName, string description)
    {
        Type = type;
        PythonName = pythonName;
        FunctionName = functionName;
        _description = description;
        fixed (byte* name = Utf8Z.Encode(PythonName, nameof(pythonName)))
            InternedName = PythonErrors.Check(CPython.PyUnicode_InternFromString(name));
    }

    private readonly string? _description;

    /// <summary>The .NET parameter type.</summary>
    internal Type Type { get; }

    /// <summary>The parameter's index.</summary>
    internal int Position { get; }

    /// <summary>The name Python sees: in messages, in the signature, and as the keyword.</summary>
    internal string PythonName { get; }

    /// <summary>The function's qualified Python name (<c>module.function</c>).</summary>
    internal string FunctionName { get; }

    /// <summary>Whether the argument may be left out.</summary>
    internal bool HasDefault { get; }

    /// <summary>The default, when <see cref="HasDefault"/>.</summary>
    internal object? DefaultValue { get; }

    /// <summary>An <see cref="NdBuffer"/> parameter marked <see cref="WritableAttribute"/>.</summary>
    internal bool Writable { get; }

    /// <summary>The interned <c>str</c> of <see cref="PythonName"/>: keywords are matched by address first.</summary>
    internal nint InternedName { get; }

    internal string Describe() => _description ?? $"{FunctionName}() argument '{PythonName}'";
}
