"""The GIL (issue 12 §5): held during calls unless the method opts out with [ReleaseGil]."""

import gc
import sys
import threading
import time

import numpy as np
import pytest


def progress_during(call, margin=0.05):
    """How many times a Python thread ran while `call` ran in this thread, counted in the call's middle (its first and
    last `margin` seconds left out): switches on the way in and out, which a loaded machine stretches, do not count."""
    stamps = []
    stop = threading.Event()
    started = threading.Event()

    def spin():
        started.set()
        while not stop.is_set():
            stamps.append(time.perf_counter())  # needs the GIL: a stamp is a moment this thread ran Python
            time.sleep(0)

    thread = threading.Thread(target=spin)
    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    try:
        thread.start()
        started.wait()
        begin = time.perf_counter()
        call()
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(old)
    assert end - begin > 2 * margin, f"the call took {end - begin:.3f} s, too short to measure"
    return sum(1 for t in stamps if begin + margin < t < end - margin)


def test_released_gil_lets_python_threads_run(ndtest):
    with_gil = progress_during(lambda: ndtest.sleep_with_gil(300))
    without_gil = progress_during(lambda: ndtest.sleep_without_gil(300))
    assert with_gil == 0  # the GIL held for the whole sleep: no Python thread ran in its middle
    assert without_gil > 50


def test_array_arguments_stay_valid_while_gil_is_released(ndtest):
    import ndbridge
    a = np.arange(1000.0)
    result = {}

    def worker():
        result["sum"] = ndtest.sum_after_sleep_without_gil(result.pop("array"), 200)

    result["array"] = a
    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.05)
    del a  # Python drops every reference it has; the call's export holds the memory
    gc.collect()
    ndbridge.collect()
    thread.join()
    assert result["sum"] == np.arange(1000.0).sum()


def test_dotnet_exception_inside_released_gil_call(ndtest):
    with pytest.raises(RuntimeError, match="System.InvalidOperationException: failed without the GIL"):
        ndtest.throw_without_gil()
    assert ndtest.sleep_without_gil(1) == 1  # the GIL state is intact afterwards


def test_released_call_can_take_the_gil_back(ndtest):
    assert ndtest.eval_with_gil_taken_back("6 * 7") == 42


def test_calls_from_many_threads(ndtest):
    errors = []

    def worker(seed):
        try:
            for i in range(200):
                a = np.full(10, float(seed))
                assert ndtest.sum(a) == 10.0 * seed
                assert ndtest.sleep_without_gil(0) == 0
                b = ndtest.fresh(5)
                assert b[4] == 4.0
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
