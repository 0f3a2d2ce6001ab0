using NdBridge.Python;

namespace NdBridge.Python.Hosted.Invalid;

/// <summary>Declares the module "dup"; so does <see cref="DuplicateModuleB"/>: loading this assembly must fail.</summary>
[PythonModule("dup")]
public static class DuplicateModuleA
{
    public static int One() => 1;
}

[PythonModule("dup")]
public static class DuplicateModuleB
{
    public static int Two() => 2;
}
