using NdBridge.Python;
using Spectre.Console;

namespace NdBridge.Showcase;

/// <summary>
/// What every step shares: the interpreter, a NumPy namespace, and the ledger of checks. A check is a claim
/// tested across the boundary (an address seen on both sides, a write seen on the other side); any failed
/// check makes the program exit non-zero.
/// </summary>
internal sealed class ShowcaseRun(PythonRuntime python, PythonObject numPy, string? brokenCheck)
{
    private readonly List<(string Step, string Claim, bool Held)> _checks = [];
    private string _step = "";

    public PythonRuntime Python { get; } = python;

    /// <summary>A namespace with <c>np</c> imported, shared by the steps.</summary>
    public PythonObject Namespace { get; } = numPy;

    public IReadOnlyList<(string Step, string Claim, bool Held)> Checks => _checks;

    public int Failures => _checks.Count(c => !c.Held);

    public void BeginStep(string title)
    {
        _step = title;
        AnsiConsole.WriteLine();
        AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(title)}[/]").LeftJustified());
    }

    public void Say(string text) => AnsiConsole.MarkupLine("  " + Markup.Escape(text));

    /// <summary>Records <paramref name="claim"/>; <paramref name="held"/> is the evidence computed by the step.</summary>
    /// <remarks>The test-only switch <c>--break-check TEXT</c> inverts the first check whose claim contains TEXT.</remarks>
    public bool Check(bool held, string claim)
    {
        if (brokenCheck is not null && claim.Contains(brokenCheck, StringComparison.Ordinal) && !_checks.Any(c => c.Claim.Contains(brokenCheck, StringComparison.Ordinal)))
            held = !held;
        _checks.Add((_step, claim, held));
        AnsiConsole.MarkupLine(held ? $"  [green]✓[/] {Markup.Escape(claim)}" : $"  [red]✗ FAILED:[/] {Markup.Escape(claim)}");
        return held;
    }

    /// <summary>Checks that <paramref name="action"/> throws <typeparamref name="TException"/>; shows its message.</summary>
    public void CheckRefused<TException>(Action action, string claim) where TException : Exception
    {
        try
        {
            action();
            Check(false, claim + " (nothing was thrown)");
        }
        catch (TException e)
        {
            Say($"{typeof(TException).Name}: {e.Message.Split('\n')[0]}");
            Check(true, claim);
        }
    }

    public void Exec(string code) => Python.Exec(code, Namespace);

    public T Eval<T>(string expression) => Python.Eval<T>(expression, Namespace);

    public PythonObject Eval(string expression) => Python.Eval(expression, Namespace);
}
