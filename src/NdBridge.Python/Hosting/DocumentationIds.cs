using System.Reflection;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// The IDs the C# compiler writes into an assembly's XML documentation file (ECMA-334, annex D "Documentation comments",
/// "ID string format"): <c>T:Ns.Type</c>, <c>M:Ns.Type.Method(System.Double,System.Memory{System.Single})</c>,
/// <c>M:Ns.Type.#ctor(System.Int32)</c>, <c>P:Ns.Type.Name</c>. Nested types are joined with '.', arrays of rank n
/// write <c>[0:,0:]</c>, a method without parameters has no parentheses.
/// </summary>
internal static class DocumentationIds
{
    internal static string Of(Type type) => "T:" + TypeName(type, inSignature: false);

    internal static string Of(MethodBase method)
    {
        var text = new StringBuilder("M:")
            .Append(TypeName(method.DeclaringType!, inSignature: false)).Append('.')
            .Append(method is ConstructorInfo ? (method.IsStatic ? "#cctor" : "#ctor") : method.Name);
        if (method.IsGenericMethodDefinition)
            text.Append("``").Append(method.GetGenericArguments().Length);
        var parameters = method.GetParameters();
        if (parameters.Length > 0)
            text.Append('(').AppendJoin(',', parameters.Select(p => TypeName(p.ParameterType, inSignature: true))).Append(')');
        if (method is MethodInfo { Name: "op_Implicit" or "op_Explicit" } conversion)
            text.Append('~').Append(TypeName(conversion.ReturnType, inSignature: true));
        return text.ToString();
    }

    internal static string Of(PropertyInfo property)
    {
        var text = new StringBuilder("P:").Append(TypeName(property.DeclaringType!, inSignature: false)).Append('.').Append(property.Name);
        var indexes = property.GetIndexParameters();
        if (indexes.Length > 0)
            text.Append('(').AppendJoin(',', indexes.Select(p => TypeName(p.ParameterType, inSignature: true))).Append(')');
        return text.ToString();
    }

    private static string TypeName(Type type, bool inSignature)
    {
        if (type.IsByRef)
            return TypeName(type.GetElementType()!, inSignature) + "@";
        if (type.IsPointer)
            return TypeName(type.GetElementType()!, inSignature) + "*";
        if (type.IsArray)
        {
            var element = TypeName(type.GetElementType()!, inSignature);
            return type.IsSZArray ? element + "[]" : element + "[" + string.Join(",", Enumerable.Repeat("0:", type.GetArrayRank())) + "]";
        }
        if (type.IsGenericParameter)
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        // A signature names a generic type with its arguments in braces (a type's own parameters as `0); a declaration keeps the arity.
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return Qualified(definition, inSignature && type.IsGenericType ? type.GetGenericArguments() : null);
    }

    // arguments: all of the type's generic arguments, its declaring types' first (as reflection lists them), or null for arities.
    private static string Qualified(Type definition, Type[]? arguments)
    {
        var inherited = definition.IsNested && definition.DeclaringType!.IsGenericType ? definition.DeclaringType.GetGenericArguments().Length : 0;
        var own = (definition.IsGenericType ? definition.GetGenericArguments().Length : 0) - inherited;
        var prefix = definition.IsNested
            ? Qualified(definition.DeclaringType!, arguments?[..inherited]) + "."
            : string.IsNullOrEmpty(definition.Namespace) ? "" : definition.Namespace + ".";
        var name = definition.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
            name = name[..tick];
        if (own == 0)
            return prefix + name;
        return arguments is null
            ? prefix + name + "`" + own
            : prefix + name + "{" + string.Join(",", arguments[inherited..].Select(a => TypeName(a, inSignature: true))) + "}";
    }
}
