"""C# classes as Python types (issue 13 items 1, 2): tests/NdBridge.Python.Hosted/HostedTypes.cs, seen from CPython."""

import gc
import sys

import numpy as np
import pytest

import ndbridge


def test_constructor_overloads_are_chosen_by_count_and_type(ndtest):
    assert np.asarray(ndtest.Matrix(2, 3)).shape == (2, 3)
    assert np.asarray(ndtest.Matrix(4)).shape == (4, 4)
    values = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(ndtest.Matrix(values)), values)
    assert np.asarray(ndtest.Matrix(rows=1, columns=5)).shape == (1, 5)


def test_no_constructor_fits_is_a_type_error_listing_the_signatures(ndtest):
    with pytest.raises(TypeError) as error:
        ndtest.Matrix("x")
    text = str(error.value)
    for signature in ("Matrix(size)", "Matrix(values)", "Matrix(rows, columns)"):
        assert signature in text
    with pytest.raises(TypeError, match="no overload"):
        ndtest.Matrix(1, 2, 3)


def test_a_class_without_public_constructor_cannot_be_instantiated(ndtest):
    with pytest.raises(TypeError):
        ndtest.Token()
    assert ndtest.Token.make(7).id == 7


def test_methods_properties_and_static_methods(ndtest):
    m = ndtest.Matrix(2, 2)
    m.fill(1.5)
    assert m.sum() == np.asarray(m).sum()
    assert (m.rows, m.columns) == np.asarray(m).shape
    m.scale = 2
    assert m.sum() == 2 * np.asarray(m).sum()
    m.label = "weights"
    assert m.label == "weights"
    assert m.add(1.0) == 2.0 and m.add(1.0, b=3.0) == 4.0
    assert m.add(np.zeros(5)) == m.sum() + 5  # the overload taking an array
    ident = ndtest.Matrix.identity(3)
    np.testing.assert_array_equal(np.asarray(ident), np.eye(3))
    assert m.identity(2).sum() == 2  # static methods through an instance too
    bound = m.sum
    assert bound() == m.sum()


def test_property_set_with_the_wrong_type_names_the_property(ndtest):
    m = ndtest.Matrix(1)
    with pytest.raises(TypeError, match="property 'scale' of ndtest.Matrix must be a real number"):
        m.scale = "big"
    with pytest.raises(TypeError, match="property 'label'"):
        m.label = 3
    with pytest.raises(AttributeError):
        m.rows = 4  # read-only
    assert m.scale == 1.0


def test_indexers_take_tuple_keys(ndtest):
    m = ndtest.Matrix(2, 3)
    m[1, 2] = 7.5
    assert m[1, 2] == 7.5 == np.asarray(m)[1, 2]
    with pytest.raises(IndexError):
        m[2, 0]
    with pytest.raises(TypeError):
        del m[0, 0]


def test_repr_is_to_string(ndtest):
    m = ndtest.Matrix(2, 2)
    m.fill(1)
    assert repr(m) == "Matrix(2x2, sum=4)"
    assert repr(ndtest.Point(1, 2)) == "Point(1, 2)"


def test_value_equality_and_hash(ndtest):
    a, b, c = ndtest.Point(1, 2), ndtest.Point(1, 2), ndtest.Point(2, 1)
    assert a == b and not (a != b) and a != c
    assert hash(a) == hash(b)
    assert len({a, b, c}) == 2
    assert a.offset(1) == ndtest.Point(2, 2)
    assert (a == 3) is False  # NotImplemented on both sides: identity
    t1, t2 = ndtest.Token.make(1), ndtest.Token.make(1)
    assert t1 != t2 and t1 == t1  # no Equals override: identity


def test_dispose_close_and_with(ndtest):
    with ndtest.Matrix(2) as m:
        assert m.sum() == 0
    with pytest.raises(ValueError, match="ndtest.Matrix is closed"):
        m.sum()
    with pytest.raises(ValueError, match="ndtest.Matrix"):
        m.rows
    with pytest.raises(ValueError, match="ndtest.Matrix"):
        m.fill(1)
    with pytest.raises(ValueError, match="ndtest.Matrix"):
        m[0, 0]
    with pytest.raises(ValueError, match="ndtest.Matrix"):
        np.asarray(m)
    m.close()  # closing twice does nothing
    assert "closed" in repr(m)


def test_a_closed_object_as_an_argument_is_refused(ndtest):
    m = ndtest.Matrix(1)
    m.close()
    with pytest.raises(ValueError, match="ndtest.Matrix is closed"):
        ndtest.CallbackHolder.describe(lambda x: "", m)


def test_wrong_object_as_an_argument(ndtest):
    with pytest.raises(TypeError, match="argument .m. must be a ndtest.Matrix, not ndtest.Point"):
        ndtest.CallbackHolder.describe(lambda x: "", ndtest.Point(0, 0))
    with pytest.raises(TypeError, match="applies to ndtest.Matrix objects"):
        ndtest.Matrix.sum(ndtest.Point(0, 0))


def test_same_dotnet_object_is_the_same_python_object(ndtest):
    m = ndtest.Matrix(2)
    assert m.self() is m
    t = m.transposed()
    assert t.self() is t and t is not m
    assert ndtest.CallbackHolder.describe(lambda x: repr(x is m), m) == "True"


def test_python_instance_keeps_the_dotnet_object_alive(ndtest):
    m = ndtest.Matrix(3)
    m.fill(2)
    for _ in range(3):
        gc.collect()
        ndbridge.collect()
    assert m.sum() == 18


def test_asarray_shares_memory_both_ways(ndtest):
    m = ndtest.Matrix(3, 4)
    a = np.asarray(m)
    b = np.asarray(m)
    assert np.shares_memory(a, b)
    assert a.ctypes.data == m.__array_interface__["data"][0]
    a[1, 2] = 42.0
    assert m[1, 2] == 42.0
    m.fill(3.0)
    assert (a == 3.0).all()
    assert a.flags.writeable


def test_memoryview_matches_numpy(ndtest):
    m = ndtest.Matrix(np.arange(6.0).reshape(2, 3))
    view = memoryview(m)
    expected = memoryview(np.arange(6.0).reshape(2, 3))
    assert (view.format, view.shape, view.strides, view.readonly) == (expected.format, expected.shape, expected.strides, False)
    assert view.tolist() == expected.tolist()
    assert view.obj is m
    view[0, 0] = 9.0
    assert m[0, 0] == 9.0
    view.release()


def test_dlpack_shares_memory(ndtest):
    m = ndtest.Matrix(2, 2)
    a = np.from_dlpack(m)
    assert a.ctypes.data == m.__array_interface__["data"][0]
    m[0, 1] = 5.0
    assert a[0, 1] == 5.0
    if np.from_dlpack(np.zeros(1)).flags.writeable:  # NumPy 1.24 imports DLPack read-only, 2.x writable: ask it
        a[1, 0] = 6.0
        assert m[1, 0] == 6.0
    assert m.__dlpack_device__() == np.zeros(1).__dlpack_device__()


def test_read_only_class_stays_read_only(ndtest):
    v = ndtest.ReadOnlyVector(4)
    a = np.asarray(v)
    np.testing.assert_array_equal(a, np.arange(4.0))
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0] = 1
    assert memoryview(v).readonly
    with pytest.raises(TypeError):
        memoryview(v)[0] = 1.0


def test_resize_while_exported_is_a_buffer_error_then_succeeds(ndtest):
    m = ndtest.Matrix(2, 2)
    a = np.asarray(m)
    with pytest.raises(BufferError) as ours:
        m.resize(3, 3)
    b = bytearray(4)
    held = memoryview(b)
    with pytest.raises(BufferError) as theirs:
        b.extend(b"x")
    assert str(ours.value) == str(theirs.value)  # bytearray's own message
    held.release()
    view = memoryview(m)
    with pytest.raises(BufferError):
        m.resize(3, 3)
    view.release()
    with pytest.raises(BufferError):
        m.resize(3, 3)  # a is still alive
    del a
    m.resize(3, 3)
    assert np.asarray(m).shape == (3, 3)


def test_resize_while_a_dlpack_capsule_lives_is_refused(ndtest):
    m = ndtest.Matrix(2, 2)
    a = np.from_dlpack(m)
    with pytest.raises(BufferError):
        m.resize(1, 1)
    del a
    gc.collect()
    m.resize(1, 1)
    assert np.asarray(m).shape == (1, 1)


def test_suboffsets_class_is_refused_by_numpy_as_to_numpy_refuses(ndtest):
    image = ndtest.IndirectImage(2, 3)
    assert memoryview(image).tolist() == [[0, 0, 0], [0, 0, 0]]  # memoryview reads indirect arrays
    with pytest.raises((BufferError, ValueError), match="suboffsets"):
        np.asarray(image)
    with pytest.raises(ValueError) as interface:
        image.__array_interface__
    with pytest.raises(ValueError) as to_numpy:
        image.pixels()  # an NdBuffer result goes through ToNumPy
    assert str(interface.value).split("\n")[0] == str(to_numpy.value).split("\n")[0]
    assert "ToContiguous()" in str(interface.value)


def test_instances_are_released_when_python_drops_them(ndtest):
    def counters():
        gc.collect()
        ndbridge.collect()
        d = ndbridge.diagnostics()
        return {k: d[k] for k in ("live_instances", "mapped_instances", "live_exports", "live_native_allocations", "live_owners")}

    before = counters()
    items = [ndtest.Matrix(4) for _ in range(200)]
    arrays = [np.asarray(m) for m in items]
    during = counters()
    assert during["live_instances"] == before["live_instances"] + 200
    assert during["live_exports"] == before["live_exports"] + 200
    del items
    assert counters()["live_instances"] == before["live_instances"] + 200  # the arrays keep their objects
    del arrays
    assert counters() == before


def test_dotnet_exceptions_in_constructors_and_methods_map_by_type(ndtest):
    with pytest.raises(ValueError, match="ArgumentOutOfRangeException") as error:
        ndtest.Matrix(-1, 2)
    assert error.value.dotnet_type == "System.ArgumentOutOfRangeException"
    holder = ndtest.CallbackHolder()
    with pytest.raises(RuntimeError, match="nothing stored"):
        holder.call_stored(1.0)
    with pytest.raises(TypeError, match="call_stored\\(\\) takes 1 positional argument but 2 were given"):
        holder.call_stored(1.0, 2.0)
