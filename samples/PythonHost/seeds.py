"""The seed stories from Python's side: a C# library's matrix as a writable NumPy view, and a NumPy array changed by C#.

    dotnet build NdBridge.sln -c Release      # builds samples/PythonHost/Eigenish
    /usr/bin/python3 samples/PythonHost/seeds.py
    # or, in IPython:  %run samples/PythonHost/seeds.py

Every step checks what it claims (same address, strides, values) and the script exits non-zero if one fails.
"""

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "python"))  # ndbridge from the source tree (or `pip install ./python`)
import ndbridge  # noqa: E402

DLL = HERE / "Eigenish" / "bin" / "Release" / "net10.0" / "Eigenish.dll"
failures = []


def check(claim: str, ok: bool) -> None:
    print(f"  [{'ok' if ok else 'FAILED'}] {claim}")
    if not ok:
        failures.append(claim)


if not DLL.is_file():
    sys.exit(f"{DLL} is not built: run `dotnet build NdBridge.sln -c Release` first")
(eigenish,) = ndbridge.load(DLL)
print(f"loaded {eigenish.__name__} from {DLL.name} into CPython {sys.version.split()[0]}, NumPy {np.__version__}")

print("\n1. A padded column-major 3x2 matrix from C#, as a NumPy view")
m = eigenish.matrix()
print(m)
check(f"same address as .NET's element [0, 0] (0x{m.ctypes.data:x})", m.ctypes.data == eigenish.matrix_address())
check(f"strides {m.strides} == (8, 32): columns 4 doubles apart (leading dimension 4)", m.strides == (8, 32))
check("a writable view that does not own its data (no copy)", m.flags.writeable and not m.flags.owndata)

print("\n2. Changed in place from Python; the next C# call sees it")
m[1, 0] = 42.0
m[:, 1] *= -1
print(m)
check("C# reads m[1, 0] == 42", eigenish.element(1, 0) == 42.0)
sums = eigenish.column_sums()
check(f"C# column sums {sums.tolist()} == NumPy's {m.sum(axis=0).tolist()}", np.array_equal(sums, m.sum(axis=0)))
again = eigenish.matrix()
check("a second call returns a view of the same memory", np.shares_memory(m, again) and again[1, 0] == 42.0)

print("\n3. A NumPy array passed into C#, modified there; Python sees it")
a = np.arange(6.0).reshape(2, 3)
view = a[:, ::-1]  # a reversed view: negative strides, still no copy
eigenish.scale(view, 10.0)
print(a)
check("C# saw the array's own memory", eigenish.address_of(a) == a.ctypes.data)
check("every element scaled in place", np.array_equal(a, np.arange(6.0).reshape(2, 3) * 10.0))

print("\nA C# matrix type: eigenish.Matrix exports its own memory")
mat = eigenish.Matrix(2, 3)
view = np.asarray(mat)
view[:] = np.arange(6.0).reshape(2, 3)  # filled in place from Python
check("np.asarray(Matrix) shares the matrix's memory", view.ctypes.data == mat.address == mat.__array_interface__["data"][0])
check(f"strides {view.strides} == (8, 32): stored column-major, columns 4 doubles apart", view.strides == (8, 32))
check("C# Sum() reads what Python wrote", mat.sum() == view.sum())
try:
    mat.resize(3, 3)
    check("resize while NumPy views the matrix raises BufferError", False)
except BufferError:
    check("resize while NumPy views the matrix raises BufferError", True)

print()
if failures:
    print(f"{len(failures)} check(s) FAILED")
    sys.exit(1)
print("all checks passed")
