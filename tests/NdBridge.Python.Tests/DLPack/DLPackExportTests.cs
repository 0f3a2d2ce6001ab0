using NdBridge.Testing;
using System.Runtime.InteropServices;

namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// .NET memory exported through DLPack, consumed by <c>numpy.from_dlpack</c> (legacy capsules from NumPy 1.x,
/// versioned from NumPy 2.x: whichever the running NumPy asks for) and by the ctypes peer (versioned and legacy). The oracle is NumPy's own view of the same bytes:
/// <c>np.ndarray(shape, dtype, buffer=bytes, offset=origin, strides=byteStrides)</c>.
/// </summary>
public sealed unsafe class DLPackExportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    private const string Checker = """
        outcomes = {}
        def count(key):
            outcomes[key] = outcomes.get(key, 0) + 1

        def check(data_list, shape, strides, origin, dtype, ro, shim, pointer):
            failures = []
            expected = np.ndarray(tuple(shape), dtype=dtype, buffer=bytes(data_list), offset=origin, strides=tuple(strides))
            def same(arr, label):
                if arr.shape != expected.shape or arr.dtype != expected.dtype or arr.tobytes() != expected.tobytes():
                    failures.append(f'{label}: got {arr.dtype}{arr.shape} {arr.tobytes()!r}, want {expected.dtype}{expected.shape} {expected.tobytes()!r}')
                if arr.__array_interface__['data'][0] != pointer:
                    failures.append(f'{label}: data pointer {arr.__array_interface__["data"][0]:#x} is not the buffer {pointer:#x}')
            x = consume(shim, max_version=(1, 1))
            same(x.array, 'versioned')
            if (x.readonly, x.version, x.device, x.flags & IS_COPIED) != (ro, (1, 1), (1, 0), 0):
                failures.append(f'versioned: readonly {x.readonly} version {x.version} device {x.device} flags {x.flags}')
            if x.array.flags.writeable == ro:
                failures.append('versioned: writeable flag wrong')
            for i, n in enumerate(shape):
                if n > 1 and x.element_strides[i] * expected.itemsize != strides[i]:
                    failures.append(f'versioned: element strides {x.element_strides} for byte strides {strides}')
            x.close()
            count('ctypes versioned')
            try:
                y = consume(shim)
                if ro:
                    failures.append('legacy: read-only memory exported')
                same(y.array, 'legacy')
                y.close()
                count('ctypes legacy')
            except BufferError as e:
                if not ro or 'legacy' not in str(e):
                    failures.append(f'legacy: {e}')
                count('ctypes legacy refused (read-only)')
            if dtype == 'bool' and not NUMPY_DLPACK_BOOL:
                return failures
            try:
                z = np.from_dlpack(shim)
                if ro and not NUMPY_ASKS_VERSIONED:
                    failures.append('numpy: read-only memory exported as legacy')
                if ro and z.flags.writeable:
                    failures.append('numpy: read-only memory arrived writable')
                same(z, 'numpy')
                del z
                count('numpy.from_dlpack')
            except BufferError as e:
                if not ro or NUMPY_ASKS_VERSIONED:
                    failures.append(f'numpy: {e}')
                count('numpy.from_dlpack refused (read-only)')
            return failures
        """;

    [Fact]
    public void EveryDTypeRankAndLayout_ExportedType_ConsumedByNumPyAndTheCtypesPeer_SeesTheSameValuesWithoutCopying()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec($"NUMPY_DLPACK_BOOL = {(NumPyFacts.DLPackBool ? "True" : "False")}\nNUMPY_ASKS_VERSIONED = {(NumPyFacts.FromDLPackAsksVersioned ? "True" : "False")}\n" + Checker, ns);
        using var check = ns.GetItem("check");
        var random = new Random(8);
        var cases = 0;
        foreach (var (numPy, code) in DLPackCases.DTypes)
        {
            var format = BufferFormat.Parse(code);
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in DLPackCases.Layouts)
                {
                    foreach (var readOnly in new[] { false, true })
                    {
                        var shape = DLPackCases.Shape(random, rank);
                        var layout = DLPackCases.Build(layoutName, shape, format.ItemSize, out var origin, out var baseByteLength);
                        var bytes = DLPackCases.Bytes(random, baseByteLength, numPy);
                        using var buffer = NdBuffer.FromArray(bytes, format, layout, origin, readOnly);
                        using (var export = buffer.ToPython())
                        using (var failures = check.Call(bytes.ToList(), shape.ToList(), layout.ByteStrides.ToArray().ToList(), origin, numPy, readOnly, export, (long)buffer.DangerousGetPointer()))
                        {
                            var list = failures.ToList<string>();
                            Assert.True(list.Count == 0, $"{numPy} rank {rank} {layoutName} shape {DLPackCases.Tuple(shape)}{(readOnly ? " read-only" : "")}:\n" + string.Join("\n", list));
                        }
                        cases++;
                    }
                }
            }
        }
        using var outcomes = ns.GetItem("outcomes");
        var counted = outcomes.ToDictionary<string, long>();
        // 14 dtypes x 6 ranks x 4 layouts x 2 (writable, read-only)
        Assert.Equal(14 * 6 * 4 * 2, cases);
        Assert.Equal(cases, counted["ctypes versioned"]);
        Assert.Equal(cases / 2, counted["ctypes legacy"]);
        Assert.Equal(cases / 2, counted["ctypes legacy refused (read-only)"]);
        // NumPy takes read-only memory only through versioned capsules (READ_ONLY), and bool only where it has kDLBool.
        var numPyCases = DLPackBufferProtocolTests.NumPyDLPackDTypeCount * (DLPackCases.MaxRank + 1) * DLPackCases.Layouts.Length;
        Assert.Equal(NumPyFacts.FromDLPackAsksVersioned ? 2 * numPyCases : numPyCases, counted["numpy.from_dlpack"]);
        Assert.Equal(NumPyFacts.FromDLPackAsksVersioned ? 0 : numPyCases, counted.GetValueOrDefault("numpy.from_dlpack refused (read-only)"));
    }

    [Fact]
    public void WritableExport_WritesFromPythonReachTheDotNetArray_AndReadOnlyStaysReadOnly()
    {
        var values = new double[] { 1, 2, 3, 4, 5, 6 };
        using var buffer = NdBuffer.FromArray(values, [2, 3]);
        using var ns = DLPackPeer.NewScope();
        DLPackPeer.SetExport(ns, "shim", buffer);
        Python.Exec("x = consume(shim, max_version=(1, 0))\nx.array[1, 2] = -7.5\nwriteable = x.array.flags.writeable\nversion = x.version\nx.close()", ns);
        Assert.True(ns.GetItem("writeable").As<bool>());
        Assert.Equal(-7.5, values[5]);
        Assert.Equal([1L, 0L], ns.GetItem("version").ToList<long>()); // max_version (1, 0): a (1, 0) tensor

        using var readOnly = buffer.AsReadOnly();
        DLPackPeer.SetExport(ns, "shim", readOnly);
        Python.Exec("""
            x = consume(shim, max_version=(1, 1))
            try:
                x.array[0, 0] = 1
                refused = None
            except ValueError as e:
                refused = str(e)
            ro = x.readonly
            x.close()
            """, ns);
        Assert.True(ns.GetItem("ro").As<bool>());
        Assert.Contains("read-only", ns.GetItem("refused").As<string>());
        Assert.Equal(1.0, values[0]);
    }

    [Fact]
    public void NumPyFromDLPack_CopyAndDevice_ReachTheExport_WhereThisNumPyPassesThem()
    {
        // NumPy 2.x's from_dlpack(x, *, device=None, copy=None) hands copy and dl_device to __dlpack__; NumPy 1.x
        // has neither keyword (TypeError before __dlpack__ is called). Asked of the running NumPy, not assumed.
        var values = new double[] { 1, 2, 3, 4 };
        using var buffer = NdBuffer.FromArray(values, [2, 2]);
        using var ns = Python.NewNamespace();
        using (var export = buffer.ToPython())
            ns.SetItem("x", export);
        Python.Exec("""
            import numpy as np
            def takes(**kwargs):
                try:
                    return np.from_dlpack(x, **kwargs)
                except TypeError as e:
                    if 'keyword' in str(e):
                        return None
                    raise
            copied = takes(copy=True)
            shared = takes(copy=False)
            on_cpu = takes(device='cpu')
            """, ns);
        var address = (long)buffer.DangerousGetPointer();
        var hasCopy = !Python.Eval<bool>("copied is None", ns);
        Assert.Equal(hasCopy, !Python.Eval<bool>("shared is None", ns));
        Assert.Equal(NumPyFacts.Major >= 2, hasCopy);
        if (hasCopy)
        {
            Assert.NotEqual(address, Python.Eval<long>("copied.ctypes.data", ns));
            Assert.Equal(address, Python.Eval<long>("shared.ctypes.data", ns));
            Assert.Equal("[[1.0, 2.0], [3.0, 4.0]]", Python.Eval<string>("repr(copied.tolist())", ns));
            values[0] = 10;
            Assert.Equal([1.0, 10.0], Python.EvalList<double>("[float(copied[0, 0]), float(shared[0, 0])]", ns));
        }
        if (!Python.Eval<bool>("on_cpu is None", ns))
            Assert.Equal(address, Python.Eval<long>("on_cpu.ctypes.data", ns));
        Python.Exec("del x, copied, shared, on_cpu", ns);
    }

    [Fact]
    public void CopyTrue_GivesAWritableCContiguousCopyFlaggedIsCopied_EvenOfReadOnlyOrOddStridedMemory()
    {
        // A record array's field: stride 9 bytes for an 8-byte double, which DLPack cannot say without a copy.
        var bytes = new byte[4 * 9];
        for (var i = 0; i < 4; i++)
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 9 + 1), i * 1.5);
        using var buffer = NdBuffer.FromArray(bytes, BufferFormat.Parse("d"), new StridedLayout([4], [9], 8), 1, readOnly: true);
        using var ns = DLPackPeer.NewScope();
        DLPackPeer.SetExport(ns, "shim", buffer);
        ns.SetItem("data", bytes);
        Python.Exec("""
            expected = np.ndarray((4,), dtype=np.float64, buffer=bytes(data), offset=1, strides=(9,)).tolist()
            try:
                consume(shim, max_version=(1, 1))
            except BufferError as e:
                without_copy = str(e)
            x = consume(shim, max_version=(1, 1), copy=True)
            values = x.array.tolist()
            flags = x.flags
            writeable = x.array.flags.writeable
            pointer = x.array.__array_interface__['data'][0]
            x.close()
            legacy = consume(shim, copy=True)
            legacy_values = legacy.array.tolist()
            legacy.close()
            """, ns);
        Assert.Contains("byte stride 9 of dimension 0 is not a multiple of the item size 8", ns.GetItem("without_copy").As<string>());
        var expected = ns.GetItem("expected").ToList<double>();
        Assert.Equal(expected, ns.GetItem("values").ToList<double>());
        Assert.Equal(expected, ns.GetItem("legacy_values").ToList<double>());
        Assert.Equal((long)DLPackNative.DLPACK_FLAG_BITMASK_IS_COPIED, ns.GetItem("flags").As<long>());
        Assert.True(ns.GetItem("writeable").As<bool>());
        Assert.NotEqual((long)buffer.DangerousGetPointer(), ns.GetItem("pointer").As<long>());
    }

    [Fact]
    public void CopyTrue_OfAnIndirectArray_CopiesThroughTheSuboffsets()
    {
        // PIL-style: two row pointers, each row 3 bytes; suboffset 0 on dimension 0 means "dereference".
        var rows = new byte[][] { [1, 2, 3], [4, 5, 6] };
        var rowPins = rows.Select(r => System.Runtime.InteropServices.GCHandle.Alloc(r, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        var pointers = rowPins.Select(h => (long)h.AddrOfPinnedObject()).ToArray();
        try
        {
            fixed (long* table = pointers)
            {
                using var buffer = NdBuffer.DangerousFromPointer(table, BufferFormat.Parse("B"), new StridedLayout([2, 3], [8, 1], [0, -1], 1));
                using var ns = DLPackPeer.NewScope();
                DLPackPeer.SetExport(ns, "shim", buffer);
                Python.Exec("""
                    try:
                        consume(shim, max_version=(1, 1))
                    except BufferError as e:
                        without_copy = str(e)
                    x = consume(shim, max_version=(1, 1), copy=True)
                    values = x.array.tolist()
                    flags = x.flags
                    x.close()
                    expected = memoryview(shim).tolist()   # CPython reads through the suboffsets
                    """, ns);
                Assert.Contains("suboffsets", ns.GetItem("without_copy").As<string>());
                Assert.Equal(ns.GetItem("expected").Repr(), ns.GetItem("values").Repr());
                Assert.Equal((long)DLPackNative.DLPACK_FLAG_BITMASK_IS_COPIED, ns.GetItem("flags").As<long>());
            }
        }
        finally
        {
            foreach (var pin in rowPins)
                pin.Free();
        }
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { "legacy capsule, read-only memory", "shim_ro.__dlpack__()", "BufferError: DLPack export refused: the memory is read-only and the legacy 'dltensor' capsule cannot say so" },
        { "copy=False, read-only, legacy", "shim_ro.__dlpack__(copy=False)", "BufferError: DLPack export refused: the memory is read-only and the legacy 'dltensor' capsule cannot say so" },
        { "stream not None", "shim.__dlpack__(stream=1)", "BufferError: NdBridge memory is on the CPU, where DLPack allows only stream=None" },
        { "non-CPU dl_device", "shim.__dlpack__(dl_device=(2, 0))", "BufferError: NdBridge memory is on the CPU (kDLCPU, 0); dl_device=(2, 0) would need a cross-device copy" },
        { "CPU device with id 1", "shim.__dlpack__(dl_device=(1, 1))", "BufferError: NdBridge memory is on the CPU (kDLCPU, 0); dl_device=(1, 1)" },
        { "positional argument", "shim_f(None)", "TypeError: __dlpack__() takes only keyword arguments (stream, max_version, dl_device, copy)" },
        { "unknown keyword", "shim.__dlpack__(order='C')", "TypeError: __dlpack__() got an unexpected keyword argument 'order'" },
        { "max_version not a pair", "shim.__dlpack__(max_version=1)", "TypeError: max_version must be None or a (major, minor) tuple of non-negative ints" },
        { "max_version negative", "shim.__dlpack__(max_version=(1, -1))", "TypeError: max_version must be None or a (major, minor) tuple of non-negative ints" },
        { "dl_device not a pair", "shim.__dlpack__(dl_device='cpu')", "TypeError: dl_device must be None or a (device_type, device_id) tuple of ints" },
        { "copy not a bool", "shim.__dlpack__(copy=1)", "TypeError: copy must be None, True or False" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void BadRequest_RaisesItsError_AndCreatesNoTensor(string what, string call, string message)
    {
        _ = what;
        using var buffer = NdBuffer.FromArray(new int[] { 1, 2, 3 });
        using var readOnly = buffer.AsReadOnly();
        using var ns = DLPackPeer.NewScope();
        DLPackPeer.SetExport(ns, "shim", buffer);
        DLPackPeer.SetExport(ns, "shim_ro", readOnly);
        Python.Exec("shim_f = shim.__dlpack__", ns);
        var created = DLPackExport.TensorsCreated;
        var error = Assert.Throws<PythonException>(() => Python.Exec("capsule = " + call, ns));
        Assert.StartsWith(message, error.PythonTypeName + ": " + error.PythonMessage);
        Assert.Equal(created, DLPackExport.TensorsCreated);
    }

    public static TheoryData<string, string> LayoutRefusals => new()
    {
        { "records", "has no DLPack form: DLPack has no records" },
        { "non-native byte order", "DLPack data is always in native byte order" },
        { "byte stride not a multiple of the item size", "the byte stride 9 of dimension 0 is not a multiple of the item size 8" },
        { "suboffsets", "DLPack cannot describe suboffsets" },
        { "long double", "C long double is x87 extended precision" },
    };

    [Theory]
    [MemberData(nameof(LayoutRefusals))]
    public void LayoutDLPackCannotSay_IsRefusedWithItsReason_FromPythonAndFromDotNet(string what, string reason)
    {
        var bytes = new byte[64];
        var suboffsetTarget = (byte*)NativeMemory.AllocZeroed(64);
        try
        {
            using NdBuffer buffer = what switch
            {
                "records" => NdBuffer.FromArray(bytes, BufferFormat.Parse("T{i:a:d:b:}"), StridedLayout.CreateContiguous([2], 16), 0),
                "non-native byte order" => NdBuffer.FromArray(bytes, BufferFormat.Parse(">i"), StridedLayout.CreateContiguous([4], 4), 0),
                "byte stride not a multiple of the item size" => NdBuffer.FromArray(bytes, BufferFormat.Parse("d"), new StridedLayout([3], [9], 8), 0),
                "suboffsets" => NdBuffer.DangerousFromPointer(suboffsetTarget, BufferFormat.Parse("B"), new StridedLayout([1, 2], [8, 1], [0, -1], 1)),
                "long double" => NdBuffer.FromArray(bytes, BufferFormat.Parse("g"), StridedLayout.CreateContiguous([2], 16), 0),
                _ => throw new ArgumentOutOfRangeException(nameof(what)),
            };
            using var ns = DLPackPeer.NewScope();
            DLPackPeer.SetExport(ns, "shim", buffer);
            foreach (var call in new[] { "shim.__dlpack__()", "shim.__dlpack__(max_version=(1, 0))", "np.from_dlpack(shim)" })
            {
                var error = Assert.Throws<PythonException>(() => Python.Exec("capsule = " + call, ns));
                Assert.Equal("BufferError", error.PythonTypeName);
                Assert.StartsWith("DLPack export refused: ", error.PythonMessage);
                Assert.Contains(reason, error.PythonMessage);
            }
            var dotnet = Assert.Throws<NotSupportedException>(() => PythonDLPack.ExportCapsule(buffer, (1, 0)));
            Assert.Contains(reason, dotnet.Message);
        }
        finally
        {
            NativeMemory.Free(suboffsetTarget);
        }
    }

    [Fact]
    public void ExportOutlivesItsDisposedBuffer_AndDLPackStillWorks_WhileExportCapsuleOfADisposedBufferThrows()
    {
        var values = new float[] { 1, 2 };
        var buffer = NdBuffer.FromArray(values);
        using var ns = DLPackPeer.NewScope();
        DLPackPeer.SetExport(ns, "export", buffer);
        buffer.Dispose();
        Python.Exec("x = consume(export, max_version=(1, 0))\nvalues = x.array.tolist()\nx.close()", ns);
        Assert.Equal([1.0, 2.0], ns.GetItem("values").ToList<double>());
        Assert.Throws<ObjectDisposedException>(() => PythonDLPack.ExportCapsule(buffer));
    }

    [Fact]
    public void NumPyFromDLPack_OfTheExportedType_IsZeroCopy()
    {
        var values = new double[] { 1, 2, 3, 4, 5, 6 };
        using var buffer = NdBuffer.FromArray(values, [2, 3]);
        using var ns = DLPackPeer.NewScope();
        DLPackPeer.SetExport(ns, "export", buffer);
        Python.Exec("a = np.from_dlpack(export)\nexpected = np.frombuffer(bytes(memoryview(export)), dtype=np.float64).reshape(2, 3)", ns);
        Assert.True(Python.Eval<bool>("bool((a == expected).all()) and a.shape == (2, 3)", ns));
        Assert.Equal((long)buffer.DangerousGetPointer(), Python.Eval<long>("a.__array_interface__['data'][0]", ns));
        values[4] = -1; // the array views the .NET memory itself
        Assert.Equal(-1.0, Python.Eval<double>("float(a[1, 1])", ns));
    }

    [Fact]
    public void DLPackDevice_IsCpuZero_AsNumPySays()
    {
        _ = Python;
        using var buffer = NdBuffer.FromArray(new float[] { 1, 2 });
        using (var export = buffer.ToPython())
        using (var ours = export.CallMethod("__dlpack_device__"))
        using (var numpys = Python.Eval("__import__('numpy').zeros(1).__dlpack_device__()"))
            Assert.Equal(numpys.Repr(), ours.Repr());
    }

    [Fact]
    public void ExportCapsule_FromDotNet_IsVersionedOrLegacyAsAsked_AndImportsBack()
    {
        var values = new short[] { 5, -6, 7 };
        using var buffer = NdBuffer.FromArray(values);
        foreach (var (maxVersion, name) in new (ValueTuple<int, int>?, string)[] { (null, "dltensor"), ((0, 9), "dltensor"), ((1, 0), "dltensor_versioned"), ((2, 3), "dltensor_versioned") })
        {
            using var capsule = PythonDLPack.ExportCapsule(buffer, maxVersion);
            Assert.Contains($"capsule object \"{name}\"", capsule.Repr());
            using var back = PythonDLPack.Import(capsule);
            Assert.Contains($"capsule object \"used_{name}\"", capsule.Repr());
            Assert.Equal((nint)buffer.DangerousGetPointer(), (nint)back.DangerousGetPointer());
            Assert.Equal(values, back.AsReadOnlyStridedSpan<short>().ToArray());
        }
    }
}
