"""The packages as a user meets them: what `make pack` put in artifacts/packages is checked (metadata, README and
LICENSE inside, symbols, public-only docs), then a fresh console project outside the solution restores
NdBridge.Python from a feed holding only those packages, runs README's first example and compares its output with
the text block README prints after it. The built program then runs on every stack in STACKS. The Python wheel: its
version is the NuGet packages', it carries the assemblies, and on every stack a fresh venv installs it and runs
python/README.md's example beside a C# library that has no NdBridge next to it, comparing the printed output.

Prints one line per check and "packages: N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FEED = os.path.join(ROOT, 'artifacts', 'packages')
results = []


def check(name, ok, detail=''):
    results.append(ok)
    print(('  ok   ' if ok else '  FAIL ') + name + ('' if ok or not detail else ': ' + str(detail)[:2000]))
    return ok


def package(name, extension):
    pattern = re.compile(re.escape(name) + r'\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\.' + extension + '$')
    found = [(m.group(1), f) for f in os.listdir(FEED) for m in [pattern.match(f)] if m]
    return found[0] if len(found) == 1 else (None, None)


def readme_first_example():
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    blocks = re.findall(r'^```(\w*)\n(.*?)^```', text, re.S | re.M)
    for i, (lang, body) in enumerate(blocks):
        if lang == 'csharp' and i + 1 < len(blocks) and blocks[i + 1][0] == 'text' and 'PythonRuntime' in body:
            return body, blocks[i + 1][1]
    raise SystemExit('README.md has no C# example with printed output')


def python_readme_example():
    text = open(os.path.join(ROOT, 'python', 'README.md'), encoding='utf-8').read()
    blocks = re.findall(r'^```(\w*)\n(.*?)^```', text, re.S | re.M)
    for i, (lang, body) in enumerate(blocks):
        if lang == 'python' and i + 1 < len(blocks) and blocks[i + 1][0] == 'text':
            return body, blocks[i + 1][1]
    raise SystemExit('python/README.md has no Python example with printed output')


def pep440_matches(wheel_version, nuget_version):
    """The wheel's version says what the NuGet one says (checked with pip's own PEP 440 parser)."""
    from packaging.version import Version
    version = Version(wheel_version)
    core, _, pre = nuget_version.partition('-')
    parts = pre.split('.') if pre else []
    return (version.release == tuple(int(p) for p in core.split('.')) and version.is_prerelease == bool(pre)
            and (len(parts) < 2 or version.pre[1] == int(parts[1]))
            and (len(parts) < 3 or version.dev == int(parts[2])))


def check_wheel(stacks, nuget_version):
    wheels = [f for f in os.listdir(FEED) if f.startswith('ndbridge-') and f.endswith('-py3-none-any.whl')]
    if not check('ndbridge: one pure-Python wheel in artifacts/packages', len(wheels) == 1, sorted(os.listdir(FEED))):
        return
    wheel = os.path.join(FEED, wheels[0])
    version = wheels[0].split('-')[1]
    check(f'ndbridge: the wheel version {version} is the NuGet version {nuget_version}', pep440_matches(version, nuget_version))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    missing = [n for n in ('NdBridge.Python.dll', 'NdBridge.dll', 'System.Numerics.Tensors.dll') if f'ndbridge/dotnet/{n}' not in names]
    check('ndbridge: the wheel carries the assemblies', not missing, missing)
    code, expected = python_readme_example()
    sample = os.path.join(ROOT, 'samples', 'PythonHost', 'Eigenish', 'bin', 'Release', 'net10.0', 'Eigenish.dll')
    if not check('samples/PythonHost/Eigenish is built', os.path.isfile(sample), sample):
        return
    for stack in stacks:
        work = tempfile.mkdtemp(prefix='wheel-', dir=os.path.join(ROOT, 'artifacts'))
        try:
            shutil.copy(sample, work)  # the library and its documentation alone: NdBridge comes from the wheel
            shutil.copy(sample[:-len('.dll')] + '.xml', work)
            example = os.path.join(work, 'example.py')
            open(example, 'w').write(code + 'print("NdBridge from", ndbridge.diagnostics()["ndbridge_assembly"])\n')
            script = ('set -e; "$NDBRIDGE_PYTHON" -m venv --system-site-packages "$1/venv"; '
                      '"$1/venv/bin/python" -m pip install -q --no-index "$2"; cd "$1"; "$1/venv/bin/python" example.py')
            rc, out, err = run([os.path.join(ROOT, 'eng', 'stacks', 'run.sh'), stack, '--', 'sh', '-c', script, '_', work, wheel], work)
            printed, _, origin = out.rpartition('NdBridge from ')
            check(f"{stack}: a fresh venv installs the wheel; python/README.md's example prints what it shows",
                  rc == 0 and printed == expected, f'exit {rc}\n--- printed\n{out}\n--- README\n{expected}\n{err[-2000:]}')
            check(f'{stack}: NdBridge ran from the wheel', origin.strip().startswith(os.path.join(work, 'venv', 'lib')) and
                  origin.strip().endswith('/site-packages/ndbridge/dotnet/NdBridge.dll'), origin)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def nuspec_of(path):
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith('.nuspec'))
        root = ET.fromstring(z.read(name))
        return {child.tag.split('}')[1]: child for child in root[0]}, z.namelist(), z


def check_package(name):
    version, nupkg = package(name, 'nupkg')
    if not check(f'{name}: one .nupkg in artifacts/packages', nupkg is not None, sorted(os.listdir(FEED))):
        return None
    _, snupkg = package(name, 'snupkg')
    check(f'{name}: a .snupkg beside it', snupkg is not None)
    meta, files, z = nuspec_of(os.path.join(FEED, nupkg))
    check(f'{name}: authors "NdBridge contributors"', meta['authors'].text == 'NdBridge contributors', meta['authors'].text)
    check(f'{name}: license expression MIT', meta['license'].get('type') == 'expression' and meta['license'].text == 'MIT')
    check(f'{name}: README inside, named by the nuspec', meta.get('readme') is not None and meta['readme'].text in files)
    check(f'{name}: LICENSE inside', 'LICENSE' in files)
    check(f'{name}: description and tags', bool(meta['description'].text) and 'numpy' in (meta['tags'].text or ''))
    check(f'{name}: a git version ({version})', re.match(r'^\d+\.\d+\.\d+', version or '') is not None)
    docs = [f for f in files if f.startswith('lib/') and f.endswith('.xml')]
    with zipfile.ZipFile(os.path.join(FEED, nupkg)) as zz:
        ids = [m.get('name') for m in ET.fromstring(zz.read(docs[0])).iter('member')] if docs else []
    internal = [i for i in ids if 'ThrowHelper' in i or '.CPython.' in i or 'ExportTable' in i]
    check(f'{name}: XML docs for the public surface only ({len(ids)} members)', docs and ids and not internal, internal[:5])
    if snupkg:
        with zipfile.ZipFile(os.path.join(FEED, snupkg)) as s:
            check(f'{name}: symbols package holds the pdb', any(f.endswith(f'{name}.pdb') for f in s.namelist()))
    return version


def run(command, cwd, env=None, timeout=900):
    p = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def main():
    stacks = sys.argv[1:] or ['host']
    if not check('make pack produced artifacts/packages', os.path.isdir(FEED)):
        return
    check_package('NdBridge')
    version = check_package('NdBridge.Python')
    if version is None:
        return
    check_wheel(stacks, version)
    # Inside the checkout, which every stack sees at the same path.
    os.makedirs(os.path.join(ROOT, 'artifacts'), exist_ok=True)
    work = tempfile.mkdtemp(prefix='consumer-', dir=os.path.join(ROOT, 'artifacts'))
    try:
        app = os.path.join(work, 'app')
        os.makedirs(app)
        code, expected = readme_first_example()
        open(os.path.join(app, 'Program.cs'), 'w').write(code)
        open(os.path.join(app, 'Consumer.csproj'), 'w').write(f'''<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="NdBridge.Python" Version="{version}" />
  </ItemGroup>
</Project>
''')
        # NdBridge.* only from the packages make pack made; their dependencies (System.Numerics.Tensors) from the
        # packages this machine already restored. A fresh global cache, so nothing stale stands in for the feed.
        user_cache = os.path.expanduser('~/.nuget/packages')
        open(os.path.join(app, 'nuget.config'), 'w').write(f'''<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="make-pack" value="{FEED}" />
    <add key="restored" value="{user_cache}" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="make-pack"><package pattern="NdBridge*" /></packageSource>
    <packageSource key="restored"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
''')
        env = dict(os.environ, NUGET_PACKAGES=os.path.join(work, 'nuget'), DOTNET_CLI_TELEMETRY_OPTOUT='1', DOTNET_NOLOGO='1')
        rc, out, err = run(['dotnet', 'build', '-c', 'Release', '-warnaserror'], app, env)
        if not check('a fresh console project restores NdBridge.Python from the feed and builds', rc == 0, out[-3000:] + err[-2000:]):
            return
        restored = os.listdir(os.path.join(work, 'nuget'))
        check('NdBridge and NdBridge.Python came from the feed', 'ndbridge' in restored and 'ndbridge.python' in restored, restored)
        for stack in stacks:
            rc, out, err = run([os.path.join(ROOT, 'eng', 'stacks', 'run.sh'), stack, '--', 'dotnet',
                                os.path.join(app, 'bin', 'Release', 'net10.0', 'Consumer.dll')], work, env)
            check(f"{stack}: README's first example prints what README shows", rc == 0 and out == expected,
                  f'exit {rc}\n--- printed\n{out}\n--- README\n{expected}\n{err[-2000:]}')
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
print(f'packages: {results.count(True)} passed, {results.count(False)} failed')
sys.exit(0 if all(results) else 1)
