namespace NdBridge.Tests.Formats;

/// <summary>Parsing, sizes, equality, printing and malformed input, with struct and NumPy as the oracles for sizes and layouts.</summary>
public sealed class BufferFormatTests
{
    private static readonly string[] s_examples =
    [
        "ix", "bix", "T{i:a:d:b:}", "d", "@d", "=d", "<d", ">d", "!d", "l", "q", "<l", "c", "1s", "2c", "3s", "0s", "2d", "(2)d",
        "(2)3d", "(2,3)d", "dd", "T{dd}", "T{d}", "xd", "b0d", "Zf", "Zd", "Zg", "g", "^g", "e", "?", "w", "5w", "O", "3x", "x",
        "^bd", "<bd", "T{<d}d", "bT{<d@b}", "(2)<d", "T{b:a:T{h:b:i:c:}:n:}", "3T{bd:x:}", "", "<", "d ", " d", "<  i h",
        "999999999999x", "2147483648s", "5P", "3p", "nN",
        "d:a}b:", "d:a b:", "T{d:{:}", "d:T{:", "2d:é:", "( 2 ,3 )d", "T{}", "T{}:a:", "0w", "0x:a:", "(2)T{}", "2T{}",
        "T{d}0x", "x:p:", "(2)x", "(2)x:a:", "^Zg>d", "@g=d", "T{b}T{d}", "T{bT{d}}i", "T{^d}b", "<T{@ib}b",
    ];

    [Fact]
    public void SizesAndLayoutMatchStructAndNumPy()
    {
        var answers = FormatOracle.Ask(s_examples);
        for (int i = 0; i < s_examples.Length; i++)
        {
            string text = s_examples[i];
            var answer = answers[i];
            var format = BufferFormat.Parse(text);
            Assert.True(answer.StructAccepts || answer.NumPyAccepts, $"neither oracle accepts '{text}'");
            if (answer.StructAccepts)
                Assert.True(answer.StructSize == format.ItemSize, $"'{text}': ItemSize {format.ItemSize}, struct {answer.StructSize}");
            if (answer.NumPyAccepts)
            {
                Assert.True(answer.NumPySize == format.NumPyItemSize, $"'{text}': NumPyItemSize {format.NumPyItemSize}, NumPy {answer.NumPySize}");
                Assert.Equal(answer.NumPyDescription, BufferFormatConformanceTests.NumPyStyleDescription(format));
            }
        }
    }

    [Fact]
    public void StructAndNumPySizesDifferAsTheIssueSays()
    {
        var answers = FormatOracle.Ask(["ix", "bix", "T{i:a:d:b:}"]);
        Assert.Equal((5L, 8L), (answers[0].StructSize!.Value, answers[0].NumPySize!.Value));
        Assert.Equal((9L, 12L), (answers[1].StructSize!.Value, answers[1].NumPySize!.Value));
        Assert.Equal(16L, answers[2].NumPySize);
        Assert.Equal((5, 8), ((int)BufferFormat.Parse("ix").ItemSize, (int)BufferFormat.Parse("ix").NumPyItemSize));
        Assert.Equal((9, 12), ((int)BufferFormat.Parse("bix").ItemSize, (int)BufferFormat.Parse("bix").NumPyItemSize));
        Assert.Equal(16, BufferFormat.Parse("T{i:a:d:b:}").NumPyItemSize);
    }

    [Theory]
    [InlineData("d", "@d", "=d", "<d")]
    [InlineData("l", "q", "n", "@q")]
    [InlineData("L", "Q", "N", "<Q")]
    [InlineData("<l", "i", "=i", "<i")]
    [InlineData("c", "1s", "@c", "<1s")]
    [InlineData("2d", "(2)d", "(2)1d", "<2d")]
    [InlineData("(2)3d", "(2,3)d", "(2, 3)d", "(2,3)<d")]
    [InlineData("dd", "T{dd}", "^dd", "<dd")]
    [InlineData(">b", "b", "<b", "!b")]
    [InlineData("^bd", "<bd", "=bd", "=b<d")]
    [InlineData(">O", "O", "<O", "=O")]
    [InlineData("x", "T{x}", "1x", "<x")]
    public void EqualByMeaning(string a, string b, string c, string d)
    {
        var formats = new[] { a, b, c, d }.Select(BufferFormat.Parse).ToArray();
        foreach (var other in formats)
        {
            Assert.Equal(formats[0], other);
            Assert.Equal(formats[0].GetHashCode(), other.GetHashCode());
            Assert.True(formats[0] == other);
        }
        Assert.Equal(formats[0].ToString(), formats[3].ToString());
    }

    [Fact]
    public void NumPyReadsTheEqualFormatsAlike()
    {
        // Oracle check of the equalities above where NumPy reads both sides ((2)3d is the documented exception:
        // NumPy keeps the nested sub-array, with the same bytes).
        string[][] groups = [["d", "@d", "=d", "<d"], ["l", "q"], ["<l", "i"], ["c", "1s"], ["2d", "(2)d"], ["dd", "T{dd}"], ["^bd", "<bd", "=bd"], ["x", "T{x}"]];
        var answers = FormatOracle.Ask(groups.SelectMany(g => g).ToList());
        int k = 0;
        foreach (var group in groups)
        {
            var first = answers[k];
            foreach (var _ in group)
            {
                Assert.Equal(first.NumPyDescription, answers[k].NumPyDescription);
                k++;
            }
        }
    }

    [Theory]
    [InlineData("d", "T{d}")]
    [InlineData("ix", "<ix")]
    [InlineData("ix", "ixxx")]
    [InlineData("T{d}", "T{d:f0:}")]
    [InlineData("T{d:a:}", "T{d:b:}")]
    [InlineData("c", "B")]
    [InlineData("2c", "2s")]
    [InlineData("<d", ">d")]
    [InlineData("P", "Q")]
    [InlineData("?", "B")]
    [InlineData("(1)d", "d")]
    public void DifferentMeaningsAreNotEqual(string a, string b)
    {
        Assert.NotEqual(BufferFormat.Parse(a), BufferFormat.Parse(b));
        Assert.True(BufferFormat.Parse(a) != BufferFormat.Parse(b));
    }

    [Theory]
    [InlineData("d", "d")]
    [InlineData("<d", "d")]
    [InlineData(">d", ">d")]
    [InlineData("l", "q")]
    [InlineData("<l", "i")]
    [InlineData("2d", "2d")]
    [InlineData("(2,3)<d", "(2,3)d")]
    [InlineData("1s", "c")]
    [InlineData("ix", "ix")]
    [InlineData("<bd", "=bd")]
    [InlineData("T{i:a:d:b:}", "T{i:a:4xd:b:}")]
    [InlineData("i:a:d:b:", "T{i:a:4xd:b:}")]
    [InlineData("d:a:b:b:", "d:a:b:b:")]
    [InlineData("T{d}", "T{d}")]
    [InlineData("^g", "g")]
    [InlineData("", "")]
    public void CanonicalText(string text, string canonical)
    {
        var format = BufferFormat.Parse(text);
        Assert.Equal(canonical, format.ToString());
        Assert.Equal(format, BufferFormat.Parse(format.ToString()));
    }

    [Fact]
    public void UnsignedBytesIsB()
    {
        Assert.Equal(BufferFormat.Parse("B"), BufferFormat.UnsignedBytes);
        Assert.Equal("B", BufferFormat.UnsignedBytes.ToString());
        Assert.Equal(1, BufferFormat.UnsignedBytes.ItemSize);
    }

    [Theory]
    [InlineData("d", true, false)]
    [InlineData(">d", false, false)]
    [InlineData(">b", true, false)]
    [InlineData("T{d:a:>i:b:}", false, false)]
    [InlineData("T{d:a:T{O:o:}:b:}", true, true)]
    [InlineData("(2)O", true, true)]
    [InlineData(">3s", true, false)]
    [InlineData(">w", false, false)]
    public void NativeOrderAndObjects(string text, bool native, bool objects)
    {
        var format = BufferFormat.Parse(text);
        Assert.Equal(native, format.IsNativeByteOrder);
        Assert.Equal(objects, format.ContainsObjects);
    }

    [Theory]
    [InlineData("d", 8)]
    [InlineData("Zf", 4)]
    [InlineData("g", 16)]
    [InlineData("3s", 1)]
    [InlineData("w", 4)]
    [InlineData("bd", 8)]
    [InlineData("<bd", 1)]
    [InlineData("<b3xi", 4)]
    [InlineData("(2,2)h", 2)]
    public void Alignment(string text, int alignment) => Assert.Equal(alignment, BufferFormat.Parse(text).Alignment);

    [Fact]
    public void FieldModel()
    {
        var format = BufferFormat.Parse("T{b:flag:(2,3)i:m:T{d:re:d:im:}:z:(2)>h:w:}");
        Assert.Equal(BufferFormatKind.Record, format.Kind);
        var (flag, m, z) = (format.Fields[0], format.Fields[1], format.Fields[2]);
        Assert.Equal(("flag", (nint)0), (flag.Name, flag.ByteOffset));
        Assert.Equal(("m", (nint)4), (m.Name, m.ByteOffset));
        Assert.Equal(new nint[] { 2, 3 }, m.Shape);
        Assert.Equal(BitConverter.IsLittleEndian ? ByteOrder.LittleEndian : ByteOrder.BigEndian, m.ByteOrder);
        Assert.Equal(BufferFormat.Parse("i"), m.ElementFormat);
        Assert.Equal(("w", (nint)48, ByteOrder.BigEndian), (format.Fields[3].Name, format.Fields[3].ByteOffset, format.Fields[3].ByteOrder));
        Assert.Equal(("z", (nint)32), (z.Name, z.ByteOffset));
        Assert.Equal(BufferFormatKind.Record, z.Format.Kind);
        Assert.Equal(ByteOrder.NotApplicable, z.ByteOrder);
        Assert.Equal(52, format.NumPyItemSize);
        Assert.Equal("record {flag: int8 at 0, m: int32[2, 3] at 4, z: record {re: float64 at 0, im: float64 at 8} at 32, w: big-endian int16[2] at 48}", format.Describe());
    }

    [Theory]
    [InlineData(">d", "big-endian float64")]
    [InlineData("d", "float64")]
    [InlineData("3s", "3-byte string")]
    [InlineData("ix", "record {(unnamed): int32 at 0} (5 bytes, 8 for NumPy)")]
    [InlineData("T{d:x:i:y:4x}", "record {x: float64 at 0, y: int32 at 8} (16 bytes)")]
    public void DescribeInWords(string text, string words) => Assert.Equal(words, BufferFormat.Parse(text).Describe());

    [Fact]
    public void ScalarRunsCoverEveryByteOnce()
    {
        var corpus = new FormatCorpus(seed: 11);
        int checkedFormats = 0;
        for (int i = 0; i < 3000; i++)
        {
            if (!BufferFormat.TryParse(corpus.Next(), out var format) || format.ItemSize > 4096)
                continue;
            checkedFormats++;
            var cover = new int[format.ItemSize];
            foreach (var run in format.ScalarRuns)
            {
                var index = new nint[run.Counts.Count];
                if (run.ElementCount == 0)
                    continue;
                while (true)
                {
                    nint offset = run.ByteOffset;
                    for (int d = 0; d < index.Length; d++)
                        offset += index[d] * run.ByteStrides[d];
                    for (nint b = 0; b < run.ByteSize; b++)
                        cover[offset + b]++;
                    int k = index.Length - 1;
                    while (k >= 0 && ++index[k] == run.Counts[k])
                        index[k--] = 0;
                    if (k < 0)
                        break;
                }
            }
            Assert.True(cover.All(c => c == 1), $"'{format}': bytes covered {string.Join(",", cover)}");
        }
        Assert.True(checkedFormats > 1000);
    }

    [Fact]
    public void ScalarRunsOfARecordWithSubArrays()
    {
        // The '>' inside the record persists (as in NumPy): the inner record is packed, 3 bytes, at offset 1.
        var runs = BufferFormat.Parse("T{b:a:(2)T{>h:x:b:y:}:s:}").ScalarRuns;
        Assert.Collection(runs,
            r => Assert.Equal((0, ScalarKind.SignedInteger, 1), ((int)r.ByteOffset, r.Kind, (int)r.ByteSize)),
            r =>
            {
                Assert.Equal((1, ScalarKind.SignedInteger, 2, ByteOrder.BigEndian), ((int)r.ByteOffset, r.Kind, (int)r.ByteSize, r.ByteOrder));
                Assert.Equal(new nint[] { 2 }, r.Counts);
                Assert.Equal(new nint[] { 3 }, r.ByteStrides);
            },
            r => Assert.Equal((3, ScalarKind.SignedInteger, 1, 2), ((int)r.ByteOffset, r.Kind, (int)r.ByteSize, (int)r.ElementCount)));
        var padded = BufferFormat.Parse("bxh3x").ScalarRuns;
        Assert.Equal([ScalarKind.SignedInteger, ScalarKind.Padding, ScalarKind.SignedInteger, ScalarKind.Padding], padded.Select(r => r.Kind));
        Assert.Equal([0, 1, 2, 4], padded.Select(r => (int)r.ByteOffset));
    }

    public static TheoryData<string, int, string> Malformed => new()
    {
        { "T{d", 0, "never closed" },
        { "d}", 1, "closes no" },
        { "d::", 1, "empty field name" },
        { "d:a:d:a:", 6, "duplicate field name 'a'" },
        { "d:a", 1, "never closed" },
        { "(2", 0, "never closed" },
        { "(2,)d", 3, "dimension" },
        { "()d", 1, "dimension" },
        { "2", 0, "count must be followed" },
        { "d<", 1, "prefix must be followed" },
        { "<>d", 1, "two byte-order prefixes" },
        { "<(2)d", 1, "before the byte-order prefix" },
        { " <d", 1, "cannot be mixed" },
        { "T{d} ", 4, "cannot be mixed" },
        { "dP<d", 2, "cannot be mixed" },
        { "dP^d", 2, "cannot be mixed" },
        { "<g", 1, "long double" },
        { "<Zg", 1, "complex long double" },
        { "=P", 1, "native" },
        { "Zq", 0, "after 'Z'" },
        { "u", 0, "UCS-2" },
        { "&d", 0, "pointer" },
        { "t", 0, "bit field" },
        { "X{}", 0, "function pointer" },
        { "k", 0, "unknown type code 'k'" },
        { "d\0", 1, "unknown type code" },
        { "T", 0, "expected '{'" },
        { "^", 0, "must be followed" },
        { "(2)0d", 0, "zero bytes" },
        { "99999999999999999999d", 0, "too large" },
        { "(9999999999,9999999999)d", 1, "NumPy's limit" },
        { "T{2147483648x}", 2, "NumPy's limit" },
        { "268435456d:a:", 0, "NumPy's limit" },
        { "536870912w", 0, "NumPy's limit" },
        { "4611686018427387904d", 0, "overflows" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedInputNamesAPositionInsideIt(string text, int position, string reason)
    {
        var e = Assert.Throws<BufferFormatException>(() => BufferFormat.Parse(text));
        Assert.Equal(position, e.Position);
        Assert.InRange(e.Position, 0, text.Length - 1);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
        Assert.Contains($"position {position}", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<FormatException>(e);
        Assert.False(BufferFormat.TryParse(text, out var result));
        Assert.Null(result);
    }

    [Fact]
    public void ANulInsideAFieldNameIsRefusedBecauseTheExportedCStringWouldBeCutThere()
    {
        var e = Assert.Throws<BufferFormatException>(() => BufferFormat.Parse("T{d:a\0b:i:c:}"));
        Assert.Equal(5, e.Position);
        Assert.Contains("NUL", e.Reason, StringComparison.Ordinal);
        // What a consumer reading the format as a C string would have seen: NumPy refuses it.
        Assert.False(FormatOracle.Ask(["T{d:a"])[0].NumPyAccepts);
    }

    [Fact]
    public void MalformedInputIsRejectedByBothOraclesToo()
    {
        // Except the NumPy leniencies BufferFormat documents as rejected, which the oracle reports as such.
        var texts = Malformed.Select(row => (string)row[0]).ToList();
        var answers = FormatOracle.Ask(texts);
        for (int i = 0; i < texts.Count; i++)
            Assert.False(answers[i].StructAccepts || answers[i].NumPyAccepts, $"'{texts[i]}' is accepted by an oracle: {answers[i]}");
        Assert.Equal(3, answers.Count(a => a.NumPyAcceptsLeniently));
    }

    [Fact]
    public void HostileNumbersCostNothing()
    {
        var huge = BufferFormat.Parse("999999999999x");
        Assert.Equal(999999999999, huge.ItemSize);
        Assert.Empty(huge.Fields);
        Assert.Single(huge.ScalarRuns);
        var big = BufferFormat.Parse("999999999999d");
        Assert.Equal(7999999999992, big.ItemSize);
        Assert.Single(big.ScalarRuns);
        Assert.Equal(999999999999, big.ScalarRuns[0].ElementCount);
        Assert.False(big.Describes<double>());

        string deep = string.Concat(Enumerable.Repeat("T{", 100_000)) + "d" + new string('}', 100_000);
        var e = Assert.Throws<BufferFormatException>(() => BufferFormat.Parse(deep));
        Assert.Equal(2 * BufferFormat.MaxNestingDepth, e.Position);
        Assert.True(e.Message.Length < 400, "the message quotes an excerpt, not the whole input");

        string deepest = string.Concat(Enumerable.Repeat("T{", BufferFormat.MaxNestingDepth)) + "d" + new string('}', BufferFormat.MaxNestingDepth);
        Assert.Equal(8, BufferFormat.Parse(deepest).ItemSize);
        Assert.Throws<BufferFormatException>(() => BufferFormat.Parse("(9999999999,9999999999)d"));
    }

    [Fact]
    public void NullIsAnArgumentError()
    {
        Assert.Equal("format", Assert.Throws<ArgumentNullException>(() => BufferFormat.Parse(null!)).ParamName);
        Assert.False(BufferFormat.TryParse(null, out _));
    }
}
