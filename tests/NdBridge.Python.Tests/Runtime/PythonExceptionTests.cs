namespace NdBridge.Python.Tests.Runtime;

public sealed class PythonExceptionTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    // Exceptions whose constructors need more than a message are raised the way Python code meets them.
    private static readonly Dictionary<string, string> SpecialRaises = new()
    {
        ["UnicodeDecodeError"] = "b'\\xff'.decode('utf-8')",
        ["UnicodeEncodeError"] = "'\\udc80'.encode('utf-8')",
        ["UnicodeTranslateError"] = "raise UnicodeTranslateError('abc', 0, 1, 'boom')",
        ["BaseExceptionGroup"] = "raise BaseExceptionGroup('boom group', [KeyboardInterrupt()])",
        ["ExceptionGroup"] = "raise ExceptionGroup('boom group', [ValueError(1)])",
    };

    // The oracle: Python itself runs the same code and formats what it caught (minus its own frame).
    private const string OracleSource = """
        import builtins, traceback
        names = sorted(n for n, o in vars(builtins).items() if isinstance(o, type) and issubclass(o, BaseException))
        def oracle(code):
            try:
                exec(compile(code, '<string>', 'exec'), {'__name__': '__main__'})
            except BaseException as e:
                t = type(e)
                name = t.__qualname__ if t.__module__ == 'builtins' else t.__module__ + '.' + t.__qualname__
                return [name, str(e), ''.join(traceback.format_exception(t, e, e.__traceback__.tb_next))]
            return None
        """;

    [Fact]
    public void CatchByPythonType_HasIssubclassSemantics_AskedOfTheInterpreter()
    {
        using var ns = Python.NewNamespace();
        var json = Assert.Throws<PythonException>(() => Python.Exec("import json\njson.loads('{')", ns));
        Assert.True(json.IsInstanceOf("json", "JSONDecodeError"));
        Assert.True(json.IsInstanceOf("builtins", "ValueError")); // JSONDecodeError is a ValueError subclass
        Assert.True(json.IsInstanceOf("builtins", "Exception"));
        Assert.False(json.IsInstanceOf("builtins", "KeyError"));
        using (var valueError = Python.Eval("ValueError"))
            Assert.True(json.Is(valueError));
        using (var pair = Python.Eval("(KeyError, ValueError)"))
            Assert.True(json.Is(pair)); // a tuple matches any, as in issubclass
        // NumPy's LinAlgError: a ValueError subclass in NumPy 2, not in 1.24; the running NumPy says which.
        var linAlg = Assert.Throws<PythonException>(() => Python.Exec("import numpy as np\nnp.linalg.inv(np.zeros((2, 2)))", ns));
        Assert.True(linAlg.IsInstanceOf("numpy.linalg", "LinAlgError"));
        Assert.Equal(Python.Eval<bool>("issubclass(__import__('numpy').linalg.LinAlgError, ValueError)"), linAlg.IsInstanceOf("builtins", "ValueError"));
        // Made from strings only (no interpreter type): matches nothing.
        Assert.False(new PythonException("ValueError", "x", "").IsInstanceOf("builtins", "ValueError"));
        using (var notAType = Python.Eval("1"))
            Assert.Equal("pythonType", Assert.Throws<ArgumentException>(() => json.Is(notAType)).ParamName);
        Assert.Throws<PythonException>(() => json.IsInstanceOf("json", "NoSuchError"));
    }

    [Fact]
    public void EveryBuiltinExceptionType_ArrivesWithTypeMessageAndTraceback_AndPythonStillWorks()
    {
        using var ns = Python.NewNamespace();
        Python.Exec(OracleSource, ns);
        using var oracle = ns.GetItem("oracle");
        var names = Python.EvalList<string>("names", ns);
        Assert.True(names.Count > 60, $"only {names.Count} exception types found");

        foreach (var name in names)
        {
            var code = "def inner():\n    " + (SpecialRaises.TryGetValue(name, out var special) ? special : $"raise {name}('boom {name}')") + "\ninner()\n";
            using var expectedObject = oracle.Call(code);
            var expected = expectedObject.ToList<string>();
            using var target = Python.NewNamespace();

            var ex = Assert.Throws<PythonException>(() => Python.Exec(code, target));

            Assert.Equal(expected[0], ex.PythonTypeName);
            Assert.Equal(expected[1], ex.PythonMessage);
            Assert.Equal(expected[2], ex.PythonTraceback);
            Assert.Contains("line 2, in inner", ex.PythonTraceback);
            using (PythonGil.Acquire())
                Assert.False(RawPython.ErrorPending, $"error indicator left set after {name}");
            Assert.Equal(2, Python.Eval<long>("1 + 1"));
        }
    }

    [Fact]
    public void UserDefinedException_IsNamedByModuleAndQualifiedName()
    {
        using var ns = Python.NewNamespace("shapes");
        Python.Exec("class Outer:\n    class BadShape(ValueError):\n        pass\n", ns);
        var ex = Assert.Throws<PythonException>(() => Python.Exec("raise Outer.BadShape('3 != 4')", ns));
        Assert.Equal("shapes.Outer.BadShape", ex.PythonTypeName);
        Assert.Equal("3 != 4", ex.PythonMessage);
        Assert.Equal("shapes.Outer.BadShape: 3 != 4", ex.Message);
        Assert.EndsWith("shapes.Outer.BadShape: 3 != 4\n", ex.PythonTraceback);
        Assert.Contains(ex.PythonTraceback, ex.ToString());
    }

    [Fact]
    public void ApiErrors_BecomePythonExceptions_WithACleanIndicator()
    {
        using var ns = Python.NewNamespace();
        Assert.Equal("ModuleNotFoundError", Assert.Throws<PythonException>(() => Python.Import("no_such_module_xyz")).PythonTypeName);
        using var math = Python.Import("math");
        Assert.Equal("AttributeError", Assert.Throws<PythonException>(() => math.GetAttr("nope")).PythonTypeName);
        Assert.Equal("TypeError", Assert.Throws<PythonException>(() => math.Call()).PythonTypeName);
        Assert.Equal("KeyError", Assert.Throws<PythonException>(() => ns.GetItem("missing")).PythonTypeName);
        var syntax = Assert.Throws<PythonException>(() => Python.Exec("x = (1,\n", ns));
        Assert.Equal("SyntaxError", syntax.PythonTypeName);
        Assert.Contains("File \"<string>\", line 1", syntax.PythonTraceback);
        var unprintable = Assert.Throws<PythonException>(() => Python.Exec(
            "class E(Exception):\n    def __str__(self):\n        raise RuntimeError('no str')\nraise E()\n", ns));
        Assert.Equal("__main__.E", unprintable.PythonTypeName);
        Assert.Equal("<exception str() failed>", unprintable.PythonMessage);
        using (PythonGil.Acquire())
            Assert.False(RawPython.ErrorPending);
        Assert.Equal(4, Python.Eval<long>("2 + 2"));
    }

    [Fact]
    public void ManagedExceptionInACallback_BecomesRuntimeErrorInPython_AndLeavesTheIndicatorClean()
    {
        using var ns = Python.NewNamespace();
        using var fail = Python.CreateFunction("fail", _ => throw new InvalidOperationException("the .NET side said no"));
        using var unconvertible = Python.CreateFunction("unconvertible", _ => Guid.Empty);
        using var reenter = Python.CreateFunction("reenter", _ => Python.Eval("int('x')"));
        using var add = Python.CreateFunction("add", args => args.ToList<long>().Sum());
        ns.SetItem("fail", fail);
        ns.SetItem("unconvertible", unconvertible);
        ns.SetItem("reenter", reenter);
        ns.SetItem("add", add);

        Python.Exec("""
            caught = []
            for f in (fail, unconvertible, reenter):
                try:
                    f()
                except RuntimeError as e:
                    caught.append(str(e))
            total = add(1, 2, 39)
            """, ns);

        var caught = Python.EvalList<string>("caught", ns);
        Assert.Equal("System.InvalidOperationException: the .NET side said no", caught[0]);
        Assert.StartsWith("System.ArgumentException: A System.Guid cannot be passed to Python", caught[1]);
        Assert.StartsWith("PythonException: ValueError: invalid literal for int() with base 10: 'x'", caught[2]);
        Assert.Equal(42, Python.Eval<long>("total", ns));
        Assert.Equal("fail", fail.GetAttr<string>("__name__"));

        var direct = Assert.Throws<PythonException>(() => fail.Call());
        Assert.Equal("RuntimeError", direct.PythonTypeName);
        Assert.Equal("System.InvalidOperationException: the .NET side said no", direct.PythonMessage);
        using (PythonGil.Acquire())
            Assert.False(RawPython.ErrorPending);
        Assert.Equal(1, Python.Eval<long>("1"));
    }
}
