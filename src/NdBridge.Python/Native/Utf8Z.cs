using System.Text;

namespace NdBridge.Python;

/// <summary>NUL-terminated UTF-8 for the C API's <c>const char*</c> parameters.</summary>
internal static class Utf8Z
{
    /// <summary>The UTF-8 bytes of <paramref name="value"/> followed by a NUL.</summary>
    /// <exception cref="ArgumentException"><paramref name="value"/> contains a NUL character, which C would truncate at.</exception>
    internal static byte[] Encode(string value, string paramName)
    {
        if (value.Contains('\0'))
            ThrowHelper.ThrowArgument("The string contains a NUL character, which the C API cannot pass.", paramName);
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>A copy of <paramref name="value"/> in native memory that is never freed (type names, method names, capsule names).</summary>
    internal static unsafe byte* Permanent(string value)
    {
        var bytes = Encode(value, nameof(value));
        var native = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(native, bytes.Length)); // native was allocated with bytes.Length bytes
        return native;
    }
}
