namespace NdBridge.Python.Tests.Import;

/// <summary>
/// The expected side of the import oracle tests, computed by CPython and NumPy only: random layouts from fixed
/// seeds built with <c>_testbuffer.ndarray</c> (formats from <c>test.test_buffer</c>'s generators, shapes, strides with
/// negative and zero entries, offsets, ND_FORTRAN, ND_PIL) and NumPy views (slices, transposes, broadcasts,
/// indexing, records, big-endian). For each: the object, a description, its <c>tolist()</c> flattened to canonical
/// scalar tokens, <c>_testbuffer.py_buffer_to_contiguous</c> in C, F and A order (hex), <c>_testbuffer.is_contiguous</c>
/// in C, F and A, and memoryview's (shape, strides, suboffsets, itemsize, readonly).
/// </summary>
internal static class ImportOracle
{
    /// <summary>Tokens: <c>i&lt;int&gt;</c>, <c>f&lt;IEEE double, little-endian hex&gt;</c> or <c>nan</c>, complex as two floats,
    /// <c>b&lt;hex of bytes without trailing NULs&gt;</c>, <c>u&lt;hex of UTF-32LE without trailing NULs&gt;</c>.</summary>
    public const string Generator = """
import random, struct
import numpy as np
import _testbuffer as tbuf
from _testbuffer import ndarray, ND_WRITABLE, ND_FORTRAN, ND_PIL, PyBUF_FULL_RO
import test.test_buffer as tb

def canon_float(x):
    return 'nan' if x != x else 'f' + struct.pack('<d', x).hex()

def flatten(x, out):
    if isinstance(x, np.ndarray):  # a sub-array field inside a record's tolist()
        flatten(x.tolist(), out)
    elif isinstance(x, (list, tuple)):
        for y in x:
            flatten(y, out)
    elif isinstance(x, bool):
        out.append('i%d' % int(x))
    elif isinstance(x, int):
        out.append('i%d' % x)
    elif isinstance(x, float):
        out.append(canon_float(x))
    elif isinstance(x, complex):
        out.append(canon_float(x.real)); out.append(canon_float(x.imag))
    elif isinstance(x, bytes):
        out.append('b' + x.rstrip(b'\0').hex())
    elif isinstance(x, str):
        out.append('u' + x.rstrip('\0').encode('utf-32-le').hex())
    else:
        raise TypeError(type(x))
    return out

def expect(obj, desc):
    m = memoryview(obj)
    layout = (list(m.shape), list(m.strides), list(m.suboffsets), m.itemsize, m.readonly)
    m.release()
    return (obj, desc, ' '.join(flatten(obj.tolist(), [])),
            tbuf.py_buffer_to_contiguous(obj, 'C', PyBUF_FULL_RO).hex(),
            tbuf.py_buffer_to_contiguous(obj, 'F', PyBUF_FULL_RO).hex(),
            tbuf.py_buffer_to_contiguous(obj, 'A', PyBUF_FULL_RO).hex(),
            bool(tbuf.is_contiguous(obj, 'C')), bool(tbuf.is_contiguous(obj, 'F')), bool(tbuf.is_contiguous(obj, 'A')), layout)

def testbuffer_cases(seed, count):
    random.seed(seed)  # test_buffer's generators use the module-level random
    tb.randrange = random.randrange; tb.choice = random.choice
    cases = []
    while len(cases) < count:
        fmt, items, _ = tb.randitems(1) if random.randrange(4) else tb.struct_items(1, 'ndarray')
        itemsize = struct.calcsize(fmt)
        kind = random.randrange(3)
        flags = 0 if random.randrange(2) else ND_WRITABLE
        memlen, itemsize, ndim, shape, strides, offset = tb.rand_structure(itemsize, True, maxdim=4, maxshape=5)
        n = memlen // itemsize
        raw = random.randbytes(n * itemsize)
        unpacked = struct.iter_unpack(fmt, raw) if itemsize else []
        items = [t[0] if len(t) == 1 else t for t in unpacked]
        try:
            if kind == 0:
                nd = ndarray(items, shape=shape, strides=strides, offset=offset, format=fmt, flags=flags)
                desc = f"_testbuffer.ndarray(format={fmt!r}, shape={shape}, strides={strides}, offset={offset})"
            elif kind == 1:
                if ndim == 0: continue
                k = 1
                for s in shape: k *= s
                nd = ndarray(items[:k] if k else items[:1], shape=shape, format=fmt, flags=flags | ND_FORTRAN)
                desc = f"_testbuffer.ndarray(format={fmt!r}, shape={shape}, flags=ND_FORTRAN)"
            else:
                if ndim == 0: continue
                nd = ndarray(items, shape=shape, strides=strides, offset=offset, format=fmt, flags=flags | ND_PIL)
                desc = f"_testbuffer.ndarray(format={fmt!r}, shape={shape}, strides={strides}, offset={offset}, flags=ND_PIL)"
        except (ValueError, TypeError, struct.error) as e:
            continue
        cases.append(expect(nd, desc))
    return cases


NUMPY_DTYPES = [
    '<i1', '>i2', '<i2', '<u2', '>u4', '<i4', '>i8', '<u8', '<f2', '>f2', '<f4', '>f4', '<f8', '>f8',
    '<c8', '>c16', '|b1', '|u1', '|S3', '|S1',
    [('x', 'u1'), ('y', '<f8')],
    [('x', 'u1'), ('y', '>f8')],
    np.dtype([('a', '<i4'), ('b', '>f8', (2,)), ('c', 'S2')], align=True),
    np.dtype([('a', 'u1'), ('b', '<i4')], align=True),
    [('p', [('q', '<i2'), ('r', 'u1'), ('t', 'i1')]), ('s', '>f4')],
    [('m', '<f4', (2, 3)), ('n', '>u2')],
    [('z', '<c16'), ('w', '?'), ('v', '<i8')],
]

def random_view(rng, a):
    # a few NumPy view operations, each a layout NumPy really produces
    for _ in range(rng.randrange(5)):
        op = rng.randrange(6)
        if a.ndim == 0:
            break
        d = rng.randrange(a.ndim)
        idx = [slice(None)] * a.ndim
        if op <= 1:
            n = a.shape[d]
            start = rng.randrange(-n - 1, n + 1) if rng.randrange(2) else None
            stop = rng.randrange(-n - 1, n + 1) if rng.randrange(2) else None
            step = rng.choice([1, 2, 3, -1, -2, -3])
            idx[d] = slice(start, stop, step)
            a = a[tuple(idx)]
        elif op == 2:
            axes = list(range(a.ndim)); rng.shuffle(axes)
            a = a.transpose(axes)
        elif op == 3 and a.shape[d] > 0:
            idx[d] = rng.randrange(a.shape[d])
            a = a[tuple(idx) + (Ellipsis,)]  # the Ellipsis keeps a 0-d result an array view, not a scalar
        elif op == 4:
            a = np.expand_dims(a, d)
            shape = list(a.shape); shape[d] = rng.randrange(0, 4)
            a = np.broadcast_to(a, shape)  # a zero stride
        else:
            a = a[..., np.newaxis] if rng.randrange(2) else a.T
    return a

def numpy_cases(seed, count):
    rng = random.Random(seed)
    cases = []
    while len(cases) < count:
        dt = np.dtype(rng.choice(NUMPY_DTYPES))
        shape = [rng.randrange(1, 6) if rng.randrange(10) else 0 for _ in range(rng.choice([0, 1, 2, 2, 3, 3, 4]))]
        n = 1
        for s in shape: n *= s
        base = np.frombuffer(rng.randbytes(n * dt.itemsize), dtype=dt).reshape(shape).copy()
        if rng.randrange(4) == 0:
            base.flags.writeable = False
        a = random_view(rng, base)
        cases.append(expect(a, f"numpy {dt.descr if dt.fields else dt.str} base {tuple(shape)} view shape {a.shape} strides {a.strides}"))
    return cases

def unicode_cases():
    a = np.array([['', 'a', 'xyz'], ['pq', 'é', '\U0001F600']], dtype='<U3')
    b = np.array(['ab', 'c'], dtype='>U2')
    return [expect(a, "numpy <U3 2x3"), expect(a[:, ::-1], "numpy <U3 a[:, ::-1]"), expect(b, "numpy >U2"),
            expect(a.T, "numpy <U3 a.T")]
""";
}
