namespace NdBridge;

/// <summary>
/// A format string that is not a PEP 3118 format NdBridge accepts. <see cref="Position"/> is always the index of
/// a character inside <see cref="Format"/>: where the problem was found, or where the unfinished construct began.
/// </summary>
public sealed class BufferFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="format"/>, pointing at <paramref name="position"/>.</summary>
    /// <param name="format">The whole format string.</param>
    /// <param name="position">The index of the offending character, inside <paramref name="format"/>.</param>
    /// <param name="reason">What was wrong or expected there.</param>
    public BufferFormatException(string format, int position, string reason)
        : base($"Invalid PEP 3118 format {Excerpt(format, position)} at position {position}: {reason}")
    {
        Format = format;
        Position = position;
        Reason = reason;
    }

    private static string Excerpt(string format, int position)
    {
        const int Context = 40;
        if (format.Length <= 2 * Context + 20)
            return $"'{format}'";
        int start = Math.Max(0, position - Context);
        int end = Math.Min(format.Length, position + Context);
        return $"'{(start > 0 ? "..." : "")}{format[start..end]}{(end < format.Length ? "..." : "")}' ({format.Length} characters)";
    }

    /// <summary>The format string that was rejected.</summary>
    public string Format { get; }

    /// <summary>The index, inside <see cref="Format"/>, of the character the error is about.</summary>
    public int Position { get; }

    /// <summary>What was wrong or expected, without the position.</summary>
    public string Reason { get; }
}
