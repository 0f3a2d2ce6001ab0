namespace NdBridge;

/// <summary>
/// The order in which a layout's elements follow each other in memory, as in CPython's
/// <c>'C'</c>, <c>'F'</c> and <c>'A'</c> order characters.
/// </summary>
public enum MemoryOrder
{
    /// <summary>Row-major: the last index varies fastest (<c>'C'</c>).</summary>
    C = 0,

    /// <summary>Column-major: the first index varies fastest (<c>'F'</c>, Fortran).</summary>
    F = 1,

    /// <summary>Either C or F (<c>'A'</c>); valid only where a question about an existing layout is asked.</summary>
    Any = 2,
}
