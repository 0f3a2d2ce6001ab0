using System.Collections.Concurrent;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// Parsed <c>Py_buffer.format</c> strings, cached: an import must not re-parse <c>"d"</c> on every call.
/// Formats of up to 8 bytes are keyed by their bytes (no allocation); longer ones by their text, with each thread's last
/// long format compared byte for byte first. Both caches are bounded: the short one by entries, the long one by entries
/// and by characters (a format may be 64 K characters long, and hostile input can make any number of them).
/// </summary>
internal static unsafe class ImportedFormats
{
    internal const int MaxShortEntries = 4096;
    internal const int MaxLongEntries = 4096;
    internal const long MaxLongCharacters = 1 << 20;
    private static long s_longCharacters;
    private static readonly ConcurrentDictionary<ulong, BufferFormat> s_short = new();
    private static readonly ConcurrentDictionary<string, BufferFormat> s_long = new(StringComparer.Ordinal);
    [ThreadStatic] private static byte[]? t_lastBytes;
    [ThreadStatic] private static BufferFormat? t_lastFormat;
    [ThreadStatic] private static ulong t_lastShortKey;
    [ThreadStatic] private static BufferFormat? t_lastShortFormat;

    /// <summary>The format a NUL-terminated <c>char*</c> names; NULL means <c>"B"</c>.</summary>
    /// <exception cref="BufferFormatException">The string is not a format NdBridge reads.</exception>
    internal static BufferFormat Get(byte* format)
    {
        if (format is null)
            return BufferFormat.UnsignedBytes;
        ulong key = 0;
        var byteLength = 0;
        while (format[byteLength] != 0) // NUL-terminated by the protocol
        {
            if (byteLength == 8)
                return GetLong(format);
            key |= (ulong)format[byteLength] << (8 * byteLength);
            byteLength++;
        }
        if (key == t_lastShortKey && t_lastShortFormat is { } last)
            return last;
        if (s_short.TryGetValue(key, out var cached))
        {
            t_lastShortKey = key;
            t_lastShortFormat = cached;
            return cached;
        }
        var parsed = BufferFormat.Parse(Decode(format, byteLength));
        if (s_short.Count < MaxShortEntries)
            s_short.TryAdd(key, parsed);
        return parsed;
    }

    private static BufferFormat GetLong(byte* format)
    {
        var byteLength = 0;
        while (format[byteLength] != 0)
            byteLength++;
        var bytes = new ReadOnlySpan<byte>(format, byteLength); // the NUL-terminated string's bytes
        // Exporters such as NumPy hand out the same string again and again: compare bytes, no allocation.
        if (t_lastBytes is { } lastBytes && bytes.SequenceEqual(lastBytes))
            return t_lastFormat!;
        var text = Decode(format, byteLength);
        if (!s_long.TryGetValue(text, out var parsed))
        {
            parsed = BufferFormat.Parse(text);
            TryCache(text, parsed);
        }
        t_lastBytes = bytes.ToArray();
        t_lastFormat = parsed;
        return parsed;
    }

    /// <summary>The characters of the long formats cached now (at most <see cref="MaxLongCharacters"/>).</summary>
    internal static long LongCharacters => Volatile.Read(ref s_longCharacters);

    /// <summary>The long formats cached now (at most <see cref="MaxLongEntries"/>).</summary>
    internal static int LongEntries => s_long.Count;

    // The characters are reserved before the entry is added, so racing threads never pass the bound together.
    private static void TryCache(string text, BufferFormat parsed)
    {
        if (s_long.Count >= MaxLongEntries)
            return;
        if (Interlocked.Add(ref s_longCharacters, text.Length) > MaxLongCharacters || !s_long.TryAdd(text, parsed))
            Interlocked.Add(ref s_longCharacters, -text.Length);
    }

    // Latin-1, so every byte survives into the parser's message (formats are ASCII when valid).
    private static string Decode(byte* format, int byteLength) => Encoding.Latin1.GetString(format, byteLength);
}
