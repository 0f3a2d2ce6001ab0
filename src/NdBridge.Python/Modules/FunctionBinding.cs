using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace NdBridge.Python;

/// <summary>
/// One .NET static method as a Python function (nanobind's <c>nb_func</c>): its parameters, and an invoker compiled once
/// from an expression tree that converts each argument, calls the method (without the GIL when it opts out) and
/// converts the result. <see cref="FunctionDispatch"/> matches positional and keyword arguments to parameters.
/// </summary>
internal sealed unsafe class FunctionBinding
{
    private FunctionBinding(MethodBase method, FunctionKind kind, string ownerName, string pythonName)
    {
        Method = method;
        Kind = kind;
        PythonName = pythonName;
        QualifiedName = ownerName + "." + pythonName;
        ReleasesGil = method.IsDefined(typeof(ReleaseGilAttribute), inherit: false);
        Parameters = [.. method.GetParameters().Select((p, i) => new ParameterBinding(p, i, QualifiedName))];
        RequiredCount = Parameters.Count(p => !p.HasDefault);
    }

    /// <summary>The method or constructor.</summary>
    internal MethodBase Method { get; }

    /// <summary>A static method, an instance method (called on the receiver), or a constructor.</summary>
    internal FunctionKind Kind { get; }

    internal string PythonName { get; }

    /// <summary><c>module.function</c> or <c>module.Type.method</c>, as messages name it.</summary>
    internal string QualifiedName { get; }

    internal ParameterBinding[] Parameters { get; }

    /// <summary>The .NET type of the result: the method's return type, or the class a constructor makes.</summary>
    internal Type ResultType => Method is MethodInfo method ? method.ReturnType : Method.DeclaringType!;

    internal int RequiredCount { get; }

    internal bool ReleasesGil { get; }

    /// <summary>
    /// Takes the receiver (the .NET object of an instance method, else null) and the address of the call's argument
    /// frame (one borrowed <c>PyObject*</c> per parameter, 0 when left out); returns a new reference, or for a
    /// constructor a <see cref="GCHandle"/> (as <see cref="nint"/>) of the new object's <see cref="InstanceRecord"/>.
    /// </summary>
    internal Func<object?, nint, nint> Invoker { get; private set; } = null!;

    /// <summary>Binds the static <paramref name="method"/> of a module, or throws <see cref="ModuleDefinitionException"/> naming what cannot be bound.</summary>
    [RequiresDynamicCode("Compiles an expression tree per method.")]
    [RequiresUnreferencedCode("Reads the user's methods by reflection.")]
    internal static FunctionBinding Create(MethodInfo method, string moduleName) =>
        Create(method, moduleName, method.GetCustomAttribute<PythonFunctionAttribute>()?.Name ?? PythonNames.ToSnakeCase(method.Name));

    /// <summary>Binds a method or constructor of a type (or module) named <paramref name="ownerName"/> as <paramref name="pythonName"/>.</summary>
    [RequiresDynamicCode("Compiles an expression tree per method.")]
    [RequiresUnreferencedCode("Reads the user's methods by reflection.")]
    internal static FunctionBinding Create(MethodBase method, string ownerName, string pythonName)
    {
        if (method.IsGenericMethodDefinition)
            throw ModuleDefinitionException.Create($"{method.DeclaringType}.{method.Name} is generic: a Python function needs concrete parameter types.");
        var kind = method is ConstructorInfo ? FunctionKind.Constructor : method.IsStatic ? FunctionKind.Function : FunctionKind.Method;
        var binding = new FunctionBinding(method, kind, ownerName, pythonName);
        binding.Invoker = binding.Compile();
        return binding;
    }

    /// <summary>The member's XML documentation, when its assembly has a documentation file that documents it.</summary>
    internal MemberDocumentation? Documentation { get; set; }

    /// <summary>The docstring, whose first line CPython reads as <c>__text_signature__</c> (<c>name(a, b=1.0)\n--\n\n</c>), then <see cref="Description"/>.</summary>
    internal string DocString() => TextSignature() is { } signature ? signature + "\n--\n\n" + Description() : Description();

    /// <summary><c>name(a, b=1.0)</c>, or null when a default has no Python literal (<c>inspect.signature</c> would refuse it).</summary>
    internal string? TextSignature()
    {
        var text = new StringBuilder(PythonName).Append('(');
        if (Kind != FunctionKind.Function)
            text.Append(Parameters.Length == 0 ? "$self" : "$self, ");
        for (var i = 0; i < Parameters.Length; i++)
        {
            var p = Parameters[i];
            text.Append(i == 0 ? "" : ", ").Append(p.PythonName);
            if (p.HasDefault)
            {
                if (PythonLiteral(p.DefaultValue) is not { } literal)
                    return null;
                text.Append('=').Append(literal);
            }
        }
        return text.Append(')').ToString();
    }

    /// <summary>
    /// The docstring without the signature: the summary, the parameters and the result (numpydoc sections, each with its
    /// Python annotation and XML documentation), the remarks, and the .NET method it calls. Plain text.
    /// </summary>
    internal string Description()
    {
        var text = new StringBuilder();
        if (Documentation?.Summary is { } summary)
            text.Append(summary).Append("\n\n");
        if (Parameters.Length > 0)
        {
            text.Append("Parameters\n----------\n");
            foreach (var p in Parameters)
            {
                text.Append(p.PythonName).Append(" : ").Append(PythonAnnotations.Of(p));
                if (p.HasDefault)
                    text.Append(PythonLiteral(p.DefaultValue) is { } literal ? ", default " + literal : ", optional");
                text.Append('\n');
                if (Documentation is not null && Documentation.Parameters.TryGetValue(Method.GetParameters()[p.Position].Name ?? "", out var about))
                    text.Append(Indent(about)).Append('\n');
            }
            text.Append('\n');
        }
        if (Kind != FunctionKind.Constructor && (ResultType != typeof(void) || Documentation?.Returns is not null))
        {
            text.Append("Returns\n-------\n").Append(PythonAnnotations.OfResult(this)).Append('\n');
            if (Documentation?.Returns is { } returns)
                text.Append(Indent(returns)).Append('\n');
            text.Append('\n');
        }
        if (Documentation?.Remarks is { } remarks)
            text.Append(remarks).Append("\n\n");
        text.Append(".NET: ").Append(Kind == FunctionKind.Constructor ? "new " + Method.DeclaringType : Method.DeclaringType + "." + Method.Name)
            .Append('(').AppendJoin(", ", Parameters.Select(p => p.Type.Name + " " + p.PythonName)).Append(')');
        if (Kind != FunctionKind.Constructor)
            text.Append(" -> ").Append(ResultType.Name);
        return text.ToString();
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(line => line.Length == 0 ? line : "    " + line));

    internal static string? PythonLiteral(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        string s => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'",
        double d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
        float f => float.IsFinite(f) ? f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
        IConvertible c when value.GetType().IsPrimitive => c.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    [RequiresDynamicCode("Compiles an expression tree per method.")]
    [RequiresUnreferencedCode("Reads the user's methods by reflection.")]
    private Func<object?, nint, nint> Compile()
    {
        var target = Expression.Parameter(typeof(object), "target");
        var frame = Expression.Parameter(typeof(nint), "frame");
        var locals = new List<ParameterExpression>();
        var body = new List<Expression>();
        var cleanup = new List<Expression>();
        var arguments = new Expression[Parameters.Length];
        var readSlot = ArgumentConverters.Method(typeof(FunctionBinding), nameof(ReadSlot));
        foreach (var p in Parameters)
        {
            if (p.Type.IsByRef || p.Type.IsPointer)
                throw ModuleDefinitionException.Create($"{QualifiedName}: parameter '{p.PythonName}' is passed by reference or is a pointer ({p.Type}); Python functions take values.");
            if (!ArgumentConverters.TryGet(p.Type, out var convert, out var release))
                throw ModuleDefinitionException.Create($"{QualifiedName}: parameter '{p.PythonName}' has type {p.Type}, which Python arguments cannot convert to (see PythonModuleAttribute for the supported types).");
            var local = Expression.Variable(p.Type, p.PythonName);
            locals.Add(local);
            var slot = Expression.Call(readSlot, frame, Expression.Constant(p.Position));
            Expression value = Expression.Call(convert, slot, Expression.Constant(p));
            if (p.HasDefault)
            {
                Expression fallback = p.DefaultValue is null || p.DefaultValue is DBNull || p.DefaultValue is Missing
                    ? Expression.Default(p.Type)
                    : Expression.Convert(Expression.Constant(p.DefaultValue), p.Type);
                value = Expression.Condition(Expression.Equal(slot, Expression.Constant((nint)0)), fallback, value);
            }
            body.Add(Expression.Assign(local, value));
            if (release is not null)
                cleanup.Add(Expression.Call(release, local));
            arguments[p.Position] = local;
        }

        Expression call = Method switch
        {
            ConstructorInfo constructor => Expression.New(constructor, arguments),
            MethodInfo { IsStatic: true } method => Expression.Call(method, arguments),
            MethodInfo method => Expression.Call(Expression.Convert(target, method.DeclaringType!), method, arguments),
            _ => throw ModuleDefinitionException.Create($"{QualifiedName}: {Method} is neither a method nor a constructor."),
        };
        var resultType = ResultType;
        if (ReleasesGil)
        {
            // The arguments are converted (their exports held) before the GIL goes; it is back before the result is converted.
            var threadState = Expression.Variable(typeof(nint), "threadState");
            var returned = resultType == typeof(void) ? null : Expression.Variable(resultType, "returned");
            locals.Add(threadState);
            if (returned is not null)
                locals.Add(returned);
            call = Expression.Block(
                Expression.Assign(threadState, Expression.Call(ArgumentConverters.Method(typeof(FunctionBinding), nameof(SaveThread)))),
                Expression.TryFinally(returned is null ? call : Expression.Assign(returned, call),
                    Expression.Call(ArgumentConverters.Method(typeof(FunctionBinding), nameof(RestoreThread)), threadState)),
                returned is null ? Expression.Empty() : returned);
        }
        var result = Kind == FunctionKind.Constructor
            ? Expression.Call(ArgumentConverters.Method(typeof(InstanceRecord), nameof(InstanceRecord.NewHandle)), Expression.Convert(call, typeof(object)))
            : ResultConverters.TryConvert(resultType, call)
                ?? throw ModuleDefinitionException.Create($"{QualifiedName} returns {resultType}, which has no Python form (see PythonModuleAttribute for the supported types).");
        body.Add(result);
        Expression block = Expression.Block(typeof(nint), body);
        if (cleanup.Count > 0)
            block = Expression.TryFinally(block, Expression.Block(typeof(void), cleanup));
        var lambda = Expression.Lambda<Func<object?, nint, nint>>(Expression.Block(typeof(nint), locals, block), QualifiedName, [target, frame]);
        return lambda.Compile();
    }

    internal static nint ReadSlot(nint frame, int index) => ((nint*)frame)[index]; // the dispatcher's frame has one slot per parameter

    internal static nint SaveThread() => CPython.PyEval_SaveThread();

    internal static void RestoreThread(nint threadState) => CPython.PyEval_RestoreThread(threadState);

    /// <summary>A native <c>PyMethodDef</c> for this function (never freed: the function object points at it).</summary>
    internal CPython.PyMethodDef* CreateMethodDef()
    {
        var def = (CPython.PyMethodDef*)NativeMemory.AllocZeroed((nuint)sizeof(CPython.PyMethodDef));
        def->ml_name = Utf8Z.Permanent(PythonName);
        def->ml_meth = (delegate* unmanaged<nint, nint*, nint, nint, nint>)&FunctionDispatch.Call;
        def->ml_flags = CPython.METH_FASTCALL | CPython.METH_KEYWORDS;
        def->ml_doc = Utf8Z.Permanent(DocString());
        return def;
    }
}
