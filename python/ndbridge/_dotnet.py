"""Finding .NET and starting it in this process, as .NET's own hosts (apphost, dotnet) do.

Order: ``DOTNET_ROOT`` (``DOTNET_ROOT_X64`` first on x64), then ``dotnet`` on ``PATH`` with symlinks resolved, then
the usual install locations. hostfxr comes from ``<root>/host/fxr/<highest version>/``. The runtime is started once
per process (hostfxr refuses a second runtime and reports the first as already initialised, which is reused).
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ._errors import DotNetNotFoundError, FrameworkNotFoundError

FRAMEWORK = "Microsoft.NETCore.App"
REQUIRED_MAJOR = 10

if sys.platform == "darwin":
    _HOSTFXR = "libhostfxr.dylib"
    DEFAULT_LOCATIONS = ["/usr/local/share/dotnet", "/opt/homebrew/share/dotnet"]
elif sys.platform == "win32":
    _HOSTFXR = "hostfxr.dll"
    DEFAULT_LOCATIONS = [os.path.join(os.environ.get("ProgramFiles", r"C:\Program Files"), "dotnet")]
else:
    _HOSTFXR = "libhostfxr.so"
    DEFAULT_LOCATIONS = ["/usr/share/dotnet", "/usr/lib/dotnet", "/usr/local/share/dotnet", "/usr/lib64/dotnet",
                         "/opt/dotnet", "/snap/dotnet-sdk/current"]

# hostfxr.h: hostfxr_delegate_type
HDT_GET_FUNCTION_POINTER = 6
HDT_LOAD_ASSEMBLY = 7
# coreclr_delegates.h: UNMANAGEDCALLERSONLY_METHOD ((const char_t*)-1)
UNMANAGEDCALLERSONLY_METHOD = ctypes.c_void_p(-1)
# hostfxr's status codes (error_codes.h) that mean success
_SUCCESS = {0, 1, 2}  # Success, Success_HostAlreadyInitialized, Success_DifferentRuntimeProperties
_FRAMEWORK_MISSING = 0x80008096 - (1 << 32)

_char_t = ctypes.c_wchar_p if sys.platform == "win32" else ctypes.c_char_p


def _encode(text: str):
    return text if sys.platform == "win32" else os.fsencode(text)


def _version_key(name: str):
    parts = []
    for piece in name.split("-")[0].split("."):
        parts.append(int(piece) if piece.isdigit() else -1)
    return (parts, "-" not in name)  # a release sorts after its previews


@dataclass
class DotNetLocation:
    """A .NET installation: its root, the hostfxr chosen in it, and how it was found."""

    root: Path
    hostfxr: Path
    source: str
    attempts: list[str] = field(default_factory=list)

    def runtime_versions(self) -> list[str]:
        """The versions of Microsoft.NETCore.App installed under the root."""
        shared = self.root / "shared" / FRAMEWORK
        if not shared.is_dir():
            return []
        return sorted((p.name for p in shared.iterdir() if p.is_dir()), key=_version_key)


def _hostfxr_in(root: Path) -> tuple[Path | None, str]:
    fxr = root / "host" / "fxr"
    if not fxr.is_dir():
        return None, f"no {fxr} directory"
    versions = sorted((p for p in fxr.iterdir() if (p / _HOSTFXR).is_file()), key=lambda p: _version_key(p.name))
    if not versions:
        return None, f"{fxr} holds no */{_HOSTFXR}"
    return versions[-1] / _HOSTFXR, "found"


def locate(environ=None, default_locations=None) -> DotNetLocation:
    """Finds a .NET installation with hostfxr; raises DotNetNotFoundError listing every place tried."""
    environ = os.environ if environ is None else environ
    default_locations = DEFAULT_LOCATIONS if default_locations is None else default_locations
    attempts: list[str] = []
    candidates: list[tuple[str, str]] = []
    machine = platform.machine().lower()
    arch = {"x86_64": "X64", "amd64": "X64", "aarch64": "ARM64", "arm64": "ARM64"}.get(machine)
    for variable in ([f"DOTNET_ROOT_{arch}"] if arch else []) + ["DOTNET_ROOT"]:
        value = environ.get(variable)
        if value:
            candidates.append((value, variable))
        elif variable == "DOTNET_ROOT":
            attempts.append("DOTNET_ROOT: not set")
    executable = "dotnet.exe" if sys.platform == "win32" else "dotnet"
    on_path = shutil.which(executable, path=environ.get("PATH", ""))
    if on_path:
        candidates.append((str(Path(on_path).resolve().parent), f"{on_path} on PATH"))
    else:
        attempts.append(f"{executable} on PATH: not found")
    candidates.extend((location, "default location") for location in default_locations)
    for directory, source in candidates:
        root = Path(directory)
        hostfxr, why = _hostfxr_in(root)
        if hostfxr is not None:
            return DotNetLocation(root, hostfxr, source, attempts)
        attempts.append(f"{root} ({source}): {why}")
    raise DotNetNotFoundError(
        "No .NET installation was found (ndbridge needs the .NET runtime "
        f"{REQUIRED_MAJOR} or later: {FRAMEWORK}). Tried:\n"
        + "\n".join("  - " + a for a in attempts)
        + "\nInstall .NET (e.g. Debian's dotnet-runtime-10.0 or dotnet-sdk-10.0) or set DOTNET_ROOT to the "
          "directory that holds host/fxr and shared/Microsoft.NETCore.App.",
        attempts)


class _Runtime:
    """hostfxr's two delegates, once the runtime runs in this process."""

    def __init__(self, location: DotNetLocation, load_assembly, get_function_pointer):
        self.location = location
        self._load_assembly = load_assembly
        self._get_function_pointer = get_function_pointer

    def load_assembly(self, path: str) -> None:
        """Loads an assembly into the default load context (hdt_load_assembly; once per path)."""
        status = self._load_assembly(_encode(path), None, None)
        if status != 0:
            raise ImportError(f"the .NET runtime refused to load {path} (hostfxr status 0x{status & 0xFFFFFFFF:08x})")

    def function_pointer(self, type_name: str, method_name: str) -> int:
        """The address of an [UnmanagedCallersOnly] method of a type in the default context."""
        address = ctypes.c_void_p()
        status = self._get_function_pointer(_encode(type_name), _encode(method_name), UNMANAGEDCALLERSONLY_METHOD,
                                            None, None, ctypes.byref(address))
        if status != 0 or not address.value:
            raise ImportError(f"{type_name}.{method_name} was not found in the .NET runtime "
                              f"(hostfxr status 0x{status & 0xFFFFFFFF:08x})")
        return address.value


_lock = threading.Lock()
_runtime: _Runtime | None = None

_ERROR_WRITER = ctypes.CFUNCTYPE(None, _char_t)


def default_runtime_config() -> Path:
    return Path(__file__).with_name("ndbridge.runtimeconfig.json")


def start(runtime_config: Path | None = None, location: DotNetLocation | None = None) -> _Runtime:
    """Starts .NET in this process (or reuses the runtime that runs) and returns its delegates."""
    global _runtime
    with _lock:
        if _runtime is not None:
            return _runtime
        location = location or locate()
        config = runtime_config or default_runtime_config()
        try:
            hostfxr = ctypes.CDLL(str(location.hostfxr))
        except OSError as error:
            raise DotNetNotFoundError(f"{location.hostfxr} (from {location.source}) cannot be loaded: {error}. "
                                      "Set DOTNET_ROOT to another .NET installation.", location.attempts) from error
        handle = ctypes.c_void_p()
        messages: list[str] = []

        def on_error(message):
            messages.append(message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message))

        writer = _ERROR_WRITER(on_error)
        set_writer = hostfxr.hostfxr_set_error_writer
        set_writer.restype = ctypes.c_void_p
        set_writer.argtypes = [ctypes.c_void_p]
        previous = set_writer(ctypes.cast(writer, ctypes.c_void_p))
        try:
            initialize = hostfxr.hostfxr_initialize_for_runtime_config
            initialize.restype = ctypes.c_int32
            initialize.argtypes = [_char_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
            status = initialize(_encode(str(config)), None, ctypes.byref(handle))
        finally:
            set_writer(previous)
        if status not in _SUCCESS:
            if handle.value:
                hostfxr.hostfxr_close(handle)
            found = location.runtime_versions()
            detail = "\n".join(m.strip() for m in messages if m.strip())
            if status == _FRAMEWORK_MISSING:
                raise FrameworkNotFoundError(
                    f"{FRAMEWORK} {REQUIRED_MAJOR}.0 or later is not installed in {location.root} "
                    f"(found by {location.source}); versions found there: {', '.join(found) or 'none'}. "
                    f"Install the .NET {REQUIRED_MAJOR} runtime there, or set DOTNET_ROOT to an installation that "
                    f"has it.\nhostfxr said: {detail}", found)
            raise ImportError(f"hostfxr could not start .NET from {location.root} with {config} "
                              f"(status 0x{status & 0xFFFFFFFF:08x}).\nhostfxr said: {detail}")
        try:
            get_delegate = hostfxr.hostfxr_get_runtime_delegate
            get_delegate.restype = ctypes.c_int32
            get_delegate.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p)]
            load_pointer, function_pointer = ctypes.c_void_p(), ctypes.c_void_p()
            for kind, target in ((HDT_LOAD_ASSEMBLY, load_pointer), (HDT_GET_FUNCTION_POINTER, function_pointer)):
                status = get_delegate(handle, kind, ctypes.byref(target))
                if status != 0 or not target.value:
                    raise ImportError(f"hostfxr in {location.root} did not give delegate {kind} "
                                      f"(status 0x{status & 0xFFFFFFFF:08x}); ndbridge needs .NET {REQUIRED_MAJOR}+")
        finally:
            hostfxr.hostfxr_close.argtypes = [ctypes.c_void_p]
            hostfxr.hostfxr_close(handle)
        # coreclr_delegates.h: load_assembly_fn and get_function_pointer_fn (both addresses checked non-NULL above)
        load_assembly = ctypes.CFUNCTYPE(ctypes.c_int32, _char_t, ctypes.c_void_p, ctypes.c_void_p)(
            load_pointer.value or 0)
        get_function_pointer = ctypes.CFUNCTYPE(
            ctypes.c_int32, _char_t, _char_t, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_void_p))(function_pointer.value or 0)
        _runtime = _Runtime(location, load_assembly, get_function_pointer)
        return _runtime
