namespace NdBridge.Python;

/// <summary>
/// The one place NdBridge branches on NumPy's version. Serves NumPy 1.24–1.26 and 2.0–2.x; checked on 1.24.2
/// (Debian 12) and 2.2.4 (Debian 13). Everything else NdBridge needs of NumPy is the same in both.
/// </summary>
internal readonly record struct NumPyVersion(int Major, int Minor)
{
    /// <summary>Reads <c>numpy.__version__</c> (<c>"2.2.4"</c>, <c>"1.24.2"</c>, <c>"2.3.0rc1"</c>).</summary>
    public static NumPyVersion Parse(string version)
    {
        var parts = version.Split('.');
        return new NumPyVersion(LeadingNumber(parts[0]), parts.Length > 1 ? LeadingNumber(parts[1]) : 0);
    }

    private static int LeadingNumber(string part)
    {
        var digits = 0;
        while (digits < part.Length && char.IsAsciiDigit(part[digits]))
            digits++;
        return digits == 0 ? 0 : int.Parse(part.AsSpan(0, digits));
    }

    /// <summary><c>NPY_MAXDIMS</c>: 32 in NumPy 1.x, 64 from 2.0.</summary>
    public int MaxDimensions => Major >= 2 ? 64 : 32;

    /// <summary>The package holding <c>multiarray</c> and <c>_internal</c>: <c>numpy._core</c> from 2.0 (where <c>numpy.core</c> is a deprecated forwarding shim), <c>numpy.core</c> before.</summary>
    public string CorePackage => Major >= 2 ? "numpy._core" : "numpy.core";

    /// <inheritdoc/>
    public override string ToString() => $"{Major}.{Minor}";
}
