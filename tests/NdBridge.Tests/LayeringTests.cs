using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace NdBridge.Tests;

/// <summary>
/// The core knows no Python layer: NdBridge.Python compiles against its public API only (no InternalsVisibleTo), and
/// no source file of the core names a type, API or message of NdBridge.Python. The buffer protocol's own vocabulary
/// (PEP 3118, <c>Py_buffer</c>, <c>PyBuffer_IsContiguous</c>) and NumPy's file format are the core's and stay.
/// </summary>
public sealed partial class LayeringTests
{
    [Fact]
    public void TheCoreGrantsNdBridgePythonNoInternals()
    {
        var friends = typeof(NdBuffer).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName.Split(',')[0].Trim()).ToArray();
        Assert.Contains("NdBridge.Tests", friends); // the attribute list is read (this test sees internals through it)
        Assert.DoesNotContain("NdBridge.Python", friends);
    }

    // Names only NdBridge.Python defines or speaks of: its types, its entry points, the interpreter lock.
    [GeneratedRegex(@"NdBridge\.Python|PythonRuntime|PythonObject|PythonGil|PythonException|PythonErrors|\bToPython\(|\bToNumPy\(|AsNdBuffer|BufferExport|\bGIL\b|\binterpreter\b|[Ee]xports? to Python|[Ii]mport(s|ed)? from Python|Python slot", RegexOptions.CultureInvariant)]
    private static partial Regex PythonLayerWords();

    [Fact]
    public void NoCoreSourceNamesThePythonLayer()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NdBridge.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException($"No NdBridge.sln above {AppContext.BaseDirectory}.");
        var core = Path.Combine(root, "src", "NdBridge");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToArray();
        Assert.True(files.Length > 50, $"only {files.Length} source files under {core}");
        var hits = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (PythonLayerWords().IsMatch(lines[i]))
                    hits.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(hits.Count == 0, "the core names the Python layer:\n" + string.Join("\n", hits));
        Assert.Matches(PythonLayerWords(), "the GIL is held by PythonRuntime"); // the pattern finds what it looks for
    }
}
