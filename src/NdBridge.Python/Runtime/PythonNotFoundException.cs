namespace NdBridge.Python;

/// <summary>
/// No usable CPython (3.11 or later, with a shared libpython) was found. The message names every path
/// tried, why each was refused, and how to choose another (<see cref="PythonInstallation.EnvironmentVariable"/>).
/// </summary>
public sealed class PythonNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message.</param>
    /// <param name="attempts">Every path tried, each with the reason it was refused.</param>
    public PythonNotFoundException(string message, IReadOnlyList<string> attempts)
        : base(message) => Attempts = attempts;

    /// <summary>Every path tried, in order, each as "path: reason".</summary>
    public IReadOnlyList<string> Attempts { get; }
}
