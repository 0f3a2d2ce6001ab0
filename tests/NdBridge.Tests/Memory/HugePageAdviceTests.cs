namespace NdBridge.Tests.Memory;

/// <summary>
/// Large <see cref="NdBuffer.Allocate{T}"/> blocks are advised for transparent huge pages as NumPy advises its arrays
/// (<c>madvise(MADV_HUGEPAGE)</c> from 4 MiB): the kernel marks the mapping <c>hg</c> in <c>/proc/self/smaps</c>'
/// <c>VmFlags</c>. (Whether a small block's page is advised depends on its neighbours in malloc's heap: not tested.)
/// </summary>
public sealed unsafe class HugePageAdviceTests
{
    private static readonly bool KernelHasTransparentHugePages = File.Exists("/sys/kernel/mm/transparent_hugepage/enabled");

    [Fact]
    public void LargeAllocation_IsAdvisedForHugePages()
    {
        Assert.True(OperatingSystem.IsLinux(), "NdBridge's memory tests run on Linux");
        Assert.True(KernelHasTransparentHugePages, "this kernel has no transparent huge pages (/sys/kernel/mm/transparent_hugepage): the advice cannot be observed");
        using var large = NdBuffer.Allocate<double>([1 << 20]); // 8 MiB
        Assert.Contains("hg", VmFlagsOf((nint)large.DangerousGetPointer() + (4 << 20)));
        Assert.All(large.AsReadOnlyStridedSpan<double>().ToArray(), v => Assert.Equal(0.0, v)); // still zeroed
    }

    // The VmFlags of the mapping of /proc/self/smaps that contains address.
    private static string[] VmFlagsOf(nint address)
    {
        var inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            if (dash > 0 && line.IndexOf(' ') > dash && ulong.TryParse(line[..dash], System.Globalization.NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(line[(dash + 1)..line.IndexOf(' ')], System.Globalization.NumberStyles.HexNumber, null, out var end))
            {
                inside = start <= (ulong)address && (ulong)address < end;
                continue;
            }
            if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new InvalidOperationException($"no mapping of /proc/self/smaps contains 0x{address:x}");
    }
}
