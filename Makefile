# NdBridge — the newcomer path. `make demo` and `make test` install what they need.
SHELL := /bin/bash
# A recipe line fails when any command of a pipeline fails (`tests | tee log` must not pass on tee's status).
.SHELLFLAGS := -o pipefail -c
PYTHON ?= /usr/bin/python3
export NDBRIDGE_PYTHON ?= $(PYTHON)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

APT_PACKAGES := python3-numpy libpython3.11 libpython3.11-testsuite python3-pil python3-torch python3-pytest debootstrap python3-dask python3-distributed python3-mypy python3-nbconvert jupyter-nbconvert python3-ipykernel python3-matplotlib python3-pip python3-setuptools python3-wheel python3-venv python3-packaging
export CONFIG ?= Release
## STACKS: host = Debian 12's CPython 3.11 + NumPy 1.24; debian13 = a Debian 13 root (CPython 3.13, NumPy 2.x),
## built with debootstrap on first use and cached in /var/cache/ndbridge (eng/stacks/). STACKS=host for a quick loop.
export STACKS ?= host debian13

.PHONY: deps stacks build test demo demo-python bench pack api-baseline clean

## deps: install with apt only the Debian packages that are missing (apt-get update first when it must install).
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(PYTHON) -c "import numpy, _testbuffer, PIL; print('python', __import__('sys').version.split()[0], 'numpy', numpy.__version__)"

## stacks: the Debian 13 root when STACKS names it (nothing to do when it is current).
stacks: deps
	@if [[ " $(STACKS) " == *" debian13 "* ]]; then eng/stacks/ensure-debian13.sh; fi

build: deps
	dotnet build NdBridge.sln -c $(CONFIG) -warnaserror

## test: every test on every stack in STACKS, against the real CPython and NumPy of each; one totals line per
## stack, then the sum. Fails if any stack fails.
test: build stacks pack
	@rm -rf artifacts/test; mkdir -p artifacts/test; rc=0; \
	for stack in $(STACKS); do \
	  echo "== tests on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- eng/test-stack.sh artifacts/test || rc=1; \
	  [ -s artifacts/test/$$stack.totals ] || { echo "$$stack: 0 passed, 1 failed (the run did not finish)" > artifacts/test/$$stack.totals; rc=1; }; \
	done; \
	if [[ " $(STACKS) " == *" debian13 "* ]]; then \
	  echo "== tests of the stack scripts (interrupted runs leave no mount behind)"; \
	  eng/stacks/test-stacks.sh | tee artifacts/test/stack-scripts.log || rc=1; \
	  tail -n 1 artifacts/test/stack-scripts.log > artifacts/test/stack-scripts.totals; \
	  grep -E '^  FAIL ' artifacts/test/stack-scripts.log | cut -c1-300 | sed 's/^ */stack-scripts: /' > artifacts/test/stack-scripts.failures; \
	fi; \
	echo "== the packages as a user installs them (make pack's feed, a fresh project, README's first example)"; \
	$(PYTHON) eng/packaging/test_packages.py $(STACKS) | tee artifacts/test/packages.log || rc=1; \
	tail -n 1 artifacts/test/packages.log > artifacts/test/packages.totals; \
	grep -E '^  FAIL ' artifacts/test/packages.log | cut -c1-300 | sed 's/^ */packages: /' > artifacts/test/packages.failures; \
	if [ -n "$$(cat artifacts/test/*.failures 2>/dev/null)" ]; then echo "== failed"; cat artifacts/test/*.failures; fi; \
	echo "== totals"; cat artifacts/test/*.totals; \
	cat artifacts/test/*.totals | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' | \
	  awk '{ p += $$1; f += $$2; s += $$3 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'; \
	exit $$rc

## demo: the showcase (.NET hosts Python) and the Python-side story (Python hosts a C# library), on each stack in STACKS.
demo: build stacks
	@rc=0; for stack in $(STACKS); do \
	  echo "== showcase on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- dotnet run -c $(CONFIG) --no-build --project samples/Showcase || rc=1; \
	  echo "== Python hosts a C# library (samples/PythonHost/seeds.py) on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- sh -c '"$$NDBRIDGE_PYTHON" samples/PythonHost/seeds.py' || rc=1; \
	done; exit $$rc

## demo-python: the Python-side story (Python hosts a C# library: samples/PythonHost/seeds.py) on each stack in STACKS.
demo-python: build stacks
	@rc=0; for stack in $(STACKS); do \
	  echo "== python-host demo on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- sh -c '"$$NDBRIDGE_PYTHON" samples/PythonHost/seeds.py' || rc=1; \
	done; exit $$rc

## bench: the benchmark program on each stack in STACKS; writes benchmarks/RESULTS.md (one section per stack).
bench: build stacks
	@rm -f artifacts/bench-*.md; mkdir -p artifacts; for stack in $(STACKS); do \
	  echo "== benchmarks on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- dotnet run -c Release --no-build --project benchmarks/NdBridge.Benchmarks -- --output artifacts/bench-$$stack.md || exit 1; \
	  echo "== Python hosting .NET (benchmarks/python/hosting.py) on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- sh -c '"$$NDBRIDGE_PYTHON" benchmarks/python/hosting.py --output "$$1"' _ artifacts/bench-$$stack-python.md || exit 1; \
	done; cat $(foreach s,$(STACKS),artifacts/bench-$(s).md artifacts/bench-$(s)-python.md) > benchmarks/RESULTS.md; echo "wrote benchmarks/RESULTS.md"

## pack: the NuGet packages (.nupkg and .snupkg, public-surface XML docs) and the Python wheel into artifacts/packages.
PACKAGES := NdBridge NdBridge.Python
pack: deps
	rm -rf artifacts/packages
	dotnet build src/NdBridge.Python/NdBridge.Python.csproj -c Release -warnaserror
	@for p in $(PACKAGES); do \
	  dotnet run eng/build/PublicDocs.cs -- src/$$p/bin/Release/net10.0/$$p.dll src/$$p/bin/Release/net10.0/$$p.xml src/$$p/obj/Release/net10.0/$$p.xml || exit 1; \
	done
	@for p in $(PACKAGES); do dotnet pack src/$$p/$$p.csproj -c Release --no-build -warnaserror -o artifacts/packages || exit 1; done
	@# The Python wheel carries the NdBridge.Python just packed and what it runs on (python/setup.py), at its version.
	rm -rf artifacts/python-assemblies
	version=$$(ls artifacts/packages/NdBridge.Python.*.nupkg | sed -E 's|.*/NdBridge\.Python\.(.*)\.nupkg|\1|'); \
	dotnet publish src/NdBridge.Python/NdBridge.Python.csproj -c Release --no-build -p:Version=$$version -o artifacts/python-assemblies
	NDBRIDGE_ASSEMBLIES=$(CURDIR)/artifacts/python-assemblies $(PYTHON) -m pip wheel --no-deps --no-build-isolation --no-index -q -w artifacts/packages ./python
	rm -rf python/build python/*.egg-info
	@ls -1 artifacts/packages

## api-baseline: adds new public API to src/*/PublicAPI.Unshipped.txt (review the diff: it is the API change).
api-baseline:
	@eng/build/api-baseline.sh $(PACKAGES)
	@git diff --stat -- src/*/PublicAPI.*.txt

clean:
	dotnet clean NdBridge.sln -c $(CONFIG) >/dev/null; rm -rf */*/bin */*/obj
