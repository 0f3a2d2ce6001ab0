"""Lifetimes counted from Python: exports, imports and references come back to baseline after collection."""

import gc
import sys

import numpy as np

import ndbridge


def counters():
    gc.collect()
    ndbridge.collect()
    d = ndbridge.diagnostics()
    return {k: d[k] for k in ("live_owners", "live_holders", "live_pins", "live_native_allocations", "live_exports",
                              "live_python_references", "pending_releases")}


def test_returned_arrays_are_released_when_python_drops_them(ndtest):
    before = counters()
    arrays = [ndtest.fresh(100) for _ in range(1000)] + [ndtest.doubled(np.arange(3.0)) for _ in range(1000)]
    during = counters()
    assert during["live_exports"] == before["live_exports"] + 2000
    assert during["live_pins"] == before["live_pins"] + 1000  # the doubled .NET arrays are pinned while viewed
    del arrays
    assert counters() == before


def test_arguments_are_released_after_each_call(ndtest):
    a = np.arange(100.0)
    refcount = sys.getrefcount(a)
    before = counters()
    for _ in range(2000):
        ndtest.sum(a)
        ndtest.scale(a, 1.0)
        ndtest.sum_copy(a)
        ndtest.stats(a)
    assert sys.getrefcount(a) == refcount
    assert counters() == before


def test_memory_arguments_are_released_when_dotnet_collects(ndtest):
    a = np.arange(100.0)
    refcount = sys.getrefcount(a)
    before = counters()
    for _ in range(500):
        ndtest.sum_memory(a)
    assert counters() == before  # collected: every held export released
    assert sys.getrefcount(a) == refcount
