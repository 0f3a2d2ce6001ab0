namespace NdBridge.Python.Tests.Export;

/// <summary>
/// Every layout family × the 28 buffer requests, probed with <c>_testbuffer.ndarray(x, getbuf=FLAGS)</c> and
/// compared field by field with a <c>_testbuffer.ndarray</c> built independently from the same items, shape,
/// strides, offset and flags (the oracle: CPython's own exporter).
/// </summary>
public sealed class FlagsMatrixTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    internal const string Helpers = """
        import _testbuffer as tb, struct
        FIELDS = ('ndim', 'shape', 'strides', 'suboffsets', 'format', 'nbytes', 'itemsize', 'readonly')
        def probe(obj, flags):
            try:
                v = tb.ndarray(obj, getbuf=flags)
            except BufferError as e:
                return ('BufferError',)
            fields = tuple(getattr(v, f) for f in FIELDS)
            return fields + (tb.py_buffer_to_contiguous(obj, 'A', flags),)
        def flat(values):
            if isinstance(values, bytes):
                return []  # unnamed padding NumPy turned into a void field
            if isinstance(values, (list, tuple)):
                return [x for v in values for x in flat(v)]
            return [float(values)]
        def matrix(export, oracle, requests, record):
            mismatches = []
            for name, flags in requests:
                ours, theirs = probe(export, flags), probe(oracle, flags)
                if record and len(ours) > 1 and len(theirs) > 1 and ours[4] and theirs[4]:
                    # records: a struct-equivalent format, same size
                    if struct.calcsize(ours[4]) != struct.calcsize(theirs[4]):
                        mismatches.append((name, 'format size', ours[4], theirs[4]))
                    ours, theirs = ours[:4] + ours[5:], theirs[:4] + theirs[5:]
                if ours != theirs:
                    mismatches.append((name, ours, theirs))
            return mismatches
        """;

    public static TheoryData<string> Families => new(ExportFamily.All.Select(f => f.Name));

    [Theory]
    [MemberData(nameof(Families))]
    public void Export_AnswersEveryRequest_AsTestbufferDoes(string familyName)
    {
        var family = ExportFamily.All.Single(f => f.Name == familyName);
        using var ns = Python.NewNamespace();
        Python.Exec(Helpers, ns);
        Python.Exec($"oracle = {family.OracleExpression}\nmemory = bytes(tb.ndarray({family.ItemsLiteral}, shape=[{family.ItemCount}], format='{family.OracleFormat}'))\n", ns);
        var memory = Python.EvalList<long>("list(memory)", ns).Select(b => (byte)b).ToArray();
        using var buffer = family.Create(memory);
        using var export = buffer.ToPython();
        ns.SetItem("export", export);
        ns.SetItem("requests", ExportFamily.Requests.Select(r => (object?)(r.Name, r.Flags)).ToList());
        Assert.Equal(28, ExportFamily.Requests.Length);
        Python.Exec($"mismatches = matrix(export, oracle, requests, {(family.Format == "b3xi" ? "True" : "False")})", ns);
        var mismatches = Python.EvalList<string>("[repr(m) for m in mismatches]", ns);
        Assert.True(mismatches.Count == 0, $"{family}: {mismatches.Count} of 28 requests differ from _testbuffer:\n{string.Join("\n", mismatches)}");

        // Values: _testbuffer's tolist of the export (FULL_RO) and of the oracle equal the .NET view's.
        var expected = family.ReadAll(buffer);
        Assert.Equal(expected, Python.EvalList<double>("flat(tb.ndarray(export).tolist())", ns));
        Assert.Equal(expected, Python.EvalList<double>("flat(oracle.tolist())", ns));
        if (family.Format == "b3xi")
            Assert.Equal(BufferFormat.Parse(family.OracleFormat), buffer.Format);
    }

    [Fact]
    public void Requests_AreThe28OfTheIssue_AllDistinct()
    {
        Assert.Equal(28, ExportFamily.Requests.Select(r => r.Flags).Distinct().Count());
        using var testbuffer = Python.Import("_testbuffer");
        Assert.Contains(ExportFamily.Requests, r => r.Flags == testbuffer.GetAttr<int>("PyBUF_FULL"));
        Assert.Contains(ExportFamily.Requests, r => r.Flags == testbuffer.GetAttr<int>("PyBUF_RECORDS_RO"));
    }
}
