using System.Numerics.Tensors;
using NdBridge.Python;

namespace NdBridge.Python.Hosted;

/// <summary>A matrix in native memory (seed 000) whose storage Python views without a copy.</summary>
[PythonClass(Module = "ndtest")]
public sealed class Matrix : IPythonBufferSource, IDisposable
{
    private NdBuffer _storage;

    public Matrix(int rows, int columns)
    {
        if (rows < 0 || columns < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), "rows and columns must be >= 0");
        _storage = NdBuffer.Allocate<double>([rows, columns]);
        Fill(0);
    }

    public Matrix(int size)
        : this(size, size)
    {
    }

    public Matrix(NdBuffer values)
        : this((int)values.Shape[0], values.Rank > 1 ? (int)values.Shape[1] : 1) => values.CopyTo(_storage);

    public NdBuffer Buffer => _storage;

    public BufferExportGuard Exports { get; } = new();

    public int Rows => (int)_storage.Shape[0];

    public int Columns => (int)_storage.Shape[1];

    /// <summary>A free-form name for the matrix.</summary>
    /// <value>Empty until set.</value>
    public string Label { get; set; } = "";

    public double Scale { get; set; } = 1.0;

    public bool IsDisposed => _storage.IsDisposed;

    public double this[int row, int column]
    {
        get => _storage.AsStridedSpan<double>()[Check(row, Rows), Check(column, Columns)];
        set => _storage.AsStridedSpan<double>()[Check(row, Rows), Check(column, Columns)] = value;
    }

    /// <summary>Sets every element to <paramref name="value"/>; <see cref="Sum"/> then reads it.</summary>
    /// <param name="value">The value every element gets.</param>
    public void Fill(double value)
    {
        foreach (var run in _storage.EnumerateRuns<double>())
            run.Fill(value);
    }

    public double Sum()
    {
        var total = 0.0;
        foreach (var run in _storage.EnumerateReadOnlyRuns<double>())
            total += TensorPrimitives.Sum(run);
        return total * Scale;
    }

    public double Get(int row, int column) => this[row, column];

    public double Add(double a, double b = 1.0) => a + b;

    public double Add(NdBuffer values) => Sum() + values.ElementCount;

    /// <summary>Replaces the storage (keeping what fits); refused while Python views it.</summary>
    public void Resize(int rows, int columns)
    {
        Exports.ThrowIfExported();
        var next = NdBuffer.Allocate<double>([rows, columns]);
        foreach (var run in next.EnumerateRuns<double>())
            run.Clear();
        var span = next.AsStridedSpan<double>();
        var old = _storage.AsStridedSpan<double>();
        for (var r = 0; r < Math.Min(rows, Rows); r++)
        {
            for (var c = 0; c < Math.Min(columns, Columns); c++)
                span[r, c] = old[r, c];
        }
        _storage.Dispose();
        _storage = next;
    }

    public Matrix Transposed()
    {
        var result = new Matrix(Columns, Rows);
        for (var r = 0; r < Rows; r++)
        {
            for (var c = 0; c < Columns; c++)
                result[c, r] = this[r, c];
        }
        return result;
    }

    public Matrix Self() => this;

    public double Apply(Func<NdBuffer, double> reduce) => reduce(_storage);

    public static Matrix Identity(int size)
    {
        var m = new Matrix(size);
        for (var i = 0; i < size; i++)
            m[i, i] = 1;
        return m;
    }

    public void Dispose() => _storage.Dispose();

    public override string ToString() => $"Matrix({Rows}x{Columns}, sum={Sum()})";

    private static int Check(int index, int length) =>
        (uint)index < (uint)length ? index : throw new IndexOutOfRangeException($"index {index} is out of range for length {length}");
}

/// <summary>Memory Python may read but never write.</summary>
[PythonClass(Module = "ndtest")]
public sealed class ReadOnlyVector : IPythonBufferSource
{
    private readonly double[] _values;

    public ReadOnlyVector(int length)
    {
        _values = [.. Enumerable.Range(0, length).Select(i => (double)i)];
        Buffer = NdBuffer.FromArray(_values, readOnly: true);
    }

    public NdBuffer Buffer { get; }

    public BufferExportGuard Exports { get; } = new();

    public double Total() => _values.Sum();
}

/// <summary>A PIL-style indirect image: rows reached through a pointer table (suboffsets).</summary>
[PythonClass(Module = "ndtest")]
public sealed unsafe class IndirectImage : IPythonBufferSource, IDisposable
{
    private readonly byte* _pixels;
    private readonly byte** _rows;

    public IndirectImage(int rows, int columns)
    {
        _pixels = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(rows * columns));
        _rows = (byte**)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)(rows * sizeof(byte*)));
        for (var r = 0; r < rows; r++)
            _rows[r] = _pixels + r * columns;
        var layout = new StridedLayout([rows, columns], [sizeof(byte*), 1], [0, -1], 1);
        Buffer = NdBuffer.DangerousFromPointer(_rows, BufferFormat.Parse("B"), layout);
    }

    public NdBuffer Buffer { get; }

    public BufferExportGuard Exports { get; } = new();

    /// <summary>The same buffer as a result: ToNumPy's refusal.</summary>
    public NdBuffer Pixels() => Buffer;

    public void Dispose()
    {
    }
}

/// <summary>A value with equality by value: == and hash() in Python.</summary>
[PythonClass(Module = "ndtest", Name = "Point")]
public sealed class PointValue(double x, double y) : IEquatable<PointValue>
{
    public double X { get; } = x;

    public double Y { get; } = y;

    public bool Equals(PointValue? other) => other is not null && X == other.X && Y == other.Y;

    public override bool Equals(object? obj) => Equals(obj as PointValue);

    public override int GetHashCode() => HashCode.Combine(X, Y);

    public override string ToString() => $"Point({X}, {Y})";

    public PointValue Offset(double dx, double dy = 0) => new(X + dx, Y + dy);

    /// <summary>An instance method that does nothing (the call-overhead benchmark).</summary>
    public void Nothing()
    {
    }
}

/// <summary>A class without equality, repr or public constructor: made only by .NET.</summary>
[PythonClass(Module = "ndtest")]
public sealed class Token
{
    private Token(int id) => Id = id;

    public int Id { get; }

    public static Token Make(int id) => new(id);
}

/// <summary>Keeps delegates Python passed and calls them later.</summary>
[PythonClass(Module = "ndtest")]
public sealed class CallbackHolder
{
    private Func<double, double>? _stored;

    public void Store(Func<double, double> function) => _stored = function;

    public double CallStored(double x) => _stored is null ? throw new InvalidOperationException("nothing stored") : _stored(x);

    public void Clear() => _stored = null;

    public static double Integrate(Func<double, double> f, double a, double b, int steps)
    {
        var h = (b - a) / steps;
        var total = 0.0;
        for (var i = 0; i < steps; i++)
            total += f(a + (i + 0.5) * h) * h;
        return total;
    }

    public static double Reduce(NdBuffer values, Func<NdBuffer, double> reduce) => reduce(values);

    public static void Each(NdBuffer values, Action<double> visit)
    {
        foreach (var run in values.EnumerateReadOnlyRuns<double>())
        {
            foreach (var v in run)
                visit(v);
        }
    }

    public static string Describe(Func<Matrix, string> describe, Matrix m) => describe(m);

    public static double CatchPython(Func<double, double> f, double x)
    {
        try
        {
            return f(x);
        }
        catch (PythonException error) when (error.PythonTypeName.EndsWith("ZeroDivisionError", StringComparison.Ordinal))
        {
            return -1;
        }
    }

    [ReleaseGil]
    public static double CallWithoutGil(Func<double, double> f, double x) => f(x);

    [ReleaseGil]
    public static double CallOnThread(Func<double, double> f, double x)
    {
        var result = 0.0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = f(x);
            }
            catch (Exception error)
            {
                failure = error;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw failure;
    }
}
