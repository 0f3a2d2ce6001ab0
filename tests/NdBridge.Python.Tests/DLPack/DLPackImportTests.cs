using NdBridge.Testing;
namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// DLPack producers (NumPy's legacy <c>__dlpack__</c>, the ctypes peer's versioned and legacy tensors) imported
/// as <see cref="NdBuffer"/>s. The oracle is the NumPy array itself: its data pointer, shape, byte strides,
/// typestr, writeability and bytes.
/// </summary>
public sealed unsafe class DLPackImportTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    internal const string Maker = """
        def make(dtype, shape, layout):
            base_shape = tuple(2 * n for n in shape)
            base = (np.arange(int(np.prod(base_shape)), dtype='int64') * 37 % 251 - 100).reshape(base_shape)
            base = np.asarray((base % 2 == 0) if dtype == 'bool' else (base.astype(dtype) * (1.5 if dtype[0] in 'fc' else 1)).astype(dtype))
            if not shape:
                return base.copy()   # 0-d (ascontiguousarray would make it 1-d)
            index = tuple(slice(None, n) for n in shape)
            if layout == 'C':
                return np.ascontiguousarray(base[index])
            if layout == 'F':
                return np.asfortranarray(base[index])
            step = 2 if layout == 'a[::2]' else -2
            return base[tuple(slice(None, None, step) for _ in shape)]

        def describe(a):
            return (a.__array_interface__['data'][0], list(a.shape), list(a.strides), a.dtype.str, a.tobytes())
        """;

    public static TheoryData<string> Producers => new() { "numpy", "ctypes versioned", "ctypes versioned read-only", "ctypes legacy (TypeError fallback)" };

    [Theory]
    [MemberData(nameof(Producers))]
    public void EveryDTypeRankAndLayout_ImportsAsTheSameView(string producer)
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec(Maker, ns);
        using var make = ns.GetItem("make");
        using var describe = ns.GetItem("describe");
        using var bytesEqual = Python.Eval("lambda a, b: bytes(a) == b", ns);
        using var tracker = ns.GetItem("Tracker").Call();
        using var producerType = ns.GetItem(producer == "ctypes legacy (TypeError fallback)" ? "LegacyProducer" : "Producer");
        var readOnly = producer == "ctypes versioned read-only";
        var random = new Random(88);
        var cases = 0;
        foreach (var (numPy, _) in DLPackCases.DTypes)
        {
            if (producer == "numpy" && numPy == "bool" && !NumPyFacts.DLPackBool)
                continue; // this NumPy has no DLPack bool
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in DLPackCases.Layouts)
                {
                    var shape = DLPackCases.Shape(random, rank);
                    using var array = make.Call(numPy, shape.ToList(), layoutName);
                    using var source = producer switch
                    {
                        "numpy" => PythonObject.FromBorrowedReference(array.DangerousGetBorrowedReference()),
                        "ctypes versioned" or "ctypes legacy (TypeError fallback)" => producerType.Call(tracker, array),
                        _ => producerType.CallWithKeywords([tracker, array], [new("readonly", true)]),
                    };
                    using var description = describe.Call(array);
                    var pointer = description.GetItem(0).As<long>();
                    var expectedShape = description.GetItem(1).ToList<long>();
                    var expectedStrides = description.GetItem(2).ToList<long>();
                    var typestr = description.GetItem(3).As<string>();
                    using var expectedBytes = description.GetItem(4);

                    using var buffer = PythonDLPack.Import(source);
                    var label = $"{producer} {numPy} rank {rank} {layoutName}";
                    Assert.True(pointer == (long)buffer.DangerousGetPointer(), label + ": not the array's memory");
                    Assert.Equal(expectedShape, buffer.Shape.ToArray().Select(n => (long)n));
                    for (var i = 0; i < rank; i++)
                    {
                        if (expectedShape[i] > 1)
                            Assert.True(expectedStrides[i] == buffer.Layout.ByteStrides[i], $"{label}: byte strides {string.Join(",", buffer.Layout.ByteStrides.ToArray())}, NumPy {string.Join(",", expectedStrides)}");
                    }
                    Assert.True(BufferFormat.FromTypestr(typestr).Equals(buffer.Format), $"{label}: format {buffer.Format}, NumPy {typestr}");
                    Assert.Equal(readOnly, buffer.IsReadOnly);
                    using (var actual = Python.ToPython(buffer.ToByteArray(MemoryOrder.C)))
                    using (var equal = bytesEqual.Call(actual, expectedBytes))
                        Assert.True(equal.As<bool>(), label + ": values differ from NumPy's tobytes()");
                    cases++;
                }
            }
        }
        var dtypes = producer == "numpy" ? DLPackBufferProtocolTests.NumPyDLPackDTypeCount : DLPackCases.DTypes.Length;
        Assert.Equal(dtypes * (DLPackCases.MaxRank + 1) * DLPackCases.Layouts.Length, cases);
        if (producer != "numpy")
        {
            // Every tensor's deleter ran exactly once, when its buffer was disposed.
            Assert.Equal(cases, tracker.GetAttr<long>("created"));
            Assert.Equal(cases, tracker.GetAttr<long>("deleted"));
            Assert.Equal(0, tracker.GetAttr<long>("double"));
        }
    }

    [Fact]
    public void VersionedFirst_LegacyOnTypeError_AsTheArrayApiSays_AndALegacyOnlyTypeIsRemembered()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("""
            t = Tracker()
            a = np.arange(6.0)
            p = Producer(t, a)
            class Legacy:
                # A fresh type each run: rejects max_version as NumPy 1.24 does, and records every attempt.
                attempts = []
                def __init__(self, tracker, a):
                    self.tracker, self.a = tracker, a
                def __dlpack__(self, **kwargs):
                    Legacy.attempts.append(sorted(kwargs))
                    if 'max_version' in kwargs:
                        raise TypeError("__dlpack__() got an unexpected keyword argument 'max_version'")
                    return make_capsule(self.tracker, self.a, False)
            l1, l2 = Legacy(t, a), Legacy(t, a)
            """, ns);
        using (var fromVersioned = PythonDLPack.Import(ns.GetItem("p")))
        using (var fromLegacy = PythonDLPack.Import(ns.GetItem("l1")))
        using (var fromLegacyAgain = PythonDLPack.Import(ns.GetItem("l2")))
        {
            Assert.Equal("[(1, 1)]", ns.GetItem("p").GetAttr("requests").Repr()); // asked max_version=(1, 1) once, got a versioned tensor
            // The first import of the type: max_version, TypeError, then without; the second: without, straight away.
            Assert.Equal("[['max_version'], [], []]", Python.Eval<string>("repr(Legacy.attempts)", ns));
            Assert.Equal(fromVersioned.ToArray<double>(), fromLegacy.ToArray<double>());
            Assert.Equal(fromVersioned.ToArray<double>(), fromLegacyAgain.ToArray<double>());
            Assert.Equal(0, Python.Eval<long>("t.deleted", ns));
        }
        Assert.Equal(3, Python.Eval<long>("t.deleted", ns));
    }

    [Fact]
    public void NumPyArray_ThroughDLPack_IsWritableAndSharesMemory()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("a = np.arange(12, dtype=np.int32).reshape(3, 4)[::-1, 1::2]\nexpected = a.copy()\nexpected[0, 1] = -1", ns);
        using (var buffer = PythonDLPack.Import(ns.GetItem("a")))
        {
            Assert.False(buffer.IsReadOnly);
            buffer.AsStridedSpan<int>()[0, 1] = -1;
        }
        Assert.True(Python.Eval<bool>("bool((a == expected).all())", ns));
    }

    [Fact]
    public void ReadOnlyFlag_GivesAReadOnlyBuffer()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("t = Tracker()\np = Producer(t, np.arange(4.0), readonly=True)", ns);
        using var buffer = PythonDLPack.Import(ns.GetItem("p"));
        Assert.True(buffer.IsReadOnly);
        Assert.Throws<InvalidOperationException>(() => buffer.AsStridedSpan<double>());
    }

    [Fact]
    public void NullStridesAndByteOffset_AreHonoured()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("t = Tracker()\na = np.arange(6, dtype=np.int16).reshape(2, 3)\np = Producer(t, a, null_strides=True, byte_offset=6)", ns);
        using var buffer = PythonDLPack.Import(ns.GetItem("p"));
        Assert.Equal(Python.Eval<long>("a.__array_interface__['data'][0]", ns), (long)buffer.DangerousGetPointer());
        Assert.Equal([6, 2], buffer.Layout.ByteStrides.ToArray().Select(s => (int)s));
        Assert.Equal(new short[] { 0, 1, 2, 3, 4, 5 }, buffer.AsReadOnlyStridedSpan<short>().ToArray());
    }

    [Fact]
    public void Capsule_ImportsDirectly_AndIsRenamedUsed_AndCannotBeImportedTwice()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("t = Tracker()\ncap = make_capsule(t, np.arange(3.0), True)", ns);
        using var capsule = ns.GetItem("cap");
        using (var buffer = PythonDLPack.Import(capsule))
        {
            Assert.Contains("\"used_dltensor_versioned\"", capsule.Repr());
            var again = Assert.Throws<ArgumentException>(() => PythonDLPack.Import(capsule));
            Assert.Contains("already consumed", again.Message);
            Assert.Equal(0, Python.Eval<long>("t.deleted", ns));
        }
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Python.Exec("del cap", ns); // a used capsule's destructor must not delete again
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Assert.Equal(0, Python.Eval<long>("t.double", ns));
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "newer major version", "version=(2, 0)", "The DLPack tensor has version 2.0; NdBridge reads major version 1 only" },
        { "GPU memory", "device=(2, 0)", "The DLPack tensor is on device type 2 (id 0), which the CPU cannot address" },
        { "bfloat16", "code=4", "The DLPack tensor's dtype (code 4, bits 16, lanes 1) cannot be imported" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void TensorNdBridgeCannotRead_IsRefused_AndItsDeleterCalledOnce(string what, string option, string message)
    {
        _ = what;
        using var ns = DLPackPeer.NewScope();
        Python.Exec($"t = Tracker()\ncap = make_capsule(t, np.zeros(4, np.float16), True, {option})", ns);
        using var capsule = ns.GetItem("cap");
        var error = Assert.Throws<NotSupportedException>(() => PythonDLPack.Import(capsule));
        Assert.StartsWith(message, error.Message);
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Assert.Contains("\"used_dltensor_versioned\"", capsule.Repr());
        Python.Exec("del cap", ns);
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Assert.Equal(0, Python.Eval<long>("t.double", ns));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MalformedTensor_NullShapeWithNdimAboveZero_IsAnArgumentException_AndItsDeleterCalledOnce(bool versioned)
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec($"t = Tracker()\ncap = make_capsule(t, np.zeros((2, 3)), {(versioned ? "True" : "False")}, null_shape=True)", ns);
        using var capsule = ns.GetItem("cap");
        var error = Assert.Throws<ArgumentException>(() => PythonDLPack.Import(capsule));
        Assert.Contains("ndim 2 but a NULL shape", error.Message);
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Python.Exec("del cap", ns);
        Assert.Equal(1, Python.Eval<long>("t.deleted", ns));
        Assert.Equal(0, Python.Eval<long>("t.double", ns));
    }

    [Fact]
    public void AsNdBuffer_OfADLPackProducerWithoutTheBufferProtocol_GoesThroughDLPack_WithItsWritableRule()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("""
            t = Tracker()
            a = np.arange(6.0).reshape(2, 3)[:, ::-1]
            p = Producer(t, a)
            ro = Producer(t, a, readonly=True)
            cap = make_capsule(t, a, True)
            """, ns);
        using var producer = ns.GetItem("p");
        using var readOnlyProducer = ns.GetItem("ro");
        using var capsule = ns.GetItem("cap");
        var pointer = Python.Eval<long>("a.__array_interface__['data'][0]", ns);
        var expected = Python.EvalList<double>("a.ravel().tolist()", ns);
        using (var readOnly = producer.AsNdBuffer())
        using (var writable = producer.AsNdBuffer(writable: true))
        using (var fromCapsule = capsule.AsNdBuffer())
        {
            Assert.True(readOnly.IsReadOnly);
            Assert.False(writable.IsReadOnly);
            Assert.True(fromCapsule.IsReadOnly);
            foreach (var buffer in new[] { readOnly, writable, fromCapsule })
            {
                Assert.Equal(pointer, (long)buffer.DangerousGetPointer());
                Assert.Equal(expected, buffer.ToArray<double>()); // a copy: no span, so Dispose releases now
            }
            Assert.Equal(0, Python.Eval<long>("t.deleted", ns));
        }
        Assert.Equal(3, Python.Eval<long>("t.deleted", ns));
        var refused = Assert.Throws<ArgumentException>(() => readOnlyProducer.AsNdBuffer(writable: true));
        Assert.Contains("DLPack tensor is a read-only buffer, asked writable", refused.Message);
        Assert.Equal(4, Python.Eval<long>("t.deleted", ns)); // the refused tensor's deleter ran
        Assert.Equal(0, Python.Eval<long>("t.double", ns));
    }

    [Fact]
    public void NotAProducer_IsAnArgumentException()
    {
        using var list = Python.Eval("[1, 2]");
        var error = Assert.Throws<ArgumentException>(() => PythonDLPack.Import(list));
        Assert.Equal("source", error.ParamName);
        Assert.Contains("no __dlpack__ method", error.Message);
    }

    [Fact]
    public void ProducerRaising_IsItsPythonException()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec("""
            class Refusing:
                def __dlpack_device__(self):
                    return (1, 0)
                def __dlpack__(self, **kwargs):
                    raise BufferError('this producer refuses')
            r = Refusing()
            """, ns);
        using (var refusing = ns.GetItem("r"))
        {
            var error = Assert.Throws<PythonException>(() => PythonDLPack.Import(refusing));
            Assert.Equal("BufferError", error.PythonTypeName);
            Assert.Contains("this producer refuses", error.Message, StringComparison.Ordinal);
        }

        // NumPy's own read-only array: refused by NumPy 1.x (legacy capsules cannot say read-only), exported as a
        // versioned READ_ONLY capsule by NumPy 2.x — whichever this NumPy does, NdBridge passes it on.
        Python.Exec("a = np.arange(3.0)\na.flags.writeable = False", ns);
        using var array = ns.GetItem("a");
        if (NumPyFacts.ExportsReadOnlyVersioned)
        {
            using var imported = PythonDLPack.Import(array);
            Assert.True(imported.IsReadOnly);
            Assert.Equal([0.0, 1.0, 2.0], imported.AsReadOnlyStridedSpan<double>().ToArray());
        }
        else
        {
            Assert.Equal("BufferError", Assert.Throws<PythonException>(() => PythonDLPack.Import(array)).PythonTypeName);
        }
    }
}
