using System.Diagnostics;
using Xunit.Abstractions;
using static NdBridge.Python.CPython;
namespace NdBridge.Python.Tests.Export;
[Collection(SerialCollection.Name)]
public sealed unsafe class ZzProfileTests(ITestOutputHelper output)
{
    [Fact]
    public void Profile()
    {
        var python = PythonFixture.Runtime;
        using var buffer = NdBuffer.Allocate<double>([1]);
        using var ns = python.NewNamespace();
        python.Exec("import numpy as np, timeit\na = np.zeros(1)\n", ns);
        using var x = buffer.ToPython();
        ns.SetItem("x", x);
        const int N = 200_000;
        void T(string name, Action a) { a(); var best = double.MaxValue; for (var r = 0; r < 7; r++) { var s = Stopwatch.GetTimestamp(); a(); best = Math.Min(best, Stopwatch.GetElapsedTime(s).TotalSeconds); } output.WriteLine($"{name}: {best / N * 1e9:0} ns"); }
        double Py(string stmt) { using var t = python.Eval("min(timeit.repeat('" + stmt + "', globals=globals(), number=" + N + ", repeat=7))", ns); return t.As<double>() / N * 1e9; }
        using (PythonGil.Acquire())
        {
            T("ToNumPy+Dispose", () => { for (var i = 0; i < N; i++) buffer.ToNumPy().Dispose(); });
            var asarray = python.Eval("np.asarray", ns).DangerousGetBorrowedReference();
            T("raw create+call asarray+decref", () => { for (var i = 0; i < N; i++) { var e = BufferExportType.Create(buffer); var t = PyTuple_New(1); PyTuple_SetItem(t, 0, e); var arr = PyObject_Call(asarray, t, 0); Py_DecRef(t); Py_DecRef(arr); } });
            var xr = x.DangerousGetBorrowedReference();
            T("raw call asarray(x) existing", () => { for (var i = 0; i < N; i++) { Py_IncRef(xr); var t = PyTuple_New(1); PyTuple_SetItem(t, 0, xr); var arr = PyObject_Call(asarray, t, 0); Py_DecRef(t); Py_DecRef(arr); } });
            var ar = python.Eval("a", ns).DangerousGetBorrowedReference();
            T("raw call asarray(a) existing ndarray", () => { for (var i = 0; i < N; i++) { Py_IncRef(ar); var t = PyTuple_New(1); PyTuple_SetItem(t, 0, ar); var arr = PyObject_Call(asarray, t, 0); Py_DecRef(t); Py_DecRef(arr); } });
            T("ToPython+Dispose", () => { for (var i = 0; i < N; i++) buffer.ToPython().Dispose(); });
            T("Create+DecRef", () => { for (var i = 0; i < N; i++) Py_DecRef(BufferExportType.Create(buffer)); });
            T("ExportState create+release", () => { for (var i = 0; i < N; i++) ExportState.Create(buffer).Release(); });
            T("PyObject FromNew(None incref)+Dispose", () => { for (var i = 0; i < N; i++) { Py_IncRef(Py_None); PythonObject.FromNewReference(Py_None).Dispose(); } });
            output.WriteLine($"py np.asarray(memoryview(a)): {Py("np.asarray(memoryview(a))"):0} ns");
            output.WriteLine($"py np.asarray(x): {Py("np.asarray(x)"):0} ns");
            output.WriteLine($"py memoryview(x): {Py("memoryview(x)"):0} ns");
            output.WriteLine($"py memoryview(a): {Py("memoryview(a)"):0} ns");
            output.WriteLine($"py pass: {Py("pass"):0} ns");
        }
    }
}
