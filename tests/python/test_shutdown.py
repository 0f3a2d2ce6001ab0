"""Interpreter exit (issue 12 §5 and bad input), each in a child interpreter: no crash, no hang."""

import subprocess

from conftest import run_child

PRELUDE = """
import sys, threading, numpy as np, ndbridge
ndtest = ndbridge.load({dll!r})[0]
"""


def run(dll, body, timeout=60):
    try:
        return run_child(PRELUDE.format(dll=str(dll)) + body, timeout=timeout)
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(f"the interpreter hung at exit ({timeout} s): {expired.stdout!r} {expired.stderr!r}")


def test_exit_with_dotnet_backed_arrays_alive(hosted_dll):
    result = run(hosted_dll, """
kept = [ndtest.fresh(1000) for _ in range(200)] + [ndtest.doubled(np.arange(5.0)) for _ in range(200)]
matrix = ndtest.padded_matrix()
view = memoryview(kept[0])
imported_and_held = np.arange(10.0)
cycle = [kept[1]]; cycle.append(cycle)  # only the cyclic collector at exit frees this one
print("exports", ndbridge.diagnostics()["live_exports"], flush=True)
""")
    assert result.returncode == 0, result.stderr
    assert "exports 401" in result.stdout  # 200 + 200 arrays and the matrix, all alive at exit
    assert "Exception ignored" not in result.stderr and "Fatal" not in result.stderr, result.stderr


def test_exit_while_a_thread_is_inside_a_released_gil_call(hosted_dll):
    result = run(hosted_dll, """
a = np.arange(100.0)
t = threading.Thread(target=ndtest.sum_after_sleep_without_gil, args=(a, 3000), daemon=True)
t.start()
import time; time.sleep(0.2)
print("leaving", flush=True)
""")
    assert result.returncode == 0, result.stderr
    assert "leaving" in result.stdout


def test_call_during_interpreter_shutdown(hosted_dll):
    result = run(hosted_dll, """
import atexit
atexit.register(lambda: print("atexit call:", ndtest.add(1.0, 2.0), flush=True))

class Late:
    def __del__(self):
        try:
            print("late call:", ndtest.add(1.0, 1.0), flush=True)
        except RuntimeError as error:
            print("late call refused:", error, flush=True)

late = Late()
late.array = ndtest.fresh(10)
print("main done", flush=True)
""")
    assert result.returncode == 0, result.stderr
    assert "main done" in result.stdout
    assert "atexit call: 3.0" in result.stdout  # atexit handlers run before finalisation: calls work
    # Module globals die during finalisation: the call is refused with a RuntimeError the caller can catch.
    assert "late call refused: a .NET function was called while the Python interpreter is shutting down" in result.stdout, result.stdout
    assert "Fatal" not in result.stderr and "Segmentation" not in result.stderr, result.stderr
