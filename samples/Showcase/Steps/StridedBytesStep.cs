using System.Runtime.InteropServices;

namespace NdBridge.Showcase.Steps;

/// <summary>
/// A byte buffer plus a format, a shape and strides, viewed as a typed N-d array — what NumPy users do with
/// <c>np.frombuffer</c> + <c>as_strided</c>, without the risk: a layout that reaches outside its bytes is refused
/// before any access, and read-only memory stays read-only.
/// </summary>
internal static class StridedBytesStep
{
    public static void Run(ShowcaseRun run)
    {
        run.BeginStep("Bytes + format + shape + strides → a typed N-d view");

        // 3 records of T{<i:id:<d:value:} (12 bytes each, packed), one after another in a byte array:
        //   [id0 val0][id1 val1][id2 val2]     a['value'] is a strided view with a 12-byte stride
        byte[] bytes = new byte[36];
        for (int i = 0; i < 3; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(12 * i), 100 + i);
            BitConverter.TryWriteBytes(bytes.AsSpan(12 * i + 4), 0.5 * i);
        }
        var record = BufferFormat.Parse("T{<i:id:<d:value:}");
        using var records = NdBuffer.FromArray(bytes, record, new StridedLayout([3], [12], 12), 0);
        using var values = records.Field("value");
        run.Say($"records: format '{record}', {records.Layout}; field 'value': {values.Layout}");
        run.Check(values.Layout.ByteStrides[0] == 12 && values.ReadUnaligned<double>(2) == 1.0,
            "the 'value' field is a view with a 12-byte stride; element 2 reads 1.0 (unaligned read)");
        bool typedRefused = !values.CanViewAs<double>(writable: false, out string? why);
        run.Say($"a typed double view of it: {why}");
        run.Check(typedRefused, "a ref-returning double view of unaligned fields is refused, with the reason");

        // The same bytes in NumPy, from the bytes the C# side wrote: the oracle for the values.
        run.Exec($"raw = bytes({PythonBytesLiteral(bytes)}); rec = np.frombuffer(raw, dtype=[('id', '<i4'), ('value', '<f8')])");
        run.Check(run.Eval<string>("repr(rec['value'].tolist())") == "[0.0, 0.5, 1.0]" &&
                  run.Eval<long>("rec['value'].strides[0]") == values.Layout.ByteStrides[0],
            "NumPy's np.frombuffer on the same bytes gives the same values and the same 12-byte stride");

        // as_strided trusts its arguments: shape (3, 3) with strides (12, 4) over 36 bytes would read past the end.
        // NdBridge proves the extent before a view exists.
        run.CheckRefused<ArgumentException>(
            () => NdBuffer.FromArray(bytes, BufferFormat.Parse("<d"), new StridedLayout([3, 3], [12, 4], 8), 0).Dispose(),
            "a layout reaching past the 36 bytes (np.lib.stride_tricks.as_strided would read there) is refused before any access");

        // Read-only memory stays read-only.
        ReadOnlyMemory<byte> constant = bytes.AsMemory();
        using var frozen = NdBuffer.FromMemory<byte>(constant, [36]);
        run.Check(frozen.IsReadOnly && !frozen.CanViewAs<byte>(writable: true, out _),
            "a ReadOnlyMemory<byte> source gives a read-only buffer: no writable view of it");
    }

    private static string PythonBytesLiteral(byte[] bytes) => "bytes.fromhex('" + Convert.ToHexString(bytes) + "')";
}
