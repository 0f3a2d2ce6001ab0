namespace NdBridge.Python;

public static unsafe partial class NdBufferImport
{
    /// <summary>
    /// Imports <paramref name="source"/> writable (see <see cref="AsNdBuffer"/>), runs <paramref name="action"/> on a
    /// typed view of its memory, and releases the import. The view must not be kept beyond the call.
    /// </summary>
    /// <typeparam name="T">The element type: the source's items must be exactly <typeparamref name="T"/> in native
    /// byte order and aligned to it.</typeparam>
    /// <param name="source">The Python object.</param>
    /// <param name="action">What to do with the view; runs without the GIL.</param>
    /// <exception cref="ArgumentException">The items are not <typeparamref name="T"/> ("float32 array, asked for double";
    /// "big-endian: use the byte-order copy"), are unaligned or indirect, or the source is read-only.</exception>
    public static void WithStridedSpan<T>(this PythonObject source, Action<StridedSpan<T>> action) where T : unmanaged
    {
        if (action is null)
            ThrowHelper.ThrowArgumentNull(nameof(action));
        using var buffer = ImportTyped<T>(source, writable: true);
        action(buffer.DangerousAsScopedStridedSpan<T>());
    }

    /// <summary>
    /// Imports <paramref name="source"/> writable, returns what <paramref name="function"/> computes from a typed view
    /// of its memory, and releases the import (see <see cref="WithStridedSpan{T}(PythonObject, Action{StridedSpan{T}})"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TResult">What the function returns.</typeparam>
    /// <param name="source">The Python object.</param>
    /// <param name="function">What to compute from the view; runs without the GIL.</param>
    public static TResult WithStridedSpan<T, TResult>(this PythonObject source, Func<StridedSpan<T>, TResult> function) where T : unmanaged
    {
        if (function is null)
            ThrowHelper.ThrowArgumentNull(nameof(function));
        using var buffer = ImportTyped<T>(source, writable: true);
        return function(buffer.DangerousAsScopedStridedSpan<T>());
    }

    /// <summary>
    /// Imports <paramref name="source"/> read-only, runs <paramref name="action"/> on a read-only typed view of its
    /// memory, and releases the import. The view must not be kept beyond the call.
    /// </summary>
    /// <typeparam name="T">The element type: the source's items must be exactly <typeparamref name="T"/> in native
    /// byte order and aligned to it.</typeparam>
    /// <param name="source">The Python object.</param>
    /// <param name="action">What to do with the view; runs without the GIL.</param>
    /// <exception cref="ArgumentException">The items are not <typeparamref name="T"/>, or are unaligned or indirect.</exception>
    public static void WithReadOnlyStridedSpan<T>(this PythonObject source, Action<ReadOnlyStridedSpan<T>> action) where T : unmanaged
    {
        if (action is null)
            ThrowHelper.ThrowArgumentNull(nameof(action));
        using var buffer = ImportTyped<T>(source, writable: false);
        action(buffer.DangerousAsScopedReadOnlyStridedSpan<T>());
    }

    /// <summary>
    /// Imports <paramref name="source"/> read-only, returns what <paramref name="function"/> computes from a read-only
    /// typed view of its memory, and releases the import.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <typeparam name="TResult">What the function returns.</typeparam>
    /// <param name="source">The Python object.</param>
    /// <param name="function">What to compute from the view; runs without the GIL.</param>
    public static TResult WithReadOnlyStridedSpan<T, TResult>(this PythonObject source, Func<ReadOnlyStridedSpan<T>, TResult> function) where T : unmanaged
    {
        if (function is null)
            ThrowHelper.ThrowArgumentNull(nameof(function));
        using var buffer = ImportTyped<T>(source, writable: false);
        return function(buffer.DangerousAsScopedReadOnlyStridedSpan<T>());
    }

    /// <summary>Imports and checks that a typed view of <typeparamref name="T"/> will be granted, or releases and throws.</summary>
    private static NdBuffer ImportTyped<T>(PythonObject source, bool writable) where T : unmanaged
    {
        if (source is null)
            ThrowHelper.ThrowArgumentNull(nameof(source));
        var buffer = source.AsNdBuffer(writable);
        try
        {
            if (TypedViewRefusal<T>(buffer, source, writable) is { } refusal)
                ThrowHelper.ThrowImportElementType(nameof(source), refusal);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static string? TypedViewRefusal<T>(NdBuffer buffer, PythonObject source, bool writable) where T : unmanaged
    {
        var format = buffer.Format;
        var asked = CSharpName(typeof(T));
        string TypeName()
        {
            using var gil = PythonGil.Acquire();
            using var borrow = new Borrow(source);
            return PythonTypeNames.Of(borrow.Reference);
        }
        if (!format.Describes<T>() || buffer.ItemSize != sizeof(T))
        {
            var items = $"{format.Describe()} array (a {TypeName()} with format '{format}', item size {buffer.ItemSize})";
            if (format.DescribesIgnoringByteOrder<T>() && buffer.ItemSize == sizeof(T))
            {
                var order = format.ByteOrder == ByteOrder.BigEndian ? "big-endian" : "non-native byte order";
                return $"{items}, asked for {asked}: {order}: use the byte-order copy (NdBuffer.ToContiguous with a native-order format) or convert in Python (a.astype('={format.ToTypestr()[1..]}'))";
            }
            return $"{items}, asked for {asked}";
        }
        if (buffer.CanViewAs<T>(writable, out var reason))
            return null;
        return $"{format.Describe()} array (a {TypeName()}): {reason}";
    }

    // The C# keyword of an element type, as the core's typed-view refusals name it.
    private static string CSharpName(Type type) =>
        type == typeof(bool) ? "bool" : type == typeof(byte) ? "byte" : type == typeof(sbyte) ? "sbyte"
        : type == typeof(short) ? "short" : type == typeof(ushort) ? "ushort" : type == typeof(int) ? "int"
        : type == typeof(uint) ? "uint" : type == typeof(long) ? "long" : type == typeof(ulong) ? "ulong"
        : type == typeof(nint) ? "nint" : type == typeof(nuint) ? "nuint" : type == typeof(float) ? "float"
        : type == typeof(double) ? "double" : type == typeof(char) ? "char" : type.Name;
}
