using NdBridge.Testing;
namespace NdBridge.Python.Tests.Runtime;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the fakes are shell scripts
public sealed class PythonInstallationTests
{
    private static Dictionary<string, string> Oracle() => PythonOracle.Ask(PythonFixture.PythonPath, PythonOracle.SysconfigQuery);

    [Fact]
    public void Locate_ExplicitExecutable_FindsItsSharedLibraryVersionAndPrefix()
    {
        var oracle = Oracle();
        var found = PythonInstallation.Locate(PythonFixture.PythonPath, environmentValue: "/nonexistent/python-from-env", pathVariable: "");
        Assert.Equal("option", found.Source);
        Assert.Equal(oracle["library"], found.LibraryPath);
        Assert.Equal(oracle["version"], found.Version.ToString());
        Assert.Equal(oracle["executable"], found.ExecutablePath);
        Assert.Equal(oracle["prefix"], found.Prefix);
    }

    [Fact]
    public void Locate_EnvironmentVariable_IsUsedWhenNoOption()
    {
        var oracle = Oracle();
        var found = PythonInstallation.Locate(null, environmentValue: PythonFixture.PythonPath, pathVariable: "");
        Assert.Equal(PythonInstallation.EnvironmentVariable, found.Source);
        Assert.Equal(oracle["library"], found.LibraryPath);
    }

    [Fact]
    public void Locate_LibraryPath_IsLoadedAndVersioned_AndFindsTheInterpreterBesideIt()
    {
        var oracle = Oracle();
        var found = PythonInstallation.Locate(oracle["library"], null, "");
        Assert.Equal(oracle["library"], found.LibraryPath);
        Assert.Equal(oracle["version"], found.Version.ToString());
        Assert.NotNull(found.ExecutablePath);
        Assert.Equal(Resolve(oracle["executable"]), Resolve(found.ExecutablePath)); // python3 and python3.11 are one file
        Assert.Equal(oracle["prefix"], found.Prefix);
    }

    private static string Resolve(string path) => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;

    [Fact]
    public void Child_LibraryPath_GivesTheMatchingSysExecutable_EvenWithAnotherPython3OnPath()
    {
        var oracle = Oracle();
        var child = TestHostProcess.Run(["report", oracle["library"]]); // this machine's PATH has a different python3 first
        child.AssertSucceeded();
        Assert.Equal(Resolve(oracle["executable"]), Resolve(child["sys.executable"]));
        Assert.Equal(oracle["prefix"], child["sys.prefix"]);
    }

    [Fact]
    public void Locate_Path_SkipsMissingDirectoriesAndTooOldPythons_ThenFindsPython3()
    {
        var oracle = Oracle();
        var tooOldDirectory = PythonOracle.TempDirectory();
        var goodDirectory = PythonOracle.TempDirectory();
        try
        {
            WriteFakePython(Path.Combine(tooOldDirectory, "python3"), "3.10.12");
            File.CreateSymbolicLink(Path.Combine(goodDirectory, "python3"), PythonFixture.PythonPath);
            var path = string.Join(Path.PathSeparator, "/nonexistent-directory", tooOldDirectory, goodDirectory);

            var found = PythonInstallation.Locate(null, environmentValue: null, pathVariable: path);

            Assert.Equal("PATH", found.Source);
            Assert.Equal(oracle["library"], found.LibraryPath);
            Assert.Equal(Path.Combine(goodDirectory, "python3"), found.ExecutablePath);
        }
        finally
        {
            Directory.Delete(tooOldDirectory, recursive: true);
            Directory.Delete(goodDirectory, recursive: true);
        }
    }

    [Fact]
    public void Locate_BadExplicitPath_ThrowsNamingThePathAndTheVariable_WithoutFallingBack()
    {
        var ex = Assert.Throws<PythonNotFoundException>(() =>
            PythonInstallation.Locate("/nonexistent/bin/python3", environmentValue: PythonFixture.PythonPath, pathVariable: "/usr/bin"));
        Assert.Contains("/nonexistent/bin/python3 (from option): no such file", ex.Message);
        Assert.Contains(PythonInstallation.EnvironmentVariable, ex.Message);
        Assert.Single(ex.Attempts);
    }

    [Fact]
    public void Locate_NothingOnPath_ListsEveryPathTried()
    {
        var first = PythonOracle.TempDirectory();
        var second = PythonOracle.TempDirectory();
        try
        {
            WriteFakePython(Path.Combine(first, "python3"), "3.9.2");
            File.WriteAllText(Path.Combine(second, "python3"), "not a program\n");
            File.SetUnixFileMode(Path.Combine(second, "python3"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var ex = Assert.Throws<PythonNotFoundException>(() =>
                PythonInstallation.Locate(null, environmentValue: "", pathVariable: first + Path.PathSeparator + second));

            Assert.Equal(3, ex.Attempts.Count);
            Assert.Contains($"{PythonInstallation.EnvironmentVariable}: not set", ex.Attempts[0]);
            Assert.Contains(Path.Combine(first, "python3"), ex.Attempts[1]);
            Assert.Contains("Python 3.9.2 is too old", ex.Attempts[1]);
            Assert.Contains(Path.Combine(second, "python3"), ex.Attempts[2]);
            Assert.Contains("not a Python interpreter", ex.Attempts[2]);
            foreach (var attempt in ex.Attempts)
                Assert.Contains(attempt, ex.Message);
        }
        finally
        {
            Directory.Delete(first, recursive: true);
            Directory.Delete(second, recursive: true);
        }
    }

    [Fact]
    public void Locate_TooOldPython_IsRefusedWithItsVersion()
    {
        var directory = PythonOracle.TempDirectory();
        try
        {
            var fake = Path.Combine(directory, "python3.10");
            WriteFakePython(fake, "3.10.12");
            var ex = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(fake, null, ""));
            Assert.Contains($"{fake} (from option): Python 3.10.12 is too old; NdBridge needs 3.11 or later", ex.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("/bin/true")]  // a program that answers nothing
    [InlineData("/bin/sh")]    // a program that rejects the query
    public void Locate_ProgramThatIsNotPython_IsRefused(string program)
    {
        Assert.True(File.Exists(program), $"{program} is expected on this system");
        var ex = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(program, null, ""));
        Assert.Contains($"{program} (from option): not a Python interpreter", ex.Message);
    }

    [Fact]
    public void Locate_TextFile_IsRefused()
    {
        var directory = PythonOracle.TempDirectory();
        try
        {
            var text = Path.Combine(directory, "notes.txt");
            File.WriteAllText(text, "print('hello')\n");
            var ex = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(text, null, ""));
            Assert.Contains($"{text} (from option): not a Python interpreter", ex.Message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Locate_SharedLibraryThatIsNotLibpython_IsRefused()
    {
        var libm = new[] { "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6" }.FirstOrDefault(File.Exists);
        Assert.NotNull(libm);
        var ex = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(libm, null, ""));
        Assert.Contains($"{libm} (from option): not a libpython (no Py_GetVersion)", ex.Message);
    }

    [Fact]
    public void ABareNameIsLookedUpOnPath_AndOneNotThereSaysSo()
    {
        var python = PythonFixture.PythonPath;
        var found = PythonInstallation.Locate(null, Path.GetFileName(python), "/nonexistent:" + Path.GetDirectoryName(python));
        Assert.Equal(python, found.ExecutablePath);
        Assert.Equal(PythonInstallation.EnvironmentVariable, found.Source);
        var missing = Assert.Throws<PythonNotFoundException>(() => PythonInstallation.Locate(null, "python3.999", Path.GetDirectoryName(python)));
        Assert.Contains("python3.999 (from NDBRIDGE_PYTHON): a bare name, not found in any directory on PATH", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Child_AnInterpreterWithoutNumPy_SaysWhichWasChosenHowAndHowToChooseAnother()
    {
        var directory = PythonOracle.TempDirectory();
        try
        {
            var venv = Path.Combine(directory, "venv");
            PythonOracle.Ask(PythonFixture.PythonPath, $"import venv\nvenv.create({PythonLiteral(venv)}, system_site_packages=False, with_pip=False)\n");
            var venvPython = Path.Combine(venv, "bin", "python");

            var child = TestHostProcess.Run(["numpy-missing", venvPython]);

            child.AssertSucceeded();
            var message = child["message"];
            Assert.Contains("ModuleNotFoundError", message, StringComparison.Ordinal);
            Assert.Contains(venvPython + ", chosen by PythonRuntimeOptions.PythonPath", message, StringComparison.Ordinal);
            Assert.Contains("NDBRIDGE_PYTHON environment variable", message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Child_Venv_HasTheVenvsExecutablePrefixAndSitePackages_AndImportsNumPy()
    {
        var directory = PythonOracle.TempDirectory();
        try
        {
            var venv = Path.Combine(directory, "venv");
            PythonOracle.Ask(PythonFixture.PythonPath, $"import venv\nvenv.create({PythonLiteral(venv)}, system_site_packages=True, with_pip=False)\n");
            var venvPython = Path.Combine(venv, "bin", "python");
            var oracle = PythonOracle.Ask(venvPython, PythonOracle.SiteQuery);

            var child = TestHostProcess.Run(["report", venvPython]);

            child.AssertSucceeded();
            Assert.Equal(venvPython, child["installation.executable"]);
            foreach (var key in new[] { "sys.executable", "sys.prefix", "sys.base_prefix", "site.getsitepackages" })
                Assert.Equal(oracle[key], child[key]);
            Assert.Equal(venv, child["sys.prefix"]);
            Assert.Equal(oracle["numpy.version"] + " 45", child["numpy"]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Child_EnvironmentVariable_ChoosesTheInterpreter()
    {
        var oracle = PythonOracle.Ask(PythonFixture.PythonPath, PythonOracle.SiteQuery);
        var child = TestHostProcess.Run(["report"], new Dictionary<string, string?> { [PythonInstallation.EnvironmentVariable] = PythonFixture.PythonPath });
        child.AssertSucceeded();
        Assert.Equal(PythonInstallation.EnvironmentVariable, child["installation.source"]);
        Assert.Equal(oracle["sys.executable"], child["sys.executable"]);
        Assert.Equal(oracle["sys.prefix"], child["sys.prefix"]);
        Assert.Equal(oracle["numpy.version"] + " 45", child["numpy"]);
    }

    [Fact]
    public void Child_Path_IsSearchedWhenNothingIsConfigured()
    {
        var directory = PythonOracle.TempDirectory();
        try
        {
            var python3 = Path.Combine(directory, "python3");
            File.CreateSymbolicLink(python3, PythonFixture.PythonPath);
            var child = TestHostProcess.Run(["report"], new Dictionary<string, string?>
            {
                [PythonInstallation.EnvironmentVariable] = null,
                ["PATH"] = directory + Path.PathSeparator + TestHostProcess.DotnetDirectory,
            });
            child.AssertSucceeded();
            Assert.Equal("PATH", child["installation.source"]);
            Assert.Equal(python3, child["installation.executable"]);
            Assert.Equal(python3, child["sys.executable"]);
            Assert.Equal(NumPyFacts.Version, child["numpy"].Split(' ')[0]); // the NumPy of the python3 on PATH
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string PythonLiteral(string text) => "'" + text.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>
    /// A stand-in for an old interpreter (none is installed here): a shell script answering the sysconfig
    /// query as that version of Python would.
    /// </summary>
    /// <remarks>
    /// The executable is written by a child process: a write descriptor this process held could be inherited
    /// by a concurrent test's fork, and executing the script would then fail with ETXTBSY ("Text file busy").
    /// </remarks>
    private static void WriteFakePython(string path, string version)
    {
        var source = path + ".txt";
        File.WriteAllText(source,
            "#!/bin/sh\n" +
            $"echo 'ndbridge-probe:version={version}'\n" +
            "echo 'ndbridge-probe:executable=" + path + "'\n" +
            "echo 'ndbridge-probe:prefix=/opt/old'\n" +
            "echo 'ndbridge-probe:libdir=/opt/old/lib'\n" +
            $"echo 'ndbridge-probe:instsoname=libpython{version[..version.LastIndexOf('.')]}.so.1.0'\n");
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in new[] { "-c", "cp \"$0\" \"$1\" && chmod 700 \"$1\"", source, path })
            start.ArgumentList.Add(argument);
        using var copy = System.Diagnostics.Process.Start(start)!;
        copy.WaitForExit();
        Assert.Equal(0, copy.ExitCode);
    }
}
