"""ndbridge.load: modules, sys.modules, and every refusal (issue 12 §1 and bad input)."""

import importlib
import shutil
import sys

import numpy as np
import pytest

import ndbridge
from conftest import REPO, run_child


def test_load_returns_modules_registered_in_sys_modules(ndtest, hosted_dll):
    modules = ndbridge.load(hosted_dll)
    assert [m.__name__ for m in modules] == ["ndtest", "ndtest.extra"]
    assert sys.modules["ndtest"] is ndtest
    assert importlib.import_module("ndtest.extra").where() == "extra"
    import ndtest as again
    assert again is ndtest
    assert ndtest.__file__ == str(hosted_dll)
    assert ndbridge.load(str(hosted_dll)) is modules  # the same file again: the same modules


def test_not_a_file(tmp_path):
    with pytest.raises(ndbridge.AssemblyLoadError, match="no such file"):
        ndbridge.load(tmp_path / "missing.dll")
    with pytest.raises(ndbridge.AssemblyLoadError, match="is a directory"):
        ndbridge.load(tmp_path)


def test_not_a_dotnet_assembly(tmp_path, ndtest):
    text = tmp_path / "text.dll"
    text.write_text("not a dll")
    with pytest.raises(ndbridge.AssemblyLoadError, match=r"text.dll is not a .NET assembly: it does not start with a PE/COFF 'MZ' header"):
        ndbridge.load(text)
    with pytest.raises(ndbridge.AssemblyLoadError, match="is not a .NET assembly"):
        ndbridge.load(sys.executable)  # an ELF executable
    native = tmp_path / "native.dll"  # a PE file without a CLI header: a minimal DOS+PE header
    header = bytearray(512)
    header[:2] = b"MZ"
    header[0x3C:0x40] = (0x80).to_bytes(4, "little")
    header[0x80:0x84] = b"PE\0\0"
    header[0x98:0x9A] = (0x20B).to_bytes(2, "little")
    header[0x98 + 108:0x98 + 112] = (16).to_bytes(4, "little")
    native.write_bytes(bytes(header))
    with pytest.raises(ndbridge.AssemblyLoadError, match="a native PE file without a CLI header"):
        ndbridge.load(native)
    assert ndtest.add(1.0, 1.0) == 2.0  # the process goes on


def test_assembly_without_module(ndtest, hosted_dll):
    no_module = hosted_dll.with_name("NdBridge.dll")
    with pytest.raises(ImportError, match=r"NdBridge.dll \(assembly NdBridge\) has no module: mark a public static class with \[PythonModule\(\"name\"\)\]"):
        ndbridge.load(no_module)
    assert ndtest.add(1.0, 1.0) == 2.0


def test_two_modules_with_one_name(ndtest, invalid_dll):
    with pytest.raises(ImportError, match=r"declares the Python module 'dup' twice \(NdBridge.Python.Hosted.Invalid.DuplicateModuleA and NdBridge.Python.Hosted.Invalid.DuplicateModuleB\)"):
        ndbridge.load(invalid_dll)
    assert "dup" not in sys.modules
    assert ndtest.add(1.0, 1.0) == 2.0


def test_module_name_taken_by_another_module(second_dll):
    result = run_child(f"""
import sys, types, ndbridge
sys.modules['ndtest_second'] = types.ModuleType('ndtest_second')
try:
    ndbridge.load({str(second_dll)!r})
except ndbridge.AssemblyLoadError as e:
    print('refused:', e)
print(type(sys.modules['ndtest_second']).__name__, sys.modules['ndtest_second'].__dict__.get('live_exports'))
""")
    assert result.returncode == 0, result.stderr
    assert "refused:" in result.stdout and "'ndtest_second' (already loaded from" in result.stdout
    assert "module None" in result.stdout  # the existing module is left alone


def test_bootstrap_missing_next_to_first_assembly(tmp_path, hosted_dll):
    lonely = tmp_path / hosted_dll.name
    shutil.copy(hosted_dll, lonely)
    result = run_child(f"""
import ndbridge
try:
    ndbridge.load({str(lonely)!r})
except ndbridge.AssemblyLoadError as e:
    print('refused:', e)
""")
    assert result.returncode == 0, result.stderr
    assert "NdBridge.Python.dll is not next to the assembly in" in result.stdout and "carries none: install ndbridge from its wheel" in result.stdout
