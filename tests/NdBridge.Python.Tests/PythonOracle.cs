using NdBridge.Testing;

namespace NdBridge.Python.Tests;

/// <summary>Asks a Python executable directly (a separate process, no NdBridge) — the oracle for locate and venv tests.</summary>
internal static class PythonOracle
{
    /// <summary>Runs <c>python -c code</c> and returns its stdout lines as "key=value" pairs.</summary>
    public static Dictionary<string, string> Ask(string python, string code) =>
        PythonProcess.Run(python, ["-c", code])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    public const string SysconfigQuery =
        "import sys, sysconfig, os\n" +
        "print('library=' + os.path.join(sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('INSTSONAME')))\n" +
        "print('version=%d.%d.%d' % sys.version_info[:3])\n" +
        "print('executable=' + sys.executable)\n" +
        "print('prefix=' + sys.prefix)\n";

    public const string SiteQuery =
        "import sys, site, numpy\n" +
        "print('sys.executable=' + sys.executable)\n" +
        "print('sys.prefix=' + sys.prefix)\n" +
        "print('sys.base_prefix=' + sys.base_prefix)\n" +
        "print('site.getsitepackages=' + '|'.join(site.getsitepackages()))\n" +
        "print('numpy.version=' + numpy.__version__)\n";

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string TempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "ndbridge-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
