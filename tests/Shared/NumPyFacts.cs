using System.Text.Json;

namespace NdBridge.Testing;

/// <summary>
/// What the running NumPy does where NumPy 1.x and 2.x differ, asked once of the interpreter
/// <c>NDBRIDGE_PYTHON</c> names (a separate process: no NdBridge involved). Tests derive their expectations from
/// these answers; no test writes down one version's behaviour.
/// </summary>
public static class NumPyFacts
{
    private const string Probe = """
        import importlib, json, sys
        import numpy as np
        facts = {'version': np.__version__, 'python': '%d.%d.%d' % sys.version_info[:3]}
        for name in ('numpy._core._internal', 'numpy.core._internal'):
            try:
                if hasattr(importlib.import_module(name), '_dtype_from_pep3118'):
                    facts['parser'] = name
                    break
            except ImportError:
                pass
        n = 1
        while n < 1024:
            try:
                np.empty((1,) * (n + 1))
            except ValueError:
                break
            n += 1
        facts['maxDims'] = n
        try:
            np.zeros(1, bool).__dlpack__()
            facts['dlpackBool'] = True
        except Exception:
            facts['dlpackBool'] = False
        seen = {}
        class Asker:
            def __dlpack_device__(self):
                return (1, 0)
            def __dlpack__(self, **kwargs):
                seen.update(kwargs)
                raise BufferError('probe')
        try:
            np.from_dlpack(Asker())
        except Exception:
            pass
        mv = seen.get('max_version')
        facts['fromDLPackAsksVersioned'] = mv is not None and tuple(mv) >= (1, 0)
        ro = np.arange(3.0)
        ro.flags.writeable = False
        try:
            ro.__dlpack__(max_version=(1, 0))
            facts['exportsReadOnlyVersioned'] = True
        except (BufferError, TypeError):
            facts['exportsReadOnlyVersioned'] = False
        print(json.dumps(facts))
        """;

    private static readonly Lazy<JsonElement> s_facts = new(() =>
        JsonDocument.Parse(PythonProcess.RunCode(Probe)).RootElement.Clone());

    /// <summary><c>numpy.__version__</c>.</summary>
    public static string Version => s_facts.Value.GetProperty("version").GetString()!;

    /// <summary>NumPy's major version (1 or 2).</summary>
    public static int Major => int.Parse(Version.Split('.')[0]);

    /// <summary>The interpreter's version, <c>major.minor.micro</c>.</summary>
    public static string PythonVersion => s_facts.Value.GetProperty("python").GetString()!;

    /// <summary>The module that holds NumPy's PEP 3118 parser, <c>_dtype_from_pep3118</c> (<c>numpy._core._internal</c> in 2.x).</summary>
    public static string Pep3118ParserModule => s_facts.Value.GetProperty("parser").GetString()!;

    /// <summary>A Python line binding NumPy's PEP 3118 parser to <c>P</c>.</summary>
    public static string ImportPep3118ParserAsP => $"from {Pep3118ParserModule} import _dtype_from_pep3118 as P";

    /// <summary>The most dimensions an array may have (<c>NPY_MAXDIMS</c>): found by asking for more until NumPy refuses.</summary>
    public static int MaxDimensions => s_facts.Value.GetProperty("maxDims").GetInt32();

    /// <summary>NumPy exports and imports DLPack <c>bool</c> (<c>kDLBool</c>).</summary>
    public static bool DLPackBool => s_facts.Value.GetProperty("dlpackBool").GetBoolean();

    /// <summary><c>numpy.from_dlpack</c> passes <c>max_version</c> ≥ (1, 0): it takes versioned capsules, which can say read-only.</summary>
    public static bool FromDLPackAsksVersioned => s_facts.Value.GetProperty("fromDLPackAsksVersioned").GetBoolean();

    /// <summary>NumPy's <c>__dlpack__(max_version=(1, 0))</c> exports a read-only array as a versioned capsule flagged READ_ONLY (rather than refusing).</summary>
    public static bool ExportsReadOnlyVersioned => s_facts.Value.GetProperty("exportsReadOnlyVersioned").GetBoolean();
}
