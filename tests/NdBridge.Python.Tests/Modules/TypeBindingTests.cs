namespace NdBridge.Python.Tests;

/// <summary>A [PythonClass] that names no module in an assembly (this one) declaring several: loading it must fail.</summary>
[PythonClass]
public sealed class ClassWithoutModule
{
    public int Value { get; set; }
}

/// <summary>A class whose method takes a type no Python argument converts to.</summary>
[PythonClass(Module = "bindingtest")]
public sealed class UnbindableClass
{
    public int Takes(Guid id) => id.GetHashCode();
}

/// <summary>The binding model a stub writer walks.</summary>
[PythonClass(Module = "bindingtest", Name = "Shape")]
public sealed class ModelClass : IDisposable
{
    public ModelClass(int size)
    {
    }

    public ModelClass(int rows, int columns)
    {
    }

    public double Area { get; set; }

    public int Count { get; }

    public double this[int row, int column] => row + column;

    public double Scale(double factor, double offset = 0) => factor + offset;

    public double Scale(NdBuffer values) => values.ElementCount;

    [PythonFunction("make_unit")]
    public static ModelClass Unit() => new(1);

    public void Dispose()
    {
    }

    public override string ToString() => "Shape";
}

// Serial: binding interns names in the shared interpreter, which RefcountTests' allocated-block counts would see.
[Collection(SerialCollection.Name)]
public sealed class TypeBindingTests
{
    [Fact]
    public void Load_ClassWithoutModuleInAnAssemblyOfSeveralModules_NamesTheFix()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var error = Assert.Throws<ModuleDefinitionException>(() => ModuleLoader.Load(typeof(ClassWithoutModule).Assembly.Location));
        Assert.Contains(typeof(ClassWithoutModule).FullName!, error.Message);
        Assert.Contains("[PythonClass(Module = ", error.Message);
    }

    [Fact]
    public void Bind_MethodWithUnconvertibleParameter_NamesTheParameter()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var error = Assert.Throws<ModuleDefinitionException>(() => TypeBinding.Bind(typeof(UnbindableClass), "bindingtest"));
        Assert.Contains("bindingtest.UnbindableClass.takes", error.Message);
        Assert.Contains("'id'", error.Message);
    }

    [Fact]
    public void Bind_ExposesTheModel_ConstructorsMethodsPropertiesIndexers()
    {
        _ = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var binding = TypeBinding.Bind(typeof(ModelClass), "bindingtest");
        Assert.Equal("bindingtest.Shape", binding.QualifiedName);
        Assert.Equal([1, 2], binding.Constructors!.Overloads.Select(o => o.Parameters.Length));
        Assert.All(binding.Constructors.Overloads, o => Assert.Equal(FunctionKind.Constructor, o.Kind));
        var scale = Assert.Single(binding.Methods);
        Assert.Equal("scale", scale.PythonName);
        Assert.Equal(2, scale.Overloads.Length);
        Assert.StartsWith("scale($self, factor, offset=0)\n--\n\n", scale.Overloads.Single(o => o.Parameters.Length == 2).DocString());
        Assert.Equal(typeof(double), scale.Overloads[0].ResultType);
        var unit = Assert.Single(binding.StaticMethods);
        Assert.Equal(("make_unit", FunctionKind.Function, typeof(ModelClass)), (unit.PythonName, unit.Kind, unit.ResultType));
        Assert.Equal(["area", "count"], binding.Properties.Select(p => p.PythonName).Order());
        Assert.Null(binding.Properties.Single(p => p.PythonName == "count").Setter);
        Assert.Equal(2, Assert.Single(binding.IndexGetters!.Overloads).Parameters.Length);
        Assert.Null(binding.IndexSetters);
        Assert.True(binding.IsDisposable);
        Assert.True(binding.HasRepr);
        Assert.False(binding.HasValueEquality);
        Assert.False(binding.IsBufferSource);
    }

    [Fact]
    public unsafe void TypeOf_ReadsTheSameTypeAsPyObjectType_ForBuiltinsNumPyAndBoundInstances()
    {
        var python = PythonFixture.Runtime;
        using var gil = PythonGil.Acquire();
        var type = TypeBinding.Bind(typeof(ModelClass), "bindingtest");
        var typeObject = PythonObject.FromNewReference(type.CreatePythonType(PythonConvert.FromString("bindingtest")));
        using var ns = python.NewNamespace("typeof_test");
        python.Exec("import numpy\nobjects = [1, 2.5, 'text', (1,), [], {}, None, numpy.zeros(3), numpy.float64(1), object(), len]", ns);
        using var objects = ns.GetItem("objects");
        using var instance = typeObject.Call(2);
        var candidates = Enumerable.Range(0, 11).Select(i => objects.GetItem(i)).Append(instance).ToList();
        foreach (var candidate in candidates)
        {
            var o = candidate.DangerousGetBorrowedReference();
            var expected = CPython.PyObject_Type(o);
            CPython.Py_DecRef(expected);
            Assert.Equal(expected, PythonInstances.TypeOf(o));
        }
        Assert.Equal(typeObject.DangerousGetBorrowedReference(), PythonInstances.TypeOf(instance.DangerousGetBorrowedReference()));
        candidates.ForEach(c => c.Dispose());
        typeObject.Dispose();
    }
}
