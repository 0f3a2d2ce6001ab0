using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>
    /// A writable typed view. Granted only when <typeparamref name="T"/> matches the format in native byte order,
    /// the buffer is direct (no suboffsets) and writable, and every element is aligned to <c>alignof(T)</c>;
    /// otherwise <see cref="InvalidOperationException"/> naming both sides and the way out. The span keeps this
    /// buffer reachable, and from now on <see cref="Dispose"/> leaves the release of the memory to the finalizer,
    /// so no use of the span reaches freed memory (see <see cref="StridedSpan{T}"/> for what stays the caller's duty).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public StridedSpan<T> AsStridedSpan<T>() where T : unmanaged
    {
        if (!CanViewAs<T>(writable: true, out var reason))
            ThrowHelper.ThrowTypedViewRefused(reason);
        MarkSpansHandedOut();
        return new StridedSpan<T>(ref Unsafe.AsRef<T>(_origin), Layout, this);
    }

    /// <summary>A read-only typed view; the rules and guarantees of <see cref="AsStridedSpan{T}"/> except writability.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public ReadOnlyStridedSpan<T> AsReadOnlyStridedSpan<T>() where T : unmanaged
    {
        if (!CanViewAs<T>(writable: false, out var reason))
            ThrowHelper.ThrowTypedViewRefused(reason);
        MarkSpansHandedOut();
        return new ReadOnlyStridedSpan<T>(ref Unsafe.AsRef<T>(_origin), Layout, this);
    }

    /// <summary>
    /// A writable typed view, granted as <see cref="AsStridedSpan{T}"/> grants it, for a caller that disposes this
    /// buffer itself and only after the span's last use (a method that imports, runs a callback on the span and
    /// disposes): unlike <see cref="AsStridedSpan{T}"/>, <see cref="Dispose"/> then still releases the memory at once.
    /// Unchecked: a use of the span after <see cref="Dispose"/> reads freed memory.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public StridedSpan<T> DangerousAsScopedStridedSpan<T>() where T : unmanaged
    {
        if (!CanViewAs<T>(writable: true, out var reason))
            ThrowHelper.ThrowTypedViewRefused(reason);
        return new StridedSpan<T>(ref Unsafe.AsRef<T>(_origin), Layout, this);
    }

    /// <summary>The read-only twin of <see cref="DangerousAsScopedStridedSpan{T}"/>: granted as <see cref="AsReadOnlyStridedSpan{T}"/> grants it; unchecked after <see cref="Dispose"/>.</summary>
    /// <exception cref="ObjectDisposedException">The buffer was disposed.</exception>
    public ReadOnlyStridedSpan<T> DangerousAsScopedReadOnlyStridedSpan<T>() where T : unmanaged
    {
        if (!CanViewAs<T>(writable: false, out var reason))
            ThrowHelper.ThrowTypedViewRefused(reason);
        return new ReadOnlyStridedSpan<T>(ref Unsafe.AsRef<T>(_origin), Layout, this);
    }

    /// <summary>Whether a typed view of <typeparamref name="T"/> would be granted, and if not, why.</summary>
    /// <param name="writable">Whether a writable view is asked.</param>
    /// <param name="reason">The refusal, naming both sides, when false.</param>
    public bool CanViewAs<T>(bool writable, [NotNullWhen(false)] out string? reason) where T : unmanaged
    {
        ThrowIfDisposed();
        var name = ElementType<T>.Name;
        reason = ElementTypeMismatch<T>();
        if (reason is not null)
            return false;
        if (Layout.HasSuboffsets)
        {
            reason = $"the buffer is indirect (suboffsets {StridedLayout.FormatTuple(Layout.Suboffsets)}): a view of {name} needs direct memory; copy it first";
            return false;
        }
        if (writable && IsReadOnly)
        {
            reason = $"the buffer is read-only: ask for a ReadOnlyStridedSpan<{name}>";
            return false;
        }
        if (!Layout.IsEmpty)
        {
            var alignment = ElementType<T>.Alignment;
            if ((nuint)_origin % (nuint)alignment != 0)
            {
                reason = $"element [0, ..., 0] at address 0x{(nuint)_origin:x} is not aligned to alignof({name}) = {alignment}: use ReadUnaligned/WriteUnaligned";
                return false;
            }
            for (var i = 0; i < Rank; i++)
            {
                if (Layout.Shape[i] > 1 && Layout.ByteStrides[i] % alignment != 0)
                {
                    reason = $"byte stride {Layout.ByteStrides[i]} of dimension {i} is not a multiple of alignof({name}) = {alignment}: use ReadUnaligned/WriteUnaligned";
                    return false;
                }
            }
        }
        reason = null;
        return true;
    }

    /// <summary>
    /// The address of an element, following suboffsets as <c>PyBuffer_GetPointer</c> does. Indices are
    /// bounds-checked; with suboffsets, the pointers read on the way are trusted.
    /// </summary>
    /// <param name="indices">One index per dimension, each in <c>[0, length)</c>.</param>
    public void* DangerousGetElementPointer(params ReadOnlySpan<nint> indices)
    {
        ThrowIfDisposed();
        var layout = Layout;
        if (indices.Length != layout.Rank)
            ThrowHelper.ThrowLengthMismatch(nameof(indices), "indices", indices.Length, layout.Rank);
        var shape = layout.Shape;
        var byteStrides = layout.ByteStrides;
        var suboffsets = layout.Suboffsets;
        var pointer = _origin;
        for (var i = 0; i < indices.Length; i++)
        {
            if ((nuint)indices[i] >= (nuint)shape[i])
                ThrowHelper.ThrowIndexOutOfRange(nameof(indices), i, indices[i], shape[i]);
            pointer += indices[i] * byteStrides[i];
            // In bounds: the index was checked and the layout proven (or trusted) for every index in range.
            if (!suboffsets.IsEmpty && suboffsets[i] >= 0)
                pointer = *(byte**)pointer + suboffsets[i];
        }
        GC.KeepAlive(this);
        return pointer;
    }

    /// <summary>
    /// Reads one element whatever its alignment (NumPy record fields are often unaligned). <typeparamref name="T"/>
    /// must match the format in native byte order. Holds the memory during the read, like <see cref="CopyTo(NdBuffer)"/>.
    /// </summary>
    /// <param name="indices">One index per dimension.</param>
    /// <exception cref="ObjectDisposedException">The buffer was disposed (also when <see cref="Dispose"/> races the call).</exception>
    public T ReadUnaligned<T>(params ReadOnlySpan<nint> indices) where T : unmanaged
    {
        CheckElementType<T>();
        Hold();
        try
        {
            return Unsafe.ReadUnaligned<T>(DangerousGetElementPointer(indices));
        }
        finally
        {
            Unhold();
        }
    }

    /// <summary>Writes one element whatever its alignment; refused on read-only buffers. Holds the memory during the write.</summary>
    /// <param name="value">The value.</param>
    /// <param name="indices">One index per dimension.</param>
    /// <exception cref="ObjectDisposedException">The buffer was disposed (also when <see cref="Dispose"/> races the call).</exception>
    public void WriteUnaligned<T>(T value, params ReadOnlySpan<nint> indices) where T : unmanaged
    {
        CheckElementType<T>();
        if (IsReadOnly)
            ThrowHelper.ThrowReadOnly("WriteUnaligned", "read it with ReadUnaligned, or write into a writable copy (ToContiguous())");
        Hold();
        try
        {
            Unsafe.WriteUnaligned(DangerousGetElementPointer(indices), value);
        }
        finally
        {
            Unhold();
        }
    }

    // What to ask for instead: the .NET type of a scalar format, or how to describe a record.
    private string MatchingTypeAdvice()
    {
        var matching = Format.Kind == BufferFormatKind.Scalar ? (Format.ScalarKind, Format.ItemSize) switch
        {
            (ScalarKind.Boolean, 1) => "bool",
            (ScalarKind.SignedInteger, 1) => "sbyte",
            (ScalarKind.SignedInteger, 2) => "short",
            (ScalarKind.SignedInteger, 4) => "int",
            (ScalarKind.SignedInteger, 8) => "long",
            (ScalarKind.UnsignedInteger, 1) => "byte",
            (ScalarKind.UnsignedInteger, 2) => "ushort",
            (ScalarKind.UnsignedInteger, 4) => "uint",
            (ScalarKind.UnsignedInteger, 8) => "ulong",
            (ScalarKind.Float, 2) => "Half",
            (ScalarKind.Float, 4) => "float",
            (ScalarKind.Float, 8) => "double",
            (ScalarKind.Complex, 16) => "System.Numerics.Complex",
            _ => null,
        } : null;
        if (matching is not null)
            return Format.IsNativeByteOrder
                ? $"its elements are {matching}: ask for {matching}"
                : $"its elements are non-native {matching}: copy them with ToContiguous(MemoryOrder.C, BufferFormat.Of<{matching}>()) and ask for {matching}";
        return Format.Kind == BufferFormatKind.Record
            ? "ask for a struct whose BufferFormat.Of<T>() has the same fields at the same offsets, or read the bytes (EnumerateReadOnlyRuns<byte>, ToByteArray)"
            : "no .NET type matches it: read the bytes (EnumerateReadOnlyRuns<byte>, ToByteArray)";
    }

    private void CheckElementType<T>() where T : unmanaged
    {
        if (ElementTypeMismatch<T>() is { } reason)
            ThrowHelper.ThrowTypedViewRefused(reason);
    }

    private string? ElementTypeMismatch<T>() where T : unmanaged
    {
        var name = ElementType<T>.Name;
        var size = ElementType<T>.Size;
        if (!Format.Describes<T>())
        {
            return Format.DescribesIgnoringByteOrder<T>()
                ? $"format '{Format}' ({Format.Describe()}) does not match {name}: use the byte-order copy, ToContiguous(MemoryOrder.C, BufferFormat.Of<{name}>())"
                : $"format '{Format}' ({Format.Describe()}, {Format.ItemSize} bytes) does not match {name} ({size} bytes): {MatchingTypeAdvice()}";
        }
        return ItemSize == size ? null : $"item size {ItemSize} bytes (format '{Format}', {Format.Describe()}) does not match {name} ({size} bytes)";
    }
}
