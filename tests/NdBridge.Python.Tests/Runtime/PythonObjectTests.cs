namespace NdBridge.Python.Tests.Runtime;

public sealed class PythonObjectTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    [Fact]
    public void Call_WithEveryKindOfPositionalArgument_ArrivesAsThePythonLiteral()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("marker = object()\ndef echo(*args, **kwargs):\n    return args, kwargs\n", ns);
        using var echo = ns.GetItem("echo");
        using var marker = ns.GetItem("marker");

        using var result = echo.Call(marker, 42, -7L, ulong.MaxValue, 2.5, 1.5f, "héllo ✓", true, false, null,
            (1, "a"), new List<int> { 1, 2 }, new List<object?> { "x", null }, new Dictionary<string, object?> { ["k"] = 1, ["n"] = null }, 'c', (byte)200);
        ns.SetItem("result", result);

        Assert.True(Python.Eval<bool>(
            "result == ((marker, 42, -7, 18446744073709551615, 2.5, 1.5, 'héllo ✓', True, False, None, (1, 'a'), [1, 2], ['x', None], {'k': 1, 'n': None}, 'c', 200), {})",
            ns));
        Assert.Equal(
            "object int int int float float str bool bool NoneType tuple list list dict str int",
            Python.Eval<string>("' '.join(type(a).__name__ for a in result[0])", ns));
        Assert.True(Python.Eval<bool>("result[0][0] is marker", ns));
    }

    [Fact]
    public void CallWithKeywords_PassesKeywordArguments()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("def f(a, b=0, *, c, d=None):\n    return (a, b, c, d)\n", ns);
        using var f = ns.GetItem("f");
        using var result = f.CallWithKeywords([1], [new("c", "see"), new("d", new List<double> { 2.0 }), new("b", true)]);
        Assert.Equal("(1, True, 'see', [2.0])", result.Repr());
    }

    [Fact]
    public void Import_GetAttr_SetAttr_HasAttr_CallMethod()
    {
        using var math = Python.Import("math");
        Assert.Equal(Math.PI, math.GetAttr<double>("pi"));
        using var ns = Python.NewNamespace();
        Python.Exec("class Box:\n    pass\nbox = Box()\n", ns);
        using var box = ns.GetItem("box");
        Assert.False(box.HasAttr("value"));
        box.SetAttr("value", new Dictionary<string, object?> { ["x"] = 1 });
        Assert.True(box.HasAttr("value"));
        Assert.Equal("{'x': 1}", Python.Eval<string>("repr(box.value)", ns));
        using var path = Python.Import("os.path");
        using var joined = path.CallMethod("join", "a", "b");
        Assert.Equal(Python.Eval<string>("__import__('os').path.join('a', 'b')"), joined.As<string>());
    }

    [Fact]
    public void ExecAndEval_UseTheGivenNamespaces()
    {
        using var globals = Python.NewNamespace("my_module");
        using var locals = Python.ToPython(new Dictionary<string, object?>());
        Python.Exec("x = 40\n", globals);
        Python.Exec("y = x + 2\nclass C: pass\n", globals, locals);
        Assert.Equal(42, Python.Eval<long>("y", globals, locals));
        Assert.False(Python.Eval<bool>("'y' in globals()", globals));
        Assert.Equal("my_module", Python.Eval<string>("C.__module__", globals, locals));
        Assert.Equal(3, Python.Eval<long>("1 + 2")); // a fresh namespace
    }

    [Fact]
    public void ReadBack_NumbersStringsBoolsSequencesDicts()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("import fractions\nbig = 2**70\nf = fractions.Fraction(1, 4)\n", ns);
        Assert.Equal(long.MinValue, Python.Eval<long>("-2**63"));
        Assert.Equal(ulong.MaxValue, Python.Eval<ulong>("2**64 - 1"));
        Assert.Equal(-5, Python.Eval<int>("-5"));
        Assert.Equal(0.25, Python.Eval<double>("f", ns));    // __float__
        Assert.Equal(3.0, Python.Eval<double>("3"));         // int → float
        Assert.Equal(7L, Python.Eval<long>("True * 7"));
        Assert.True(Python.Eval<bool>("[0]"));               // bool(x)
        Assert.False(Python.Eval<bool>("''"));
        Assert.Equal("naïve ✓ 𝄞", Python.Eval<string>("'naïve ✓ 𝄞'"));
        Assert.Equal([0L, 1, 4, 9], Python.EvalList<long>("(i * i for i in range(4))"));
        Assert.Equal(["a", "b"], Python.EvalList<string>("('a', 'b')"));
        Assert.Equal(new Dictionary<string, double> { ["x"] = 1.5, ["y"] = -2 }, Python.EvalDictionary<string, double>("{'x': 1.5, 'y': -2}"));
        using var nested = Python.Eval("[[1, 2], [3]]");
        var rows = nested.ToList<PythonObject>();
        Assert.Equal([[1L, 2], [3L]], rows.Select(r => r.ToList<long>()).ToList());
        rows.ForEach(r => r.Dispose());

        Assert.Equal("OverflowError", Assert.Throws<PythonException>(() => Python.Eval<long>("big", ns)).PythonTypeName);
        Assert.Throws<OverflowException>(() => Python.Eval<int>("2**40"));
        Assert.Equal("TypeError", Assert.Throws<PythonException>(() => Python.Eval<long>("'12'")).PythonTypeName);
        Assert.Equal("TypeError", Assert.Throws<PythonException>(() => Python.Eval<string>("12")).PythonTypeName);
        Assert.Throws<NotSupportedException>(() => Python.Eval<Guid>("12"));
    }

    [Fact]
    public unsafe void RawReferences_BorrowedAndNew_AreCounted()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("o = object()\n", ns);
        using var o = ns.GetItem("o");
        using var gil = PythonGil.Acquire();
        var raw = o.DangerousGetBorrowedReference();
        var baseline = RawPython.RefCount(raw);

        var borrowed = PythonObject.FromBorrowedReference(raw);
        Assert.Equal(baseline + 1, RawPython.RefCount(raw));
        var newReference = o.ToNewReference();
        Assert.Equal(raw, newReference);
        Assert.Equal(baseline + 2, RawPython.RefCount(raw));
        var adopted = PythonObject.FromNewReference(newReference); // takes over that reference
        Assert.Equal(baseline + 2, RawPython.RefCount(raw));
        adopted.Dispose();
        borrowed.Dispose();
        Assert.Equal(baseline, RawPython.RefCount(raw));
        Assert.Throws<ArgumentException>(() => PythonObject.FromNewReference(0));
        Assert.Throws<ArgumentException>(() => PythonObject.FromBorrowedReference(0));
    }

    [Fact]
    public void BadArguments_AreRefusedBeforeCalling_AndNothingLeaks()
    {
        using var ns = Python.NewNamespace();
        Python.Exec("calls = 0\nkeep = object()\ndef f(*a, **k):\n    global calls\n    calls += 1\n", ns);
        using var f = ns.GetItem("f");
        using var keep = ns.GetItem("keep");
        using var gil = PythonGil.Acquire();
        var baseline = RawPython.RefCount(keep.DangerousGetBorrowedReference());

        var ex = Assert.Throws<ArgumentException>(() => f.Call(keep, new object()));
        Assert.Equal("args", ex.ParamName);
        Assert.Contains("System.Object cannot be passed to Python", ex.Message);
        Assert.Equal("kwargs", Assert.Throws<ArgumentException>(() => f.CallWithKeywords([keep], [new("bad\0name", 1)])).ParamName);
        Assert.Equal("kwargs", Assert.Throws<ArgumentException>(() => f.CallWithKeywords([keep], [new("k", Guid.Empty)])).ParamName);
        var cycle = new List<object?>();
        cycle.Add(cycle);
        Assert.Contains("nests more than", Assert.Throws<ArgumentException>(() => f.Call(keep, cycle)).Message);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => f.GetAttr("a\0b")).ParamName);

        Assert.Equal(0, Python.Eval<long>("calls", ns));
        Assert.Equal(baseline, RawPython.RefCount(keep.DangerousGetBorrowedReference()));
        Assert.False(RawPython.ErrorPending);
    }

    [Fact]
    public void DisposedObject_ThrowsObjectDisposed()
    {
        var o = Python.ToPython(5);
        o.Dispose();
        Assert.Throws<ObjectDisposedException>(() => o.As<long>());
        Assert.Throws<ObjectDisposedException>(() => o.DangerousGetBorrowedReference());
        o.Dispose(); // twice is fine
    }

    [Fact]
    public void StrReprAndNone()
    {
        using var none = Python.ToPython(null);
        Assert.True(none.IsNone);
        Assert.Equal("None", none.Repr());
        using var text = Python.ToPython("it's");
        Assert.Equal("it's", text.Str());
        Assert.Equal("\"it's\"", text.Repr());
    }

    [Fact]
    public void RuntimeCalls_RefuseBadArguments()
    {
        Assert.Equal("globals", Assert.Throws<ArgumentNullException>(() => Python.Exec("x = 1", null!)).ParamName);
        Assert.Equal("body", Assert.Throws<ArgumentNullException>(() => Python.CreateFunction("f", null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Python.Import("os\0path")).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => Python.Eval("1\0")).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentException>(() => Python.ToPython(new Uri("http://localhost/"))).ParamName);
        var disposed = Python.NewNamespace();
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Python.Eval("1", disposed));
        using (PythonGil.Acquire())
            Assert.False(RawPython.ErrorPending);
    }
}
