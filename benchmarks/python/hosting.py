"""Python-side timings of Python as the host (issue 12 §8), all in one process, as a markdown table.

    /usr/bin/python3 benchmarks/python/hosting.py [--output FILE] [--quick] [--wall]

Loads tests/NdBridge.Python.Hosted (built by `dotnet build NdBridge.sln -c Release`). Each row times a candidate
and its baseline in alternating rounds (so drift hits both) and reports the medians in ns per call and their ratio;
a target is a ratio. The clock is this thread's CPU time (`time.thread_time`): every call here runs on the calling
thread, and a shared machine's waiting does not count; `--wall` uses `time.perf_counter` instead.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import time
import timeit
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
import ndbridge  # noqa: E402


def paired(candidate, baseline, number: int, rounds: int, clock) -> tuple[float, float]:
    a, b = timeit.Timer(candidate, timer=clock), timeit.Timer(baseline, timer=clock)
    # Warm for a quarter second each, not a call count: .NET promotes a method to its optimised tier only after a
    # 100 ms quiet period and a background compile, and a row timed before that measures the JIT, not the call.
    deadline = time.perf_counter() + 0.25
    while time.perf_counter() < deadline:
        a.timeit(number // 10 or 1), b.timeit(number // 10 or 1)  # JIT tiers, NumPy's caches
    xs, ys = [], []
    for i in range(rounds):
        first, second = (a, b) if i % 2 == 0 else (b, a)
        t1, t2 = first.timeit(number), second.timeit(number)
        x, y = (t1, t2) if first is a else (t2, t1)
        xs.append(x / number * 1e9)
        ys.append(y / number * 1e9)
    return statistics.median(xs), statistics.median(ys)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", help="write the markdown here too")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of this thread's CPU time")
    args = parser.parse_args()
    number, rounds = (5_000, 5) if args.quick else (20_000, 21)
    clock = time.perf_counter if args.wall else time.thread_time

    dll = REPO / "tests" / "NdBridge.Python.Hosted" / "bin" / "Release" / "net10.0" / "NdBridge.Python.Hosted.dll"
    if not dll.is_file():
        sys.exit(f"{dll} is not built: run `dotnet build NdBridge.sln -c Release` first")
    ndtest = ndbridge.load(dll)[0]

    def python_function():
        pass

    x = [1, 2, 3]
    getpid = ctypes.CDLL(None).getpid
    getpid.restype = ctypes.c_int
    getpid.argtypes = []
    a16 = np.arange(16.0)
    a1k = np.arange(1000.0)
    nothing, dotnet_sum, new_array, asarray = ndtest.nothing, ndtest.sum, ndtest.new_array, np.asarray

    rows = []

    def row(name, candidate, baseline_name, baseline, target=None):
        ns, base = paired(candidate, baseline, number, rounds, clock)
        ratio = ns / base
        verdict = "" if target is None else f"≤ {target:.1f}× {'met' if ratio <= target else 'MISSED'}"
        rows.append(f"| {name} | {ns:,.0f} | {baseline_name} | {base:,.0f} | {ratio:.2f}× | {verdict} |")

    # The no-argument rows call the callables directly; the others go through a lambda on both sides.
    row("`nothing()`: .NET, no argument", nothing, "ctypes `getpid()` (libc, no argument)", getpid, 1.0)
    row("`nothing()`: .NET, no argument", nothing, "Python `def f(): pass`", python_function)
    row("`nothing()` (through a lambda)", lambda: nothing(), "`len(x)` (through a lambda)", lambda: len(x))
    row("`sum(a)`: .NET, `a` = 16 float64", lambda: dotnet_sum(a16), "`a.sum()`", lambda: a16.sum())
    row("`sum(a)`: .NET, `a` = 1000 float64", lambda: dotnet_sum(a1k), "`a.sum()`", lambda: a1k.sum())
    row("`new_array(16)`: a fresh .NET `double[16]` as ndarray", lambda: new_array(16),
        "`np.asarray(memoryview(a))`, `a` = 16 float64", lambda: asarray(memoryview(a16)), 2.0)

    # Issue 13: C# classes as Python types, beside the module function and a plain Python class.
    class Plain:
        def __init__(self):
            self.x = 1.0
            self.scale = 1.0

        def nothing(self):
            pass

    point, plain, matrix = ndtest.Point(1.0, 2.0), Plain(), ndtest.Matrix(4, 4)
    # The target compares like with like: each callable found by one attribute lookup (module dict / type's method
    # cache), as Python code writes the calls. The next row gives the module function bound to a local, for scale.
    row("`p.nothing()`: .NET instance method, no argument", lambda: point.nothing(),
        "`ndtest.nothing()`: module function, no argument", lambda: ndtest.nothing(), 1.2)
    row("`p.nothing()`: .NET instance method, no argument", lambda: point.nothing(),
        "`nothing()`: the module function bound to a local", lambda: nothing())
    row("`p.nothing()`: .NET instance method", lambda: point.nothing(), "Python method `q.nothing()`", lambda: plain.nothing())
    row("`np.asarray(m)`: .NET `Matrix` 4×4 float64", lambda: asarray(matrix),
        "`np.asarray(memoryview(a))`, `a` = 16 float64", lambda: asarray(memoryview(a16)), 1.5)
    row("`p.x`: .NET property get", lambda: point.x, "plain Python attribute get", lambda: plain.x)

    def set_dotnet():
        matrix.scale = 2.0

    def set_plain():
        plain.scale = 2.0

    row("`m.scale = 2.0`: .NET property set", set_dotnet, "plain Python attribute set", set_plain)

    lines = [
        f"### Python as the host (CPython {sys.version.split()[0]}, NumPy {np.__version__}, "
        f".NET {ndbridge.diagnostics()['dotnet_version']})",
        "",
        f"`{Path(sys.executable).name} benchmarks/python/hosting.py{' --wall' if args.wall else ''}` — medians of {rounds} "
        f"alternating rounds × {number:,} calls, ns per call of {'wall-clock' if args.wall else 'this thread’s CPU'} time.",
        "",
        "| call | ns | baseline | baseline ns | ratio | target |",
        "|---|---:|---|---:|---:|---|",
        *rows,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
