using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests;

/// <summary>A module bound in the test process's embedded interpreter: dispatch, conversions and exceptions underneath.</summary>
[PythonModule("bindingtest")]
public static class BindingTestModule
{
    public static double Add(double a, double b = 0.5) => a + b;

    public static string Join(string first, int count = 2, bool upper = false) =>
        string.Concat(Enumerable.Repeat(upper ? first.ToUpperInvariant() : first, count));

    public static double Sum(NdBuffer values)
    {
        var total = 0.0;
        foreach (var run in values.EnumerateReadOnlyRuns<double>())
        {
            foreach (var v in run)
                total += v;
        }
        return total;
    }

    public static int[] Squares(int count) => [.. Enumerable.Range(0, count).Select(i => i * i)];

    public static (int, string) Pair() => (1, "one");

    public static void Fail(string kind) => throw (kind == "key" ? new KeyNotFoundException("k") : new ArgumentException("bad", nameof(kind)));
}

/// <summary>A module whose method takes a type no Python argument converts to.</summary>
[PythonModule("unbindable")]
public static class UnbindableModule
{
    public static int Takes(Guid id) => id.GetHashCode();
}

public sealed unsafe class FunctionBindingTests
{
    private static PythonObject CreateModule()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        return PythonObject.FromNewReference(ModuleLoader.CreateModule(typeof(BindingTestModule)));
    }

    [Fact]
    public void Functions_HaveSnakeCaseNamesAndPositionalKeywordAndDefaultArguments()
    {
        using var module = CreateModule();
        using var add = module.GetAttr("add");
        Assert.Equal(3.5, add.Call(1.5, 2.0).As<double>());
        Assert.Equal(2.0, add.Call(1.5).As<double>());
        Assert.Equal(5.0, add.CallWithKeywords([], [new("b", 2.0), new("a", 3.0)]).As<double>());
        using var join = module.GetAttr("join");
        Assert.Equal("ABABAB", join.CallWithKeywords(["ab", 3], [new("upper", true)]).As<string>());
    }

    [Fact]
    public void ArgumentErrors_AreTypeErrorsNamingFunctionAndParameter()
    {
        using var module = CreateModule();
        using var add = module.GetAttr("add");
        var wrongType = Assert.Throws<PythonException>(() => add.Call("x"));
        Assert.Equal("TypeError", wrongType.PythonTypeName);
        Assert.Equal("bindingtest.add() argument 'a' must be a real number (float or int), not str", wrongType.PythonMessage);
        var missing = Assert.Throws<PythonException>(() => add.Call());
        Assert.Equal("bindingtest.add() missing required argument 'a' (position 1)", missing.PythonMessage);
        var keyword = Assert.Throws<PythonException>(() => add.CallWithKeywords([1.0], [new("c", 1.0)]));
        Assert.Equal("bindingtest.add() got an unexpected keyword argument 'c' (parameters: a, b)", keyword.PythonMessage);
    }

    [Fact]
    public void Arrays_CrossWithoutCopyingAndResultsBecomeNumPyArrays()
    {
        var runtime = PythonFixture.Runtime;
        using var module = CreateModule();
        using var numpy = runtime.Import("numpy");
        using var values = numpy.CallMethod("arange", 5.0);
        using var sum = module.GetAttr("sum");
        Assert.Equal(numpy.CallMethod("sum", values).As<double>(), sum.Call(values).As<double>());
        using var squares = module.GetAttr("squares").Call(4);
        Assert.Equal("ndarray", squares.GetAttr("__class__").GetAttr("__name__").As<string>());
        Assert.Equal([0L, 1L, 4L, 9L], squares.CallMethod("tolist").ToList<long>());
        using var pair = module.GetAttr("pair").Call();
        Assert.Equal("(1, 'one')", pair.Repr());
    }

    [Fact]
    public void DotNetExceptions_BecomeTheMatchingPythonTypes()
    {
        using var module = CreateModule();
        using var fail = module.GetAttr("fail");
        var key = Assert.Throws<PythonException>(() => fail.Call("key"));
        Assert.Equal("KeyError", key.PythonTypeName);
        Assert.Contains("System.Collections.Generic.KeyNotFoundException: k", key.PythonMessage);
        var argument = Assert.Throws<PythonException>(() => fail.Call("argument"));
        Assert.Equal("ValueError", argument.PythonTypeName);
        Assert.Equal("System.ArgumentException: bad (Parameter 'kind')", argument.PythonMessage);
    }

    [Fact]
    public void UnsupportedParameterType_IsRefusedWhenTheModuleIsMade()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var refused = Assert.Throws<ModuleDefinitionException>(() => ModuleLoader.CreateModule(typeof(UnbindableModule)));
        Assert.Contains("unbindable.takes: parameter 'id' has type System.Guid", refused.Message);
    }

    [Fact]
    public void ExceptionTypes_MapAsDocumented()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        Assert.Equal(CPython.PyExc_ValueError, ExceptionTranslation.PythonTypeFor(new ArgumentOutOfRangeException("x")));
        Assert.Equal(CPython.PyExc_IndexError, ExceptionTranslation.PythonTypeFor(new IndexOutOfRangeException()));
        Assert.Equal(CPython.PyExc_KeyError, ExceptionTranslation.PythonTypeFor(new KeyNotFoundException()));
        Assert.Equal(CPython.PyExc_TypeError, ExceptionTranslation.PythonTypeFor(new InvalidCastException()));
        Assert.Equal(CPython.PyExc_TypeError, ExceptionTranslation.PythonTypeFor(new NotSupportedException()));
        Assert.Equal(CPython.PyExc_MemoryError, ExceptionTranslation.PythonTypeFor(new OutOfMemoryException()));
        Assert.Equal(CPython.PyExc_RuntimeError, ExceptionTranslation.PythonTypeFor(new InvalidOperationException()));
    }

    [Fact]
    public void ObjectFileOf_NamesTheLibraryThatExportsTheCApi()
    {
        var runtime = PythonFixture.Runtime;
        var file = DynamicLibrary.ObjectFileOf((nint)CPython.Py_IsInitialized);
        Assert.NotNull(file);
        Assert.Equal(Path.GetFullPath(ResolveLinks(runtime.Installation.LibraryPath)), ResolveLinks(file!));
    }

    private static string ResolveLinks(string path) =>
        File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
