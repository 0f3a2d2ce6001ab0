using System.Text;

namespace NdBridge.Tests.Formats;

/// <summary>
/// Format strings generated from fixed seeds: struct-style strings, NumPy/PEP 3118-style strings (mid-string
/// prefixes, records, names, sub-arrays, complex), hostile numbers, and mutations of all of these. The mutation
/// alphabet is ASCII without '+' and '_', and nesting stays far below NdBridge's limit, so that the only NumPy
/// leniencies reachable are the ones the oracle reports (unclosed 'T{', stray '}', empty names).
/// </summary>
internal sealed class FormatCorpus(int seed)
{
    private readonly Random _random = new(seed);
    private const string StructCodes = "xcbB?hHiIlLqQnNefdspP";
    private const string NumPyCodes = "?cbBhHiIlLqQefdgswOx";
    private const string Prefixes = "@=<>!^";
    private const string MutationAlphabet = "?cbBhHiIlLqQnNefdgspPwOxZT{}():,@=<>!^0123456789 uX&tak\t";
    private static readonly string[] s_names = ["a", "b", "x", "y", "re", "im", "f0", "f1", "n9", "longname", "é"];

    public string Next()
    {
        int pick = _random.Next(100);
        string text = pick switch
        {
            < 26 => StructStyle(),
            < 58 => NumPyStyle(),
            < 62 => Hostile(),
            _ => Mutate(_random.Next(3) == 0 ? StructStyle() : NumPyStyle()),
        };
        return text;
    }

    private string Count(int max) => _random.Next(10) switch
    {
        0 => _random.Next(2) == 0 ? "0" : "1",
        < 3 => _random.Next(2, max + 1).ToString(),
        _ => "",
    };

    public string StructStyle()
    {
        var sb = new StringBuilder();
        if (_random.Next(3) > 0)
            sb.Append("@=<>!"[_random.Next(5)]);
        int items = _random.Next(1, 6);
        for (int i = 0; i < items; i++)
        {
            if (_random.Next(12) == 0)
                sb.Append(_random.Next(2) == 0 ? " " : "\t");
            sb.Append(Count(6));
            sb.Append(StructCodes[_random.Next(StructCodes.Length)]);
        }
        if (_random.Next(15) == 0)
            sb.Append(' ');
        return sb.ToString();
    }

    public string NumPyStyle()
    {
        var sb = new StringBuilder();
        if (_random.Next(3) == 0)
            sb.Append(Prefixes[_random.Next(Prefixes.Length)]);
        Items(sb, 0, new HashSet<string>());
        return sb.ToString();
    }

    private void Items(StringBuilder sb, int depth, HashSet<string> names)
    {
        int items = _random.Next(depth == 0 ? 1 : 0, 5);
        for (int i = 0; i < items; i++)
        {
            if (_random.Next(9) == 0)
            {
                sb.Append('(');
                int dims = _random.Next(1, 4);
                for (int d = 0; d < dims; d++)
                {
                    if (d > 0)
                        sb.Append(_random.Next(8) == 0 ? ", " : ",");
                    sb.Append(_random.Next(0, 4));
                }
                sb.Append(')');
            }
            if ((i > 0 || depth > 0) && _random.Next(4) == 0)
                sb.Append(Prefixes[_random.Next(Prefixes.Length)]);
            if (depth < 3 && _random.Next(7) == 0)
            {
                sb.Append(Count(3)).Append("T{");
                Items(sb, depth + 1, new HashSet<string>());
                sb.Append('}');
            }
            else
            {
                int code = _random.Next(NumPyCodes.Length + 3);
                if (code >= NumPyCodes.Length)
                    sb.Append(Count(4)).Append('Z').Append("fdg"[code - NumPyCodes.Length]);
                else
                    sb.Append(Count(5)).Append(NumPyCodes[code]);
            }
            if (_random.Next(3) == 0)
            {
                string name = s_names[_random.Next(s_names.Length)];
                if (_random.Next(6) != 0)
                {
                    // Mostly unique names; sometimes a repeat, which NumPy rejects.
                    name = names.Contains(name) ? name + names.Count : name;
                }
                names.Add(name);
                sb.Append(':').Append(name).Append(':');
            }
        }
    }

    public string Hostile() => _random.Next(9) switch
    {
        0 => "999999999999x",
        1 => $"{_random.NextInt64(1, long.MaxValue)}{"dxsbT"[_random.Next(5)]}",
        2 => $"({_random.NextInt64(1, 99999999999)},{_random.NextInt64(1, 99999999999)})d",
        3 => new string('9', _random.Next(15, 25)) + "d",
        4 => "T{" + string.Concat(Enumerable.Repeat("T{", _random.Next(1, 40))) + "d" + new string('}', _random.Next(1, 42)),
        5 => $"{_random.Next(1 << 28, int.MaxValue)}{"swx"[_random.Next(3)]}:a:",
        6 => $"T{{{_random.Next(1 << 30, int.MaxValue)}x}}{_random.Next(1, 9)}x",
        7 => $"({_random.Next(1, 70000)},{_random.Next(1, 70000)})b",
        _ => $"{_random.Next(1 << 27, 1 << 29)}d",
    };

    public string Mutate(string text)
    {
        var sb = new StringBuilder(text);
        int edits = _random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = sb.Length == 0 ? 0 : _random.Next(sb.Length);
            char c = MutationAlphabet[_random.Next(MutationAlphabet.Length)];
            switch (_random.Next(6))
            {
                case 0 when sb.Length > 0: sb.Remove(at, 1); break;
                case 1: sb.Insert(at, c); break;
                case 2 when sb.Length > 0: sb[at] = c; break;
                case 3 when sb.Length > 1 && at + 1 < sb.Length: (sb[at], sb[at + 1]) = (sb[at + 1], sb[at]); break;
                case 4 when sb.Length > 0: sb.Length = at; break;
                default:
                    int length = Math.Min(sb.Length - at, _random.Next(1, 6));
                    sb.Insert(at, sb.ToString(at, length));
                    break;
            }
        }
        return sb.ToString();
    }
}
