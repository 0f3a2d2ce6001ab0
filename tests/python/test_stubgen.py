"""python3 -m ndbridge.stubgen: .pyi stubs from the binding model, checked by Debian's mypy against user scripts that
use the API correctly and wrongly (issue 13 §4). mypy missing is a failure (host: python3-mypy in make deps)."""

import ast
import inspect
import os
import subprocess
import sys
import textwrap

import pytest

import ndbridge
from conftest import REPO


def stubgen(*arguments, cwd=None):
    environment = dict(os.environ, PYTHONPATH=str(REPO / "python"))
    return subprocess.run([sys.executable, "-m", "ndbridge.stubgen", *map(str, arguments)], capture_output=True,
                          text=True, timeout=120, env=environment, cwd=cwd)


@pytest.fixture(scope="module")
def stubs(tmp_path_factory, hosted_dll):
    out = tmp_path_factory.mktemp("stubs")
    result = stubgen(hosted_dll, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(out / "ndtest" / "__init__.pyi"), str(out / "ndtest" / "extra.pyi")]
    return out


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy-cache")


def mypy(script_dir, stub_dir, cache, name):
    """Runs this interpreter's mypy on script_dir/name; ndbridge itself is checked from the source tree."""
    environment = dict(os.environ, MYPYPATH=os.pathsep.join([str(stub_dir), str(REPO / "python")]))
    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary",
                             "--show-error-codes", name], capture_output=True, text=True, timeout=600,
                            env=environment, cwd=script_dir)
    assert "No module named mypy" not in result.stderr, f"{sys.executable} has no mypy (Debian: python3-mypy)"
    return result


def functions(path):
    tree = ast.parse(path.read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}, tree


def test_one_stub_per_module_with_numpy_typing(stubs, ndtest):
    defs, tree = functions(stubs / "ndtest" / "__init__.pyi")
    assert ast.get_docstring(tree).startswith("The functions tests/python calls")

    def signature(name):
        node = defs[name]
        return ([(a.arg, ast.unparse(a.annotation)) for a in node.args.args],
                [ast.unparse(d) for d in node.args.defaults], ast.unparse(node.returns))

    assert signature("add") == ([("a", "float"), ("b", "float")], ["..."], "float")
    assert signature("sum_memory") == ([("values", "numpy.typing.NDArray[numpy.float64]")], [], "float")
    assert signature("sum_grid")[0] == [("grid", "numpy.typing.NDArray[numpy.float64]")]
    assert signature("cube")[2] == "numpy.typing.NDArray[numpy.int64]"
    assert signature("floats")[2] == "numpy.typing.NDArray[numpy.float32]"
    assert signature("sum")[0] == [("values", "numpy.typing.ArrayLike")]
    assert signature("describe")[:2] == ([("values", "numpy.typing.ArrayLike | None")], ["..."])
    assert signature("stats")[2] == "tuple[float, int, str]"
    assert signature("nothing")[2] == "None"
    assert signature("no_array")[2] == "numpy.typing.NDArray[numpy.float64] | None"
    assert signature("greet") == ([("name", "str"), ("greeting", "str")], ["..."], "str")
    assert signature("negate") == ([("value", "bool")], [], "bool")
    assert signature("counts")[2] == "dict[str, int]" and signature("range")[2] == "list[int]"
    # every function of the module, with the docstring help() shows
    assert sorted(defs) == sorted(n for n in dir(ndtest) if callable(getattr(ndtest, n)) and not isinstance(getattr(ndtest, n), type))
    for name, node in defs.items():
        assert ast.get_docstring(node) == inspect.cleandoc(getattr(ndtest, name).__doc__), name
    extra, _ = functions(stubs / "ndtest" / "extra.pyi")
    assert ast.unparse(extra["where"].returns) == "str"


GOOD = """
import numpy as np
import numpy.typing as npt

import ndbridge

ndbridge.load("NdBridge.Python.Hosted.dll")
import ndtest  # noqa: E402
import ndtest.extra  # noqa: E402

total: float = ndtest.add(1.0) + ndtest.add(1, b=2.5)
doubled: npt.NDArray[np.float64] = ndtest.doubled(np.array([1.0, 2.0], dtype=np.float64))
label: str = ndtest.greet("you", greeting="Hi")
s, n, text = ndtest.stats(np.ones(4))
count: int = n
ndtest.scale(np.ones(3), 2.0)
maybe = ndtest.no_array()
if maybe is not None:
    first: float = float(maybe[0])
where: str = ndtest.extra.where()
"""

BAD = """
import numpy as np

import ndbridge

ndbridge.load("NdBridge.Python.Hosted.dll")
import ndtest  # noqa: E402

ndtest.add("one")
ndtest.greet("you", greting="Hi")
count: str = ndtest.add_ints(1, 2)
ndtest.no_array()[0]
ndtest.sum_memory(np.ones(3), 2)
"""


def test_mypy_accepts_correct_use(tmp_path, stubs, mypy_cache):
    (tmp_path / "good.py").write_text(GOOD)
    result = mypy(tmp_path, stubs, mypy_cache, "good.py")
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_mypy_reports_misuse(tmp_path, stubs, mypy_cache):
    (tmp_path / "bad.py").write_text(BAD)
    result = mypy(tmp_path, stubs, mypy_cache, "bad.py")
    errors = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'bad.py:9: error: Argument 1 to "add" has incompatible type "str"; expected "float"  [arg-type]' in errors
    assert any(e.startswith('bad.py:10: error: Unexpected keyword argument "greting" for "greet"') for e in errors), errors
    assert 'bad.py:11: error: Incompatible types in assignment (expression has type "int", variable has type "str")  [assignment]' in errors
    assert any(e.startswith("bad.py:12: error: Value of type") and e.endswith("is not indexable  [index]") for e in errors), errors
    assert any(e.startswith('bad.py:13: error: Too many arguments for "sum_memory"') for e in errors), errors
    assert len(errors) == 5, errors  # nothing else: ndbridge itself type-checks


def classes(path):
    tree = ast.parse(path.read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def members(cls):
    """name -> [(decorators, parameters with annotations, returns)] of one class stub."""
    found = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            found.setdefault(node.name, []).append((
                [ast.unparse(d) for d in node.decorator_list],
                [(a.arg, ast.unparse(a.annotation) if a.annotation else None) for a in node.args.posonlyargs + node.args.args],
                ast.unparse(node.returns)))
    return found


def test_types_become_class_stubs(stubs, ndtest):
    """Every [PythonClass] of the module is a class in its stub: overloaded __init__, methods, static methods,
    properties (read-only or not), tuple-keyed indexers, close/with, the buffer protocol and DLPack; the docstrings are
    help()'s."""
    found = classes(stubs / "ndtest" / "__init__.pyi")
    assert sorted(found) == sorted(n for n in dir(ndtest) if isinstance(getattr(ndtest, n), type))
    matrix = members(found["Matrix"])
    assert [m[1][1:] for m in matrix["__init__"]] == [
        [("size", "int")], [("values", "numpy.typing.ArrayLike")], [("rows", "int"), ("columns", "int")]]
    assert all(m[0] == ["typing.overload"] and m[2] == "None" for m in matrix["__init__"])
    assert matrix["fill"] == [([], [("self", None), ("value", "float")], "None")]
    assert matrix["identity"] == [(["staticmethod"], [("size", "int")], "Matrix")]
    assert matrix["transposed"][0][2] == "Matrix"
    assert [m[0] for m in matrix["rows"]] == [["property"]]  # read-only: no setter
    assert [m[0] for m in matrix["label"]] == [["property"], ["label.setter"]]
    assert matrix["__getitem__"] == [([], [("self", None), ("key", "tuple[int, int]")], "float")]
    assert matrix["__setitem__"] == [([], [("self", None), ("key", "tuple[int, int]"), ("value", "float")], "None")]
    assert matrix["apply"][0][1][1] == ("reduce", "typing.Callable[[numpy.typing.NDArray[typing.Any]], float]")
    for special in ("close", "__enter__", "__exit__", "__buffer__", "__array_interface__", "__dlpack__", "__dlpack_device__"):
        assert special in matrix, special
    point = members(found["Point"])
    assert "close" not in point and "__buffer__" not in point
    assert point["offset"][0][1] == [("self", None), ("dx", "float"), ("dy", "float")]
    assert ast.get_docstring(found["Matrix"]) == inspect.cleandoc(ndtest.Matrix.__doc__)
    fill = next(n for n in found["Matrix"].body if isinstance(n, ast.FunctionDef) and n.name == "fill")
    assert ast.get_docstring(fill) == inspect.cleandoc(ndtest.Matrix.fill.__doc__)


CLASS_USE_GOOD = """
import numpy as np

import ndbridge

ndbridge.load("NdBridge.Python.Hosted.dll")
import ndtest  # noqa: E402

m = ndtest.Matrix(3, 2)
square = ndtest.Matrix(4)
m.fill(1.5)
rows: int = m.rows
m.label = "weights"
identity: ndtest.Matrix = ndtest.Matrix.identity(3)
total: float = m.sum() + m[0, 1]
m[1, 1] = 2.0
with ndtest.Matrix(2, 2) as scratch:
    scratch.fill(0.0)
transposed: ndtest.Matrix = m.transposed()
view = np.asarray(m)
reduced: float = m.apply(lambda values: float(np.sum(values)))
moved: ndtest.Point = ndtest.Point(1.0, 2.0).offset(1.0)
"""

CLASS_USE_BAD = """
import ndbridge

ndbridge.load("NdBridge.Python.Hosted.dll")
import ndtest  # noqa: E402

ndtest.Matrix(3, "two")
m = ndtest.Matrix(3, 2)
m.rows = 4
m.fill()
m.label = 3
"""


def test_mypy_checks_uses_of_the_types(tmp_path, stubs, mypy_cache):
    (tmp_path / "good.py").write_text(CLASS_USE_GOOD)
    (tmp_path / "bad.py").write_text(CLASS_USE_BAD)
    good = mypy(tmp_path, stubs, mypy_cache, "good.py")
    assert good.returncode == 0 and good.stdout == "", good.stdout + good.stderr
    bad = mypy(tmp_path, stubs, mypy_cache, "bad.py")
    errors = bad.stdout.splitlines()
    assert any(e.startswith('bad.py:7: error: No overload variant of "Matrix" matches argument types "int", "str"') for e in errors), errors
    assert any(e.startswith('bad.py:9: error: Property "rows" defined in "Matrix" is read-only') for e in errors), errors
    assert any(e.startswith('bad.py:10: error: Missing positional argument "value" in call to "fill"') for e in errors), errors
    assert any(e.startswith('bad.py:11: error: Incompatible types in assignment (expression has type "int", variable has type "str")') for e in errors), errors


def test_python_keyword_parameter_is_positional_only_in_the_stub():
    from ndbridge import stubgen as generator
    text = generator.render_module({"name": "m", "doc": "", "functions": [{"name": "f", "doc": "", "returns": "int", "parameters": [
        {"name": "from", "annotation": "int", "has_default": False}, {"name": "to", "annotation": "int", "has_default": True}]}]}, "x.dll")
    function = ast.parse(text).body[-1]
    assert [a.arg for a in function.args.posonlyargs] == ["from_"] and [a.arg for a in function.args.args] == ["to"]


def test_missing_assembly_and_assembly_without_module(tmp_path, hosted_dll):
    missing = stubgen(tmp_path / "Missing.dll", "-o", tmp_path / "out")
    assert missing.returncode == 1 and "Missing.dll: no such file" in missing.stderr and "Traceback" not in missing.stderr
    no_module = stubgen(hosted_dll.with_name("NdBridge.dll"), "-o", tmp_path / "out")
    assert no_module.returncode == 1 and "has no module: mark a public static class with [PythonModule" in no_module.stderr
    assert not (tmp_path / "out").exists()
    usage = stubgen(hosted_dll)
    assert usage.returncode == 2 and "-o/--output" in usage.stderr
