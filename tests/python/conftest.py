"""pytest for Python as the host: CPython loads C# test libraries that `dotnet build NdBridge.sln -c Release` built.

Nothing is built here. The libraries are found relative to the repository (Release configuration); a missing one
fails the tests with the command that builds it. `make test` runs `/usr/bin/python3 -m pytest tests/python`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))  # the ndbridge package from the source tree

CONFIGURATION = os.environ.get("NDBRIDGE_CONFIGURATION", "Release")


def built(project: str) -> Path:
    """The built dll of tests/<project>, or a test failure saying how to build it."""
    path = REPO / "tests" / project / "bin" / CONFIGURATION / "net10.0" / f"{project}.dll"
    if not path.is_file():
        pytest.fail(f"{path} is not built: run `dotnet build NdBridge.sln -c {CONFIGURATION}` in {REPO} first "
                    "(tests/python only loads what the solution builds)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def hosted_dll() -> Path:
    return built("NdBridge.Python.Hosted")


@pytest.fixture(scope="session")
def second_dll() -> Path:
    return built("NdBridge.Python.Hosted.Second")


@pytest.fixture(scope="session")
def invalid_dll() -> Path:
    return built("NdBridge.Python.Hosted.Invalid")


@pytest.fixture(scope="session")
def ndtest(hosted_dll):
    import ndbridge
    modules = ndbridge.load(hosted_dll)
    return next(m for m in modules if m.__name__ == "ndtest")


@pytest.fixture(scope="session")
def ndtest_second(ndtest, second_dll):
    import ndbridge
    (module,) = ndbridge.load(second_dll)
    return module


def run_child(code: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (this one's executable), with ndbridge importable; never hangs the suite."""
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = str(REPO / "python") + os.pathsep + environment.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=environment)
