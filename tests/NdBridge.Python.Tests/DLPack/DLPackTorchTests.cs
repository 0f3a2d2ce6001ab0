namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// Tensors exchanged with PyTorch (Debian 12's <c>python3-torch</c> 1.13, Debian 13's 2.6), run by the
/// <c>torch-dlpack</c> scenario of <c>NdBridge.Python.TestHost</c> in a process of its own: torch 1.13 was never
/// released upstream for Python 3.11, and in this test process it intermittently aborted (inside
/// <c>c10::TensorImpl::destroy_pyobj_if_needed</c> → pybind11 <c>gil_scoped_acquire</c> →
/// <c>PyThreadState_DeleteCurrent</c>) after the parallel DLPack tests had run, never when run alone.
/// Fails when torch is missing.
/// </summary>
public sealed class DLPackTorchTests
{
    [Fact]
    public void TorchExchange_BothWays_EveryTorchDTypeRankAndLayout_InItsOwnProcess()
    {
        var result = TestHostProcess.Run(["torch-dlpack"], new Dictionary<string, string?> { ["NDBRIDGE_PYTHON"] = PythonFixture.PythonPath });
        result.AssertSucceeded();
        Assert.True(result["failures"] == "0", result.Stdout);
        // The dtypes this torch carries through DLPack (its own round trip says: 10 in torch 1.13, 14 in 2.6), each
        // at least the 10 every torch since 1.10 has, x ranks 0-5 x C, F, a[::2] (torch 1.13 aborts on negative strides).
        var dtypes = result["dtypes"].Split(',');
        Assert.Superset(new HashSet<string>(["int8", "int16", "int32", "int64", "uint8", "float16", "float32", "float64", "complex64", "complex128"]), new HashSet<string>(dtypes));
        var cases = (dtypes.Length * 6 * 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(cases, result["to_torch"]);
        Assert.Equal(cases, result["from_torch.tensor"]);
        Assert.Equal(cases, result["from_torch.to_dlpack"]);
        Assert.Equal("checked", result["writes"]);
        Assert.Equal("The DLPack tensor's dtype (code 4, bits 16, lanes 1) cannot be imported (capsule used)", result["bfloat16"]);
    }
}
