namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// A NumPy array imported through DLPack (<see cref="PythonDLPack.Import"/>) and through the buffer protocol
/// (<see cref="NdBufferImport.FromBufferProtocol"/>) is the same view: same address, shape, byte strides, format
/// (by meaning), values. NumPy 1.24 exports no bool through DLPack: 13 dtypes.
/// </summary>
public sealed unsafe class DLPackBufferProtocolTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    [Fact]
    public void NumPyArray_ThroughDLPackAndThroughTheBufferProtocol_IsTheSameView()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec(DLPackImportTests.Maker, ns);
        using var make = ns.GetItem("make");
        var random = new Random(808);
        var cases = 0;
        foreach (var (numPy, _) in DLPackCases.DTypes.Where(d => d.NumPy != "bool"))
        {
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in DLPackCases.Layouts)
                {
                    var label = $"{numPy} rank {rank} {layoutName}";
                    using var array = make.Call(numPy, DLPackCases.Shape(random, rank), layoutName);
                    using var viaDLPack = PythonDLPack.Import(array);
                    using var viaBuffer = NdBufferImport.FromBufferProtocol(array, writable: true);
                    Assert.True((nint)viaDLPack.DangerousGetPointer() == (nint)viaBuffer.DangerousGetPointer(), label + ": address");
                    Assert.True(viaDLPack.Shape.SequenceEqual(viaBuffer.Shape), label + ": shape");
                    Assert.True(viaDLPack.Layout.ByteStrides.SequenceEqual(viaBuffer.Layout.ByteStrides), $"{label}: byte strides {viaDLPack.Layout} vs {viaBuffer.Layout}");
                    Assert.True(viaDLPack.Format.Equals(viaBuffer.Format), $"{label}: format {viaDLPack.Format} vs {viaBuffer.Format}");
                    Assert.Equal(viaBuffer.IsReadOnly, viaDLPack.IsReadOnly);
                    Assert.True(viaDLPack.ValueEquals(viaBuffer), label + ": values");
                    Assert.Equal(viaBuffer.ToByteArray(), viaDLPack.ToByteArray());
                    cases++;
                }
            }
        }
        Assert.Equal(13 * 6 * 4, cases);
    }
}
