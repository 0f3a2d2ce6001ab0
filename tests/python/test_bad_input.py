"""Bad input (issue 12): each a clear error naming function and parameter, nothing leaked, the process goes on."""

import sys

import numpy as np
import pytest

import ndbridge


def leak_check(ndtest, action):
    """Runs `action` (which must raise) many times; NdBridge's counters and the argument's refcount come back."""
    ndbridge.collect()
    before = ndbridge.diagnostics()
    for _ in range(200):
        with pytest.raises((TypeError, ValueError, OverflowError, RuntimeError)):
            action()
    ndbridge.collect()
    after = ndbridge.diagnostics()
    for counter in ("live_owners", "live_holders", "live_pins", "live_exports", "live_python_references", "pending_releases"):
        assert after[counter] == before[counter], (counter, before, after)


def test_wrong_argument_count(ndtest):
    with pytest.raises(TypeError, match=r"ndtest.add\(\) missing required argument 'a'"):
        ndtest.add()
    with pytest.raises(TypeError, match=r"ndtest.add\(\) takes 2 positional arguments but 3 were given"):
        ndtest.add(1, 2, 3)
    with pytest.raises(TypeError, match=r"ndtest.nothing\(\) takes 0 positional arguments but 1 were given"):
        ndtest.nothing(1)


def test_wrong_keyword(ndtest):
    with pytest.raises(TypeError, match=r"ndtest.add\(\) got an unexpected keyword argument 'c' \(parameters: a, b\)"):
        ndtest.add(1, c=2)
    with pytest.raises(TypeError, match=r"ndtest.add\(\) got multiple values for argument 'a'"):
        ndtest.add(1, a=2)


def test_wrong_argument_type_names_function_parameter_expected_and_given(ndtest):
    with pytest.raises(TypeError, match=r"ndtest.add\(\) argument 'a' must be a real number \(float or int\), not str"):
        ndtest.add("1")
    with pytest.raises(TypeError, match=r"ndtest.add_ints\(\) argument 'a' must be an int \(Int32\), not float"):
        ndtest.add_ints(1.5, 2)
    with pytest.raises(TypeError, match=r"ndtest.negate\(\) argument 'value' must be a bool \(True or False\), not int"):
        ndtest.negate(1)
    with pytest.raises(TypeError, match=r"ndtest.greet\(\) argument 'name' must be a str, not bytes"):
        ndtest.greet(b"Ada")
    with pytest.raises(TypeError, match=r"ndtest.sum\(\) argument 'values' must be an array \(an object with the buffer protocol, __array_interface__ or __dlpack__\), not list"):
        ndtest.sum([1.0, 2.0])


def test_integer_out_of_range(ndtest):
    with pytest.raises(OverflowError, match=r"ndtest.add_ints\(\) argument 'a' is out of range for Int32"):
        ndtest.add_ints(2**31, 0)
    with pytest.raises(OverflowError, match=r"argument 'value' is out of range for Byte \(0 to 255\)"):
        ndtest.small_byte(-1)
    with pytest.raises(OverflowError, match=r"argument 'value' is out of range for UInt64"):
        ndtest.unsigned(2**64)
    with pytest.raises(OverflowError, match=r"argument 'b' is out of range for Int64"):
        ndtest.add_ints(0, 2**70)


def test_none_for_an_array(ndtest):
    with pytest.raises(TypeError, match=r"ndtest.sum\(\) argument 'values' must be an array .*, not NoneType"):
        ndtest.sum(None)
    with pytest.raises(TypeError, match=r"ndtest.sum_memory\(\) argument 'values' must be a C-contiguous float64 array .*, not NoneType"):
        ndtest.sum_memory(None)


def test_read_only_array_for_writable_parameter(ndtest):
    a = np.arange(4.0)
    a.flags.writeable = False
    with pytest.raises(TypeError, match=r"ndtest.scale\(\) argument 'values': the numpy.ndarray is read-only, and ndtest.scale\(\) writes to this argument: pass a writable array \(x.copy\(\)"):
        ndtest.scale(a, 2.0)
    with pytest.raises(TypeError, match="read-only"):
        ndtest.scale(b"12345678", 2.0)
    with pytest.raises(TypeError, match="read-only"):
        ndtest.fill_memory(a, 1.0)
    np.testing.assert_array_equal(a, np.arange(4.0))


def test_big_endian_array_for_typed_parameter(ndtest):
    with pytest.raises(TypeError, match=r"ndtest.sum_memory\(\) argument 'values': needs a C-contiguous float64 array in native byte order, aligned \(.*\); convert with numpy.array\(x, dtype=numpy.float64, order='C'\)"):
        ndtest.sum_memory(np.arange(3.0).astype(">f8"))


def test_unaligned_array_for_typed_parameter(ndtest):
    unaligned = np.frombuffer(bytearray(8 * 4 + 1), dtype=np.float64, offset=1, count=4)
    assert unaligned.ctypes.data % 8 != 0
    with pytest.raises(TypeError, match=r"argument 'values': needs a C-contiguous float64 array in native byte order, aligned \(.*not aligned.*\); convert with numpy.array\(x, dtype=numpy.float64, order='C'\)"):
        ndtest.sum_memory(unaligned)
    assert ndtest.sum_memory(np.array(unaligned, dtype=np.float64, order='C')) == unaligned.sum()  # the advice works


def test_wrongly_typed_array_for_typed_parameter(ndtest):
    with pytest.raises(TypeError, match=r"argument 'values': needs a C-contiguous float64 array .*convert with numpy.array\(x, dtype=numpy.float64, order='C'\)"):
        ndtest.sum_memory(np.arange(3, dtype=np.int32))
    with pytest.raises(TypeError, match=r"ndtest.sum_copy\(\) argument 'values': holds items of format 'f' .*, not float64: convert with numpy.asarray\(x, dtype=numpy.float64\)"):
        ndtest.sum_copy(np.arange(3, dtype=np.float32))
    with pytest.raises(TypeError, match=r"ndtest.sum_grid\(\) argument 'grid': must be 2-dimensional .*, not 1-dimensional"):
        ndtest.sum_grid(np.arange(3.0))
    with pytest.raises(TypeError, match=r"argument 'values': needs a C-contiguous float64 array .*byte strides"):
        ndtest.sum_memory(np.arange(6.0)[::2])


def test_bad_calls_leak_nothing(ndtest):
    a = np.arange(4.0)
    ro = np.arange(4.0)
    ro.flags.writeable = False
    big = np.arange(4.0).astype(">f8")
    refs = (sys.getrefcount(a), sys.getrefcount(ro), sys.getrefcount(big))
    leak_check(ndtest, lambda: ndtest.scale(ro, 2.0))
    leak_check(ndtest, lambda: ndtest.sum_memory(big))
    leak_check(ndtest, lambda: ndtest.sum_copy(a.astype(np.float32)))
    leak_check(ndtest, lambda: ndtest.sum_grid(a))
    leak_check(ndtest, lambda: ndtest.add(a))
    leak_check(ndtest, lambda: ndtest.stats(a, 1))
    leak_check(ndtest, lambda: ndtest.write_without_writable(a))
    assert (sys.getrefcount(a), sys.getrefcount(ro), sys.getrefcount(big)) == refs
    assert ndtest.sum(a) == 6.0  # the process goes on
