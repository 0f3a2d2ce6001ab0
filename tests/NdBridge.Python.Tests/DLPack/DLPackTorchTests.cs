namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// Tensors exchanged with PyTorch (Debian's <c>python3-torch</c> 1.13, legacy DLPack only), run by the
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
        // 10 dtypes torch 1.13 carries (no bool, no uint16/32/64) x ranks 0-5 x C, F, a[::2] (torch aborts on negative strides)
        Assert.Equal("180", result["to_torch"]);
        Assert.Equal("180", result["from_torch.tensor"]);
        Assert.Equal("180", result["from_torch.to_dlpack"]);
        Assert.Equal("checked", result["writes"]);
        Assert.Equal("The DLPack tensor's dtype (code 4, bits 16, lanes 1) cannot be imported (capsule used)", result["bfloat16"]);
    }
}
