using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace NdBridge.Tests.Formats;

/// <summary>
/// Random strings and mutations of valid formats (fixed seeds): every input gives a format or a
/// <see cref="BufferFormatException"/> whose position lies inside the input, never another exception; accepted
/// inputs print and re-parse to an equal format. The slowest input is reported, not asserted: a timed assertion
/// fails on a loaded machine and proves nothing on a quiet one (speed lives in make bench).
/// </summary>
public sealed class BufferFormatFuzzTests(ITestOutputHelper output)
{
    private const int InputCount = 120_000;

    [Fact]
    public void RandomAndMutatedInputsGiveAFormatOrAPositionedFormatException()
    {
        var random = new Random(20261121);
        var corpus = new FormatCorpus(seed: 77);
        const string alphabet = "?cbBhHiIlLqQnNefdgspPwOxZT{}():,@=<>!^0123456789 uX&t:abyz\t\n+_-.é\0";
        int accepted = 0, rejected = 0;
        var slowest = TimeSpan.Zero;
        string slowestInput = "";
        var clock = new Stopwatch();
        for (int i = 0; i < InputCount; i++)
        {
            string input = (i % 4) switch
            {
                0 => RandomString(random, alphabet, random.Next(0, 40)),
                1 => corpus.Mutate(corpus.NumPyStyle()),
                2 => corpus.Mutate(corpus.StructStyle()),
                _ => Hostile(random),
            };
            bool acceptedByTry = BufferFormat.TryParse(input, out var viaTry);
            clock.Restart();
            try
            {
                var format = BufferFormat.Parse(input);
                accepted++;
                Assert.True(acceptedByTry, $"TryParse rejects '{input}', Parse accepts it");
                Assert.Equal(viaTry, format);
                Assert.True(format.ItemSize >= 0 && format.NumPyItemSize >= format.ItemSize, $"sizes of '{input}'");
                string canonical = format.ToString();
                Assert.True(BufferFormat.Parse(canonical).Equals(format), $"'{input}' prints as '{canonical}', which parses differently");
            }
            catch (BufferFormatException e)
            {
                rejected++;
                Assert.False(acceptedByTry, $"TryParse accepts '{input}', Parse rejects it");
                Assert.InRange(e.Position, 0, Math.Max(0, input.Length - 1));
                Assert.True(input.Length > 0, "the empty string is a valid format");
                Assert.Equal(input, e.Format);
            }
            clock.Stop();
            if (i >= 1000 && clock.Elapsed > slowest)
                (slowest, slowestInput) = (clock.Elapsed, input);
        }
        output.WriteLine($"fuzz inputs: {InputCount} (seeds 20261121, 77): accepted {accepted}, rejected with a positioned FormatException {rejected}");
        output.WriteLine($"slowest input after warm-up: {slowest.TotalMilliseconds:F3} ms ({slowestInput.Length} chars: {(slowestInput.Length > 60 ? slowestInput[..60] + "..." : slowestInput)})");
        Assert.Equal(InputCount, accepted + rejected);
        Assert.True(accepted > InputCount / 10 && rejected > InputCount / 10);
    }

    private static string RandomString(Random random, string alphabet, int length)
    {
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
            sb.Append(random.Next(50) == 0 ? (char)random.Next(0, 0x3000) : alphabet[random.Next(alphabet.Length)]);
        return sb.ToString();
    }

    /// <summary>Inputs whose numbers or nesting an attacker chose; each must cost work proportional to its length only.</summary>
    private static string Hostile(Random random)
    {
        // Mostly short; one in a hundred up to 100,000 repetitions (T{ nested 100,000 deep, 100,000-character names).
        int n = random.Next(100) == 0 ? random.Next(1, 100_001) : random.Next(1, 300);
        return random.Next(8) switch
        {
            0 => new string('9', n) + "x",
            1 => string.Concat(Enumerable.Repeat("T{", n)) + "d" + new string('}', random.Next(0, n + 2)),
            2 => "(" + string.Join(",", Enumerable.Repeat("9999999999", Math.Min(n, 40))) + ")d",
            3 => string.Concat(Enumerable.Repeat("(2,2)", n)) + "d",
            4 => "d:" + new string('a', n),
            5 => string.Concat(Enumerable.Repeat("<>", n)) + "d",
            6 => string.Concat(Enumerable.Repeat(random.Next(2) == 0 ? " " : "d", n)) + random.Next(1_000_000),
            _ => string.Concat(Enumerable.Repeat($"{random.Next(1, int.MaxValue)}x", Math.Min(n, 20))),
        };
    }
}
