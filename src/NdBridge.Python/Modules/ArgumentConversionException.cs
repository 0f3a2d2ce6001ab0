namespace NdBridge.Python;

/// <summary>
/// An argument Python passed that the parameter cannot take; leaves the call as a Python <c>TypeError</c> (or
/// <c>OverflowError</c> for a number out of range) whose message names the function, the parameter, what it expects
/// and what it was given.
/// </summary>
internal sealed class ArgumentConversionException : Exception
{
    private ArgumentConversionException(string message, bool overflow, Exception? inner)
        : base(message, inner) => IsOverflow = overflow;

    /// <summary>True for an <c>OverflowError</c> (a number outside the parameter's range), false for a <c>TypeError</c>.</summary>
    internal bool IsOverflow { get; }

    /// <summary>"<c>mod.f() argument 'x' must be EXPECTED, not GIVEN</c>" plus a way out when there is one.</summary>
    internal static ArgumentConversionException WrongType(ParameterBinding parameter, string expected, nint given, string? advice = null, Exception? inner = null) =>
        new($"{parameter.Describe()} must be {expected}, not {PythonTypeNames.Of(given)}{(advice is null ? "" : ": " + advice)}", overflow: false, inner);

    /// <summary>A message of its own about the argument (a layout or write access the parameter cannot take).</summary>
    internal static ArgumentConversionException Refused(ParameterBinding parameter, string problem, Exception? inner = null) =>
        new($"{parameter.Describe()}: {problem}", overflow: false, inner);

    /// <summary>An <c>int</c> outside the parameter's .NET range.</summary>
    internal static ArgumentConversionException OutOfRange(ParameterBinding parameter, string typeName) =>
        new($"{parameter.Describe()} is out of range for {typeName}", overflow: true, null);

    /// <summary>A call whose arguments do not match the parameters (count, keywords).</summary>
    internal static ArgumentConversionException BadCall(string message) => new(message, overflow: false, null);
}
