// The XML documentation a package ships covers the public surface only. The compiler writes every documented
// member, internal ones included; this removes the members no consumer can see (non-public types, members neither
// public nor protected). A member is kept by its type and name: overloads of one name share the fate of the most
// visible one. Run by `make pack` between the build and `dotnet pack --no-build`:
//   dotnet run eng/build/PublicDocs.cs -- ASSEMBLY.dll DOCUMENTATION.xml...
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run eng/build/PublicDocs.cs -- ASSEMBLY.dll DOCUMENTATION.xml...");
    return 2;
}

var visible = VisibleMembers(args[0]);
foreach (var documentationPath in args.Skip(1))
{
    var document = XDocument.Load(documentationPath);
    var members = document.Root!.Element("members")!;
    var removed = 0;
    foreach (var member in members.Elements("member").ToList())
    {
        if (!visible.Contains(Key((string?)member.Attribute("name") ?? "")))
        {
            member.Remove();
            removed++;
        }
    }
    document.Save(documentationPath);
    Console.WriteLine($"{documentationPath}: {removed} non-public members removed, {members.Elements("member").Count()} kept");
}
return 0;

// "T:Ns.Type" for types; "Ns.Type.Member" for members (parameters and generic arity dropped, '.' in names as '#').
static string Key(string id)
{
    if (id.StartsWith("T:", StringComparison.Ordinal))
        return id;
    var body = id.Length > 2 ? id[2..] : "";
    var parameters = body.IndexOf('(');
    if (parameters >= 0)
        body = body[..parameters];
    var arity = body.IndexOf("``", StringComparison.Ordinal);
    return arity >= 0 ? body[..arity] : body;
}

static HashSet<string> VisibleMembers(string assemblyPath)
{
    var visible = new HashSet<string>(StringComparer.Ordinal);
    using var stream = File.OpenRead(assemblyPath);
    using var pe = new PEReader(stream);
    var md = pe.GetMetadataReader();
    foreach (var handle in md.TypeDefinitions)
    {
        var type = md.GetTypeDefinition(handle);
        if (!TypeVisible(md, type))
            continue;
        var typeName = TypeName(md, type);
        visible.Add("T:" + typeName);
        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            if (MethodVisible(method.Attributes))
                visible.Add(typeName + "." + md.GetString(method.Name).Replace('.', '#'));
        }
        foreach (var f in type.GetFields())
        {
            var field = md.GetFieldDefinition(f);
            var access = field.Attributes & FieldAttributes.FieldAccessMask;
            if (access is FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem)
                visible.Add(typeName + "." + md.GetString(field.Name));
        }
        foreach (var p in type.GetProperties())
        {
            var property = md.GetPropertyDefinition(p);
            var accessors = property.GetAccessors();
            if (AccessorVisible(md, accessors.Getter) || AccessorVisible(md, accessors.Setter))
                visible.Add(typeName + "." + md.GetString(property.Name));
        }
        foreach (var e in type.GetEvents())
        {
            var ev = md.GetEventDefinition(e);
            if (AccessorVisible(md, ev.GetAccessors().Adder))
                visible.Add(typeName + "." + md.GetString(ev.Name));
        }
    }
    return visible;
}

static string TypeName(MetadataReader md, TypeDefinition type)
{
    var name = md.GetString(type.Name);
    var declaring = type.GetDeclaringType();
    if (!declaring.IsNil)
        return TypeName(md, md.GetTypeDefinition(declaring)) + "." + name;
    return type.Namespace.IsNil ? name : md.GetString(type.Namespace) + "." + name;
}

static bool TypeVisible(MetadataReader md, TypeDefinition type)
{
    var visibility = type.Attributes & TypeAttributes.VisibilityMask;
    var declaring = type.GetDeclaringType();
    if (declaring.IsNil)
        return visibility == TypeAttributes.Public;
    return visibility is TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem
        && TypeVisible(md, md.GetTypeDefinition(declaring));
}

static bool MethodVisible(MethodAttributes attributes) =>
    (attributes & MethodAttributes.MemberAccessMask) is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem;

static bool AccessorVisible(MetadataReader md, MethodDefinitionHandle accessor) =>
    !accessor.IsNil && MethodVisible(md.GetMethodDefinition(accessor).Attributes);
