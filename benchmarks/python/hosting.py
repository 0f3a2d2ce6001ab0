"""Python-side timings of Python as the host (issue 12 §8), all in one process, as a markdown table.

    /usr/bin/python3 benchmarks/python/hosting.py [--output FILE] [--quick]

Loads tests/NdBridge.Python.Hosted (built by `dotnet build NdBridge.sln -c Release`). Each row is the best of
several timeit repeats, in ns per call, beside its baseline measured in the same run; a target is a ratio.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import sys
import timeit
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))
import ndbridge  # noqa: E402


def best_ns(statement, number: int, repeat: int) -> float:
    timer = timeit.Timer(statement)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e9


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", help="write the markdown here too")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (a smoke run)")
    args = parser.parse_args()
    number, repeat = (20_000, 3) if args.quick else (200_000, 7)

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
    nothing, dotnet_sum, new_array = ndtest.nothing, ndtest.sum, ndtest.new_array
    asarray = np.asarray

    t = {}
    t["python"] = best_ns(python_function, number, repeat)
    t["len"] = best_ns(lambda: len(x), number, repeat)
    t["ctypes"] = best_ns(getpid, number, repeat)
    t["dotnet_noarg"] = best_ns(nothing, number, repeat)
    t["dotnet_sum16"] = best_ns(lambda: dotnet_sum(a16), number, repeat)
    t["numpy_sum16"] = best_ns(lambda: a16.sum(), number, repeat)
    t["dotnet_sum1k"] = best_ns(lambda: dotnet_sum(a1k), number, repeat)
    t["numpy_sum1k"] = best_ns(lambda: a1k.sum(), number, repeat)
    t["dotnet_new16"] = best_ns(lambda: new_array(16), number // 4, repeat)
    t["numpy_handoff16"] = best_ns(lambda: asarray(memoryview(a16)), number // 4, repeat)
    # Lambdas add the same call overhead to both sides of a ratio; the no-argument rows call directly.

    def row(name, ns, baseline_name, baseline, target=None):
        ratio = ns / baseline
        verdict = "" if target is None else (f"≤ {target:.1f}× {'met' if ratio <= target else 'MISSED'}")
        return f"| {name} | {ns:,.1f} | {baseline_name} | {baseline:,.1f} | {ratio:.2f}× | {verdict} |"

    lines = [
        f"### Python as the host ({platform.python_implementation()} {platform.python_version()}, NumPy {np.__version__}, "
        f".NET {ndbridge.diagnostics()['dotnet_version']})",
        "",
        f"`{Path(sys.executable).name} benchmarks/python/hosting.py` — best of {repeat} × {number:,} calls, ns per call.",
        "",
        "| call | ns | baseline | baseline ns | ratio | target |",
        "|---|---:|---|---:|---:|---|",
        row("`nothing()` (.NET, no argument)", t["dotnet_noarg"], "ctypes `getpid()`", t["ctypes"], 1.0),
        row("`nothing()` (.NET, no argument)", t["dotnet_noarg"], "Python `def f(): pass`", t["python"]),
        row("`nothing()` (.NET, no argument)", t["dotnet_noarg"], "`len(x)`", t["len"]),
        row("`sum(a)` (.NET, `a` = 16 float64)", t["dotnet_sum16"], "`a.sum()`", t["numpy_sum16"]),
        row("`sum(a)` (.NET, `a` = 1000 float64)", t["dotnet_sum1k"], "`a.sum()`", t["numpy_sum1k"]),
        row("`new_array(16)` (fresh .NET `double[]` as ndarray)", t["dotnet_new16"], "`np.asarray(memoryview(a))`", t["numpy_handoff16"], 2.0),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
