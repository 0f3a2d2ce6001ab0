"""Finding .NET as .NET's hosts do, and the errors when it cannot (issue 12 §1)."""

import json
import os
from pathlib import Path

import pytest

from ndbridge import _dotnet, DotNetNotFoundError, FrameworkNotFoundError
from conftest import run_child


def fake_dotnet(root: Path, fxr_versions=("8.0.1",), runtimes=("8.0.1",)):
    for v in fxr_versions:
        (root / "host" / "fxr" / v).mkdir(parents=True)
        (root / "host" / "fxr" / v / _dotnet._HOSTFXR).write_bytes(b"")
    for v in runtimes:
        (root / "shared" / _dotnet.FRAMEWORK / v).mkdir(parents=True)
    return root


def test_dotnet_root_comes_first(tmp_path):
    root = fake_dotnet(tmp_path / "mine")
    location = _dotnet.locate({"DOTNET_ROOT": str(root), "PATH": ""}, default_locations=[])
    assert location.root == root and location.source == "DOTNET_ROOT"


def test_highest_hostfxr_version_is_chosen(tmp_path):
    root = fake_dotnet(tmp_path / "d", fxr_versions=("8.0.1", "10.0.2", "9.0.0", "10.0.0-preview.1", "10.0.12"))
    (root / "host" / "fxr" / "11.0.0").mkdir()  # a directory without the library is skipped
    location = _dotnet.locate({"DOTNET_ROOT": str(root), "PATH": ""}, default_locations=[])
    assert location.hostfxr == root / "host" / "fxr" / "10.0.12" / _dotnet._HOSTFXR


def test_dotnet_on_path_with_symlinks_resolved(tmp_path):
    root = fake_dotnet(tmp_path / "install")
    (root / "dotnet").write_text("#!/bin/sh\n")
    (root / "dotnet").chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "dotnet").symlink_to(root / "dotnet")
    location = _dotnet.locate({"PATH": str(bin_dir)}, default_locations=[])
    assert location.root == root and "on PATH" in location.source


def test_default_locations_last(tmp_path):
    root = fake_dotnet(tmp_path / "usr-share-dotnet")
    location = _dotnet.locate({"PATH": ""}, default_locations=[str(tmp_path / "absent"), str(root)])
    assert location.root == root and location.source == "default location"
    assert any("absent" in a for a in location.attempts)


def test_invalid_dotnet_root_falls_through_and_is_reported(tmp_path):
    root = fake_dotnet(tmp_path / "good")
    location = _dotnet.locate({"DOTNET_ROOT": str(tmp_path / "empty"), "PATH": ""}, default_locations=[str(root)])
    assert location.root == root
    assert any(str(tmp_path / "empty") in a and "no " in a for a in location.attempts)


def test_no_dotnet_names_every_place_and_the_fix(tmp_path):
    with pytest.raises(DotNetNotFoundError) as caught:
        _dotnet.locate({"DOTNET_ROOT": str(tmp_path / "nothing"), "PATH": str(tmp_path)},
                       default_locations=[str(tmp_path / "usr-share-dotnet")])
    message = str(caught.value)
    assert "No .NET installation was found" in message
    assert str(tmp_path / "nothing") in message and str(tmp_path / "usr-share-dotnet") in message
    assert "dotnet on PATH: not found" in message
    assert "set DOTNET_ROOT" in message
    assert len(caught.value.attempts) == 3


def test_framework_missing_lists_versions_found(tmp_path):
    config = tmp_path / "future.runtimeconfig.json"
    config.write_text(json.dumps({"runtimeOptions": {"tfm": "net99.0", "rollForward": "Disable",
                                                     "framework": {"name": "Microsoft.NETCore.App", "version": "99.0.0"}}}))
    real = _dotnet.locate()
    result = run_child(f"""
from pathlib import Path
from ndbridge import _dotnet, FrameworkNotFoundError
try:
    _dotnet.start(runtime_config=Path({str(config)!r}))
except FrameworkNotFoundError as e:
    print("refused:", e)
    print("found:", e.versions_found)
""")
    assert result.returncode == 0, result.stderr
    assert "refused: Microsoft.NETCore.App 10.0 or later is not installed in" in result.stdout
    for version in real.runtime_versions():
        assert version in result.stdout
    assert "set DOTNET_ROOT" in result.stdout and "hostfxr said:" in result.stdout


def test_no_dotnet_when_loading(tmp_path, hosted_dll):
    result = run_child(f"""
import ndbridge
from ndbridge import _dotnet
_dotnet.DEFAULT_LOCATIONS[:] = []
try:
    ndbridge.load({str(hosted_dll)!r})
except ndbridge.DotNetNotFoundError as e:
    print("refused:", e)
""", env={**os.environ, "DOTNET_ROOT": str(tmp_path), "PATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "refused: No .NET installation was found" in result.stdout
