namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// Tensors exchanged with PyTorch (Debian's <c>python3-torch</c> 1.13, legacy DLPack only): <c>torch.from_dlpack</c>
/// of .NET memory, and torch tensors and <c>torch.utils.dlpack.to_dlpack</c> capsules imported as NdBuffers. The
/// oracle is torch itself (<c>data_ptr()</c>, <c>stride()</c>, <c>numpy().tobytes()</c>). Fails when torch is missing.
/// torch 1.13 has no bool and no uint16/32/64 in DLPack, and aborts the process (std::terminate) on a negative
/// DLPack stride, so those are left out.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed unsafe class DLPackTorchTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private static readonly string[] TorchDTypes = ["int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64", "complex64", "complex128"];
    private static readonly string[] TorchLayouts = ["C", "F", "a[::2]"];

    private static PythonObject TorchScope()
    {
        var ns = DLPackPeer.NewScope();
        Python.Exec("""
            import torch
            import torch.utils.dlpack
            def check(data_list, shape, strides, origin, dtype, shim, pointer):
                expected = np.ndarray(tuple(shape), dtype=dtype, buffer=bytes(data_list), offset=origin, strides=tuple(strides))
                t = torch.from_dlpack(shim)
                failures = []
                if t.data_ptr() != pointer:
                    failures.append(f'data_ptr {t.data_ptr():#x} is not the buffer {pointer:#x}')
                if tuple(t.shape) != expected.shape or t.numpy().dtype != expected.dtype or t.numpy().tobytes() != expected.tobytes():
                    failures.append(f'got {t.numpy().dtype}{tuple(t.shape)} {t.numpy().tobytes()!r}, want {expected.dtype}{expected.shape} {expected.tobytes()!r}')
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
            """, ns);
        return ns;
    }

    [Fact]
    public void DotNetMemory_ToTorchFromDLPack_EveryTorchDTypeRankAndLayout()
    {
        using var ns = TorchScope();
        using var check = ns.GetItem("check");
        using var shimType = ns.GetItem("Shim");
        var random = new Random(1301);
        var cases = 0;
        foreach (var (numPy, code) in DLPackCases.DTypes.Where(d => TorchDTypes.Contains(d.NumPy)))
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
                    var (dlpack, device) = DLPackMethods.CreateStandalone(buffer);
                    using (dlpack)
                    using (device)
                    using (var shim = shimType.Call(dlpack, device))
                    using (var failures = check.Call(bytes, shape, layout.ByteStrides.ToArray(), origin, numPy, shim, (long)buffer.DangerousGetPointer()))
                    {
                        var list = failures.ToList<string>();
                        Assert.True(list.Count == 0, $"{numPy} rank {rank} {layoutName}:\n" + string.Join("\n", list));
                    }
                    cases++;
                }
            }
        }
        Assert.Equal(10 * 6 * 3, cases);
    }

    [Fact]
    public void TorchWrites_ReachTheDotNetArray()
    {
        var values = new float[] { 1, 2, 3, 4, 5, 6 };
        using var buffer = NdBuffer.FromArray(values, [2, 3]);
        using var ns = TorchScope();
        var (dlpack, device) = DLPackMethods.CreateStandalone(buffer);
        using (dlpack)
        using (device)
            ns.SetItem("shim", ns.GetItem("Shim").Call(dlpack, device));
        Python.Exec("t = torch.from_dlpack(shim)\nt[1, 0] = -2.5\nt.mul_(2)\ndel t", ns);
        Assert.Equal([2f, 4, 6, -5, 10, 12], values);
    }

    public static TheoryData<string> TorchSources => new() { "tensor (__dlpack__, TypeError fallback)", "torch.utils.dlpack.to_dlpack capsule" };

    [Theory]
    [MemberData(nameof(TorchSources))]
    public void TorchTensors_ImportAsTheSameView_EveryTorchDTypeRankAndLayout(string source)
    {
        using var ns = TorchScope();
        using var make = ns.GetItem("make");
        using var describe = ns.GetItem("describe");
        using var toDLPack = Python.Eval("torch.utils.dlpack.to_dlpack", ns);
        using var bytesEqual = Python.Eval("lambda a, b: bytes(a) == b", ns);
        var random = new Random(1302);
        var cases = 0;
        foreach (var dtype in TorchDTypes)
        {
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in TorchLayouts)
                {
                    var shape = DLPackCases.Shape(random, rank);
                    using var tensor = make.Call(dtype, shape, layoutName);
                    using var description = describe.Call(tensor);
                    using var producer = source.StartsWith("tensor", StringComparison.Ordinal)
                        ? PythonObject.FromBorrowedReference(tensor.DangerousGetBorrowedReference())
                        : toDLPack.Call(tensor);
                    using var buffer = PythonDLPack.Import(producer);
                    var label = $"{source} {dtype} rank {rank} {layoutName}";
                    Assert.True(description.GetItem(0).As<long>() == (long)buffer.DangerousGetPointer(), label + ": not the tensor's memory");
                    var expectedShape = description.GetItem(1).ToList<long>();
                    var expectedStrides = description.GetItem(2).ToList<long>();
                    Assert.Equal(expectedShape, buffer.Shape.ToArray().Select(n => (long)n));
                    for (var i = 0; i < rank; i++)
                    {
                        if (expectedShape[i] > 1)
                            Assert.True(expectedStrides[i] == buffer.Layout.ByteStrides[i], label + ": byte strides differ");
                    }
                    Assert.True(BufferFormat.FromTypestr(description.GetItem(3).As<string>()).Equals(buffer.Format), label + ": format " + buffer.Format);
                    Assert.False(buffer.IsReadOnly);
                    using (var actual = Python.ToPython(buffer.ToByteArray(MemoryOrder.C)))
                    using (var expectedBytes = description.GetItem(4))
                    using (var equal = bytesEqual.Call(actual, expectedBytes))
                        Assert.True(equal.As<bool>(), label + ": values differ from torch's");
                    cases++;
                }
            }
        }
        Assert.Equal(10 * 6 * 3, cases);
    }

    [Fact]
    public void Bfloat16FromTorch_IsRefused_WithItsDType()
    {
        using var ns = TorchScope();
        Python.Exec("cap = torch.utils.dlpack.to_dlpack(torch.zeros(3, dtype=torch.bfloat16))", ns);
        using var capsule = ns.GetItem("cap");
        var error = Assert.Throws<NotSupportedException>(() => PythonDLPack.Import(capsule));
        Assert.StartsWith("The DLPack tensor's dtype (code 4, bits 16, lanes 1) cannot be imported", error.Message);
        Assert.Contains("\"used_dltensor\"", capsule.Repr());
    }

    [Fact]
    public void DotNetWritesThroughAnImportedTorchTensor_AreSeenByTorch()
    {
        using var ns = TorchScope();
        Python.Exec("t = torch.zeros(2, 3, dtype=torch.float64).t()\nexpected = t.clone()\nexpected[2, 1] = 9.5", ns);
        using (var buffer = PythonDLPack.Import(ns.GetItem("t")))
            buffer.AsStridedSpan<double>()[2, 1] = 9.5;
        Assert.True(Python.Eval<bool>("torch.equal(t, expected)", ns));
    }
}
