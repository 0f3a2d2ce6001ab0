namespace NdBridge.Python.Tests;

/// <summary>Read-back helpers that dispose the intermediate Python object.</summary>
internal static class TestExtensions
{
    public static List<T> EvalList<T>(this PythonRuntime python, string expression, PythonObject? globals = null)
    {
        using var result = python.Eval(expression, globals);
        return result.ToList<T>();
    }

    public static Dictionary<TKey, TValue> EvalDictionary<TKey, TValue>(this PythonRuntime python, string expression, PythonObject? globals = null)
        where TKey : notnull
    {
        using var result = python.Eval(expression, globals);
        return result.ToDictionary<TKey, TValue>();
    }
}
