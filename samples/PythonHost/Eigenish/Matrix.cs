using System.Numerics.Tensors;
using NdBridge;
using NdBridge.Python;

namespace Eigenish;

/// <summary>
/// A C# matrix type in Python (seed 000's matrix type): <c>eigenish.Matrix(rows, columns)</c>, whose native storage
/// <c>np.asarray(m)</c> and <c>memoryview(m)</c> view without a copy, so Python can fill it in place and C# reads it.
/// </summary>
/// <remarks>
/// Stored as Eigen and BLAS store a matrix: column-major, each column starting a multiple of 4 doubles (32 bytes) after
/// the previous one (the leading dimension), so a 3 × 2 matrix has strides (8, 32) in NumPy.
/// </remarks>
[PythonClass]
public sealed class Matrix : IPythonBufferSource, IDisposable
{
    private NdBuffer _storage;

    /// <summary>A rows × columns matrix of zeros (column-major, leading dimension rows rounded up to 4, 64-byte aligned native memory).</summary>
    /// <param name="rows">The number of rows.</param>
    /// <param name="columns">The number of columns.</param>
    public Matrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        _storage = NdBuffer.Allocate<double>([rows, columns], MemoryOrder.F, leadingDimension: Math.Max(4, (rows + 3) / 4 * 4));
        Fill(0);
    }

    /// <inheritdoc/>
    public NdBuffer Buffer => _storage;

    /// <inheritdoc/>
    public BufferExportGuard Exports { get; } = new();

    /// <summary>The number of rows.</summary>
    public int Rows => (int)_storage.Shape[0];

    /// <summary>The number of columns.</summary>
    public int Columns => (int)_storage.Shape[1];

    /// <summary>One element (<c>m[row, column]</c> in Python).</summary>
    /// <param name="row">The row.</param>
    /// <param name="column">The column.</param>
    public double this[int row, int column]
    {
        get => _storage.AsReadOnlyStridedSpan<double>()[CheckIndex(row, Rows), CheckIndex(column, Columns)];
        set => _storage.AsStridedSpan<double>()[CheckIndex(row, Rows), CheckIndex(column, Columns)] = value;
    }

    /// <summary>The address of element [0, 0], as .NET sees it.</summary>
    public unsafe nint Address => (nint)_storage.DangerousGetPointer();

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    public void Fill(double value)
    {
        foreach (var run in _storage.EnumerateRuns<double>())
            run.Fill(value);
    }

    /// <summary>The sum of the elements, computed in C#.</summary>
    public double Sum()
    {
        var total = 0.0;
        foreach (var run in _storage.EnumerateReadOnlyRuns<double>())
            total += TensorPrimitives.Sum(run);
        return total;
    }

    /// <summary>The column sums, computed in C# from the (possibly Python-modified) matrix.</summary>
    public double[] ColumnSums()
    {
        var span = _storage.AsReadOnlyStridedSpan<double>();
        var sums = new double[Columns];
        for (var column = 0; column < sums.Length; column++)
        {
            for (var row = 0; row < Rows; row++)
                sums[column] += span[row, column];
        }
        return sums;
    }

    /// <summary>New storage of rows × columns (what fits is kept); refused with BufferError while Python views the matrix.</summary>
    /// <param name="rows">The new number of rows.</param>
    /// <param name="columns">The new number of columns.</param>
    public void Resize(int rows, int columns)
    {
        Exports.ThrowIfExported();
        var next = new Matrix(rows, columns);
        for (var r = 0; r < Math.Min(rows, Rows); r++)
        {
            for (var c = 0; c < Math.Min(columns, Columns); c++)
                next[r, c] = this[r, c];
        }
        _storage.Dispose();
        _storage = next._storage;
    }

    /// <summary>Frees the storage (views Python still holds keep it until they go).</summary>
    public void Dispose() => _storage.Dispose();

    /// <inheritdoc/>
    public override string ToString() => $"Matrix({Rows}x{Columns})";

    private static int CheckIndex(int index, int length) =>
        (uint)index < (uint)length ? index : throw new IndexOutOfRangeException($"index {index} is outside 0..{length - 1}");
}
