"""Every conversion of issue 12 §3, one test each; zero-copy claims checked by address against NumPy's own view."""

import sys

import numpy as np
import pytest


def test_no_argument_function_returns_none(ndtest):
    assert ndtest.nothing() is None


def test_numbers_positional_keyword_and_default(ndtest):
    assert ndtest.add(1.25, 2.0) == 3.25
    assert ndtest.add(1.25) == 1.25 + 1.5  # the C# default
    assert ndtest.add(b=4.0, a=1) == 5.0
    assert ndtest.add(np.float64(2.5), np.int64(1)) == 3.5  # NumPy scalars through __float__/__index__
    assert ndtest.add_ints(2**31 - 1, 2**40) == 2**31 - 1 + 2**40
    assert ndtest.unsigned(2**64 - 1) == 2**64 - 1
    assert ndtest.small_byte(255) == 255
    assert ndtest.small_byte(np.uint8(7)) == 7
    assert ndtest.halve(3.0) == 1.5
    assert isinstance(ndtest.add_ints(1, 2), int) and isinstance(ndtest.add(1.0), float)


def test_keywords_fill_any_parameter(ndtest):
    assert ndtest.keywords(1) == 123
    assert ndtest.keywords(1, third=9) == 129
    assert ndtest.keywords(first=1, second=5) == 153
    kw = {"".join(["th", "ird"]): 7}  # a keyword str built at run time (not interned)
    assert ndtest.keywords(1, **kw) == 127


def test_bool_and_string(ndtest):
    assert ndtest.negate(True) is False and ndtest.negate(False) is True
    assert ndtest.greet("Ada") == "Hello, Ada!"
    assert ndtest.greet("Ada", greeting="Grüß dich") == "Grüß dich, Ada!"


def test_names_snake_case_and_override(ndtest):
    assert ndtest.renamed() == 7
    assert not hasattr(ndtest, "original_name")
    assert ndtest.get_http_status() == 200


def test_text_signature_names_parameters_and_defaults(ndtest):
    import inspect
    signature = inspect.signature(ndtest.keywords)
    assert list(signature.parameters) == ["first", "second", "third"]
    assert signature.parameters["third"].default == 3.0
    assert str(inspect.signature(ndtest.greet)) == "(name, greeting='Hello')"


def test_python_object_passes_through(ndtest):
    marker = object()
    before = sys.getrefcount(marker)
    assert ndtest.identity(marker) is marker
    assert ndtest.call_back(lambda x: [x, x], 2.5) == [2.5, 2.5]
    import ndbridge
    ndbridge.collect()
    assert sys.getrefcount(marker) == before


def test_sequences_and_dictionaries_out(ndtest):
    assert ndtest.range(4) == [0, 1, 2, 3]
    assert ndtest.counts() == {"a": 1, "b": 2}


def test_value_tuples_out(ndtest):
    values = np.arange(4.0)
    assert ndtest.stats(values) == (6.0, 4, "stats")
    array, count = ndtest.with_array(3)
    assert count == 3 and isinstance(array, np.ndarray)
    np.testing.assert_array_equal(array, np.arange(3.0))


def test_ndbuffer_in_is_the_same_memory(ndtest):
    a = np.arange(12.0).reshape(3, 4)
    assert ndtest.address(a) == a.ctypes.data
    assert ndtest.sum(a) == a.sum()
    view = a[::-1, ::2]  # negative and doubled strides: still no copy
    assert ndtest.address(view) == view.__array_interface__["data"][0]
    assert ndtest.sum(view) == view.sum()


def test_ndbuffer_in_from_other_exporters(ndtest):
    import array
    assert ndtest.sum(array.array("d", [1.0, 2.0, 3.5])) == 6.5
    assert ndtest.sum(memoryview(np.arange(5.0))[1:]) == 10.0

    class OnlyInterface:  # __array_interface__ without the buffer protocol
        def __init__(self, a):
            self.a = a
            self.__array_interface__ = a.__array_interface__
    source = np.arange(4.0)
    assert ndtest.address(OnlyInterface(source)) == source.ctypes.data
    assert ndtest.sum(OnlyInterface(source)) == 6.0


def test_ndbuffer_in_from_dlpack(ndtest):
    torch = pytest.importorskip("torch") if False else __import__("torch")
    t = torch.arange(6, dtype=torch.float64)
    assert ndtest.address(t) == t.data_ptr()
    assert ndtest.sum(t) == 15.0


def test_ndbuffer_is_read_only_unless_writable(ndtest):
    a = np.arange(4.0)
    assert ndtest.is_read_only(a) is True
    with pytest.raises(RuntimeError, match="read-only"):
        ndtest.write_without_writable(a)
    np.testing.assert_array_equal(a, np.arange(4.0))


def test_writable_ndbuffer_writes_through(ndtest):
    whole = np.arange(6.0).reshape(2, 3)
    a = whole[:, ::2]
    expected = whole.copy()
    expected[:, ::2] *= 10.0
    ndtest.scale(a, 10.0)
    np.testing.assert_array_equal(whole, expected)  # only the viewed elements changed, in place


def test_optional_ndbuffer_takes_none(ndtest):
    assert ndtest.describe() == "none"
    assert ndtest.describe(None) == "none"
    assert ndtest.describe(np.zeros((2, 3), np.int32)).startswith("i shape (2, 3)")


def test_memory_in_is_the_same_memory(ndtest):
    a = np.arange(5.0)
    assert ndtest.memory_address(a) == a.ctypes.data
    assert ndtest.sum_memory(a) == 10.0
    ndtest.fill_memory(a, 2.5)
    np.testing.assert_array_equal(a, np.full(5, 2.5))


def test_arrays_in_are_copies(ndtest):
    a = np.arange(4.0)
    assert ndtest.sum_copy(a) == 6.0
    assert a[0] == 0.0  # C# wrote -1 into its copy
    grid = np.arange(6.0).reshape(2, 3)
    assert ndtest.sum_grid(grid) == (grid * np.array([[1.0], [2.0]])).sum()
    assert ndtest.sum_grid(np.asfortranarray(grid)) == ndtest.sum_grid(grid)
    assert ndtest.sum_copy(np.arange(4.0).astype(">f8")) == 6.0  # big-endian: converted in the copy
    cube = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    assert ndtest.cube_corner(cube) == 23


def test_arrays_out_are_numpy_views_of_dotnet_memory(ndtest):
    doubled = ndtest.doubled(np.arange(3.0))
    assert type(doubled) is np.ndarray and doubled.dtype == np.float64
    np.testing.assert_array_equal(doubled, [0.0, 2.0, 4.0])
    assert doubled.flags.writeable
    grid = ndtest.grid(2, 3)
    assert grid.dtype == np.int32 and grid.shape == (2, 3) and grid.flags.c_contiguous
    np.testing.assert_array_equal(grid, np.arange(6).reshape(2, 3))
    cube = ndtest.cube(3)
    assert cube.dtype == np.int64 and cube[2, 1, 0] == 210
    floats = ndtest.floats(4)  # Memory<float> over elements 1..3 of a .NET array
    np.testing.assert_array_equal(floats, [1.0, 2.0, 3.0])
    ints = ndtest.read_only_ints(3)
    assert not ints.flags.writeable
    np.testing.assert_array_equal(ints, [0, 1, 2])
    assert ndtest.empty().shape == (0,)
    assert ndtest.no_array() is None


def test_returned_array_keeps_dotnet_memory_alive(ndtest):
    import gc
    import ndbridge
    arrays = [ndtest.fresh(1000) for _ in range(20)]
    ndbridge.collect()
    gc.collect()
    for a in arrays:
        np.testing.assert_array_equal(a, np.arange(1000.0))
    # The base chain holds NdBridge's export: the export itself (NumPy's C API handoff) or a memoryview of it
    # (the numpy.asarray fallback for a NumPy whose C API version NdBridge was not checked against).
    base = arrays[0].base
    export = base.obj if isinstance(base, memoryview) else base
    assert type(export).__module__ + '.' + type(export).__qualname__ == 'ndbridge.BufferExport'


def test_padded_matrix_is_a_writable_view_shared_with_dotnet(ndtest):
    m = ndtest.padded_matrix()
    assert m.shape == (3, 2) and m.strides == (8, 32) and m.flags.writeable
    assert m.ctypes.data == ndtest.padded_matrix_address()
    again = ndtest.padded_matrix()
    assert np.shares_memory(m, again)
    old = m[2, 1]
    m[2, 1] = -5.0
    assert ndtest.padded_matrix_element(2, 1) == -5.0
    m[2, 1] = old
