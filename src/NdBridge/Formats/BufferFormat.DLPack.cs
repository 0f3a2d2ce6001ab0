namespace NdBridge;

public sealed partial class BufferFormat
{
    /// <summary>
    /// The DLPack <c>(code, bits, lanes)</c> of the item: booleans, integers, IEEE floats (16, 32, 64 bits) and
    /// complex numbers in native byte order, or a one-dimensional sub-array of one of them (as lanes).
    /// </summary>
    /// <returns>The DLPack data type.</returns>
    /// <exception cref="NotSupportedException">The item has no DLPack form (records, strings, objects,
    /// <c>long double</c>, non-native byte order); the message says which.</exception>
    public DLPackDataType ToDLPack()
    {
        string? reason = TryToDLPackCore(out var result);
        if (reason is not null)
            ThrowHelper.ThrowNotSupported($"Format '{this}' ({Describe()}) has no DLPack form: {reason}.");
        return result;
    }

    /// <summary>Like <see cref="ToDLPack"/>, without throwing.</summary>
    /// <param name="dataType">The DLPack data type, when there is one.</param>
    /// <returns>Whether the item has a DLPack form.</returns>
    public bool TryToDLPack(out DLPackDataType dataType) => TryToDLPackCore(out dataType) is null;

    private string? TryToDLPackCore(out DLPackDataType dataType)
    {
        dataType = default;
        var element = this;
        int lanes = 1;
        if (Kind == BufferFormatKind.SubArray)
        {
            if (_shape.Length != 1 || _shape[0] < 1 || _shape[0] > ushort.MaxValue)
                return "only a one-dimensional sub-array of 1 to 65535 scalars maps to DLPack lanes";
            element = ElementFormat!;
            lanes = (int)_shape[0];
        }
        if (element.Kind != BufferFormatKind.Scalar)
            return "DLPack has no records";
        if (!element.IsNativeByteOrder)
            return "DLPack data is always in native byte order; convert it first";
        nint bits = element.ItemSize * 8;
        DLPackTypeCode code;
        switch (element.ScalarKind)
        {
            case ScalarKind.Boolean: code = DLPackTypeCode.Bool; break;
            case ScalarKind.SignedInteger: code = DLPackTypeCode.Int; break;
            case ScalarKind.UnsignedInteger: code = DLPackTypeCode.UInt; break;
            case ScalarKind.Float when element.ItemSize != 16: code = DLPackTypeCode.Float; break;
            case ScalarKind.Complex when element.ItemSize != 32: code = DLPackTypeCode.Complex; break;
            case ScalarKind.Float or ScalarKind.Complex:
                return "C long double is x87 extended precision, not the IEEE binary128 DLPack's 128-bit float means";
            default:
                return $"DLPack has no {ScalarWords(element.ScalarKind, element.ItemSize)} type";
        }
        dataType = new DLPackDataType(code, (byte)bits, (ushort)lanes);
        return null;
    }

    /// <summary>The format of a DLPack data type: native byte order, lanes above one as a sub-array.</summary>
    /// <param name="dataType">The DLPack data type.</param>
    /// <returns>The equivalent format.</returns>
    /// <exception cref="ArgumentException">The type has no PEP 3118 form (bfloat16, opaque handles, unusual bit
    /// counts, zero lanes).</exception>
    public static BufferFormat FromDLPack(DLPackDataType dataType)
    {
        int bits = dataType.Bits;
        ScalarKind kind = dataType.Code switch
        {
            DLPackTypeCode.Bool when bits == 8 => ScalarKind.Boolean,
            DLPackTypeCode.Int when bits is 8 or 16 or 32 or 64 => ScalarKind.SignedInteger,
            DLPackTypeCode.UInt when bits is 8 or 16 or 32 or 64 => ScalarKind.UnsignedInteger,
            DLPackTypeCode.Float when bits is 16 or 32 or 64 => ScalarKind.Float,
            DLPackTypeCode.Complex when bits is 64 or 128 => ScalarKind.Complex,
            _ => ThrowHelper.ThrowArgument<ScalarKind>(
                $"DLPack type (code {(int)dataType.Code} {dataType.Code}, {bits} bits) has no PEP 3118 form.", nameof(dataType)),
        };
        if (dataType.Lanes == 0)
            ThrowHelper.ThrowArgument("DLPack lanes must be at least 1.", nameof(dataType));
        var scalar = CreateScalar(kind, bits / 8, NativeByteOrder);
        return dataType.Lanes == 1 ? scalar : CreateSubArray(scalar, [dataType.Lanes], scalar.ItemSize * dataType.Lanes);
    }
}
