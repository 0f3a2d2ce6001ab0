// A tour of NdBridge's PEP 3118 format model: what Python's struct and NumPy write, what .NET types become,
// and the NumPy/DLPack descriptions of the same item. `make demo` runs it.
using System.Diagnostics;
using System.Numerics;
using NdBridge;

Console.WriteLine("== Formats as NumPy and struct write them ==");
foreach (var text in new[] { "d", "<d", ">i", "ix", "bix", "T{i:a:d:b:}", "(2,3)Zf", "T{(2)>h:xy:T{d:re:d:im:}:z:}", "3s", "O" })
{
    var format = BufferFormat.Parse(text);
    Console.WriteLine($"{text,-32} {format.Describe()}");
    Console.WriteLine($"{"",-32}   struct size {format.ItemSize}, NumPy size {format.NumPyItemSize}, canonical '{format}', typestr {format.ToTypestr()}");
}

Console.WriteLine();
Console.WriteLine("== Equal by meaning, not by text ==");
foreach (var (a, b) in new[] { ("d", "<d"), ("l", "q"), ("c", "1s"), ("2d", "(2)d"), ("dd", "T{dd}"), ("d", "T{d}"), ("ix", "<ix") })
    Console.WriteLine($"'{a}' {(BufferFormat.Parse(a) == BufferFormat.Parse(b) ? "==" : "!=")} '{b}'");

Console.WriteLine();
Console.WriteLine("== .NET types ==");
Show<double>();
Show<nint>();
Show<char>();
Show<Sample>();
Show<PackedSample>();
static void Show<T>() where T : unmanaged
{
    var format = BufferFormat.Of<T>();
    Console.WriteLine($"{typeof(T).Name,-14} '{format}'  {format.Describe()}");
    Console.WriteLine($"{"",-14} descr {format.ToDescrString()}");
}

var pixel = BufferFormat.Parse("T{d:X:i:Y:4x}");
Console.WriteLine($"'{pixel}' describes Sample: {pixel.Describes<Sample>()}");
var bigEndian = BufferFormat.Parse(">d");
Console.WriteLine($"'>d' describes double: {bigEndian.Describes<double>()}, ignoring byte order: {bigEndian.DescribesIgnoringByteOrder<double>()}");

Console.WriteLine();
Console.WriteLine("== DLPack ==");
foreach (var text in new[] { "f", "Zd", "4e", "?", ">d", "g" })
{
    var format = BufferFormat.Parse(text);
    Console.WriteLine(format.TryToDLPack(out var dl) ? $"'{text}' -> {dl}" : $"'{text}' -> no DLPack form");
}

Console.WriteLine();
Console.WriteLine("== Malformed input ==");
foreach (var text in new[] { "T{d", "d:a:d:a:", "(9999999999,9999999999)d", "u", " <d", string.Concat(Enumerable.Repeat("T{", 100_000)) })
{
    try
    {
        BufferFormat.Parse(text);
    }
    catch (BufferFormatException e)
    {
        Console.WriteLine(e.Message);
    }
}

string? python = Environment.GetEnvironmentVariable("NDBRIDGE_PYTHON");
if (python is not null && File.Exists(python))
{
    Console.WriteLine();
    Console.WriteLine($"== NumPy ({python}) reads what NdBridge writes ==");
    var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
    start.ArgumentList.Add("-c");
    // NumPy's PEP 3118 parser lives in numpy._core._internal from NumPy 2.0, numpy.core._internal before.
    start.ArgumentList.Add("import sys\ntry:\n    from numpy._core._internal import _dtype_from_pep3118 as P\n" +
                           "except ImportError:\n    from numpy.core._internal import _dtype_from_pep3118 as P\n" +
                           "for f in sys.argv[1:]: print(repr(f), '->', P(f), P(f).itemsize, 'bytes')");
    start.ArgumentList.Add(BufferFormat.Of<Sample>().ToString());
    start.ArgumentList.Add(BufferFormat.Of<PackedSample>().ToString());
    using var process = Process.Start(start)!;
    Console.Write(process.StandardOutput.ReadToEnd());
    process.WaitForExit();
}

/// <summary>A sequential struct: 4 bytes of trailing padding.</summary>
internal struct Sample(double x, int y)
{
    public double X = x;
    public int Y = y;
}

/// <summary>Pack = 1: the double is unaligned, as NumPy record fields often are.</summary>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 1)]
internal struct PackedSample(byte tag, double value, bool flag)
{
    public byte Tag = tag;
    public double Value = value;
    public bool Flag = flag;
}
