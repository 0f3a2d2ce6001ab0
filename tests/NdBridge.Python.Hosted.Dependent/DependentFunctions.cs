using System.Runtime.CompilerServices;
using NdBridge.Python.Hosted.Second;

namespace NdBridge.Python.Hosted.Dependent;

/// <summary>Functions that run code of another library this one references (its own dependency, resolved beside it).</summary>
[PythonModule("ndtest_dependent")]
public static class DependentFunctions
{
    [MethodImpl(MethodImplOptions.NoInlining)] // the dependency is resolved when this runs, not when the module binds
    public static double SumOfOnes(int count)
    {
        using var ones = SecondFunctions.Ones(count);
        return ones.AsReadOnlyStridedSpan<double>().ToArray().Sum();
    }

    public static string DependencyLocation() => typeof(SecondFunctions).Assembly.Location;
}
