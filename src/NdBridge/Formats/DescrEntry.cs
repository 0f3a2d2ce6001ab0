namespace NdBridge;

/// <summary>
/// One entry of a NumPy <c>__array_interface__['descr']</c> list: <c>(name, typestr)</c>,
/// <c>(name, typestr, shape)</c> or <c>(name, [nested entries], shape?)</c>. An entry named <c>''</c> whose type
/// is <c>|V<i>n</i></c> is padding.
/// </summary>
public sealed class DescrEntry
{
    /// <summary>An entry with a scalar or opaque type string.</summary>
    /// <param name="name">The field name; <c>""</c> for padding or an unnamed field.</param>
    /// <param name="typestr">An array-interface type string such as <c>&lt;f8</c> or <c>|V4</c>.</param>
    /// <param name="shape">The sub-array shape, or <see langword="null"/>/empty for none.</param>
    public DescrEntry(string name, string typestr, IReadOnlyList<nint>? shape = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(typestr);
        Name = name;
        Typestr = typestr;
        Shape = shape ?? [];
    }

    /// <summary>An entry whose type is a nested record.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="fields">The nested record's entries.</param>
    /// <param name="shape">The sub-array shape, or <see langword="null"/>/empty for none.</param>
    public DescrEntry(string name, IReadOnlyList<DescrEntry> fields, IReadOnlyList<nint>? shape = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(fields);
        Name = name;
        Fields = fields;
        Shape = shape ?? [];
    }

    /// <summary>The field name; <c>""</c> for padding or an unnamed field.</summary>
    public string Name { get; }

    /// <summary>The type string, or <see langword="null"/> when the entry is a nested record (<see cref="Fields"/>).</summary>
    public string? Typestr { get; }

    /// <summary>The nested record's entries, or <see langword="null"/> when the entry has a <see cref="Typestr"/>.</summary>
    public IReadOnlyList<DescrEntry>? Fields { get; }

    /// <summary>The sub-array shape; empty for none.</summary>
    public IReadOnlyList<nint> Shape { get; }

    /// <summary>The entry as a Python literal: <c>('x', '&lt;f8')</c>, <c>('a', '&lt;i4', (2, 3))</c>.</summary>
    public override string ToString() => BufferFormat.DescrEntryToPython(this);
}
