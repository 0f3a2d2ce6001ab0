"""The errors ndbridge raises before .NET code runs."""


class DotNetNotFoundError(RuntimeError):
    """No .NET installation with hostfxr was found; ``attempts`` lists every place tried."""

    def __init__(self, message: str, attempts):
        super().__init__(message)
        self.attempts = list(attempts)


class FrameworkNotFoundError(RuntimeError):
    """.NET was found but not the Microsoft.NETCore.App version ndbridge needs; ``versions_found`` lists what is there."""

    def __init__(self, message: str, versions_found):
        super().__init__(message)
        self.versions_found = list(versions_found)


class AssemblyLoadError(ImportError):
    """A file that cannot be loaded as a .NET assembly, or an assembly whose modules cannot be made."""
