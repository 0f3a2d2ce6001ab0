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
            var rank = type.GetArrayRank();
            var element = TypeName(type.GetElementType()!, inSignature);
            return rank == 1 && type.IsSZArray ? element + "[]" : element + "[" + string.Join(",", Enumerable.Repeat("0:", rank)) + "]";
        }
        if (type.IsGenericParameter)
            return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition;
        var prefix = type.IsNested ? TypeName(type.DeclaringType!, inSignature: false) + "." : string.IsNullOrEmpty(type.Namespace) ? "" : type.Namespace + ".";
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick < 0)
            return prefix + name;
        name = name[..tick];
        // A signature names a constructed generic type with its arguments in braces; a declaration keeps the arity.
        if (inSignature && type.IsConstructedGenericType)
        {
            var all = type.GetGenericArguments();
            var own = all.Skip(type.IsNested ? type.DeclaringType!.GetGenericArguments().Length : 0);
            return prefix + name + "{" + string.Join(",", own.Select(a => TypeName(a, inSignature: true))) + "}";
        }
        return prefix + type.Name;
    }
}
