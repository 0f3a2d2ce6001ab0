using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace NdBridge.Python.Tests.Import;

/// <summary>
/// Every imported layout against CPython and NumPy (see <see cref="ImportOracle"/>): decoded values equal
/// <c>tolist()</c>, C/F/A bytes equal <c>_testbuffer.py_buffer_to_contiguous</c>, contiguity equals
/// <c>_testbuffer.is_contiguous</c>, and the layout equals memoryview's. The .NET side reads the imported memory
/// through <see cref="NdBuffer.DangerousGetElementPointer"/> and a naive decoder of the format tree, and its contiguous
/// bytes both naively and through the copy engine (<see cref="NdBuffer.ToByteArray"/>).
/// </summary>
public sealed unsafe class ImportOracleTests(ITestOutputHelper output)
{
    private const int TestBufferLayouts = 1_600;
    private const int NumPyLayouts = 800;

    [Fact]
    public void ImportedBuffers_MatchTolistContiguousBytesAndContiguity_OnRandomLayouts()
    {
        var python = PythonFixture.Runtime;
        using var ns = python.NewNamespace();
        python.Exec(ImportOracle.Generator, ns);
        python.Exec($"cases = testbuffer_cases(20261121, {TestBufferLayouts}) + numpy_cases(3118, {NumPyLayouts}) + unicode_cases()", ns);
        using var casesObject = ns.GetItem("cases");
        var cases = casesObject.ToList<PythonObject>();
        var mismatches = new List<string>();
        int compared = 0, indirect = 0, negative = 0, zero = 0, empty = 0, rank0 = 0, records = 0, nonNative = 0;
        try
        {
            foreach (var caseObject in cases)
            {
                var parts = caseObject.ToList<PythonObject>();
                try
                {
                    var description = parts[1].As<string>();
                    NdBuffer buffer;
                    try
                    {
                        buffer = parts[0].AsNdBuffer();
                    }
                    catch (ArgumentException e)
                    {
                        mismatches.Add($"{description}: refused: {e.Message}");
                        continue;
                    }
                    using var owned = buffer;
                    var problem = Compare(buffer, parts);
                    if (problem is not null)
                        mismatches.Add($"{description}: {problem}");
                    compared++;
                    var layout = buffer.Layout;
                    indirect += layout.HasSuboffsets ? 1 : 0;
                    negative += layout.ByteStrides.ToArray().Any(s => s < 0) ? 1 : 0;
                    zero += layout.ByteStrides.ToArray().Any(s => s == 0) ? 1 : 0;
                    empty += layout.IsEmpty ? 1 : 0;
                    rank0 += layout.Rank == 0 ? 1 : 0;
                    records += buffer.Format.Kind == BufferFormatKind.Record ? 1 : 0;
                    nonNative += buffer.Format.IsNativeByteOrder ? 0 : 1;
                }
                finally
                {
                    PythonConvert.DisposeAll(parts);
                }
            }
        }
        finally
        {
            PythonConvert.DisposeAll(cases);
        }
        output.WriteLine($"compared {compared} layouts ({indirect} with suboffsets, {negative} with a negative stride, {zero} with a zero stride, " +
            $"{empty} empty, {rank0} 0-d, {records} records, {nonNative} non-native byte order); {mismatches.Count} mismatches");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} mismatched; first: {string.Join(Environment.NewLine, mismatches.Take(10))}");
        Assert.True(compared >= 2_000, $"only {compared} layouts compared");
        // The generators must really produce the layouts the issue names.
        Assert.True(indirect >= 200 && negative >= 300 && zero >= 50 && empty >= 50 && rank0 >= 50 && records >= 100 && nonNative >= 300,
            $"coverage: {indirect} indirect, {negative} negative, {zero} zero, {empty} empty, {rank0} 0-d, {records} records, {nonNative} non-native");
    }

    // parts: obj, desc, tokens, C hex, F hex, A hex, C?, F?, A?, (shape, strides, suboffsets, itemsize, readonly)
    private static string? Compare(NdBuffer buffer, List<PythonObject> parts)
    {
        var memoryview = parts[9].ToList<PythonObject>();
        try
        {
            var shape = memoryview[0].ToList<long>();
            var strides = memoryview[1].ToList<long>();
            var suboffsets = memoryview[2].ToList<long>();
            if (!buffer.Shape.ToArray().Select(v => (long)v).SequenceEqual(shape))
                return $"shape ({string.Join(", ", buffer.Shape.ToArray())}) != memoryview's ({string.Join(", ", shape)})";
            if (!buffer.Layout.ByteStrides.ToArray().Select(v => (long)v).SequenceEqual(strides))
                return $"strides ({string.Join(", ", buffer.Layout.ByteStrides.ToArray())}) != memoryview's ({string.Join(", ", strides)})";
            if (!buffer.Layout.Suboffsets.ToArray().Select(v => (long)v).SequenceEqual(suboffsets))
                return $"suboffsets ({string.Join(", ", buffer.Layout.Suboffsets.ToArray())}) != memoryview's ({string.Join(", ", suboffsets)})";
            if (buffer.ItemSize != memoryview[3].As<long>())
                return $"itemsize {buffer.ItemSize} != memoryview's {memoryview[3].As<long>()}";
            if (!buffer.IsReadOnly)
                return "imported read-only, but the buffer is writable";
        }
        finally
        {
            PythonConvert.DisposeAll(memoryview);
        }

        var tokens = string.Join(' ', Decode(buffer));
        var expectedTokens = parts[2].As<string>();
        if (tokens != expectedTokens)
            return $"values [{Clip(tokens)}] != tolist [{Clip(expectedTokens)}]";
        var orders = new[] { (MemoryOrder.C, 'C'), (MemoryOrder.F, 'F'), (MemoryOrder.Any, 'A') };
        for (var i = 0; i < orders.Length; i++)
        {
            var (order, code) = orders[i];
            var bytes = Convert.ToHexStringLower(ContiguousBytes(buffer, order));
            var expected = parts[3 + i].As<string>();
            if (bytes != expected)
                return $"{code} bytes {Clip(bytes)} != py_buffer_to_contiguous {Clip(expected)}";
            var engineBytes = Convert.ToHexStringLower(buffer.ToByteArray(order)); // the copy engine over the imported layout
            if (engineBytes != expected)
                return $"{code} bytes by NdBuffer.ToByteArray {Clip(engineBytes)} != py_buffer_to_contiguous {Clip(expected)}";
            var contiguous = order == MemoryOrder.Any ? buffer.Layout.IsCContiguous || buffer.Layout.IsFContiguous : buffer.Layout.IsContiguous(order);
            if (contiguous != parts[6 + i].As<bool>())
                return $"contiguous('{code}') {contiguous} != is_contiguous {parts[6 + i].As<bool>()}";
        }
        return null;
    }

    private static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "...";

    /// <summary>Every element in C order, each decoded from the format tree (fields in order, sub-arrays in C order).</summary>
    internal static List<string> Decode(NdBuffer buffer)
    {
        var tokens = new List<string>();
        foreach (var indices in Indices(buffer.Shape.ToArray(), MemoryOrder.C))
            DecodeItem(buffer.Format, (byte*)buffer.DangerousGetElementPointer(indices), tokens);
        GC.KeepAlive(buffer);
        return tokens;
    }

    /// <summary>PyBuffer_ToContiguous's semantics, naively: A is F only when F- and not C-contiguous.</summary>
    internal static byte[] ContiguousBytes(NdBuffer buffer, MemoryOrder order)
    {
        if (order == MemoryOrder.Any)
            order = buffer.Layout.IsFContiguous && !buffer.Layout.IsCContiguous ? MemoryOrder.F : MemoryOrder.C;
        var itemSize = (int)buffer.ItemSize;
        var bytes = new byte[buffer.ByteLength];
        var position = 0;
        foreach (var indices in Indices(buffer.Shape.ToArray(), order))
        {
            new ReadOnlySpan<byte>(buffer.DangerousGetElementPointer(indices), itemSize).CopyTo(bytes.AsSpan(position));
            position += itemSize;
        }
        GC.KeepAlive(buffer);
        return bytes;
    }

    private static IEnumerable<nint[]> Indices(nint[] shape, MemoryOrder order)
    {
        if (shape.Any(n => n == 0))
            yield break;
        var index = new nint[shape.Length];
        while (true)
        {
            yield return (nint[])index.Clone();
            var d = order == MemoryOrder.C ? shape.Length - 1 : 0;
            while (true)
            {
                if (d < 0 || d >= shape.Length)
                    yield break;
                if (++index[d] < shape[d])
                    break;
                index[d] = 0;
                d += order == MemoryOrder.C ? -1 : 1;
            }
        }
    }

    private static void DecodeItem(BufferFormat format, byte* item, List<string> tokens)
    {
        switch (format.Kind)
        {
            case BufferFormatKind.Record:
                foreach (var field in format.Fields)
                    DecodeItem(field.Format, item + field.ByteOffset, tokens);
                break;
            case BufferFormatKind.SubArray:
                var element = format.ElementFormat!;
                nint count = 1;
                foreach (var n in format.SubArrayShape)
                    count *= n;
                for (nint i = 0; i < count; i++)
                    DecodeItem(element, item + i * element.NumPyItemSize, tokens);
                break;
            default:
                DecodeScalar(format, item, tokens);
                break;
        }
    }

    private static void DecodeScalar(BufferFormat scalar, byte* p, List<string> tokens)
    {
        var size = (int)scalar.ItemSize;
        var bytes = new ReadOnlySpan<byte>(p, size).ToArray();
        var bigEndian = scalar.ByteOrder == ByteOrder.BigEndian;
        switch (scalar.ScalarKind)
        {
            case ScalarKind.Padding:
                return;
            case ScalarKind.Boolean:
                tokens.Add(bytes[0] != 0 ? "i1" : "i0");
                return;
            case ScalarKind.SignedInteger:
                tokens.Add("i" + new System.Numerics.BigInteger(bytes, isUnsigned: false, isBigEndian: bigEndian).ToString(CultureInfo.InvariantCulture));
                return;
            case ScalarKind.UnsignedInteger or ScalarKind.Pointer:
                tokens.Add("i" + new System.Numerics.BigInteger(bytes, isUnsigned: true, isBigEndian: bigEndian).ToString(CultureInfo.InvariantCulture));
                return;
            case ScalarKind.Float:
                tokens.Add(Float(bytes, bigEndian));
                return;
            case ScalarKind.Complex:
                tokens.Add(Float(bytes[..(size / 2)], bigEndian));
                tokens.Add(Float(bytes[(size / 2)..], bigEndian));
                return;
            case ScalarKind.Bytes:
                tokens.Add("b" + Convert.ToHexStringLower(bytes.AsSpan(0, TrimmedLength(bytes, 1))));
                return;
            case ScalarKind.UnicodeText:
                var units = new byte[size];
                for (var i = 0; i < size; i += 4)
                {
                    var unit = bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(i)) : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i));
                    BinaryPrimitives.WriteUInt32LittleEndian(units.AsSpan(i), unit);
                }
                tokens.Add("u" + Convert.ToHexStringLower(units.AsSpan(0, TrimmedLength(units, 4))));
                return;
            default:
                throw new NotSupportedException($"the oracle test does not decode {scalar.Describe()}");
        }
    }

    private static int TrimmedLength(byte[] bytes, int unit)
    {
        var length = bytes.Length;
        while (length >= unit && bytes.AsSpan(length - unit, unit).IndexOfAnyExcept((byte)0) < 0)
            length -= unit;
        return length;
    }

    private static string Float(byte[] bytes, bool bigEndian)
    {
        if (bigEndian)
            Array.Reverse(bytes);
        double value = bytes.Length switch
        {
            2 => (double)BitConverter.ToHalf(bytes),
            4 => BitConverter.ToSingle(bytes),
            8 => BitConverter.ToDouble(bytes),
            _ => throw new NotSupportedException($"the oracle test does not decode {bytes.Length}-byte floats"),
        };
        if (double.IsNaN(value))
            return "nan";
        return "f" + Convert.ToHexStringLower(BitConverter.GetBytes(value));
    }
}
