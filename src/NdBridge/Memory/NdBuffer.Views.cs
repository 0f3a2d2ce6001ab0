namespace NdBridge;

public sealed unsafe partial class NdBuffer
{
    /// <summary>A read-only view of the same memory, holding the owner on its own.</summary>
    public NdBuffer AsReadOnly() => CreateView(Layout, 0, readOnly: true);

    /// <summary>Slices one dimension with Python's semantics (<c>a[start:stop:step]</c>); see <see cref="StridedLayout.Slice"/>.</summary>
    /// <param name="dimension">The dimension to slice.</param>
    /// <param name="start">The first index, or null.</param>
    /// <param name="stop">The index to stop before, or null.</param>
    /// <param name="step">The step, not 0; negative walks backwards.</param>
    public NdBuffer Slice(int dimension, nint? start, nint? stop, nint step = 1)
    {
        var layout = Layout.Slice(dimension, start, stop, step, out var originByteOffset);
        return CreateView(layout, originByteOffset, IsReadOnly);
    }

    /// <summary>Selects one index of a dimension and drops the dimension (<c>a[..., index, ...]</c>).</summary>
    /// <param name="dimension">The dimension to drop.</param>
    /// <param name="index">The index, negative counting from the end.</param>
    public NdBuffer Index(int dimension, nint index)
    {
        var layout = Layout.Index(dimension, index, out var originByteOffset);
        return CreateView(layout, originByteOffset, IsReadOnly);
    }

    /// <summary>Reverses the dimensions (<c>a.T</c>).</summary>
    public NdBuffer Transpose() => CreateView(Layout.Transpose(), 0, IsReadOnly);

    /// <summary>Reorders the dimensions (<c>a.transpose(axes)</c>).</summary>
    /// <param name="axes">A permutation of the dimensions.</param>
    public NdBuffer Permute(params ReadOnlySpan<int> axes) => CreateView(Layout.Permute(axes), 0, IsReadOnly);

    /// <summary>Reshapes without copying (NumPy's rule); throws <see cref="InvalidOperationException"/> when a copy is needed.</summary>
    /// <param name="newShape">The new shape; one entry may be -1.</param>
    /// <param name="order">C or F.</param>
    public NdBuffer Reshape(ReadOnlySpan<nint> newShape, MemoryOrder order = MemoryOrder.C) =>
        CreateView(Layout.Reshape(newShape, order), 0, IsReadOnly);

    /// <summary>Broadcasts to a shape (<c>np.broadcast_to</c>); like NumPy, the view is read-only since elements alias.</summary>
    /// <param name="shape">The target shape.</param>
    public NdBuffer BroadcastTo(ReadOnlySpan<nint> shape) => CreateView(Layout.BroadcastTo(shape), 0, readOnly: true);

    /// <summary>Removes every dimension of length 1.</summary>
    public NdBuffer Squeeze() => CreateView(Layout.Squeeze(), 0, IsReadOnly);

    /// <summary>Inserts a dimension of length 1 at <paramref name="dimension"/>.</summary>
    /// <param name="dimension">The position of the new dimension.</param>
    public NdBuffer ExpandDims(int dimension) => CreateView(Layout.ExpandDims(dimension), 0, IsReadOnly);

    /// <summary>
    /// A view of one field of a record format (NumPy's <c>a['name']</c>): same shape and strides, the field's
    /// format, the origin moved to the field. A sub-array field adds its dimensions. Fields are often unaligned:
    /// read them with <see cref="ReadUnaligned{T}"/> when a typed view is refused.
    /// </summary>
    /// <param name="name">The field's <c>:name:</c>.</param>
    public NdBuffer Field(string name)
    {
        if (name is null)
            ThrowHelper.ThrowArgumentNull(nameof(name));
        BufferField? field = null;
        foreach (var candidate in Format.Fields)
        {
            if (candidate.Name == name)
                field = candidate;
        }
        if (field is null)
        {
            ThrowHelper.ThrowArgument(Format.Kind == BufferFormatKind.Record
                ? $"Format '{Format}' has no field '{name}'; its fields are: {string.Join(", ", Format.Fields.Select(f => f.Name ?? "(unnamed)"))}."
                : $"Format '{Format}' ({Format.Describe()}) is not a record: it has no fields.", nameof(name));
        }
        var element = field.ElementFormat;
        var layout = Layout.SelectItemBytes(field.ByteOffset, element.ItemSize, field.Shape.ToArray(), out var originByteOffset);
        return CreateView(layout, originByteOffset, IsReadOnly, element);
    }

    private NdBuffer CreateView(StridedLayout layout, nint originByteOffset, bool readOnly, BufferFormat? format = null)
    {
        if (_extentStart is not null)
            layout.ValidateExtent((nint)(_origin - _extentStart) + originByteOffset, _extentByteLength, nameof(layout));
        if (!TryAcquireOwner())
            ThrowHelper.ThrowObjectDisposed(nameof(NdBuffer));
        return new NdBuffer(_owner, _origin + originByteOffset, _extentStart, _extentByteLength, format ?? Format, layout, readOnly);
    }
}
