namespace NdBridge.Python;

/// <summary>One member's XML documentation as plain text (no tags; crefs already named as Python names them).</summary>
internal sealed class MemberDocumentation
{
    internal MemberDocumentation(string? summary, IReadOnlyDictionary<string, string> parameters, string? returns, string? remarks)
    {
        Summary = summary;
        Parameters = parameters;
        Returns = returns;
        Remarks = remarks;
    }

    /// <summary>The <c>&lt;summary&gt;</c>.</summary>
    internal string? Summary { get; }

    /// <summary>Each <c>&lt;param name="x"&gt;</c>, keyed by the .NET parameter name.</summary>
    internal IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The <c>&lt;returns&gt;</c> (or a property's <c>&lt;value&gt;</c>).</summary>
    internal string? Returns { get; }

    /// <summary>The <c>&lt;remarks&gt;</c>.</summary>
    internal string? Remarks { get; }
}
