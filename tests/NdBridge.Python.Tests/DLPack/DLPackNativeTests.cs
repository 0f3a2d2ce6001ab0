using System.Runtime.InteropServices;
using static NdBridge.Python.DLPackNative;

namespace NdBridge.Python.Tests.DLPack;

public sealed unsafe class DLPackNativeTests
{
    private static long[] Layout<T>(params string[] fields) where T : unmanaged =>
        [sizeof(T), .. fields.Select(f => (long)Marshal.OffsetOf<T>(f))];

    // ctypes lays out the peer's structs (written from dlpack.h) by the platform's C rules: the oracle.
    [Fact]
    public void Structs_MatchTheCLayoutOfDlpackH()
    {
        using var layoutObject = DLPackPeer.Namespace.GetItem("layout");
        var layout = layoutObject.ToDictionary<string, PythonObject>();
        try
        {
            Assert.Equal(layout["DLPackVersion"].ToList<long>(), Layout<DLPackVersion>("major", "minor"));
            Assert.Equal(layout["DLDevice"].ToList<long>(), Layout<DLDevice>("device_type", "device_id"));
            Assert.Equal(layout["DLDataType"].ToList<long>(), Layout<DLDataType>("code", "bits", "lanes"));
            Assert.Equal(layout["DLTensor"].ToList<long>(), Layout<DLTensor>("data", "device", "ndim", "dtype", "shape", "strides", "byte_offset"));
            Assert.Equal(layout["DLManagedTensor"].ToList<long>(), Layout<DLManagedTensor>("dl_tensor", "manager_ctx", "deleter"));
            Assert.Equal(layout["DLManagedTensorVersioned"].ToList<long>(), Layout<DLManagedTensorVersioned>("version", "manager_ctx", "deleter", "flags", "dl_tensor"));
        }
        finally
        {
            PythonConvert.DisposeAll(layout.Values);
        }
    }

    [Fact]
    public void FlagsAndCodes_MatchThePeer()
    {
        var ns = DLPackPeer.Namespace;
        Assert.Equal((long)DLPACK_FLAG_BITMASK_READ_ONLY, ns.GetItem("READ_ONLY").As<long>());
        Assert.Equal((long)DLPACK_FLAG_BITMASK_IS_COPIED, ns.GetItem("IS_COPIED").As<long>());
        Assert.Equal(kDLCPU, ns.GetItem("kDLCPU").As<long>());
        using var codes = ns.GetItem("CODES");
        var byKind = codes.ToDictionary<string, long>();
        Assert.Equal((long)DLPackTypeCode.Int, byKind["i"]);
        Assert.Equal((long)DLPackTypeCode.UInt, byKind["u"]);
        Assert.Equal((long)DLPackTypeCode.Float, byKind["f"]);
        Assert.Equal((long)DLPackTypeCode.Complex, byKind["c"]);
        Assert.Equal((long)DLPackTypeCode.Bool, byKind["b"]);
    }

    [Fact]
    public void CapsuleNames_AreTheSpecificationsAndPermanent()
    {
        Assert.Equal("dltensor", Marshal.PtrToStringUTF8((nint)DltensorName));
        Assert.Equal("used_dltensor", Marshal.PtrToStringUTF8((nint)UsedDltensorName));
        Assert.Equal("dltensor_versioned", Marshal.PtrToStringUTF8((nint)DltensorVersionedName));
        Assert.Equal("used_dltensor_versioned", Marshal.PtrToStringUTF8((nint)UsedDltensorVersionedName));
    }
}
