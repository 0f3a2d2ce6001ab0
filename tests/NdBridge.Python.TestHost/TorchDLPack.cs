using NdBridge.Python.Tests.DLPack;

namespace NdBridge.Python.TestHost;

/// <summary>
/// Tensors exchanged with PyTorch through DLPack, in a process of their own (Debian's torch 1.13 was never
/// released upstream for Python 3.11; see DLPackTorchTests). Prints counts and every failure; the oracle is
/// torch itself (<c>data_ptr()</c>, <c>stride()</c>, <c>numpy().tobytes()</c>) and NumPy's view of the .NET bytes.
/// </summary>
internal static unsafe class TorchDLPack
{
    // Which dtypes torch carries through DLPack differs by version (1.13: no bool, no uint16/32/64; 2.6: all of
    // DLPackCases.DTypes): asked of the running torch by a round trip of its own. torch 1.13 aborts the process on
    // a negative stride, so no layout here has one.
    private static string[] s_torchDTypes = [];
    private static readonly string[] TorchLayouts = ["C", "F", "a[::2]"];

    private const string Python = """
        import numpy as np
        import torch
        import torch.utils.dlpack

        def torch_dlpack_dtypes():
            names = ['bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
                     'float16', 'float32', 'float64', 'complex64', 'complex128']
            carried = []
            for name in names:
                dtype = getattr(torch, name, None)
                if dtype is None:
                    continue
                try:
                    back = torch.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(torch.zeros(2, dtype=dtype)))
                    if back.dtype == dtype:
                        carried.append(name)
                except Exception:
                    pass
            return carried

        class Shim:
            # A producer around one legacy capsule made by PythonDLPack.ExportCapsule.
            def __init__(self, capsule):
                self.capsule = capsule
            def __dlpack__(self, stream=None):
                return self.capsule
            def __dlpack_device__(self):
                return (1, 0)

        def to_torch(data_list, shape, strides, origin, dtype, capsule, pointer):
            expected = np.ndarray(tuple(shape), dtype=dtype, buffer=bytes(data_list), offset=origin, strides=tuple(strides))
            t = torch.from_dlpack(Shim(capsule))
            failures = []
            if t.data_ptr() != pointer:
                failures.append(f'data_ptr {t.data_ptr():#x} is not the buffer {pointer:#x}')
            if tuple(t.shape) != expected.shape or t.numpy().dtype != expected.dtype or t.numpy().tobytes() != expected.tobytes():
                failures.append(f'got {t.numpy().dtype}{tuple(t.shape)}, want {expected.dtype}{expected.shape}')
            return failures

        def make(dtype, shape, layout):
            n = 1
            for d in shape:
                n *= 2 * d
            base = (torch.arange(n, dtype=torch.int64) * 37 % 251 - 100).to(getattr(torch, dtype)).reshape(tuple(2 * d for d in shape))
            if not shape:
                return base.clone()
            if layout == 'a[::2]':
                return base[tuple(slice(None, None, 2) for _ in shape)]
            small = base[tuple(slice(None, d) for d in shape)].contiguous()
            return small if layout == 'C' else small.permute(*reversed(range(len(shape)))).contiguous().permute(*reversed(range(len(shape))))

        def describe(t):
            a = t.numpy()
            return (t.data_ptr(), list(t.shape), [s * t.element_size() for s in t.stride()], a.dtype.str, a.tobytes())

        to_dlpack = torch.utils.dlpack.to_dlpack
        """;

    public static void Run()
    {
        var python = PythonRuntime.Initialize();
        using var ns = python.NewNamespace();
        python.Exec(Python, ns);
        var failures = new List<string>();
        Console.WriteLine($"torch={python.Eval<string>("torch.__version__", ns)}");
        using (var carried = python.Eval("torch_dlpack_dtypes()", ns))
            s_torchDTypes = [.. carried.ToList<string>()];
        Console.WriteLine($"dtypes={string.Join(',', s_torchDTypes)}");
        Console.WriteLine($"to_torch={ToTorch(python, ns, failures)}");
        foreach (var source in new[] { "tensor", "to_dlpack" })
            Console.WriteLine($"from_torch.{source}={FromTorch(python, ns, source, failures)}");
        Console.WriteLine($"writes={Writes(python, ns, failures)}");
        Console.WriteLine($"bfloat16={Bfloat16(python, ns)}");
        Console.WriteLine($"failures={failures.Count}");
        foreach (var failure in failures.Take(20))
            Console.WriteLine("failure: " + failure.Replace('\n', ' '));
    }

    private static int ToTorch(PythonRuntime python, PythonObject ns, List<string> failures)
    {
        using var check = ns.GetItem("to_torch");
        var random = new Random(1301);
        var cases = 0;
        foreach (var (numPy, code) in DLPackCases.DTypes.Where(d => s_torchDTypes.Contains(d.NumPy)))
        {
            var format = BufferFormat.Parse(code);
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in TorchLayouts)
                {
                    var shape = DLPackCases.Shape(random, rank);
                    var layout = DLPackCases.Build(layoutName, shape, format.ItemSize, out var origin, out var baseByteLength);
                    var bytes = DLPackCases.Bytes(random, baseByteLength, numPy);
                    using var buffer = NdBuffer.FromArray(bytes, format, layout, origin);
                    using var capsule = PythonDLPack.ExportCapsule(buffer);
                    using var result = check.Call(bytes.ToList(), shape.ToList(), layout.ByteStrides.ToArray().ToList(), origin, numPy, capsule, (long)buffer.DangerousGetPointer());
                    failures.AddRange(result.ToList<string>().Select(f => $"to torch {numPy} rank {rank} {layoutName}: {f}"));
                    cases++;
                }
            }
        }
        return cases;
    }

    private static int FromTorch(PythonRuntime python, PythonObject ns, string source, List<string> failures)
    {
        using var make = ns.GetItem("make");
        using var describe = ns.GetItem("describe");
        using var toDLPack = ns.GetItem("to_dlpack");
        using var bytesEqual = python.Eval("lambda a, b: bytes(a) == b", ns);
        var random = new Random(1302);
        var cases = 0;
        foreach (var dtype in s_torchDTypes)
        {
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in TorchLayouts)
                {
                    var shape = DLPackCases.Shape(random, rank);
                    var label = $"from torch ({source}) {dtype} rank {rank} {layoutName}";
                    using var tensor = make.Call(dtype, shape.ToList(), layoutName);
                    using var description = describe.Call(tensor);
                    using var producer = source == "tensor" ? PythonObject.FromBorrowedReference(tensor.DangerousGetBorrowedReference()) : toDLPack.Call(tensor);
                    using var buffer = PythonDLPack.Import(producer);
                    using var pointer = description.GetItem(0);
                    using var shapeObject = description.GetItem(1);
                    using var stridesObject = description.GetItem(2);
                    using var typestr = description.GetItem(3);
                    using var expectedBytes = description.GetItem(4);
                    var expectedShape = shapeObject.ToList<long>();
                    var expectedStrides = stridesObject.ToList<long>();
                    if (pointer.As<long>() != (long)buffer.DangerousGetPointer())
                        failures.Add(label + ": not the tensor's memory");
                    if (!expectedShape.SequenceEqual(buffer.Shape.ToArray().Select(n => (long)n)))
                        failures.Add(label + ": shape");
                    for (var i = 0; i < rank; i++)
                    {
                        if (expectedShape[i] > 1 && expectedStrides[i] != buffer.Layout.ByteStrides[i])
                            failures.Add(label + ": byte strides");
                    }
                    if (!BufferFormat.FromTypestr(typestr.As<string>()).Equals(buffer.Format))
                        failures.Add(label + ": format " + buffer.Format);
                    if (buffer.IsReadOnly)
                        failures.Add(label + ": read-only");
                    using var actual = python.ToPython(buffer.ToByteArray(MemoryOrder.C));
                    using var equal = bytesEqual.Call(actual, expectedBytes);
                    if (!equal.As<bool>())
                        failures.Add(label + ": values differ from torch's");
                    cases++;
                }
            }
        }
        return cases;
    }

    private static string Writes(PythonRuntime python, PythonObject ns, List<string> failures)
    {
        var values = new float[] { 1, 2, 3, 4, 5, 6 };
        using (var buffer = NdBuffer.FromArray(values, [2, 3]))
        using (var capsule = PythonDLPack.ExportCapsule(buffer))
        {
            ns.SetItem("cap", capsule);
            python.Exec("t = torch.from_dlpack(Shim(cap))\nt[1, 0] = -2.5\nt.mul_(2)\nexpected = np.array([1, 2, 3, -2.5, 5, 6], np.float32) * 2\ndel t, cap", ns);
        }
        using var expected = python.Eval("expected.tolist()", ns);
        if (!expected.ToList<double>().SequenceEqual(values.Select(v => (double)v)))
            failures.Add("torch writes did not reach the .NET array: " + string.Join(",", values));

        python.Exec("t = torch.zeros(2, 3, dtype=torch.float64).t()\nexpected = t.clone()\nexpected[2, 1] = 9.5", ns);
        using (var tensor = ns.GetItem("t"))
        using (var buffer = PythonDLPack.Import(tensor))
            buffer.AsStridedSpan<double>()[2, 1] = 9.5;
        if (!python.Eval<bool>("torch.equal(t, expected)", ns))
            failures.Add(".NET writes through an imported torch tensor are not seen by torch");
        python.Exec("del t, expected", ns);
        return "checked";
    }

    private static string Bfloat16(PythonRuntime python, PythonObject ns)
    {
        python.Exec("cap = torch.utils.dlpack.to_dlpack(torch.zeros(3, dtype=torch.bfloat16))", ns);
        using var capsule = ns.GetItem("cap");
        try
        {
            using var buffer = PythonDLPack.Import(capsule);
            return "accepted";
        }
        catch (NotSupportedException exception)
        {
            return exception.Message.Split(':')[0] + (capsule.Repr().Contains("\"used_dltensor\"", StringComparison.Ordinal) ? " (capsule used)" : " (capsule not renamed)");
        }
    }
}
