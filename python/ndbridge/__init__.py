"""ndbridge: load C# libraries into this Python process as modules whose functions share arrays without copying.

    import ndbridge
    eigenish, = ndbridge.load("bin/Release/net10.0/Eigenish.dll")
    m = eigenish.padded_matrix()        # a writable numpy.ndarray over .NET memory

``load`` starts .NET once per process (see ``ndbridge._dotnet`` for how it is found), starts NdBridge from the
first assembly's directory or else from the assemblies this package carries (``bootstrap_for``), binds it to this
interpreter (never a second libpython), loads the assembly into the one load context NdBridge lives in, and returns
its ``[PythonModule]`` classes as modules, also registered in ``sys.modules`` so ``import`` works afterwards.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

from . import _assembly, _dotnet
from ._errors import AssemblyLoadError, DotNetNotFoundError, FrameworkNotFoundError

__all__ = ["load", "describe", "diagnostics", "collect", "dotnet_location", "bootstrap_for", "PACKAGED_ASSEMBLIES",
           "AssemblyLoadError", "DotNetNotFoundError",
           "FrameworkNotFoundError", "BOOTSTRAP_ASSEMBLY"]

BOOTSTRAP_ASSEMBLY = "NdBridge.Python.dll"
_ENTRY_TYPE = "NdBridge.Python.HostEntry, NdBridge.Python"

_lock = threading.RLock()
_loaded: dict[str, tuple] = {}
_host = None


class _Host:
    """NdBridge.Python's entry points in the running .NET, bound to this interpreter."""

    def __init__(self, runtime, bootstrap: str):
        try:
            # NdBridge already runs in this process (another copy of this package loaded it): use that one. Loading
            # NdBridge.Python from another path would be refused (one assembly name, one load context).
            attach_address = runtime.function_pointer(_ENTRY_TYPE, "Attach")
        except ImportError:
            runtime.load_assembly(bootstrap)
            attach_address = runtime.function_pointer(_ENTRY_TYPE, "Attach")
        attach = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_char_p, ctypes.c_int)(attach_address)
        message = ctypes.create_string_buffer(4096)
        if attach(message, len(message)) != 0:
            raise AssemblyLoadError(f"NdBridge ({bootstrap}) could not bind to this interpreter: "
                                    f"{message.value.decode('utf-8', 'replace')}")
        # PYFUNCTYPE: called holding the GIL; a NULL result raises the exception the function set.
        self.load_modules = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_char_p)(
            runtime.function_pointer(_ENTRY_TYPE, "LoadModules"))
        self.describe = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_char_p)(runtime.function_pointer(_ENTRY_TYPE, "Describe"))
        self.diagnostics = ctypes.PYFUNCTYPE(ctypes.py_object)(runtime.function_pointer(_ENTRY_TYPE, "Diagnostics"))
        self.collect = ctypes.PYFUNCTYPE(ctypes.py_object)(runtime.function_pointer(_ENTRY_TYPE, "Collect"))
        self.bootstrap = bootstrap
        self.runtime = runtime


PACKAGED_ASSEMBLIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "dotnet")


def bootstrap_for(directory: str) -> str:
    """The NdBridge.Python.dll that starts NdBridge for an assembly in ``directory``.

    The one beside the assembly wins: it is the NdBridge the library was built with (a ProjectReference, or a build with
    EnableDynamicLoading, copies it there). Otherwise the one this package carries (``ndbridge/dotnet/``, which the
    wheel holds): a library built against the NdBridge.Python NuGet package without copying it needs nothing else.
    """
    beside = os.path.join(directory, BOOTSTRAP_ASSEMBLY)
    if os.path.isfile(beside):
        return beside
    packaged = os.path.join(PACKAGED_ASSEMBLIES, BOOTSTRAP_ASSEMBLY)
    if os.path.isfile(packaged):
        return packaged
    raise AssemblyLoadError(
        f"{BOOTSTRAP_ASSEMBLY} is not next to the assembly in {directory}, and this ndbridge package "
        f"({os.path.dirname(PACKAGED_ASSEMBLIES)}) carries none: install ndbridge from its wheel (make pack builds it), "
        "or reference NdBridge.Python from the library so that dotnet build copies it there.", path=beside)


def _get_host(directory: str) -> _Host:
    global _host
    if _host is None:
        _host = _Host(_dotnet.start(), bootstrap_for(directory))
    return _host


def load(path) -> tuple:
    """Loads the .NET assembly at ``path`` and returns its Python modules (one per ``[PythonModule]`` class).

    Each module is also put in ``sys.modules`` under its name. Loading the same file again returns the same modules.
    Raises DotNetNotFoundError / FrameworkNotFoundError when .NET cannot be started, AssemblyLoadError for a file
    that is not a .NET assembly, has no module, or names a module that another loaded library already has.
    """
    real = os.path.realpath(os.fspath(path))
    with _lock:
        if real in _loaded:
            return _loaded[real]
        _assembly.check(real)
        host = _get_host(os.path.dirname(real))
        taken = {}
        modules = host.load_modules(os.fsencode(real))
        for module in modules:
            name = module.__name__
            existing = sys.modules.get(name)
            if existing is not None and existing is not module:
                origin = getattr(existing, "__file__", None) or repr(existing)
                taken[name] = origin
        if taken:
            described = "; ".join(f"'{n}' (already loaded from {o})" for n, o in taken.items())
            raise AssemblyLoadError(f"{real} defines module names that are taken: {described}. Rename the "
                                    "[PythonModule] in one of them.", path=real)
        for module in modules:
            sys.modules[module.__name__] = module
        _loaded[real] = modules
        return modules


def describe(path) -> dict:
    """The binding model of the assembly at ``path`` (loaded first if it is not) as plain data: its modules, their
    functions, each parameter's Python annotation and default, and the docstrings. ``ndbridge.stubgen`` writes stubs
    from it; the schema is in NdBridge.Python's ``BindingDescriber``.
    """
    real = os.path.realpath(os.fspath(path))
    with _lock:
        load(real)
        return _started().describe(os.fsencode(real))


def diagnostics() -> dict:
    """NdBridge's live counters (owners, holders, pins, exports, Python references held by .NET), read in .NET."""
    return _started().diagnostics()


def collect() -> None:
    """Runs .NET's garbage collector and finalizers, then releases what they queued (for lifetime checks)."""
    _started().collect()


def _started() -> _Host:
    if _host is None:
        raise RuntimeError("ndbridge has loaded no assembly yet: call ndbridge.load(path) first")
    return _host


def dotnet_location() -> _dotnet.DotNetLocation:
    """Where .NET is (or would be) taken from, without starting it."""
    return _dotnet.locate()
