"""Recognising a .NET assembly before handing it to the runtime: a PE file whose CLI header is present."""

from __future__ import annotations

import struct

from ._errors import AssemblyLoadError

_CLI_HEADER_DIRECTORY = 14  # ECMA-335 II.25.2.3.3: the 15th data directory


def check(path: str) -> None:
    """Raises AssemblyLoadError naming the file and what it is instead, unless it is a .NET assembly."""
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
    except FileNotFoundError:
        raise AssemblyLoadError(f"{path}: no such file (pass the path of a .NET assembly, e.g. bin/Release/net10.0/Lib.dll)",
                                path=path) from None
    except IsADirectoryError:
        raise AssemblyLoadError(f"{path} is a directory; pass the path of a .NET assembly (a .dll) inside it", path=path) from None

    def refuse(what: str):
        raise AssemblyLoadError(f"{path} is not a .NET assembly: {what}. Pass the .dll that `dotnet build` wrote "
                                "for a class library referencing NdBridge.Python.", path=path)

    if len(data) < 0x40 or data[:2] != b"MZ":
        refuse("it does not start with a PE/COFF 'MZ' header")
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    if pe + 24 > len(data) or data[pe:pe + 4] != b"PE\0\0":
        refuse("it has no PE signature")
    optional = pe + 24
    magic = struct.unpack_from("<H", data, optional)[0]
    directories = optional + (96 if magic == 0x10B else 112 if magic == 0x20B else refuse("unknown optional header"))
    count = struct.unpack_from("<I", data, directories - 4)[0]
    entry = directories + 8 * _CLI_HEADER_DIRECTORY
    if count <= _CLI_HEADER_DIRECTORY or entry + 8 > len(data) or struct.unpack_from("<II", data, entry) == (0, 0):
        refuse("it is a native PE file without a CLI header")
