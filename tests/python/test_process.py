"""One interpreter, one NdBridge (issue 12 §2): no second libpython, one NdBridge state across assemblies."""

import ctypes
import os
import sys

import numpy as np

import ndbridge


def mapped_files():
    with open("/proc/self/maps") as maps:
        return {line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6}


def c_api_object_file():
    """The file that exports this interpreter's C API, as the dynamic loader sees it (dladdr on Py_IsInitialized)."""
    class DlInfo(ctypes.Structure):
        _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                    ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]
    libc = ctypes.CDLL(None)
    info = DlInfo()
    address = ctypes.cast(ctypes.pythonapi.Py_IsInitialized, ctypes.c_void_p)
    assert libc.dladdr(address, ctypes.byref(info)) != 0
    return os.path.realpath(info.dli_fname.decode())


def test_no_second_libpython_is_mapped(ndtest, ndtest_second):
    libpythons = {os.path.realpath(p) for p in mapped_files() if os.path.basename(p).startswith("libpython")}
    if c_api_object_file() == os.path.realpath(sys.executable):
        assert libpythons == set(), libpythons  # the executable exports the C API itself (Debian's python3.11): none
    else:
        assert libpythons == {c_api_object_file()}, libpythons  # this interpreter's own libpython, and only it


def test_ndbridge_bound_the_c_api_of_this_process(ndtest):
    assert os.path.realpath(ndtest.python_library()) == c_api_object_file()
    assert os.path.realpath(ndbridge.diagnostics()["python_library"]) == c_api_object_file()


def test_one_ndbridge_for_every_assembly(ndtest, ndtest_second):
    assert ndtest.ndbridge_identity() == ndtest_second.ndbridge_identity()
    assert "|Default|" in ndtest.ndbridge_identity()  # the default load context, beside the user assemblies


def test_counters_read_the_same_through_every_assembly(ndtest, ndtest_second):
    ndbridge.collect()
    base = (ndtest.live_exports(), ndtest.live_owners())
    assert base == (ndtest_second.live_exports(), ndtest_second.live_owners())
    made_by_second = [ndtest_second.ones(10) for _ in range(3)]
    made_by_first = [ndtest.fresh(10) for _ in range(2)]
    assert ndtest.live_exports() == ndtest_second.live_exports() == base[0] + 5
    assert ndtest.live_owners() == ndtest_second.live_owners() == base[1] + 5
    assert ndbridge.diagnostics()["live_exports"] == base[0] + 5
    assert ndtest.sum(made_by_second[0]) == 10.0  # an export of one assembly imported by another
    del made_by_second, made_by_first
    ndbridge.collect()
    assert (ndtest.live_exports(), ndtest.live_owners()) == base
    assert (ndtest_second.live_exports(), ndtest_second.live_owners()) == base


def test_runtime_reused_within_the_process(ndtest, ndtest_second):
    from ndbridge import _dotnet
    first = _dotnet.start()
    assert _dotnet.start() is first


def test_running_runtime_is_reused_by_a_fresh_ndbridge(hosted_dll, second_dll):
    from conftest import run_child
    result = run_child(f"""
import sys, numpy as np
import ndbridge
first = ndbridge.load({str(hosted_dll)!r})[0]
identity = first.ndbridge_identity()
# A second copy of the package's state (as after importlib.reload): hostfxr reports .NET already running, and
# NdBridge's attach finds its runtime already bound.
for name in [n for n in sys.modules if n == "ndbridge" or n.startswith("ndbridge.")]:
    del sys.modules[name]
import ndbridge as fresh
assert fresh is not ndbridge
second = fresh.load({str(second_dll)!r})[0]
print("same ndbridge:", second.ndbridge_identity() == identity)
print("works:", first.sum(second.ones(4)))
""")
    assert result.returncode == 0, result.stderr
    assert "same ndbridge: True" in result.stdout and "works: 4.0" in result.stdout
