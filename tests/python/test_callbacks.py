"""Python callables where C# expects delegates (issue 13 item 3): CallbackHolder in tests/NdBridge.Python.Hosted."""

import gc
import threading
import weakref

import numpy as np
import pytest

import ndbridge


def test_func_double_double_matches_a_python_loop(ndtest):
    f = lambda x: x * x  # noqa: E731
    n = 1000
    h = 1.0 / n
    expected = sum(f((i + 0.5) * h) * h for i in range(n))
    assert ndtest.CallbackHolder.integrate(f, 0.0, 1.0, n) == pytest.approx(expected, rel=1e-12)


def test_arrays_reach_the_callback_as_zero_copy_views(ndtest):
    a = np.arange(10.0)
    seen = []

    def reduce(view):
        seen.append(view)
        return float(view.sum())

    assert ndtest.CallbackHolder.reduce(a, reduce) == a.sum()
    (view,) = seen
    assert isinstance(view, np.ndarray)
    assert np.shares_memory(view, a)


def test_a_matrix_callback_reads_the_matrix_memory(ndtest):
    m = ndtest.Matrix(np.arange(4.0).reshape(2, 2))
    assert m.apply(lambda view: float(view.sum())) == np.asarray(m).sum()
    assert m.apply(lambda view: float(np.shares_memory(view, np.asarray(m)))) == 1.0


def test_action_is_called_per_item(ndtest):
    seen = []
    ndtest.CallbackHolder.each(np.array([1.0, 2.0, 3.0]), seen.append)
    assert seen == [1.0, 2.0, 3.0]


def test_callback_that_raises_leaves_as_the_original_exception(ndtest):
    class Boom(Exception):
        pass

    original = Boom("from the callback")

    def raise_it(x):
        raise original

    with pytest.raises(Boom) as error:
        ndtest.CallbackHolder.integrate(raise_it, 0.0, 1.0, 4)
    assert error.value is original


def test_csharp_sees_a_python_exception_as_python_exception(ndtest):
    assert ndtest.CallbackHolder.catch_python(lambda x: 1 / 0, 1.0) == -1  # C# caught PythonException(ZeroDivisionError)


def test_callback_result_of_the_wrong_type(ndtest):
    with pytest.raises(TypeError, match="result of the Python callback passed as ndtest.CallbackHolder.integrate\\(\\) argument 'f'"):
        ndtest.CallbackHolder.integrate(lambda x: "no", 0.0, 1.0, 2)


def test_not_callable_is_a_type_error(ndtest):
    with pytest.raises(TypeError, match="argument 'f' must be a callable"):
        ndtest.CallbackHolder.integrate(3, 0.0, 1.0, 2)


def test_stored_callback_works_after_its_function_was_deleted(ndtest):
    holder = ndtest.CallbackHolder()

    def plus_one(x):
        return x + 1

    ref = weakref.ref(plus_one)
    holder.store(plus_one)
    del plus_one
    gc.collect()
    assert ref() is not None  # the delegate holds it
    assert holder.call_stored(2.0) == 3.0
    holder.clear()
    for _ in range(3):
        gc.collect()
        ndbridge.collect()
    assert ref() is None  # released through the queue once .NET collected the delegate


def test_callback_without_gil_and_from_another_dotnet_thread(ndtest):
    assert ndtest.CallbackHolder.call_without_gil(lambda x: x * 3, 2.0) == 6.0
    thread_names = []

    def on_thread(x):
        thread_names.append(threading.current_thread().name)
        return x + 0.5

    assert ndtest.CallbackHolder.call_on_thread(on_thread, 1.0) == 1.5
    assert thread_names and thread_names[0] != threading.current_thread().name


def test_callbacks_leave_no_references(ndtest):
    import sys

    def f(x):
        return x

    refcount = sys.getrefcount(f)
    for _ in range(200):
        ndtest.CallbackHolder.integrate(f, 0.0, 1.0, 2)
    for _ in range(3):
        gc.collect()
        ndbridge.collect()
    assert sys.getrefcount(f) == refcount
