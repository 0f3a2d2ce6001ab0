namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// A DLPack producer and consumer written in Python with ctypes from <c>dlpack.h</c> v1.1 (dmlc/dlpack
/// <c>include/dlpack/dlpack.h</c>), independent of NdBridge: NumPy 1.24 speaks only legacy DLPack and has
/// no bool, so this peer is what exercises the versioned path (READ_ONLY, IS_COPIED, version checks) for real.
/// </summary>
internal static class DLPackPeer
{
    public const string Source = """
        import ctypes as c
        import numpy as np

        class DLPackVersion(c.Structure):
            _fields_ = [('major', c.c_uint32), ('minor', c.c_uint32)]
        class DLDevice(c.Structure):
            _fields_ = [('device_type', c.c_int), ('device_id', c.c_int32)]
        class DLDataType(c.Structure):
            _fields_ = [('code', c.c_uint8), ('bits', c.c_uint8), ('lanes', c.c_uint16)]
        class DLTensor(c.Structure):
            _fields_ = [('data', c.c_void_p), ('device', DLDevice), ('ndim', c.c_int32), ('dtype', DLDataType),
                        ('shape', c.POINTER(c.c_int64)), ('strides', c.POINTER(c.c_int64)), ('byte_offset', c.c_uint64)]
        class DLManagedTensor(c.Structure):
            pass
        DELETER = c.CFUNCTYPE(None, c.c_void_p)
        DLManagedTensor._fields_ = [('dl_tensor', DLTensor), ('manager_ctx', c.c_void_p), ('deleter', DELETER)]
        class DLManagedTensorVersioned(c.Structure):
            _fields_ = [('version', DLPackVersion), ('manager_ctx', c.c_void_p), ('deleter', DELETER),
                        ('flags', c.c_uint64), ('dl_tensor', DLTensor)]
        READ_ONLY = 1 << 0
        IS_COPIED = 1 << 1
        kDLCPU = 1

        layout = {t.__name__: [c.sizeof(t)] + [getattr(t, f[0]).offset for f in t._fields_]
                  for t in (DLPackVersion, DLDevice, DLDataType, DLTensor, DLManagedTensor, DLManagedTensorVersioned)}

        # Capsule names must outlive the capsules: module constants.
        V, L = b'dltensor_versioned', b'dltensor'
        USED_V, USED_L = b'used_dltensor_versioned', b'used_dltensor'
        _api = c.pythonapi
        _new = c.PYFUNCTYPE(c.py_object, c.c_void_p, c.c_char_p, c.c_void_p)(('PyCapsule_New', _api))
        _get = c.PYFUNCTYPE(c.c_void_p, c.py_object, c.c_char_p)(('PyCapsule_GetPointer', _api))
        _set_name = c.PYFUNCTYPE(c.c_int, c.py_object, c.c_char_p)(('PyCapsule_SetName', _api))
        _get_name = c.PYFUNCTYPE(c.c_char_p, c.py_object)(('PyCapsule_GetName', _api))
        _is_valid = c.PYFUNCTYPE(c.c_int, c.py_object, c.c_char_p)(('PyCapsule_IsValid', _api))
        # In a capsule destructor the object is dying: only raw pointers.
        _raw_valid = c.PYFUNCTYPE(c.c_int, c.c_void_p, c.c_char_p)(('PyCapsule_IsValid', _api))
        _raw_get = c.PYFUNCTYPE(c.c_void_p, c.c_void_p, c.c_char_p)(('PyCapsule_GetPointer', _api))

        CODES = {'i': 0, 'u': 1, 'f': 2, 'c': 5, 'b': 6}
        KINDS = {0: 'i', 1: 'u', 2: 'f', 5: 'c', 6: 'b'}

        # Every tracker lives as long as the process: a tensor whose buffer handed out a span is deleted once .NET
        # finalises the buffer, possibly after its test ended, and its deleter is this tracker's ctypes thunk.
        _all_trackers = []

        class Tracker:
            # Counts one test's tensors: created, deleter calls, and deleter calls on unknown (already deleted) tensors.
            def __init__(self):
                self.live = {}
                self.created = 0
                self.deleted = 0
                self.double = 0
                self.deleter = DELETER(self._delete)
                _all_trackers.append(self)
            def _delete(self, p):
                if p in self.live:
                    del self.live[p]
                    self.deleted += 1
                else:
                    self.double += 1

        def _destroy_capsule(cap):
            if _raw_valid(cap, USED_V) or _raw_valid(cap, USED_L):
                return
            for name, struct in ((V, DLManagedTensorVersioned), (L, DLManagedTensor)):
                if _raw_valid(cap, name):
                    m = c.cast(_raw_get(cap, name), c.POINTER(struct)).contents
                    if m.deleter:
                        m.deleter(c.addressof(m))
                    return
        DESTROY_CAPSULE = c.CFUNCTYPE(None, c.c_void_p)(_destroy_capsule)

        def make_capsule(tracker, a, versioned, readonly=False, version=(1, 1), device=(kDLCPU, 0), flags=0,
                         null_strides=False, byte_offset=0, code=None, null_shape=False):
            # A capsule viewing numpy array `a` (kept alive until the deleter runs).
            itemsize = a.dtype.itemsize
            shape = (c.c_int64 * a.ndim)(*a.shape)
            strides = (c.c_int64 * a.ndim)(*[s // itemsize for s in a.strides])
            assert all(s % itemsize == 0 for s in a.strides)
            m = DLManagedTensorVersioned() if versioned else DLManagedTensor()
            if versioned:
                m.version = DLPackVersion(*version)
                m.flags = flags | (READ_ONLY if readonly else 0)
            t = m.dl_tensor
            t.data = a.__array_interface__['data'][0] - byte_offset
            t.byte_offset = byte_offset
            t.device = DLDevice(*device)
            t.ndim = a.ndim
            t.dtype = DLDataType(CODES[a.dtype.kind] if code is None else code, itemsize * 8, 1)
            t.shape = None if null_shape else c.cast(shape, c.POINTER(c.c_int64))
            t.strides = None if null_strides else c.cast(strides, c.POINTER(c.c_int64))
            m.deleter = tracker.deleter
            key = c.addressof(m)
            tracker.live[key] = (a, shape, strides, m)
            tracker.created += 1
            return _new(key, V if versioned else L, c.cast(DESTROY_CAPSULE, c.c_void_p))

        class Producer:
            # An array API producer: versioned when the consumer passes max_version >= (1, 0).
            def __init__(self, tracker, a, readonly=False, **options):
                self.tracker, self.a, self.readonly, self.options = tracker, a, readonly, options
                self.requests = []
            def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
                self.requests.append(max_version)
                versioned = max_version is not None and max_version[0] >= 1
                if self.readonly and not versioned:
                    raise BufferError('read-only: legacy DLPack cannot say so')
                return make_capsule(self.tracker, self.a, versioned, self.readonly, **self.options)
            def __dlpack_device__(self):
                return (kDLCPU, 0)

        class LegacyProducer:
            # Predates max_version: calling with it raises TypeError, as NumPy 1.24 does.
            def __init__(self, tracker, a):
                self.tracker, self.a, self.calls = tracker, a, 0
            def __dlpack__(self, stream=None):
                self.calls += 1
                return make_capsule(self.tracker, self.a, False)
            def __dlpack_device__(self):
                return (kDLCPU, 0)

        class Consumed:
            # A consumed tensor: `array` views its memory (read-only when flagged); close() calls the deleter once.
            def __init__(self, cap):
                name = _get_name(cap)
                self.versioned = name == V
                assert name in (V, L), name
                p = _get(cap, name)
                assert _set_name(cap, USED_V if self.versioned else USED_L) == 0
                self.address = p
                self.m = c.cast(p, c.POINTER(DLManagedTensorVersioned if self.versioned else DLManagedTensor)).contents
                m, t = self.m, self.m.dl_tensor
                self.version = (m.version.major, m.version.minor) if self.versioned else None
                self.flags = m.flags if self.versioned else 0
                self.readonly = bool(self.flags & READ_ONLY)
                self.device = (t.device.device_type, t.device.device_id)
                self.dtype_tuple = (t.dtype.code, t.dtype.bits, t.dtype.lanes)
                dtype = np.dtype('?' if t.dtype.code == 6 else KINDS[t.dtype.code] + str(t.dtype.bits // 8))
                shape = tuple(t.shape[i] for i in range(t.ndim))
                if t.strides:
                    strides = tuple(t.strides[i] * dtype.itemsize for i in range(t.ndim))
                else:
                    strides = None
                self.element_strides = None if strides is None else tuple(t.strides[i] for i in range(t.ndim))
                holder = type('Holder', (), {})()
                holder.__array_interface__ = {'version': 3, 'shape': shape, 'typestr': dtype.str, 'strides': strides,
                                              'data': (t.data + t.byte_offset, self.readonly)}
                self.array = np.asarray(holder)
                self.closed = False
            def close(self):
                assert not self.closed
                self.closed = True
                self.array = None
                if self.m.deleter:
                    self.m.deleter(self.address)

        def consume(producer, **kwargs):
            return Consumed(producer.__dlpack__(**kwargs))

        class Shim:
            # A DLPack producer object around stand-alone __dlpack__/__dlpack_device__ functions.
            def __init__(self, dlpack, device):
                self._dlpack, self._device = dlpack, device
            def __dlpack__(self, **kwargs):
                return self._dlpack(**kwargs)
            def __dlpack_device__(self):
                return self._device()
        """;

    private static readonly Lazy<PythonObject> s_module = new(() =>
    {
        var ns = PythonFixture.Runtime.NewNamespace("dlpack_peer");
        PythonFixture.Runtime.Exec(Source, ns);
        return ns;
    });

    /// <summary>The peer's namespace (one per test process; counters live in per-test <c>Tracker</c>s).</summary>
    public static PythonObject Namespace => s_module.Value;

    /// <summary>Sets <paramref name="name"/> in <paramref name="ns"/> to the export of <paramref name="buffer"/> (<c>ndbridge.BufferExport</c>, with <c>__dlpack__</c>).</summary>
    public static void SetExport(PythonObject ns, string name, NdBuffer buffer)
    {
        using var export = buffer.ToPython();
        ns.SetItem(name, export);
    }

    /// <summary>A fresh namespace that sees the peer's names plus NumPy as <c>np</c>.</summary>
    public static PythonObject NewScope()
    {
        var ns = PythonFixture.Runtime.NewNamespace();
        PythonFixture.Runtime.Exec("import numpy as np", ns);
        using var peer = Namespace.CallMethod("copy");
        using var update = ns.GetAttr("update");
        using var _ = update.Call(peer);
        return ns;
    }
}
