using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;

namespace NdBridge.Python;

/// <summary>
/// One instance property as a Python attribute (a <c>PyGetSetDef</c> whose closure is this binding): a getter compiled
/// from <see cref="ResultConverters"/> and, when the property has a public setter, a setter from
/// <see cref="ArgumentConverters"/> whose refusals name the property.
/// </summary>
internal sealed class PropertyBinding
{
    [RequiresDynamicCode("Compiles an expression tree per property.")]
    [RequiresUnreferencedCode("Reads the user's properties by reflection.")]
    internal PropertyBinding(PropertyInfo property, TypeBinding owner)
    {
        var ownerName = owner.QualifiedName;
        Owner = owner;
        Property = property;
        PythonName = PythonNames.ToSnakeCase(property.Name);
        QualifiedName = ownerName + "." + PythonName;
        Value = new ParameterBinding(property.PropertyType, PythonName, QualifiedName, $"property '{PythonName}' of {ownerName}");
        var target = Expression.Parameter(typeof(object), "target");
        var access = Expression.Property(Expression.Convert(target, property.DeclaringType!), property);
        if (property.GetMethod is { IsPublic: true })
        {
            var convert = ResultConverters.TryConvert(property.PropertyType, access)
                ?? throw ModuleDefinitionException.Create($"{QualifiedName} has type {property.PropertyType}, which has no Python form (see PythonModuleAttribute for the supported types).");
            Getter = Expression.Lambda<Func<object, nint>>(convert, QualifiedName, [target]).Compile();
        }
        if (property.SetMethod is { IsPublic: true })
        {
            if (!ArgumentConverters.TryGet(property.PropertyType, out var convert, out _))
                throw ModuleDefinitionException.Create($"{QualifiedName} has type {property.PropertyType}, which Python values cannot convert to (see PythonModuleAttribute for the supported types).");
            var value = Expression.Parameter(typeof(nint), "value");
            // What the converter holds (an imported array) stays with the object: the property keeps it.
            Setter = Expression.Lambda<Action<object, nint>>(
                Expression.Assign(access, Expression.Call(convert, value, Expression.Constant(Value))), QualifiedName, [target, value]).Compile();
        }
    }

    internal PropertyInfo Property { get; }

    /// <summary>The type the property belongs to.</summary>
    internal TypeBinding Owner { get; }

    /// <summary>The attribute's name (snake_case).</summary>
    internal string PythonName { get; }

    /// <summary><c>module.Type.attribute</c>.</summary>
    internal string QualifiedName { get; }

    /// <summary>The value a setter takes: its type, and the name messages use.</summary>
    internal ParameterBinding Value { get; }

    /// <summary>The .NET value as a new reference; null when the property cannot be read.</summary>
    internal Func<object, nint>? Getter { get; }

    /// <summary>Converts a borrowed Python value and assigns it; null when the property is read-only.</summary>
    internal Action<object, nint>? Setter { get; }

    /// <summary>The property's XML documentation, when its assembly has a documentation file that documents it.</summary>
    internal MemberDocumentation? Documentation { get; set; }

    /// <summary>The attribute's docstring: its Python annotation, the summary and <c>&lt;value&gt;</c>, the .NET property.</summary>
    internal string DocString()
    {
        var text = new System.Text.StringBuilder(PythonAnnotations.OfProperty(this)).Append(Setter is null ? " (read-only)" : "").Append("\n\n");
        if (Documentation?.Summary is { } summary)
            text.Append(summary).Append("\n\n");
        if (Documentation?.Returns is { } value)
            text.Append(value).Append("\n\n");
        return text.Append(".NET: ").Append(Property.PropertyType.Name).Append(' ').Append(Property.DeclaringType).Append('.').Append(Property.Name).ToString();
    }
}
