using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using NdBridge.Python;

namespace NdBridge.Python.Hosted;

/// <summary>The functions tests/python calls: one per conversion, exception and GIL case of issue 12.</summary>
[PythonModule("ndtest")]
public static unsafe class HostedFunctions
{
    public static void Nothing()
    {
    }

    /// <summary>
    /// Adds <paramref name="a"/> and <paramref name="b"/>; see <see cref="Keywords"/> for one with three, and
    /// <see cref="Math.Sqrt(double)"/> for no reason.
    /// </summary>
    /// <param name="a">The first   number,
    /// on two lines.</param>
    /// <param name="b">The second, <c>1.5</c> when left out.</param>
    /// <returns>The sum <c>a + b</c>.</returns>
    /// <remarks>
    /// <para>A first paragraph.</para>
    /// <para>A second one, <see langword="true"/> to <see langword="null"/>.</para>
    /// </remarks>
    public static double Add(double a, double b = 1.5) => a + b;

    public static long AddInts(int a, long b) => a + b;

    public static ulong Unsigned(ulong value) => value;

    public static byte SmallByte(byte value) => value;

    public static bool Negate(bool value) => !value;

    public static float Halve(float value) => value / 2;

    public static string Greet(string name, string greeting = "Hello") => $"{greeting}, {name}!";

    public static double Keywords(double first, double second = 2, double third = 3) => first * 100 + second * 10 + third;

    [PythonFunction("renamed")]
    public static int OriginalName() => 7;

    /// <summary>An acronym in the .NET name: <see cref="GetHTTPStatus"/> is <c>get_http_status</c> in Python.</summary>
    public static int GetHTTPStatus() => 200;

    public static PythonObject Identity(PythonObject value) => value;

    public static PythonObject CallBack(PythonObject callable, double x) => callable.Call(x);

    public static List<int> Range(int count) => [.. Enumerable.Range(0, count)];

    public static Dictionary<string, int> Counts() => new() { ["a"] = 1, ["b"] = 2 };

    // Arrays in
    public static nint Address(NdBuffer values) => (nint)values.DangerousGetPointer();

    public static double Sum(NdBuffer values)
    {
        var total = 0.0;
        foreach (var run in values.EnumerateReadOnlyRuns<double>())
            total += TensorPrimitives.Sum(run);
        return total;
    }

    /// <summary>Scales <paramref name="values"/> in place.</summary>
    /// <param name="values">A writable array of doubles, any layout.</param>
    /// <param name="factor">What every element is multiplied by.</param>
    public static void Scale([Writable] NdBuffer values, double factor)
    {
        foreach (var run in values.EnumerateRuns<double>())
            TensorPrimitives.Multiply(run, factor, run);
    }

    public static void WriteWithoutWritable(NdBuffer values) => values.AsStridedSpan<double>().Fill(0);

    public static bool IsReadOnly(NdBuffer values) => values.IsReadOnly;

    public static string Describe(NdBuffer? values = null) => values is null ? "none" : $"{values.Format} {StridedLayoutText(values)}";

    public static double SumMemory(ReadOnlyMemory<double> values) => TensorPrimitives.Sum(values.Span);

    public static nint MemoryAddress(ReadOnlyMemory<double> values)
    {
        unsafe
        {
            using var pin = values.Pin();
            return (nint)pin.Pointer;
        }
    }

    public static void FillMemory(Memory<double> values, double value) => values.Span.Fill(value);

    public static double SumCopy(double[] values)
    {
        var total = values.Sum();
        values[0] = -1; // a copy: Python must not see this
        return total;
    }

    public static double SumGrid(double[,] grid)
    {
        var total = 0.0;
        for (var i = 0; i < grid.GetLength(0); i++)
        {
            for (var j = 0; j < grid.GetLength(1); j++)
                total += grid[i, j] * (i + 1);
        }
        return total;
    }

    public static long CubeCorner(long[,,] cube) => cube[cube.GetLength(0) - 1, cube.GetLength(1) - 1, cube.GetLength(2) - 1];

    // Arrays out
    public static double[] Doubled(double[] values) => [.. values.Select(v => v * 2)];

    public static int[,] Grid(int rows, int columns)
    {
        var grid = new int[rows, columns];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns; j++)
                grid[i, j] = i * columns + j;
        }
        return grid;
    }

    public static long[,,] Cube(int n)
    {
        var cube = new long[n, n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var k = 0; k < n; k++)
                    cube[i, j, k] = i * 100 + j * 10 + k;
            }
        }
        return cube;
    }

    public static Memory<float> Floats(int count) => Enumerable.Range(0, count).Select(i => (float)i).ToArray().AsMemory(1);

    public static ReadOnlyMemory<int> ReadOnlyInts(int count) => Enumerable.Range(0, count).ToArray();

    public static NdBuffer Fresh(int count)
    {
        var buffer = NdBuffer.Allocate<double>([count]);
        var span = buffer.AsStridedSpan<double>();
        for (var i = 0; i < count; i++)
            span[i] = i;
        return buffer;
    }

    public static double[] Empty() => [];

    public static double[] NewArray(int count) => new double[count];

    public static double[]? NoArray() => null;

    /// <summary>Three results in a tuple.</summary>
    /// <param name="values">An array of doubles.</param>
    /// <returns>The sum, the element count, and a label.</returns>
    public static (double Sum, long Count, string Label) Stats(NdBuffer values) => (Sum(values), values.ElementCount, "stats");

    public static (NdBuffer Values, int Count) WithArray(int count) => (Fresh(count), count);

    // The seed: a padded column-major 3x2 matrix that lives in .NET and is handed out again and again.
    private static readonly NdBuffer s_matrix = CreateMatrix();

    private static NdBuffer CreateMatrix()
    {
        var matrix = NdBuffer.Allocate<double>([3, 2], MemoryOrder.F, leadingDimension: 4);
        var span = matrix.AsStridedSpan<double>();
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 2; j++)
                span[i, j] = 10 * i + j;
        }
        return matrix;
    }

    public static NdBuffer PaddedMatrix() => s_matrix;

    public static nint PaddedMatrixAddress() => (nint)s_matrix.DangerousGetPointer();

    public static double PaddedMatrixElement(int row, int column) => s_matrix.AsReadOnlyStridedSpan<double>()[row, column];

    // Exceptions
    public static void Throw(string kind) => throw (kind switch
    {
        "argument" => new ArgumentException("the kind is wrong", nameof(kind)),
        "argument_null" => new ArgumentNullException(nameof(kind)),
        "index" => new IndexOutOfRangeException("index 7 is outside 0..3"),
        "key" => new KeyNotFoundException("no key 'x'"),
        "cast" => new InvalidCastException("a string is not a number"),
        "not_supported" => new NotSupportedException("not supported here"),
        "memory" => new OutOfMemoryException("no memory left"),
        _ => (Exception)new InvalidOperationException($"failed: {kind}"),
    });

    public static void CallAndLetThrough(PythonObject callable) => callable.Call();

    public static string CallAndCatch(PythonObject callable)
    {
        try
        {
            callable.Call();
            return "nothing raised";
        }
        catch (PythonException exception)
        {
            return exception.PythonTypeName + ": " + exception.PythonMessage;
        }
    }

    // The GIL
    [ReleaseGil]
    public static int SleepWithoutGil(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    public static int SleepWithGil(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return milliseconds;
    }

    [ReleaseGil]
    public static double SumAfterSleepWithoutGil(NdBuffer values, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return Sum(values);
    }

    [ReleaseGil]
    public static void ThrowWithoutGil() => throw new InvalidOperationException("failed without the GIL");

    [ReleaseGil]
    public static long EvalWithGilTakenBack(string expression)
    {
        using var gil = PythonGil.Acquire();
        return PythonRuntime.Current.Eval<long>(expression);
    }

    // One NdBridge per process
    public static long LiveExports() => MemoryDiagnostics.LiveExportCount;

    public static long LiveOwners() => MemoryDiagnostics.LiveOwnerCount;

    public static string NdbridgeIdentity() =>
        $"{typeof(NdBuffer).Assembly.Location}|{AssemblyLoadContext.GetLoadContext(typeof(NdBuffer).Assembly)?.Name}|{RuntimeHelpers.GetHashCode(typeof(NdBuffer))}|{RuntimeHelpers.GetHashCode(typeof(PythonObject))}";

    public static string PythonLibrary() => PythonRuntime.Current.Installation.LibraryPath;

    private static string StridedLayoutText(NdBuffer values) =>
        $"shape ({string.Join(", ", values.Shape.ToArray())}) readonly {values.IsReadOnly}";
}

/// <summary>A second module in the same assembly.</summary>
[PythonModule("ndtest.extra")]
public static class ExtraFunctions
{
    public static string Where() => "extra";
}
