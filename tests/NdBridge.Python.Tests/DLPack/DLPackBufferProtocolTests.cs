using NdBridge.Testing;
namespace NdBridge.Python.Tests.DLPack;

/// <summary>
/// A NumPy array imported through DLPack (<see cref="PythonDLPack.Import"/>) and through the buffer protocol
/// (<see cref="NdBufferImport.FromBufferProtocol"/>) is the same view: same address, shape, byte strides, format
/// (by meaning), values, for every dtype this NumPy exports through DLPack (bool only where it has <c>kDLBool</c>).
/// </summary>
public sealed unsafe class DLPackBufferProtocolTests
{
    private static PythonRuntime Python => PythonFixture.Runtime;

    /// <summary>How many of <see cref="DLPackCases.DTypes"/> the running NumPy exchanges through DLPack (bool only where it has <c>kDLBool</c>).</summary>
    internal static int NumPyDLPackDTypeCount => DLPackCases.DTypes.Count(d => d.NumPy != "bool" || NumPyFacts.DLPackBool);

    [Fact]
    public void NumPyArray_ThroughDLPackAndThroughTheBufferProtocol_IsTheSameView()
    {
        using var ns = DLPackPeer.NewScope();
        Python.Exec(DLPackImportTests.Maker, ns);
        using var make = ns.GetItem("make");
        var random = new Random(808);
        var cases = 0;
        foreach (var (numPy, _) in DLPackCases.DTypes.Where(d => d.NumPy != "bool" || NumPyFacts.DLPackBool))
        {
            for (var rank = 0; rank <= DLPackCases.MaxRank; rank++)
            {
                foreach (var layoutName in DLPackCases.Layouts)
                {
                    var label = $"{numPy} rank {rank} {layoutName}";
                    using var array = make.Call(numPy, DLPackCases.Shape(random, rank).ToList(), layoutName);
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
        Assert.Equal(NumPyDLPackDTypeCount * (DLPackCases.MaxRank + 1) * DLPackCases.Layouts.Length, cases);
    }
}
