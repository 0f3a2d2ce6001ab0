#!/usr/bin/env bash
# test-stack.sh LOGDIR   Runs every test on the stack it is started in (see eng/stacks/run.sh), after `make build`:
# the xunit projects, then pytest over tests/python. Writes LOGDIR/<stack>.log and the totals line
# "<stack> (CPython x, NumPy y): N passed, N failed, N skipped" to LOGDIR/<stack>.totals and the names of the failed
# tests to LOGDIR/<stack>.failures.
set -uo pipefail
logdir=${1:?usage: test-stack.sh LOGDIR}
stack=${NDBRIDGE_STACK:?run through eng/stacks/run.sh}
python=${NDBRIDGE_PYTHON:?run through eng/stacks/run.sh}
config=${CONFIG:-Release}
log=$logdir/$stack.log
: >"$log"

versions=$("$python" -c 'import sys, numpy; print(f"CPython {sys.version.split()[0]}, NumPy {numpy.__version__}")' 2>&1) || {
  echo "$stack: $python cannot import numpy: $versions" | tee -a "$log"; versions="no NumPy"; }

dotnet test NdBridge.sln -c "$config" --no-build --logger "console;verbosity=normal" 2>&1 | tee -a "$log"
rc=${PIPESTATUS[0]}

if [ -d tests/python ]; then
  "$python" -m pytest tests/python -p no:cacheprovider -q -rfE 2>&1 | tee -a "$log"
  prc=${PIPESTATUS[0]}
  [ "$prc" -eq 0 ] || rc=$prc
fi

awk -v name="$stack ($versions)" '
  /^ +Passed: [0-9]+ *$/ { p += $2 } /^ +Failed: [0-9]+ *$/ { f += $2 } /^ +Skipped: [0-9]+ *$/ { s += $2 }
  /^(=+ )?[0-9]+ (passed|failed|errors?|skipped).* in [0-9.]+s/ {
    for (i = 1; i <= NF; i++) {
      n = $(i - 1) + 0
      if ($i ~ /^passed/) p += n; else if ($i ~ /^(failed|errors?)/) f += n; else if ($i ~ /^skipped/) s += n
    }
  }
  END { printf "%s: %d passed, %d failed, %d skipped\n", name, p, f, s }' "$log" | tee "$logdir/$stack.totals"
# The names of what failed, so that the end of `make test`'s output (all a CI log may keep) says which tests to look at.
# An xunit failure keeps the first line of its message.
awk -v stack="$stack" '
  function out(line) { sub(/^ +/, "", line); print stack ": " substr(line, 1, 300) }
  /^ +Failed [^ :]/ { out($0); want = 1; next }
  want && /Error Message:/ { next }
  want { out("  " $0); want = 0; next }
  /^(FAILED|ERROR) |Test Run Aborted|active test run was aborted/ { out($0) }' "$log" >"$logdir/$stack.failures"
# A run that failed without a counted failure (a crash, a build missing) still fails the stack.
exit $rc
