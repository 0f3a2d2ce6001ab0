using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;

namespace NdBridge.Python;

/// <summary>
/// A Python callable passed where .NET expects a delegate (<c>Func&lt;NdBuffer, double&gt;</c>, <c>Action&lt;...&gt;</c>,
/// any delegate whose parameters have a Python form and whose result Python values convert to): a delegate that takes
/// the GIL, passes its arguments as results are passed (arrays as zero-copy NumPy views), calls the callable and converts
/// what it returns. A Python exception inside leaves the delegate as <see cref="PythonException"/> (the original object
/// goes back to Python if it propagates out of the hosted call). The delegate holds a strong reference to the callable
/// (a <see cref="PythonObject"/>): it works after Python dropped its own, and .NET's collection of the delegate queues
/// the release for the next GIL holder (no finalizer takes the GIL).
/// </summary>
internal static unsafe class CallbackConverters
{
    /// <summary>Whether <paramref name="type"/> is a concrete delegate type (whose conversion is checked when it is first used).</summary>
    internal static bool IsCallback(Type type) => typeof(Delegate).IsAssignableFrom(type) && type != typeof(Delegate) && type != typeof(MulticastDelegate);

    /// <summary>Compiles the conversion of <paramref name="type"/> now, so a delegate type without one fails the load, not the call.</summary>
    /// <exception cref="ModuleDefinitionException">A parameter or the result has no conversion.</exception>
    [RequiresUnreferencedCode("Reads the converter by reflection.")]
    [RequiresDynamicCode("Closes the converter over the delegate type.")]
    internal static void Prepare(Type type)
    {
        try
        {
            _ = typeof(Shape<>).MakeGenericType(type).GetField(nameof(Shape<Action>.Factory), BindingFlags.Static | BindingFlags.NonPublic)!.GetValue(null);
        }
        catch (TargetInvocationException error) when (error.InnerException is TypeInitializationException { InnerException: { } cause })
        {
            throw ModuleDefinitionException.Create($"a Python callable cannot be passed as {type}: {cause.Message}");
        }
        catch (TypeInitializationException error) when (error.InnerException is { } cause)
        {
            throw ModuleDefinitionException.Create($"a Python callable cannot be passed as {type}: {cause.Message}");
        }
    }

    /// <summary>The argument converter: a delegate calling <paramref name="o"/>. Needs the GIL.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Python hosting reads user assemblies loaded at run time; it is never trimmed.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Python hosting runs on the JIT (hostfxr), never Native AOT.")]
    internal static T ToDelegate<T>(nint o, ParameterBinding parameter) where T : Delegate
    {
        if (o == CPython.Py_None && parameter.HasDefault && parameter.DefaultValue is null)
            return null!;
        if (CPython.PyCallable_Check(o) == 0)
            throw ArgumentConversionException.WrongType(parameter, $"a callable (a Python function taking {Shape<T>.Describe()})", o);
        return Shape<T>.Factory(new PythonCallback(PythonObject.FromBorrowedReference(o), parameter.Describe()));
    }

    /// <summary>Per delegate type: a factory compiled once, making a <typeparamref name="T"/> over a <see cref="PythonCallback"/>.</summary>
    private static class Shape<T> where T : Delegate
    {
        [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Python hosting is never trimmed.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Python hosting runs on the JIT.")]
        internal static readonly Func<PythonCallback, T> Factory = Compile();

        [UnconditionalSuppressMessage("Trimming", "IL2090", Justification = "Delegate types keep Invoke; Python hosting is never trimmed.")]
        internal static string Describe()
        {
            var invoke = typeof(T).GetMethod("Invoke")!;
            return $"({string.Join(", ", invoke.GetParameters().Select(p => p.ParameterType.Name))}) and returning {invoke.ReturnType.Name}";
        }

        [RequiresDynamicCode("Compiles an expression tree per delegate type.")]
        [RequiresUnreferencedCode("Reads the delegate's signature by reflection.")]
        private static Func<PythonCallback, T> Compile()
        {
            var invoke = typeof(T).GetMethod("Invoke")!;
            var callback = Expression.Parameter(typeof(PythonCallback), "callback");
            var parameters = invoke.GetParameters().Select(p => Expression.Parameter(p.ParameterType, p.Name)).ToArray();
            var toPython = new Expression[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var type = parameters[i].Type;
                if (type.IsByRef || type.IsPointer)
                    throw new NotSupportedException($"{typeof(T)}: a Python callable cannot fill parameter '{parameters[i].Name}' ({type}), passed by reference");
                // Each argument as a lambda run inside the callback's GIL scope: object → new reference.
                var boxed = Expression.Parameter(typeof(object), "value");
                var convert = ResultConverters.TryConvert(type, Expression.Convert(boxed, type))
                    ?? throw new NotSupportedException($"{typeof(T)}: parameter '{parameters[i].Name}' has type {type}, which has no Python form");
                toPython[i] = Expression.Constant(Expression.Lambda<Func<object?, nint>>(convert, boxed).Compile());
            }
            var arguments = Expression.NewArrayInit(typeof(object), parameters.Select(p => Expression.Convert(p, typeof(object))));
            var converters = Expression.NewArrayInit(typeof(Func<object?, nint>), toPython);
            Expression body;
            if (invoke.ReturnType == typeof(void))
            {
                body = Expression.Call(callback, typeof(PythonCallback).GetMethod(nameof(PythonCallback.InvokeVoid), BindingFlags.Instance | BindingFlags.NonPublic)!, arguments, converters);
            }
            else
            {
                if (!ArgumentConverters.TryGet(invoke.ReturnType, out var fromPython, out _))
                    throw new NotSupportedException($"{typeof(T)} returns {invoke.ReturnType}, which Python values cannot convert to");
                var resultType = typeof(Func<,,>).MakeGenericType(typeof(nint), typeof(ParameterBinding), invoke.ReturnType);
                var convertResult = Expression.Constant(fromPython.CreateDelegate(resultType), resultType);
                body = Expression.Call(callback,
                    typeof(PythonCallback).GetMethod(nameof(PythonCallback.Invoke), BindingFlags.Instance | BindingFlags.NonPublic)!.MakeGenericMethod(invoke.ReturnType),
                    arguments, converters, convertResult);
            }
            var inner = Expression.Lambda<T>(body, parameters);
            return Expression.Lambda<Func<PythonCallback, T>>(inner, callback).Compile();
        }
    }
}
