"""The wheel (issue 15 §4): built offline from ./python with Debian's pip/setuptools/wheel, it carries the NdBridge
assemblies; installed into a fresh venv (--system-site-packages, for NumPy) it loads a library with no NdBridge beside it.
Which NdBridge starts: the one beside the first assembly wins, else the package's (ndbridge.bootstrap_for)."""

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from packaging.version import Version

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, hosted_dll):
    """`pip wheel --no-deps --no-build-isolation` of a copy of ./python, with the assemblies a library build put beside
    the test library (NDBRIDGE_ASSEMBLIES; make pack points it at its published directory instead)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO / "python", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    environment = dict(os.environ, NDBRIDGE_ASSEMBLIES=str(hosted_dll.parent))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(work / "dist"), str(source)], capture_output=True, text=True, timeout=300,
                           env=environment)
    assert build.returncode == 0, build.stdout + build.stderr
    (path,) = (work / "dist").glob("ndbridge-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel):
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", str(wheel)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    return python


def run_in(python, code, cwd):
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})


def nuget_version(directory):
    deps = json.loads((directory / "NdBridge.Python.Hosted.deps.json").read_text())
    return next(name.split("/")[1] for target in deps["targets"].values() for name in target
                if name.startswith("NdBridge.Python/"))


def test_wheel_carries_the_assemblies_and_the_nuget_version(wheel, hosted_dll):
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("NdBridge.Python.dll", "NdBridge.dll", "System.Numerics.Tensors.dll"):
        assert f"ndbridge/dotnet/{name}" in names, names
    assert "ndbridge/ndbridge.runtimeconfig.json" in names and "ndbridge/py.typed" in names
    assert "ndbridge/stubgen.py" in names
    wheel_version = Version(wheel.name.split("-")[1])
    nuget = nuget_version(hosted_dll.parent)  # e.g. 0.2.0-alpha.0.54: MinVer, 54 commits after the last tag
    core, _, pre = nuget.partition("-")
    assert wheel_version.release == tuple(int(p) for p in core.split("."))
    assert wheel_version.is_prerelease == bool(pre)
    if pre.count(".") == 2:
        assert wheel_version.dev == int(pre.split(".")[2]) and wheel_version.pre == ("a", int(pre.split(".")[1]))


def test_round_trip_from_the_installed_wheel(venv, tmp_path, hosted_dll):
    result = run_in(venv, f"""
import numpy as np, ndbridge
assert ndbridge.__file__.startswith({str(venv.parent.parent)!r}), ndbridge.__file__
ndtest = ndbridge.load({str(hosted_dll)!r})[0]
a = np.arange(6.0)
assert ndtest.address(a) == a.ctypes.data
m = ndtest.padded_matrix()
assert m.ctypes.data == ndtest.padded_matrix_address() and m.strides == (8, 32)
print("round trip ok")
""", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "round trip ok" in result.stdout


def test_ndbridge_beside_the_library_wins(venv, tmp_path, hosted_dll):
    result = run_in(venv, f"""
import ndbridge
ndbridge.load({str(hosted_dll)!r})
print(ndbridge.diagnostics()["ndbridge_assembly"])
""", tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(hosted_dll.parent / "NdBridge.dll")


def test_package_assemblies_serve_a_library_with_none_beside(venv, tmp_path, hosted_dll):
    lonely = tmp_path / "lib"
    lonely.mkdir()
    shutil.copy(hosted_dll, lonely)  # no NdBridge*.dll, no System.Numerics.Tensors.dll beside it
    result = run_in(venv, f"""
import numpy as np, ndbridge
ndtest = ndbridge.load({str(lonely / hosted_dll.name)!r})[0]
print(ndbridge.diagnostics()["ndbridge_assembly"])
print(ndtest.sum(np.arange(5.0)), ndtest.add(1.0))  # sum runs System.Numerics.Tensors, from the package too
""", tmp_path)
    assert result.returncode == 0, result.stderr
    location, values = result.stdout.strip().split("\n")
    assert re.fullmatch(re.escape(str(venv.parent.parent)) + r"/lib/python3\.\d+/site-packages/ndbridge/dotnet/NdBridge\.dll", location)
    assert values == "10.0 2.5"


def test_wheel_without_assemblies_is_refused(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(REPO / "python", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    environment = dict(os.environ, NDBRIDGE_ASSEMBLIES=str(tmp_path / "empty"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                            "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300,
                           env=environment)
    assert build.returncode != 0
    assert f"no NdBridge.Python.dll in NDBRIDGE_ASSEMBLIES={tmp_path / 'empty'}" in build.stdout + build.stderr
    assert not (tmp_path / "dist").exists() or not list((tmp_path / "dist").glob("*.whl"))


def test_library_dependencies_resolve_beside_it_when_ndbridge_comes_from_the_wheel(venv, tmp_path):
    from conftest import built
    dependent = built("NdBridge.Python.Hosted.Dependent")
    lonely = tmp_path / "lib"
    lonely.mkdir()
    for name in ("NdBridge.Python.Hosted.Dependent.dll", "NdBridge.Python.Hosted.Dependent.deps.json",
                 "NdBridge.Python.Hosted.Second.dll"):
        shutil.copy(dependent.parent / name, lonely)
    code = f"""
import ndbridge
(module,) = ndbridge.load({str(lonely / dependent.name)!r})
print(ndbridge.diagnostics()["ndbridge_assembly"].startswith({str(venv.parent.parent)!r}))
try:
    print(module.sum_of_ones(4), module.dependency_location())
except Exception as error:
    print(type(error).__name__, error)
"""
    result = run_in(venv, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["True", f"4.0 {lonely / 'NdBridge.Python.Hosted.Second.dll'}"]
    (lonely / "NdBridge.Python.Hosted.Second.dll").unlink()  # the dependency missing: a Python exception naming it
    missing = run_in(venv, code, tmp_path)
    assert missing.returncode == 0, missing.stderr
    first, second = missing.stdout.split("\n")[:2]
    assert first == "True"
    assert "NdBridge.Python.Hosted.Second" in second and second.split()[0].endswith("Error"), second
