using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace NdBridge.Testing;

/// <summary>
/// Compiles and runs the C# code blocks of README.md. A block fenced <c>```csharp</c> is a whole
/// top-level program; when the next fenced block is <c>```text</c>, it is the program's expected
/// standard output, so the README shows what the code prints and the test holds it to that.
/// </summary>
public static partial class ReadmeExamples
{
    public sealed record Example(int Line, string Code, string? ExpectedOutput)
    {
        public override string ToString() => $"README.md line {Line}";
    }

    public static string FindReadme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "NdBridge.sln")))
                return candidate;
        }
        throw new FileNotFoundException("README.md next to NdBridge.sln not found above " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<Example> Parse(string markdown)
    {
        var examples = new List<Example>();
        var blocks = FenceRegex().Matches(markdown.Replace("\r\n", "\n"));
        for (int i = 0; i < blocks.Count; i++)
        {
            if (blocks[i].Groups["lang"].Value != "csharp")
                continue;
            string? expected = i + 1 < blocks.Count && blocks[i + 1].Groups["lang"].Value == "text"
                ? blocks[i + 1].Groups["body"].Value
                : null;
            int line = markdown[..blocks[i].Index].Count(c => c == '\n') + 1;
            examples.Add(new Example(line, blocks[i].Groups["body"].Value, expected));
        }
        return examples;
    }

    /// <summary>Compiles <paramref name="code"/> against every assembly of this test process and runs it; returns its output.</summary>
    public static string CompileAndRun(string code, string name)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location))
            .Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: name);
        var compilation = CSharpCompilation.Create(
            name.Replace(' ', '_').Replace('.', '_'),
            [tree, CSharpSyntaxTree.ParseText(GlobalUsings)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            var errors = string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            throw new InvalidOperationException($"{name} does not compile:\n{errors}");
        }
        image.Position = 0;
        var context = new AssemblyLoadContext(name, isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(image).EntryPoint!;
            var output = new StringWriter();
            var previous = Console.Out;
            Console.SetOut(output);
            try
            {
                entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new InvalidOperationException($"{name} threw; it printed:\n{output}", e.InnerException);
            }
            finally
            {
                Console.SetOut(previous);
            }
            return output.ToString();
        }
        finally
        {
            context.Unload();
        }
    }

    public static string NormaliseOutput(string text) =>
        string.Join("\n", text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd()));

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        """;

    [GeneratedRegex(@"^```(?<lang>[a-z]*)\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FenceRegex();
}
