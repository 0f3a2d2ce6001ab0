// The problem NdBridge was made for: a column-major matrix in a native program, each column padded so it starts
// on a 32-byte boundary, handed to NumPy without copying; Python changes it in place and .NET sees the change.
// `make demo` runs it. It checks everything it prints and exits with 1 on any mismatch.
//
//   memory (doubles), column stride 32 bytes:
//   [ a00 a10 a20 pad ][ a01 a11 a21 pad ]
//   ^ 32-byte aligned  ^ 32-byte aligned
using System.Globalization;
using NdBridge;
using NdBridge.Python;

const int Rows = 3, Columns = 2, Alignment = 32;
var failures = new List<string>();
void Check(bool ok, string what)
{
    if (!ok)
        failures.Add(what);
}

var python = PythonRuntime.Initialize(); // NDBRIDGE_PYTHON, else python3 on PATH
using var matrix = NdBuffer.Allocate<double>([Rows, Columns], MemoryOrder.F, leadingDimension: Alignment / sizeof(double), byteAlignment: Alignment);
for (var i = 0; i < Rows; i++)
{
    for (var j = 0; j < Columns; j++)
        matrix.WriteUnaligned(10.0 * i + j, i, j);
}

nint address;
unsafe
{
    address = (nint)matrix.DangerousGetPointer();
    for (var j = 0; j < Columns; j++)
    {
        var column = (nint)matrix.DangerousGetElementPointer(0, j);
        Console.WriteLine($"C#     column {j} starts at 0x{column:x} ({(column % Alignment == 0 ? "" : "NOT ")}{Alignment}-byte aligned)");
        Check(column % Alignment == 0, $"column {j} is not {Alignment}-byte aligned");
    }
}
Console.WriteLine($"C#     layout {matrix.Layout}, data at 0x{address:x}");
Print("C#     before", matrix);

using (var ns = python.NewNamespace())
{
    using (var array = matrix.ToNumPy())
        ns.SetItem("m", array);
    python.Exec("""
        import sys, numpy as np
        print(f"Python type {type(m).__module__}.{type(m).__name__} {m.dtype} shape {m.shape} strides {m.strides}, base {type(m.base).__name__}")
        print(f"Python data at {hex(m.ctypes.data)}, F-contiguous {m.flags.f_contiguous} (the padding), writeable {m.flags.writeable}")
        m *= 2            # in place, every element
        m[2, 1] = -1.0    # one element
        m[:, 0] += 0.5    # one padded column
        print("Python after changing it in place:")
        print(m)
        sys.stdout.flush()
        address, strides, base = m.ctypes.data, m.strides, type(m.base).__name__
        del m             # NumPy lets go: only .NET holds the memory now
        """, ns);
    var pythonAddress = python.Eval<long>("address", ns);
    Check(pythonAddress == address, $"Python saw data at 0x{pythonAddress:x}, .NET has it at 0x{address:x}: a copy was made");
    Check(python.Eval<bool>($"strides == (8, {Alignment})", ns), "NumPy's strides are not (8, 32)");
    Check(python.Eval<string>("base", ns) == "BufferExport", "NumPy's array does not hold the .NET export as its base");
}

Print("C#     after", matrix);
for (var i = 0; i < Rows; i++)
{
    for (var j = 0; j < Columns; j++)
    {
        var expected = i == 2 && j == 1 ? -1.0 : 2 * (10.0 * i + j) + (j == 0 ? 0.5 : 0);
        var actual = matrix.ReadUnaligned<double>(i, j);
        Check(actual == expected, $"[{i}, {j}] is {actual}, expected {expected}");
    }
}

if (failures.Count > 0)
{
    Console.Error.WriteLine("MISMATCH:");
    foreach (var failure in failures)
        Console.Error.WriteLine("  " + failure);
    return 1;
}
Console.WriteLine($"OK: one {Rows}x{Columns} matrix at 0x{address:x}, shared by .NET and NumPy, changed in place, nothing copied.");
return 0;

static void Print(string title, NdBuffer buffer)
{
    Console.WriteLine(title + ":");
    for (var i = 0; i < buffer.Shape[0]; i++)
    {
        var row = new List<string>();
        for (var j = 0; j < buffer.Shape[1]; j++)
            row.Add(buffer.ReadUnaligned<double>(i, j).ToString("0.0", CultureInfo.InvariantCulture).PadLeft(6));
        Console.WriteLine("         [" + string.Join(" ", row) + "]");
    }
}
