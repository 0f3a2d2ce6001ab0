# NdBridge — the newcomer path. `make demo` and `make test` install what they need.
SHELL := /bin/bash
PYTHON ?= /usr/bin/python3
export NDBRIDGE_PYTHON ?= $(PYTHON)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

APT_PACKAGES := python3-numpy libpython3.11 libpython3.11-testsuite python3-pil python3-torch python3-pytest debootstrap
export CONFIG ?= Release
## STACKS: host = Debian 12's CPython 3.11 + NumPy 1.24; debian13 = a Debian 13 root (CPython 3.13, NumPy 2.x),
## built with debootstrap on first use and cached in /var/cache/ndbridge (eng/stacks/). STACKS=host for a quick loop.
export STACKS ?= host debian13

.PHONY: deps stacks build test demo bench clean

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
test: build stacks
	@mkdir -p artifacts/test; rc=0; \
	for stack in $(STACKS); do \
	  echo "== tests on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- eng/test-stack.sh artifacts/test || rc=1; \
	  [ -s artifacts/test/$$stack.totals ] || { echo "$$stack: no totals (the run did not finish)"; rc=1; }; \
	done; \
	echo "== totals"; cat $(foreach s,$(STACKS),artifacts/test/$(s).totals) 2>/dev/null; \
	cat $(foreach s,$(STACKS),artifacts/test/$(s).totals) 2>/dev/null | \
	  awk -F': ' '{ split($$NF, a, /[ ,]+/); p += a[1]; f += a[3]; s += a[5] } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'; \
	exit $$rc

## demo: the most complete runnable program the project has, on each stack in STACKS.
demo: build stacks
	@rc=0; for stack in $(STACKS); do \
	  echo "== showcase on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- dotnet run -c $(CONFIG) --no-build --project samples/Showcase || rc=1; \
	done; exit $$rc

## bench: the benchmark program on each stack in STACKS; writes benchmarks/RESULTS.md (one section per stack).
bench: build stacks
	@rm -f artifacts/bench-*.md; mkdir -p artifacts; for stack in $(STACKS); do \
	  echo "== benchmarks on stack $$stack"; \
	  eng/stacks/run.sh $$stack -- dotnet run -c Release --no-build --project benchmarks/NdBridge.Benchmarks -- --output artifacts/bench-$$stack.md || exit 1; \
	done; cat artifacts/bench-*.md > benchmarks/RESULTS.md; echo "wrote benchmarks/RESULTS.md"

clean:
	dotnet clean NdBridge.sln -c $(CONFIG) >/dev/null; rm -rf */*/bin */*/obj
