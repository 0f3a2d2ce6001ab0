using System.Reflection;
using System.Xml.Linq;

namespace NdBridge.Python.Tests;

/// <summary>
/// <see cref="DocumentationIds"/> against the oracle: the IDs the C# compiler wrote into NdBridge.xml and
/// NdBridge.Python.xml (every public member is documented there: warnings are errors). Generic types and methods,
/// nested types of generic types, arrays, by-ref, pointers, operators and conversions all occur in them.
/// </summary>
public sealed class DocumentationIdsTests
{
    public static TheoryData<string> Assemblies => new() { "NdBridge", "NdBridge.Python" };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void EveryPublicMember_HasTheIdTheCompilerWrote(string assemblyName)
    {
        var assembly = assemblyName == "NdBridge" ? typeof(NdBuffer).Assembly : typeof(PythonObject).Assembly;
        var path = Path.ChangeExtension(assembly.Location, ".xml");
        var written = XDocument.Load(path).Root!.Element("members")!.Elements("member").Select(m => m.Attribute("name")!.Value).ToHashSet(StringComparer.Ordinal);
        var computed = new List<string>();
        const BindingFlags declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().Where(t => !typeof(Delegate).IsAssignableFrom(t)))
        {
            computed.Add(DocumentationIds.Of(type));
            if (type.IsEnum)
                continue;
            // Members the compiler writes (a record's Equals/ToString, an implicit parameterless constructor) have no documentation.
            computed.AddRange(type.GetConstructors(declared).Where(c => c.GetParameters().Length > 0).Select(DocumentationIds.Of));
            computed.AddRange(type.GetMethods(declared)
                .Where(m => (!m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal)) && !m.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
                .Select(DocumentationIds.Of));
            computed.AddRange(type.GetProperties(declared).Select(DocumentationIds.Of));
        }
        var missing = computed.Where(id => !written.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {computed.Count} IDs are not in {path}:\n{string.Join("\n", missing.Take(20))}");
        Assert.True(computed.Count > 80, $"only {computed.Count} members were checked");
        Assert.Contains(computed, id => id.Contains('{', StringComparison.Ordinal) && id.Contains("`0", StringComparison.Ordinal)); // generic signatures were among them
    }
}
