using System.Reflection;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace NdBridge.Python;

/// <summary>
/// An assembly's XML documentation file (<c>Lib.xml</c> beside <c>Lib.dll</c>, written by
/// <c>GenerateDocumentationFile</c>), read once per assembly and rendered as plain text for docstrings: inline tags become
/// their text, <c>cref</c>s the name Python knows the member by (a loaded module's function, a type's module), else the
/// .NET name without its namespace; <c>paramref</c>s the snake_case parameter name; <c>langword</c>s Python's words.
/// </summary>
internal sealed class XmlDocumentation
{
    private readonly Dictionary<string, XElement> _members;

    private XmlDocumentation(string path, Dictionary<string, XElement> members)
    {
        Path = path;
        _members = members;
    }

    /// <summary>The file read.</summary>
    internal string Path { get; }

    /// <summary>The documentation beside <paramref name="assembly"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a documentation file (its message says why).</exception>
    internal static XmlDocumentation? Load(Assembly assembly)
    {
        if (string.IsNullOrEmpty(assembly.Location))
            return null;
        var path = System.IO.Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(path))
            return null;
        try
        {
            var root = XDocument.Load(path).Root;
            var members = root?.Element("members")
                ?? throw new InvalidDataException($"{path} has no <doc><members> element: it is not the XML documentation file the C# compiler writes (GenerateDocumentationFile).");
            var byId = new Dictionary<string, XElement>(StringComparer.Ordinal);
            foreach (var member in members.Elements("member"))
            {
                if (member.Attribute("name")?.Value is { Length: > 0 } id)
                    byId[id] = member;
            }
            return new XmlDocumentation(path, byId);
        }
        catch (XmlException error)
        {
            throw new InvalidDataException($"{path} is not well-formed XML ({error.Message})", error);
        }
    }

    /// <summary>The documentation of the member with documentation ID <paramref name="id"/> (see <see cref="DocumentationIds"/>), or null.</summary>
    /// <param name="id">The member's documentation ID.</param>
    /// <param name="pythonNameOf">The Python name of a cref's ID, or null when Python does not know the member.</param>
    internal MemberDocumentation? Find(string id, Func<string, string?> pythonNameOf)
    {
        if (!_members.TryGetValue(id, out var member))
            return null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var param in member.Elements("param"))
        {
            if (param.Attribute("name")?.Value is { Length: > 0 } name && Render(param, pythonNameOf) is { } text)
                parameters[name] = text;
        }
        return new MemberDocumentation(
            Render(member.Element("summary"), pythonNameOf),
            parameters,
            Render(member.Element("returns") ?? member.Element("value"), pythonNameOf),
            Render(member.Element("remarks"), pythonNameOf));
    }

    // Paragraphs (<para>, list items, code blocks) are separated by a blank line; text inside one is one line, whitespace collapsed.
    private static string? Render(XElement? element, Func<string, string?> pythonNameOf)
    {
        if (element is null)
            return null;
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        Walk(element, current, paragraphs, pythonNameOf);
        Flush(current, paragraphs);
        return paragraphs.Count == 0 ? null : string.Join("\n\n", paragraphs);
    }

    private static void Walk(XElement element, StringBuilder current, List<string> paragraphs, Func<string, string?> pythonNameOf)
    {
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    current.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "para" or "list" or "item" } block:
                    Flush(current, paragraphs);
                    Walk(block, current, paragraphs, pythonNameOf);
                    Flush(current, paragraphs);
                    break;
                case XElement { Name.LocalName: "code" } code:
                    Flush(current, paragraphs);
                    paragraphs.Add(string.Join("\n", code.Value.Trim('\n', '\r').Split('\n').Select(line => "    " + line.TrimEnd())));
                    break;
                case XElement { Name.LocalName: "description" or "term" } part:
                    Walk(part, current, paragraphs, pythonNameOf);
                    current.Append(' ');
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } reference:
                    var name = reference.Attribute("name")?.Value ?? "";
                    current.Append(reference.Name.LocalName == "paramref" ? PythonNames.ToSnakeCase(name) : name);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    current.Append(SeeText(see, pythonNameOf));
                    break;
                case XElement other:
                    Walk(other, current, paragraphs, pythonNameOf); // <c>, <b>, <i>, unknown tags: their text
                    break;
            }
        }
    }

    private static string SeeText(XElement see, Func<string, string?> pythonNameOf)
    {
        if (see.Attribute("langword")?.Value is { } word)
            return word switch { "null" => "None", "true" => "True", "false" => "False", _ => word };
        var inner = see.Value.Trim();
        if (see.Attribute("href")?.Value is { } href)
            return inner.Length > 0 ? $"{inner} ({href})" : href;
        if (see.Attribute("cref")?.Value is { } cref)
            return inner.Length > 0 ? inner : pythonNameOf(cref) ?? DotNetShortName(cref);
        return inner;
    }

    // "M:Ns.Type.Method(System.Double)" → "Type.Method"; "T:Ns.Type" → "Type"; a cref the compiler could not resolve ("!:x") → "x".
    private static string DotNetShortName(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var parenthesis = name.IndexOf('(', StringComparison.Ordinal);
        if (parenthesis >= 0)
            name = name[..parenthesis];
        var parts = name.Split('.');
        return cref.StartsWith("T:", StringComparison.Ordinal) || parts.Length < 2 ? parts[^1] : parts[^2] + "." + parts[^1];
    }

    private static void Flush(StringBuilder current, List<string> paragraphs)
    {
        var text = string.Join(' ', current.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length > 0)
            paragraphs.Add(text);
        current.Clear();
    }
}
