namespace NdBridge.Python;

/// <summary>
/// The overloads a Python name calls (an instance method, <c>__init__</c>, <c>__getitem__</c>): one binding is called
/// directly; several are tried in order (fewest parameters first) until one takes the arguments, as nanobind's
/// overload chain does. None fitting is a <c>TypeError</c> listing every signature and why it refused.
/// </summary>
internal sealed unsafe class MethodGroup
{
    internal MethodGroup(TypeBinding owner, string pythonName, IEnumerable<FunctionBinding> overloads)
    {
        Owner = owner;
        PythonName = pythonName;
        QualifiedName = owner.QualifiedName + "." + pythonName;
        Overloads = [.. overloads.OrderBy(o => o.Parameters.Length)];
        Single = Overloads.Length == 1 ? Overloads[0] : null;
    }

    /// <summary>The binding when there is one overload (called without the overload loop).</summary>
    internal FunctionBinding? Single { get; }

    /// <summary>The type whose instances the group is called on.</summary>
    internal TypeBinding Owner { get; }

    internal string PythonName { get; }

    /// <summary><c>module.Type.name</c>.</summary>
    internal string QualifiedName { get; }

    /// <summary>The bindings, in the order they are tried.</summary>
    internal FunctionBinding[] Overloads { get; }

    /// <summary>The docstring: the one binding's (with its text signature), or every overload's.</summary>
    internal string DocString() => Overloads.Length == 1
        ? Overloads[0].DocString()
        : $"{PythonName}(...) has {Overloads.Length} overloads:\n\n" + string.Join("\n\n", Overloads.Select(o => o.DocString().Replace("\n--\n\n", "\n")));

    /// <summary>Calls the first overload that takes the arguments (vectorcall form) on <paramref name="target"/>. Needs the GIL.</summary>
    internal nint Call(object? target, nint* args, nint positionalCount, nint keywordNames)
    {
        if (Overloads.Length == 1)
            return FunctionDispatch.Invoke(Overloads[0], target, args, positionalCount, keywordNames);
        List<string>? refusals = null;
        foreach (var overload in Overloads)
        {
            try
            {
                return FunctionDispatch.Invoke(overload, target, args, positionalCount, keywordNames);
            }
            catch (ArgumentConversionException refusal)
            {
                (refusals ??= []).Add($"  {Signature(overload)}: {refusal.Message}");
            }
        }
        throw ArgumentConversionException.BadCall(
            $"{QualifiedName}(): no overload takes {DescribeArguments(args, positionalCount, keywordNames)}; the overloads are:\n{string.Join("\n", refusals!)}");
    }

    private string Signature(FunctionBinding overload) =>
        $"{(overload.Kind == FunctionKind.Constructor ? Owner.PythonName : PythonName)}({string.Join(", ", overload.Parameters.Select(p => p.HasDefault ? p.PythonName + "=..." : p.PythonName))})";

    private static string DescribeArguments(nint* args, nint positionalCount, nint keywordNames)
    {
        var parts = new List<string>();
        for (nint i = 0; i < positionalCount; i++)
            parts.Add(PythonTypeNames.Of(args[i]));
        var keywordCount = keywordNames == 0 ? 0 : CPython.PyTuple_Size(keywordNames);
        for (nint k = 0; k < keywordCount; k++)
            parts.Add($"{PythonConvert.ToStringExact(CPython.PyTuple_GetItem(keywordNames, k))}={PythonTypeNames.Of(args[positionalCount + k])}");
        return parts.Count == 0 ? "no arguments" : $"({string.Join(", ", parts)})";
    }
}
