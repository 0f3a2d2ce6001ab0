"""The ndbridge wheel carries the NdBridge assemblies it starts (ndbridge/dotnet/), so that `pip install ndbridge-*.whl`
and a .NET runtime are all a Python user needs.

    make pack                                                     # publishes the assemblies, then builds the wheel
    pip wheel --no-deps --no-build-isolation ./python             # after make pack, or with NDBRIDGE_ASSEMBLIES set

The assemblies come from $NDBRIDGE_ASSEMBLIES, else from ../artifacts/python-assemblies (what `make pack` publishes:
`dotnet publish src/NdBridge.Python/NdBridge.Python.csproj -c Release -o artifacts/python-assemblies`). The version is
the NuGet packages' (MinVer, from git tags), as the build recorded it in a .deps.json there, spelled the PEP 440 way.
"""

import json
import os
import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PUBLISHED = HERE.parent / "artifacts" / "python-assemblies"
BOOTSTRAP = "NdBridge.Python.dll"
# Without NdBridge.Python.deps.json (a directory a library build filled), these are what NdBridge.Python runs on.
WITHOUT_DEPS_JSON = ["NdBridge.Python.dll", "NdBridge.dll", "System.Numerics.Tensors.dll"]
_PRE_RELEASE = {"alpha": "a", "a": "a", "beta": "b", "b": "b", "rc": "rc", "preview": "rc"}


def assemblies_directory() -> Path:
    configured = os.environ.get("NDBRIDGE_ASSEMBLIES")
    directory = Path(configured) if configured else PUBLISHED
    if not (directory / BOOTSTRAP).is_file():
        source = f"NDBRIDGE_ASSEMBLIES={configured}" if configured else f"{PUBLISHED} (make pack's)"
        raise SystemExit(f"ndbridge: no {BOOTSTRAP} in {source}. The wheel carries the NdBridge assemblies: run "
                         "`make pack` in the repository, or `dotnet publish src/NdBridge.Python/NdBridge.Python.csproj "
                         "-c Release -o artifacts/python-assemblies`, or set NDBRIDGE_ASSEMBLIES to a directory holding "
                         f"{', '.join(WITHOUT_DEPS_JSON)}.")
    return directory


def assembly_files(directory: Path) -> list[Path]:
    """NdBridge.Python.dll, its .deps.json and every runtime assembly that file lists (all of them, flat)."""
    deps = directory / "NdBridge.Python.deps.json"
    if not deps.is_file():
        names = WITHOUT_DEPS_JSON
    else:
        targets = json.loads(deps.read_text(encoding="utf-8"))["targets"]
        names = sorted({Path(asset).name for target in targets.values() for library in target.values()
                        for asset in library.get("runtime", {})}) + [deps.name]
    missing = [n for n in names if not (directory / n).is_file()]
    if missing:
        raise SystemExit(f"ndbridge: {directory} lacks {', '.join(missing)} (publish NdBridge.Python there: "
                         "`dotnet publish src/NdBridge.Python/NdBridge.Python.csproj -c Release -o <directory>`)")
    return [directory / n for n in names]


def nuget_version(directory: Path) -> str:
    """The NdBridge.Python version a .deps.json in the directory records (the build's MinVer version)."""
    for deps in sorted(directory.glob("*.deps.json")):
        for target in json.loads(deps.read_text(encoding="utf-8"))["targets"].values():
            for library in target:
                name, _, version = library.partition("/")
                if name == "NdBridge.Python":
                    return version
    raise SystemExit(f"ndbridge: no .deps.json in {directory} records the NdBridge.Python version")


def pep440(version: str) -> str:
    """NuGet/SemVer → PEP 440: 1.2.3 stays; 1.2.3-alpha.0 → 1.2.3a0; MinVer's 1.2.3-alpha.0.52 (52 commits after the
    last tag) → 1.2.3a0.dev52, which sorts the same way; build metadata (+sha) is dropped."""
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-([A-Za-z]+)\.?(\d+)?(?:\.(\d+))?)?(?:\+[0-9A-Za-z.-]+)?", version)
    if not match or (match.group(2) and match.group(2).lower() not in _PRE_RELEASE):
        raise SystemExit(f"ndbridge: the version {version!r} has no PEP 440 spelling here "
                         f"(known pre-release labels: {', '.join(_PRE_RELEASE)})")
    release, label, number, height = match.groups()
    text = release
    if label:
        text += _PRE_RELEASE[label.lower()] + (number or "0")
    if height:
        text += ".dev" + height
    return text


class BuildWithAssemblies(build_py):
    """Copies the assemblies into ndbridge/dotnet/ of the build (fresh each time: nothing stale rides along)."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "ndbridge" / "dotnet"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for path in assembly_files(assemblies_directory()):
            shutil.copy2(path, target / path.name)


setup(version=pep440(nuget_version(assemblies_directory())), cmdclass={"build_py": BuildWithAssemblies})
