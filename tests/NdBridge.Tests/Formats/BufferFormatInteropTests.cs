using NdBridge.Testing;
using System.Text.Json;

namespace NdBridge.Tests.Formats;

/// <summary><c>__array_interface__</c> typestr/descr and DLPack <c>(code, bits, lanes)</c>, against NumPy on this machine.</summary>
public sealed class BufferFormatInteropTests
{
    private static readonly string[] s_numPyTypes =
        ["?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "e", "f", "d", "g", "F", "D", "G", "S0", "S1", "S5", "U0", "U1", "U3", "O",
         "V1", "V4", ">i2", ">u4", ">i8", ">f2", ">f4", ">f8", ">c8", ">c16", ">U2", "<i4", "<f8"];

    [Fact]
    public void TypestrRoundTripsEveryNumPyScalarType()
    {
        // NumPy's own typestr for each type, and what NumPy's PEP 3118 parser makes of NdBridge's format for it.
        string json = FormatOracle.RunCode(
            "import json, numpy as np\n" +
            NumPyFacts.ImportPep3118ParserAsP + "\n" +
            $"types = {JsonSerializer.Serialize(s_numPyTypes)}\n" +
            "print(json.dumps([np.dtype(t).str for t in types]))");
        var typestrs = JsonSerializer.Deserialize<string[]>(json)!;
        var formats = typestrs.Select(BufferFormat.FromTypestr).ToArray();
        for (int i = 0; i < typestrs.Length; i++)
            Assert.Equal(typestrs[i], formats[i].ToTypestr());
        string back = FormatOracle.RunCode(
            "import json\n" +
            NumPyFacts.ImportPep3118ParserAsP + "\n" +
            $"print(json.dumps([P(f).str for f in {JsonSerializer.Serialize(formats.Select(f => f.ToString()))}]))");
        Assert.Equal(typestrs, JsonSerializer.Deserialize<string[]>(back)!);
    }

    [Theory]
    [InlineData("<f8", "d")]
    [InlineData("|b1", "?")]
    [InlineData(">i4", ">i")]
    [InlineData("|V16", "16x")]
    [InlineData("|S3", "3s")]
    [InlineData("<U2", "2w")]
    [InlineData("|O", "O")]
    [InlineData("=i2", "h")]
    [InlineData("|u1", "B")]
    [InlineData("<c8", "Zf")]
    public void TypestrToFormat(string typestr, string format) =>
        Assert.Equal(BufferFormat.Parse(format), BufferFormat.FromTypestr(typestr));

    [Theory]
    [InlineData("<M8")]
    [InlineData("<m8[s]")]
    [InlineData(">f16")]
    [InlineData(">c32")]
    [InlineData("<i3")]
    [InlineData("<")]
    [InlineData("<f99999999999")]
    [InlineData("<q8")]
    public void TypestrsWithoutAFormatAreArgumentErrors(string typestr)
    {
        var e = Assert.Throws<ArgumentException>(() => BufferFormat.FromTypestr(typestr));
        Assert.Equal("typestr", e.ParamName);
        Assert.Contains(typestr, e.Message, StringComparison.Ordinal);
    }

    // Spellings numpy.dtype(...) takes or refuses: typestrs with and without byte order, type codes, scalar type names,
    // datetimes, and near misses. NumPy on this machine says which it accepts and what each is.
    private static readonly string[] s_dtypeSpellings =
        ["f4", "float32", "d", "<d", ">i", "=b", "|i4", "|f8", "=f8", "i1", "<i1", ">b1", "b1", "u1", "c8", "a5", "S3", "U2", "V8",
         "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "p", "P", "e", "f", "g", "F", "D", "G", "?", "O", "c", "S", "U", "V", "a",
         "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float64", "float128",
         "complex64", "complex128", "complex256", "byte", "ubyte", "short", "ushort", "intc", "uintc", "longlong", "ulonglong",
         "intp", "uintp", "int_", "half", "single", "double", "longdouble", "csingle", "cdouble", "clongdouble", "object",
         "float", "int", "uint", "complex", "bytes", "str", "void",
         "<M8[ns]", "M8", "m8[s]", "M", "m", "datetime64", "timedelta64",
         "u", "n", "N", "!f4", "<float32", "B1", "i3", "f1", " f8", "<f8 ", "", "float33", "Float32"];

    [Fact]
    public void FromTypestrAcceptsWhatNumpyDtypeAcceptsAndRefusesTheRestByName()
    {
        string json = FormatOracle.RunCode(
            "import json, numpy as np\n" +
            $"out = []\nfor t in {JsonSerializer.Serialize(s_dtypeSpellings)}:\n" +
            "    try:\n        d = np.dtype(t); out.append([d.str, d.kind])\n" +
            "    except TypeError:\n        out.append(None)\n" +
            "print(json.dumps(out))");
        var answers = JsonSerializer.Deserialize<string[]?[]>(json)!;
        for (int i = 0; i < s_dtypeSpellings.Length; i++)
        {
            string spelling = s_dtypeSpellings[i];
            if (answers[i] is [var numPyTypestr, var kind] && kind is not ("M" or "m"))
            {
                Assert.True(numPyTypestr == BufferFormat.FromTypestr(spelling).ToTypestr(), $"'{spelling}': NumPy {numPyTypestr}, NdBridge {BufferFormat.FromTypestr(spelling).ToTypestr()}");
                continue;
            }
            if (spelling is "n" or "N")
            {
                // NumPy 2's intp/uintp codes, which this NumPy refuses: accepted as NumPy 2 reads them (the core takes the union).
                Assert.Equal(spelling == "n" ? "<i8" : "<u8", BufferFormat.FromTypestr(spelling).ToTypestr());
                continue;
            }
            var e = Assert.Throws<ArgumentException>(() => BufferFormat.FromTypestr(spelling));
            Assert.Equal("typestr", e.ParamName);
            if (answers[i] is [_, var datetimeKind])
                Assert.Contains(datetimeKind == "M" ? "datetime64" : "timedelta64", e.Message, StringComparison.Ordinal);
            else
                Assert.Contains("'float64'", e.Message, StringComparison.Ordinal); // says how NumPy types are written
        }
    }

    [Theory]
    [InlineData("P")]
    [InlineData("3p")]
    public void FormatsWithoutATypestrAreNotSupported(string format) =>
        Assert.Throws<NotSupportedException>(() => BufferFormat.Parse(format).ToTypestr());

    [Fact]
    public void RecordTypestrAndDescrAreNumPys()
    {
        string[] texts = ["T{d:x:i:y:}", "T{b:a:(2,3)>h:m:T{Zf:z:}:n:}", "ix", "d"];
        string json = FormatOracle.RunCode(
            "import json\n" +
            NumPyFacts.ImportPep3118ParserAsP + "\n" +
            $"print(json.dumps([[P(f).str, repr(P(f).descr)] for f in {JsonSerializer.Serialize(texts)}]))");
        var expected = JsonSerializer.Deserialize<string[][]>(json)!;
        for (int i = 0; i < texts.Length; i++)
        {
            var format = BufferFormat.Parse(texts[i]);
            Assert.Equal(expected[i][0], format.ToTypestr());
            if (texts[i] != "ix")
                Assert.Equal(expected[i][1], format.ToDescrString());
        }
        Assert.Equal("[('x', '<f8'), ('y', '<i4'), ('', '|V4')]", BufferFormat.Parse("T{d:x:i:y:}").ToDescrString());
    }

    [Fact]
    public void DescrRoundTrips()
    {
        var corpus = new FormatCorpus(seed: 5);
        int roundTrips = 0;
        for (int i = 0; i < 4000; i++)
        {
            // A descr is NumPy's, so it holds NumPy's limits (item sizes below 2^31).
            if (!BufferFormat.TryParse(corpus.Next(), out var format) || format.ItemSize != format.NumPyItemSize || format.NumPyItemSize > int.MaxValue ||
                format.ScalarRuns.Any(r => r.Kind is ScalarKind.Pointer or ScalarKind.PascalString))
                continue;
            // [('', '<f8')] is read as plain f8, as NumPy reads it: a record whose only unnamed field fills it has no descr of its own.
            bool onlyField = format.Kind == BufferFormatKind.Record && format.Fields.Count == 1 && format.Fields[0].Name is null &&
                             format.Fields[0].ByteOffset == 0 && format.Fields[0].Format.NumPyItemSize == format.NumPyItemSize;
            if (onlyField)
                continue;
            Assert.Equal(format, BufferFormat.FromDescr(format.ToDescr()));
            roundTrips++;
        }
        Assert.True(roundTrips > 1000, $"{roundTrips}");
    }

    [Fact]
    public void DescrIsReadLikeNumPyWritesIt()
    {
        var descr = new[] { new DescrEntry("x", "<f8"), new DescrEntry("", "|V4"), new DescrEntry("m", ">i2", [2, 3]),
            new DescrEntry("r", [new DescrEntry("a", "|u1"), new DescrEntry("", "|V1")]) };
        var format = BufferFormat.FromDescr(descr);
        Assert.Equal(BufferFormat.Parse("T{d:x:4x(2,3)>h:m:T{B:a:x}:r:}"), format);
        Assert.Equal(BufferFormat.Parse("d"), BufferFormat.FromDescr([new DescrEntry("", "<f8")]));
        Assert.Equal("[('x', '<f8'), ('', '|V4'), ('m', '>i2', (2, 3)), ('r', [('a', '|u1'), ('', '|V1')])]", format.ToDescrString());
        Assert.Equal("descr", Assert.Throws<ArgumentException>(() => BufferFormat.FromDescr([new DescrEntry("a", "<f8"), new DescrEntry("a", "<i4")])).ParamName);
        Assert.Equal("descr", Assert.Throws<ArgumentException>(() => BufferFormat.FromDescr([new DescrEntry("a", "<M8")])).ParamName);
        Assert.Equal("descr", Assert.Throws<ArgumentException>(() => BufferFormat.FromDescr([new DescrEntry("a", "<f8", [-1])])).ParamName);
    }

    [Fact]
    public void DLPackTypesAreNumPys()
    {
        // NumPy's __dlpack__ capsule, read with ctypes: DLTensor.dtype sits at byte 20 (data 8, device 8, ndim 4).
        string json = FormatOracle.RunCode("""
            import ctypes, json, numpy as np
            get = ctypes.pythonapi.PyCapsule_GetPointer
            get.restype = ctypes.c_void_p
            get.argtypes = [ctypes.py_object, ctypes.c_char_p]
            out = []
            for t in ['?', 'b', 'B', 'h', 'H', 'i', 'I', 'q', 'Q', 'e', 'f', 'd', 'g', 'F', 'D', 'G']:
                a = np.zeros(3, dtype=t)
                fmt = memoryview(a).format
                try:
                    capsule = a.__dlpack__()
                except Exception as e:
                    out.append([fmt, None])
                    continue
                p = get(capsule, b'dltensor')
                raw = ctypes.string_at(p + 20, 4)
                out.append([fmt, [raw[0], raw[1], int.from_bytes(raw[2:4], 'little')]])
            print(json.dumps(out))
            """);
        using var document = JsonDocument.Parse(json);
        int mapped = 0, refused = 0;
        foreach (var row in document.RootElement.EnumerateArray())
        {
            var format = BufferFormat.Parse(row[0].GetString()!);
            if (row[1].ValueKind == JsonValueKind.Null)
            {
                // What this NumPy refuses NdBridge refuses too, except bool: DLPack has kDLBool, which NdBridge maps
                // on every NumPy (NumPy 1.x refuses it).
                if (format.ScalarKind == ScalarKind.Boolean)
                    Assert.False(NumPyFacts.DLPackBool);
                else
                    Assert.Throws<NotSupportedException>(() => format.ToDLPack());
                refused++;
                continue;
            }
            var expected = new DLPackDataType((DLPackTypeCode)row[1][0].GetInt32(), (byte)row[1][1].GetInt32(), (ushort)row[1][2].GetInt32());
            Assert.Equal(expected, format.ToDLPack());
            Assert.Equal(format, BufferFormat.FromDLPack(expected));
            mapped++;
        }
        Assert.Equal(16, mapped + refused);
        Assert.InRange(mapped, 13, 16); // every integer, float and complex width NumPy has below long double
    }

    [Fact]
    public void DLPackLanesAndRefusals()
    {
        Assert.Equal(new DLPackDataType(DLPackTypeCode.Bool, 8, 1), BufferFormat.Parse("?").ToDLPack());
        Assert.Equal(new DLPackDataType(DLPackTypeCode.Float, 32, 4), BufferFormat.Parse("4f").ToDLPack());
        Assert.Equal(BufferFormat.Parse("4f"), BufferFormat.FromDLPack(new DLPackDataType(DLPackTypeCode.Float, 32, 4)));
        foreach (var text in new[] { ">d", "g", "Zg", "T{d:a:}", "3s", "(2,2)d", "O", "P", "w", "dd" })
        {
            var format = BufferFormat.Parse(text);
            Assert.False(format.TryToDLPack(out _));
            var e = Assert.Throws<NotSupportedException>(() => format.ToDLPack());
            Assert.Contains(format.ToString(), e.Message, StringComparison.Ordinal);
        }
        Assert.Contains("x87", Assert.Throws<NotSupportedException>(() => BufferFormat.Parse("g").ToDLPack()).Message, StringComparison.Ordinal);
        Assert.Contains("native byte order", Assert.Throws<NotSupportedException>(() => BufferFormat.Parse(">i").ToDLPack()).Message, StringComparison.Ordinal);
        foreach (var bad in new[] { new DLPackDataType(DLPackTypeCode.Bfloat, 16, 1), new DLPackDataType(DLPackTypeCode.OpaqueHandle, 64, 1),
                     new DLPackDataType(DLPackTypeCode.Float, 128, 1), new DLPackDataType(DLPackTypeCode.Int, 12, 1), new DLPackDataType(DLPackTypeCode.Float, 32, 0) })
            Assert.Equal("dataType", Assert.Throws<ArgumentException>(() => BufferFormat.FromDLPack(bad)).ParamName);
    }
}
