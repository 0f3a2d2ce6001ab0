# NdBridge — the newcomer path. `make demo` and `make test` install what they need.
SHELL := /bin/bash
PYTHON ?= /usr/bin/python3
export NDBRIDGE_PYTHON ?= $(PYTHON)
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

APT_PACKAGES := python3-numpy libpython3.11 libpython3.11-testsuite python3-pil python3-torch python3-dask python3-distributed
CONFIG ?= Release

.PHONY: deps build test demo bench clean

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

build: deps
	dotnet build NdBridge.sln -c $(CONFIG) -warnaserror

## test: every test, against the real CPython and NumPy chosen by NDBRIDGE_PYTHON.
test: build
	@mkdir -p artifacts; set -o pipefail; \
	dotnet test NdBridge.sln -c $(CONFIG) --no-build --logger "console;verbosity=normal" 2>&1 | tee artifacts/test.log; rc=$$?; \
	awk '/^ +Passed: [0-9]+ *$$/{p+=$$2} /^ +Failed: [0-9]+ *$$/{f+=$$2} /^ +Skipped: [0-9]+ *$$/{s+=$$2} \
	  END{printf "tests: %d passed, %d failed, %d skipped\n",p,f,s}' artifacts/test.log; \
	exit $$rc

## demo: the most complete runnable program the project has.
demo: deps
	dotnet run -c $(CONFIG) --project samples/Showcase

## bench: the benchmark program; writes benchmarks/RESULTS.md.
bench: deps
	dotnet run -c Release --project benchmarks/NdBridge.Benchmarks -- --output benchmarks/RESULTS.md

clean:
	dotnet clean NdBridge.sln -c $(CONFIG) >/dev/null; rm -rf */*/bin */*/obj
