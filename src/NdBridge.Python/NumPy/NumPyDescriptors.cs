namespace NdBridge.Python;

/// <summary>
/// NumPy's dtype for each PEP 3118 format text an export hands out, made once by NumPy's own parser (the one its buffer
/// import calls) and kept for the process. Guarded by the GIL.
/// </summary>
/// <remarks>
/// Keyed by the text, not by <see cref="BufferFormat"/>'s meaning: <c>l</c> and <c>q</c> are the same type to NdBridge
/// but distinct dtypes (<c>.char</c>, <c>.num</c>) to NumPy, and the handoff must give the dtype <c>numpy.asarray</c>
/// of the export would. Record dtypes are copied per array (<c>PyArray_DescrNew</c>): <c>a.dtype.names = ...</c>
/// renames in place, and one array's rename must not reach another handoff.
/// </remarks>
internal static unsafe class NumPyDescriptors
{
    private readonly record struct Entry(nint Descr, bool IsRecord);

    private static readonly Dictionary<string, Entry> s_entries = new(StringComparer.Ordinal);
    private static BufferFormat? s_lastFormat;
    private static Entry s_lastEntry;

    /// <summary>
    /// A new reference to the dtype NumPy makes from <paramref name="format"/>'s text, or 0 when NumPy's parser
    /// refuses it or its item size is not <paramref name="itemSize"/> (the caller then lets <c>numpy.asarray</c>
    /// raise NumPy's own error).
    /// </summary>
    internal static nint NewReference(NumPyArrayApi api, BufferFormat format, nint itemSize)
    {
        var entry = ReferenceEquals(format, s_lastFormat) ? s_lastEntry : Find(format, itemSize);
        if (entry.Descr == 0)
            return 0;
        if (entry.IsRecord)
            return api.PyArray_DescrNew(entry.Descr); // NULL (no memory) falls back too
        CPython.Py_IncRef(entry.Descr);
        return entry.Descr;
    }

    private static Entry Find(BufferFormat format, nint itemSize)
    {
        var text = format.ToString();
        if (!s_entries.TryGetValue(text, out var entry))
        {
            entry = Parse(text, itemSize);
            // Parsing ran Python code, which may have let another thread add the same text: keep the first.
            if (!s_entries.TryAdd(text, entry))
            {
                CPython.Py_DecRef(entry.Descr);
                entry = s_entries[text];
            }
        }
        s_lastFormat = format;
        s_lastEntry = entry;
        return entry;
    }

    private static Entry Parse(string text, nint itemSize)
    {
        using var parser = PythonObject.FromBorrowedReference(NumPyModule.DTypeFromPep3118);
        PythonObject dtype;
        try
        {
            dtype = parser.Call(text);
        }
        catch (PythonException)
        {
            return default; // numpy.asarray reports it, as it always did
        }
        using (dtype)
        {
            if (dtype.GetAttr<long>("itemsize") != itemSize)
                return default;
            using var names = dtype.GetAttr("names");
            return new Entry(dtype.ToNewReference(), IsRecord: !names.IsNone);
        }
    }
}
