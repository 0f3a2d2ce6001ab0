using Xunit.Abstractions;
namespace NdBridge.Tests.Formats;
public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        foreach (var t in (Environment.GetEnvironmentVariable("SCRATCH") ?? "").Split('|'))
        {
            if (!BufferFormat.TryParse(t, out var f)) { try { BufferFormat.Parse(t); } catch (Exception e) { output.WriteLine($"'{t}' -> {e.Message}"); } continue; }
            string s;
            try { s = f.ToString(); } catch (Exception e) { s = "PRINT FAIL " + e.Message; }
            output.WriteLine($"'{t}' -> '{s}' {f.Describe()} S={f.ItemSize} N={f.NumPyItemSize} A={f.Alignment} kind={f.Kind}");
            foreach (var fl in f.Fields) output.WriteLine($"    {fl}  {fl.Format.Kind} {fl.Format.ItemSize}/{fl.Format.NumPyItemSize}");
        }
    }
}
