using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace NdBridge.Tests.Formats;

/// <summary>
/// Thousands of generated format strings, each compared with CPython's <c>struct.calcsize</c> and NumPy's PEP 3118
/// parser (one Python process per batch). Agreement means: accepted exactly when at least one oracle accepts
/// (NumPy leniencies that BufferFormat documents as rejected aside), <see cref="BufferFormat.ItemSize"/> equal to
/// struct's size whenever struct accepts, and NumPy's item size, field names, offsets, sub-array shapes, kinds and
/// byte orders whenever NumPy accepts. The canonical text of every accepted format goes back to both oracles too.
/// </summary>
public sealed class BufferFormatConformanceTests(ITestOutputHelper output)
{
    private const int FormatCount = 6000;

    [Fact]
    public void GeneratedFormatsAgreeWithStructAndNumPy()
    {
        var texts = new List<string>(FormatCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var corpus = new FormatCorpus(seed: 3118);
        while (texts.Count < FormatCount)
        {
            string text = corpus.Next();
            if (seen.Add(text))
                texts.Add(text);
        }
        var answers = FormatOracle.Ask(texts);

        var disagreements = new List<string>();
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        void Count(string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
        var reprinted = new List<(int Index, string Text, bool SizesAgree)>();

        for (int i = 0; i < texts.Count; i++)
        {
            string text = texts[i];
            var answer = answers[i];
            bool accepted = BufferFormat.TryParse(text, out var format);
            bool oracleAccepts = answer.StructAccepts || answer.NumPyAccepts;
            if (answer.StructAccepts) Count("accepted by struct");
            if (answer.NumPyAccepts) Count("accepted by NumPy");
            if (answer.StructAccepts && answer.NumPyAccepts) Count("accepted by both");
            if (!oracleAccepts) Count("rejected by both oracles");
            if (answer.NumPyAcceptsLeniently && !answer.StructAccepts) Count($"NumPy-only leniency rejected: {answer.Lenient}");
            if (oracleAccepts)
            {
                if (HasPrefixChange(text)) Count("feature: prefix change mid-string");
                if (text.Contains("T{", StringComparison.Ordinal)) Count("feature: records");
                if (text.Contains('(')) Count("feature: sub-arrays");
                if (text.Contains('Z')) Count("feature: complex");
                if (text.Contains(':')) Count("feature: names");
                if (text.Any(char.IsWhiteSpace)) Count("feature: whitespace");
                if (format is not null && format.ItemSize != format.NumPyItemSize) Count("feature: struct size != NumPy size");
            }

            if (accepted != oracleAccepts)
            {
                disagreements.Add($"{Quote(text)}: NdBridge {(accepted ? "accepts" : "rejects")}, struct {answer.StructSize?.ToString() ?? "rejects"}, " +
                                  $"NumPy {answer.NumPyDescription ?? "rejects"}{(answer.Lenient is null ? "" : " (leniently: " + answer.Lenient + ")")}");
                continue;
            }
            if (format is null)
                continue;
            if (answer.StructAccepts && format.ItemSize != answer.StructSize)
                disagreements.Add($"{Quote(text)}: ItemSize {format.ItemSize}, struct.calcsize {answer.StructSize}");
            if (answer.NumPyAccepts)
            {
                string mine = NumPyStyleDescription(format);
                if (format.NumPyItemSize != answer.NumPySize || mine != answer.NumPyDescription)
                    disagreements.Add($"{Quote(text)}: NdBridge {mine} ({format.NumPyItemSize} bytes), NumPy {answer.NumPyDescription} ({answer.NumPySize})");
                // NumPy's descr of a bare sub-array is just '|V<n>', and it keeps '(2)3d' nested: BufferFormat says more.
                if (format.Kind == BufferFormatKind.SubArray || Regex.IsMatch(answer.Descr!, @"\)\), \(\d"))
                {
                    Count("descr not compared (sub-array form)");
                }
                else
                {
                    string descr = format.Kind == BufferFormatKind.Record ? NumPyNamedDescr(format.ToDescr()) : format.ToDescrString();
                    if (descr != answer.Descr)
                        disagreements.Add($"{Quote(text)}: descr {descr}, NumPy {answer.Descr}");
                    else
                        Count("descr equal to NumPy's");
                }
            }
            string canonical = format.ToString();
            Assert.True(BufferFormat.Parse(canonical).Equals(format), $"{Quote(text)} prints as {Quote(canonical)}, which parses differently");
            reprinted.Add((i, canonical, format.ItemSize == format.NumPyItemSize));
        }

        // The canonical text means the same to the oracles as the original did.
        var again = FormatOracle.Ask(reprinted.Select(r => r.Text).ToList());
        for (int k = 0; k < reprinted.Count; k++)
        {
            var (index, canonical, sizesAgree) = reprinted[k];
            var before = answers[index];
            var after = again[k];
            if (before.NumPyAccepts && (after.NumPyDescription != before.NumPyDescription || after.NumPySize != before.NumPySize))
                disagreements.Add($"{Quote(texts[index])} -> {Quote(canonical)}: NumPy reads {after.NumPyDescription ?? "(rejects)"}, was {before.NumPyDescription}");
            if (before.StructAccepts && !before.NumPyAccepts && after.StructSize != before.StructSize)
                disagreements.Add($"{Quote(texts[index])} -> {Quote(canonical)}: struct size {after.StructSize?.ToString() ?? "(rejects)"}, was {before.StructSize}");
            // Where the sizes agree, the canonical text writes all padding: struct's and NumPy's readings agree too.
            if (sizesAgree && after.StructAccepts && after.NumPyAccepts && after.StructSize != after.NumPySize)
                Count("canonical text where struct and NumPy sizes differ");
            if (sizesAgree && after.StructAccepts && after.NumPyAccepts) Count("canonical text read by both oracles, same size");
            if (after.StructAccepts || after.NumPyAccepts) Count("canonical text accepted by an oracle");
        }

        output.WriteLine($"generated formats compared: {texts.Count} (seed 3118); canonical texts re-checked: {reprinted.Count}");
        foreach (var (key, value) in counts)
            output.WriteLine($"  {key}: {value}");
        output.WriteLine($"disagreements: {disagreements.Count}");
        foreach (var line in disagreements.Take(60))
            output.WriteLine("  " + line);

        Assert.Empty(disagreements);
        Assert.True(texts.Count >= 5000);
        Assert.True(counts.GetValueOrDefault("rejected by both oracles") * 5 >= texts.Count, "fewer than a fifth of the formats are rejected by both oracles");
        foreach (var feature in new[] { "prefix change mid-string", "records", "sub-arrays", "complex", "names", "whitespace", "struct size != NumPy size" })
            Assert.True(counts.GetValueOrDefault("feature: " + feature) >= 100, $"only {counts.GetValueOrDefault("feature: " + feature)} accepted formats exercise {feature}");
        Assert.True(counts.GetValueOrDefault("accepted by both") >= 500);
        Assert.True(counts.GetValueOrDefault("accepted by NumPy") - counts.GetValueOrDefault("accepted by both") >= 500);
        Assert.True(counts.GetValueOrDefault("accepted by struct") - counts.GetValueOrDefault("accepted by both") >= 300);
        Assert.Equal(reprinted.Count, counts.GetValueOrDefault("canonical text accepted by an oracle"));
        Assert.Equal(0, counts.GetValueOrDefault("canonical text where struct and NumPy sizes differ"));
    }

    /// <summary>The descr as Python prints it, unnamed fields named as NumPy names them (padding stays '').</summary>
    private static string NumPyNamedDescr(IReadOnlyList<DescrEntry> descr)
    {
        bool IsPadding(DescrEntry e) => e.Name.Length == 0 && e.Typestr is not null && e.Typestr.StartsWith("|V", StringComparison.Ordinal) && e.Shape.Count == 0;
        var names = descr.Select(e => e.Name.Length == 0 && !IsPadding(e) ? null : e.Name).ToList();
        var taken = new HashSet<string>(names.Where(n => n is not null && n.Length > 0)!);
        var parts = new List<string>();
        for (int i = 0; i < descr.Count; i++)
        {
            var entry = descr[i];
            string name = names[i] ?? "";
            if (names[i] is null)
            {
                int j = 0;
                while (taken.Contains($"f{j}"))
                    j++;
                name = $"f{j}";
                taken.Add(name);
            }
            string type = entry.Fields is not null ? NumPyNamedDescr(entry.Fields) : "'" + entry.Typestr + "'";
            string shape = entry.Shape.Count == 0 ? "" : ", (" + string.Join(", ", entry.Shape) + (entry.Shape.Count == 1 ? ",)" : ")");
            parts.Add($"('{name.Replace("\t", "\\t").Replace("\n", "\\n")}', {type}{shape})");
        }
        return "[" + string.Join(", ", parts) + "]";
    }

    private static bool HasPrefixChange(string text)
    {
        bool inName = false;
        for (int i = 1; i < text.Length; i++)
        {
            if (text[i] == ':')
                inName = !inName;
            else if (!inName && text[i] is '@' or '=' or '<' or '>' or '!' or '^')
                return true;
        }
        return false;
    }

    private static string Quote(string text) => "'" + text.Replace("\t", "\\t").Replace("\n", "\\n") + "'";

    /// <summary>
    /// The description format_oracle.py gives NumPy dtypes, built from the BufferFormat's public model; unnamed
    /// fields get NumPy's names (the first unused f0, f1, ...).
    /// </summary>
    internal static string NumPyStyleDescription(BufferFormat format)
    {
        switch (format.Kind)
        {
            case BufferFormatKind.SubArray:
                return $"A({string.Join(",", format.SubArrayShape)}){NumPyStyleDescription(format.ElementFormat!)}";
            case BufferFormatKind.Record:
            {
                var names = format.Fields.Select(f => f.Name).ToList();
                for (int i = 0; i < names.Count; i++)
                {
                    if (names[i] is not null)
                        continue;
                    int j = 0;
                    while (names.Contains($"f{j}"))
                        j++;
                    names[i] = $"f{j}";
                }
                var sb = new StringBuilder($"R{format.NumPyItemSize}{{");
                for (int i = 0; i < names.Count; i++)
                {
                    if (i > 0)
                        sb.Append(';');
                    sb.Append(names[i]).Append('@').Append(format.Fields[i].ByteOffset).Append(':')
                      .Append(NumPyStyleDescription(format.Fields[i].Format));
                }
                return sb.Append('}').ToString();
            }
            default:
                return format.ToTypestr();
        }
    }
}
