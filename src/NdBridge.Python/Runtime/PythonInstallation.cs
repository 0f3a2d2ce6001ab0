using System.Diagnostics;
using System.Runtime.InteropServices;

namespace NdBridge.Python;

/// <summary>
/// A located CPython: the shared library to load and, when found through an executable, what that
/// executable says about itself (so a venv's <c>sys.executable</c> and <c>sys.prefix</c> come out right).
/// </summary>
public sealed class PythonInstallation
{
    /// <summary>The environment variable naming the interpreter: an executable or a libpython path.</summary>
    public const string EnvironmentVariable = "NDBRIDGE_PYTHON";

    /// <summary>The oldest supported version: the buffer protocol entered the stable ABI in 3.11.</summary>
    public static readonly Version MinimumVersion = new(3, 11);

    private const string ProbeMarker = "ndbridge-probe:";

    // Python 2 compatible on purpose, so an old interpreter answers and is refused by version.
    private const string ProbeScript =
        "import sys, sysconfig\n" +
        "v = sys.version_info\n" +
        "c = sysconfig.get_config_var\n" +
        "print('" + ProbeMarker + "version=%d.%d.%d' % (v[0], v[1], v[2]))\n" +
        "print('" + ProbeMarker + "executable=' + (sys.executable or ''))\n" +
        "print('" + ProbeMarker + "prefix=' + sys.prefix)\n" +
        "print('" + ProbeMarker + "libdir=' + str(c('LIBDIR') or ''))\n" +
        "print('" + ProbeMarker + "instsoname=' + str(c('INSTSONAME') or ''))\n" +
        "print('" + ProbeMarker + "shared=' + str(c('Py_ENABLE_SHARED') or 0))\n";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);

    private PythonInstallation(string libraryPath, Version version, string? executablePath, string? prefix, string source)
    {
        LibraryPath = libraryPath;
        Version = version;
        ExecutablePath = executablePath;
        Prefix = prefix;
        Source = source;
    }

    /// <summary>The libpython to load (a path, or the library's soname when only the loader's search finds it).</summary>
    public string LibraryPath { get; }

    /// <summary>The interpreter's version (major.minor.micro).</summary>
    public Version Version { get; }

    /// <summary>
    /// The executable's own <c>sys.executable</c>. When a library path was given directly, the
    /// <c>python3.X</c> installed beside it that reports that library, or null when there is none.
    /// </summary>
    public string? ExecutablePath { get; }

    /// <summary>The executable's <c>sys.prefix</c> (a venv's directory for a venv); null when <see cref="ExecutablePath"/> is.</summary>
    public string? Prefix { get; }

    /// <summary>Where the path came from: "option", the environment variable's name, or "PATH".</summary>
    public string Source { get; }

    /// <summary>
    /// Finds CPython: <paramref name="pythonPath"/> if given, else <see cref="EnvironmentVariable"/>, else every
    /// <c>python3</c> on <c>PATH</c> in order. An explicit path or the variable, when set, is the choice: it is
    /// not replaced by another interpreter if it fails.
    /// </summary>
    /// <param name="pythonPath">An executable or a libpython path, or null.</param>
    /// <exception cref="PythonNotFoundException">Nothing usable; the message lists every path tried.</exception>
    public static PythonInstallation Locate(string? pythonPath = null) =>
        Locate(pythonPath, Environment.GetEnvironmentVariable(EnvironmentVariable), Environment.GetEnvironmentVariable("PATH"));

    /// <summary><see cref="Locate(string?)"/> with the environment given, so tests need not change the process's.</summary>
    internal static PythonInstallation Locate(string? pythonPath, string? environmentValue, string? pathVariable)
    {
        var attempts = new List<string>();
        PythonInstallation? found;
        if (!string.IsNullOrEmpty(pythonPath))
        {
            found = TryCandidate(OnPath(pythonPath, pathVariable), "option", attempts);
        }
        else if (!string.IsNullOrEmpty(environmentValue))
        {
            found = TryCandidate(OnPath(environmentValue, pathVariable), EnvironmentVariable, attempts);
        }
        else
        {
            found = null;
            attempts.Add($"{EnvironmentVariable}: not set");
            var directories = (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
            var executableName = OperatingSystem.IsWindows() ? "python.exe" : "python3";
            foreach (var directory in directories)
            {
                var candidate = Path.Combine(directory, executableName);
                if (!File.Exists(candidate))
                    continue;
                found = TryCandidate(candidate, "PATH", attempts);
                if (found is not null)
                    break;
            }
            if (found is null && attempts.Count == 1)
                attempts.Add($"{executableName} on PATH: not found in any of {directories.Length} directories");
        }

        if (found is not null)
            return found;

        var message =
            "No usable Python was found (NdBridge needs CPython " + MinimumVersion + " or later with a shared libpython). Tried:" +
            Environment.NewLine + string.Join(Environment.NewLine, attempts.Select(a => "  - " + a)) + Environment.NewLine +
            $"Choose one with PythonRuntimeOptions.PythonPath or the {EnvironmentVariable} environment variable " +
            "(a python executable, a venv's bin/python, or a libpython shared library).";
        throw new PythonNotFoundException(message, attempts);
    }

    // A bare name (python3.11) is looked up on PATH, as a shell would; a name not found there stays as given.
    private static string OnPath(string path, string? pathVariable)
    {
        if (path.Contains(Path.DirectorySeparatorChar) || path.Contains(Path.AltDirectorySeparatorChar))
            return path;
        foreach (var directory in (pathVariable ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, path);
            if (File.Exists(candidate))
                return candidate;
        }
        return path;
    }

    private static PythonInstallation? TryCandidate(string path, string source, List<string> attempts)
    {
        if (!File.Exists(path))
        {
            attempts.Add(path.Contains(Path.DirectorySeparatorChar)
                ? $"{path} (from {source}): no such file"
                : $"{path} (from {source}): a bare name, not found in any directory on PATH");
            return null;
        }
        return LooksLikeLibrary(path)
            ? TryLibrary(path, path, source, executable: null, prefix: null, attempts)
            : TryExecutable(path, source, attempts);
    }

    private static bool LooksLikeLibrary(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith("libpython", StringComparison.Ordinal)
            || name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal)
            || name.EndsWith(".dylib", StringComparison.Ordinal) || name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
    }

    private static PythonInstallation? TryExecutable(string path, string source, List<string> attempts)
    {
        Dictionary<string, string> answers;
        try
        {
            answers = Probe(path);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            attempts.Add($"{path} (from {source}): not a Python interpreter ({ex.Message})");
            return null;
        }

        if (!answers.TryGetValue("version", out var versionText) || !Version.TryParse(versionText, out var version))
        {
            attempts.Add($"{path} (from {source}): not a Python interpreter (it did not answer the sysconfig query)");
            return null;
        }
        if (version < MinimumVersion)
        {
            attempts.Add($"{path} (from {source}): Python {version} is too old; NdBridge needs {MinimumVersion} or later (the buffer protocol's stable ABI)");
            return null;
        }

        var executable = answers.GetValueOrDefault("executable") is { Length: > 0 } e ? e : path;
        var prefix = answers.GetValueOrDefault("prefix");
        var libdir = answers.GetValueOrDefault("libdir") ?? "";
        var soname = answers.GetValueOrDefault("instsoname") ?? "";
        if (soname.Length == 0)
        {
            attempts.Add($"{path} (from {source}): Python {version} reports no INSTSONAME (Py_ENABLE_SHARED={answers.GetValueOrDefault("shared")}): built without a shared libpython");
            return null;
        }

        var library = Path.Combine(libdir, soname);
        if (File.Exists(library))
            return TryLibrary(library, path, source, executable, prefix, attempts);
        attempts.Add($"{library} (LIBDIR/INSTSONAME of {path}, from {source}): no such file");
        // Some layouts install the library outside LIBDIR; the loader's search path may still find it.
        return TryLibrary(soname, path, source, executable, prefix, attempts);
    }

    private static Dictionary<string, string> Probe(string executable)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ProbeScript);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        process.StandardInput.Close();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ProbeTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"no answer within {ProbeTimeout.TotalSeconds} s");
        }
        var stdout = stdoutTask.GetAwaiter().GetResult();
        _ = stderrTask.GetAwaiter().GetResult();
        var answers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in stdout.Split('\n'))
        {
            if (!line.StartsWith(ProbeMarker, StringComparison.Ordinal))
                continue;
            var body = line[ProbeMarker.Length..].TrimEnd('\r');
            var equals = body.IndexOf('=');
            if (equals > 0)
                answers[body[..equals]] = body[(equals + 1)..];
        }
        if (answers.Count == 0)
            throw new InvalidOperationException($"`{executable} -c <sysconfig query>` exited with code {process.ExitCode} and printed no answer");
        return answers;
    }

    private static unsafe PythonInstallation? TryLibrary(string library, string origin, string source, string? executable, string? prefix, List<string> attempts)
    {
        var label = library == origin ? $"{library} (from {source})" : $"{library} (library of {origin}, from {source})";
        if (!DynamicLibrary.TryOpenGlobal(library, out var handle, out var error))
        {
            attempts.Add($"{label}: cannot be loaded ({error})");
            return null;
        }
        if (!NativeLibrary.TryGetExport(handle, "Py_GetVersion", out var getVersion))
        {
            DynamicLibrary.Close(handle);
            attempts.Add($"{label}: not a libpython (no Py_GetVersion)");
            return null;
        }
        // Py_GetVersion may be called before initialisation: "3.11.2 (main, ...)".
        var text = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)getVersion)()) ?? "";
        var numeric = new string(text.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        if (!Version.TryParse(numeric, out var version) || version < MinimumVersion)
        {
            DynamicLibrary.Close(handle);
            attempts.Add($"{label}: Python {text.Split(' ')[0]} is too old; NdBridge needs {MinimumVersion} or later");
            return null;
        }
        // The handle stays open: PythonRuntime opens the same path again and gets this library back.
        if (executable is null)
            (executable, prefix) = FindExecutableFor(library, version);
        return new PythonInstallation(library, new Version(version.Major, version.Minor, Math.Max(version.Build, 0)), executable, prefix, source);
    }

    /// <summary>
    /// The interpreter installed beside a library given directly, when one reports that very library:
    /// without a program name CPython would search PATH for "python3" and might name another one in
    /// <c>sys.executable</c>.
    /// </summary>
    private static (string? Executable, string? Prefix) FindExecutableFor(string library, Version version)
    {
        if (!File.Exists(library) || Path.GetDirectoryName(Path.GetFullPath(library)) is not { } directory)
            return default;
        var name = OperatingSystem.IsWindows() ? "python.exe" : $"python{version.Major}.{version.Minor}";
        var candidates = new[] { Path.Combine(directory, "..", "bin", name), Path.Combine(directory, "..", "..", "bin", name), Path.Combine(directory, name) }
            .Select(Path.GetFullPath).Distinct();
        var target = Canonical(library);
        foreach (var candidate in candidates.Where(File.Exists))
        {
            try
            {
                var answers = Probe(candidate);
                var reported = Path.Combine(answers.GetValueOrDefault("libdir") ?? "", answers.GetValueOrDefault("instsoname") ?? "");
                if (File.Exists(reported) && Canonical(reported) == target)
                    return (answers.GetValueOrDefault("executable") is { Length: > 0 } e ? e : candidate, answers.GetValueOrDefault("prefix"));
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
            {
                // not the interpreter of this library; the next candidate may be
            }
        }
        return default;
    }

    /// <summary>
    /// The interpreter running this process (Python is the host): <paramref name="objectFile"/> is the executable or
    /// libpython whose C API NdBridge bound, <paramref name="versionText"/> its <c>Py_GetVersion()</c>.
    /// </summary>
    internal static PythonInstallation ForRunningProcess(string objectFile, string versionText)
    {
        var numeric = new string(versionText.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray());
        var version = Version.TryParse(numeric, out var parsed) ? parsed : new Version(0, 0);
        var executable = File.ResolveLinkTarget("/proc/self/exe", returnFinalTarget: true)?.FullName;
        return new PythonInstallation(objectFile, new Version(version.Major, version.Minor, Math.Max(version.Build, 0)), executable, prefix: null, "process");
    }

    private static string Canonical(string path) => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}
