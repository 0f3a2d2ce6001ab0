"""`pip install ./python` into a fresh venv (--system-site-packages), offline, then a zero-copy round trip (acceptance)."""

import shutil
import subprocess
import sys

from conftest import REPO


def test_pip_install_into_venv_and_round_trip(tmp_path, hosted_dll):
    source = tmp_path / "src"
    shutil.copytree(REPO / "python", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-index", "--no-build-isolation", str(source)],
                             capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stdout + install.stderr
    code = f"""
import numpy as np, ndbridge
assert ndbridge.__file__.startswith({str(venv)!r}), ndbridge.__file__
ndtest = ndbridge.load({str(hosted_dll)!r})[0]
a = np.arange(6.0)
assert ndtest.address(a) == a.ctypes.data
m = ndtest.padded_matrix()
assert m.ctypes.data == ndtest.padded_matrix_address() and m.strides == (8, 32)
print("round trip ok")
"""
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "round trip ok" in run.stdout
