using NdBridge.Testing;

namespace NdBridge.Python.Tests.Readme;

/// <summary>The README's C# examples compile, run, and print what the README says they print.</summary>
[Collection(nameof(ConsoleCapturingCollection))]
public class ReadmeExampleTests
{
    public static TheoryData<ReadmeExamples.Example> Examples()
    {
        var data = new TheoryData<ReadmeExamples.Example>();
        foreach (var example in ReadmeExamples.Parse(File.ReadAllText(ReadmeExamples.FindReadme())))
            data.Add(example);
        return data;
    }

    [Fact]
    public void TheReadmeHasAnExampleWithItsOutput() =>
        Assert.Contains(ReadmeExamples.Parse(File.ReadAllText(ReadmeExamples.FindReadme())), e => e.ExpectedOutput is not null);

    [Theory]
    [MemberData(nameof(Examples), DisableDiscoveryEnumeration = true)]
    public void ExampleRunsAndPrintsWhatTheReadmeShows(ReadmeExamples.Example example)
    {
        _ = PythonFixture.Runtime; // the examples' PythonRuntime.Initialize() returns this process's interpreter
        string output = ReadmeExamples.CompileAndRun(example.Code, example.ToString());
        if (example.ExpectedOutput is not null)
            Assert.Equal(ReadmeExamples.NormaliseOutput(example.ExpectedOutput), ReadmeExamples.NormaliseOutput(output));
    }

    [Fact]
    public void HarnessReportsCompileErrors()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ReadmeExamples.CompileAndRun("int x = \"not an int\";", "broken example"));
        Assert.Contains("does not compile", e.Message);
        Assert.Contains("CS0029", e.Message);
    }

    [Fact]
    public void HarnessCapturesOutputAndPairsTheTextBlock()
    {
        var examples = ReadmeExamples.Parse("intro\n```csharp\nConsole.WriteLine(6 * 7);\n```\nprints\n```text\n42\n```\n```sh\nmake\n```\n");
        var only = Assert.Single(examples);
        Assert.Equal(2, only.Line);
        Assert.Equal("42\n", only.ExpectedOutput);
        Assert.Equal("42", ReadmeExamples.NormaliseOutput(ReadmeExamples.CompileAndRun(only.Code, "pairing example")));
    }

    [Fact]
    public void HarnessSurfacesTheExampleException()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            ReadmeExamples.CompileAndRun("Console.WriteLine(\"before\"); throw new FormatException(\"boom\");", "throwing example"));
        Assert.IsType<FormatException>(e.InnerException);
        Assert.Contains("before", e.Message);
    }
}

/// <summary>Tests that redirect <see cref="Console.Out"/> run alone.</summary>
[CollectionDefinition(nameof(ConsoleCapturingCollection), DisableParallelization = true)]
public sealed class ConsoleCapturingCollection;
