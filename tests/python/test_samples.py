"""samples/PythonHost/seeds.py (make demo-python) runs and every check it prints passes."""

import subprocess
import sys

import pytest

from conftest import REPO, CONFIGURATION


def test_seeds_sample_runs_and_checks_pass():
    dll = REPO / "samples" / "PythonHost" / "Eigenish" / "bin" / CONFIGURATION / "net10.0" / "Eigenish.dll"
    if not dll.is_file():
        pytest.fail(f"{dll} is not built: run `dotnet build NdBridge.sln -c {CONFIGURATION}`", pytrace=False)
    result = subprocess.run([sys.executable, str(REPO / "samples" / "PythonHost" / "seeds.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("[ok]") == 12 and "FAILED" not in result.stdout
    assert "strides (8, 32) == (8, 32)" in result.stdout
    assert result.stdout.rstrip().endswith("all checks passed")
