using NdBridge;
using NdBridge.Python;

namespace Eigenish;

/// <summary>
/// A native-style matrix library seen from Python: a 3x2 column-major matrix whose columns start 4 doubles apart
/// (leading dimension 4, the Eigen/BLAS padding), handed to Python as a writable NumPy view of the same memory.
/// </summary>
[PythonModule("eigenish")]
public static class Matrices
{
    private static readonly NdBuffer s_matrix = CreateMatrix();

    private static NdBuffer CreateMatrix()
    {
        var matrix = NdBuffer.Allocate<double>([3, 2], MemoryOrder.F, leadingDimension: 4);
        var span = matrix.AsStridedSpan<double>();
        for (var row = 0; row < 3; row++)
        {
            for (var column = 0; column < 2; column++)
                span[row, column] = row + 10 * column;
        }
        return matrix;
    }

    /// <summary>The library's matrix: every call returns a view of the same .NET memory.</summary>
    public static NdBuffer Matrix() => s_matrix;

    /// <summary>The address of element [0, 0], as .NET sees it.</summary>
    public static unsafe nint MatrixAddress() => (nint)s_matrix.DangerousGetPointer();

    /// <summary>One element, read by C#.</summary>
    public static double Element(int row, int column) => s_matrix.AsReadOnlyStridedSpan<double>()[row, column];

    /// <summary>The column sums, computed in C# from the (possibly Python-modified) matrix.</summary>
    public static double[] ColumnSums()
    {
        var span = s_matrix.AsReadOnlyStridedSpan<double>();
        var sums = new double[2];
        for (var column = 0; column < 2; column++)
        {
            for (var row = 0; row < 3; row++)
                sums[column] += span[row, column];
        }
        return sums;
    }

    /// <summary>Scales a NumPy array in place (any layout): Python sees the change.</summary>
    public static void Scale([Writable] NdBuffer values, double factor)
    {
        foreach (var run in values.EnumerateRuns<double>())
        {
            foreach (ref var value in run)
                value *= factor;
        }
    }

    /// <summary>The address C# sees for an array Python passed.</summary>
    public static unsafe nint AddressOf(NdBuffer values) => (nint)values.DangerousGetPointer();
}
