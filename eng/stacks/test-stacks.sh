#!/usr/bin/env bash
# Tests of the stack scripts themselves: an interrupted run (SIGTERM, Ctrl-C to the process group, SIGKILL)
# leaves nothing mounted under the root and no process behind, a later run recovers, and a root with
# something mounted under it is never deleted. Prints "stack-scripts: N passed, N failed".
source "$(dirname "$0")/common.sh"
set +e
here=$(cd "$(dirname "$0")" && pwd -P)
passed=0 failed=0
check() { # check NAME CONDITION-EXIT-CODE DETAIL
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "  ok   $1"; else failed=$((failed + 1)); echo "  FAIL $1: $3"; fi
}
"$here/ensure-debian13.sh" || { echo "stack-scripts: 0 passed, 1 failed"; exit 1; }
scratch=$(mktemp -d); trap 'rm -rf --one-file-system "$scratch"' EXIT

# The long command: a sleep whose argument only this run uses, so that no other process on the machine (another
# run, a developer's own `sleep 300`) is taken for it.
long_sleep="300.$$"

# Starts a long command in the root in its own process group; waits until it runs; prints its pid.
start_long_run() {
  local marker=/tmp/ndbridge-stack-test.$$.$1   # the root's /tmp, seen from the host under $DEBIAN13_ROOT
  rm -f "$DEBIAN13_ROOT$marker"
  # A script's background jobs start with SIGINT ignored; an interactive Ctrl-C meets the default action.
  setsid /usr/bin/python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$here/run.sh" debian13 -- bash -c "touch '$marker'; exec sleep $long_sleep" \
    >"$scratch/run.$1.log" 2>&1 &
  local pid=$! i
  for ((i = 0; i < 300; i++)); do [ -e "$DEBIAN13_ROOT$marker" ] && break; sleep 0.1; done
  echo "$pid"
}
inner_alive() { # is the command started inside the root still running? (its pid as the host sees it)
  pgrep -fx "sleep $long_sleep" >/dev/null
}

for how in TERM INT-group KILL; do
  pid=$(start_long_run "$how")
  [ -e "$DEBIAN13_ROOT/tmp/ndbridge-stack-test.$$.$how" ]; check "$how: the command started inside the root" $? "$(cat "$scratch/run.$how.log")"
  case "$how" in
    TERM) kill -TERM "$pid" ;;
    INT-group) kill -INT -- "-$pid" ;;   # what Ctrl-C does: the whole foreground process group
    KILL) pkill -KILL -P "$pid" -x unshare ;;   # run.sh's unshare, SIGKILLed: no trap can run
  esac
  for ((i = 0; i < 100; i++)); do inner_alive || break; sleep 0.1; done
  wait "$pid" 2>/dev/null
  rm -f "$DEBIAN13_ROOT/tmp/ndbridge-stack-test.$$.$how"
  ! inner_alive; check "$how: nothing of the run is left running" $? "$(pgrep -afx "sleep $long_sleep")"
  left=$(mounts_under "$DEBIAN13_ROOT")
  [ -z "$left" ]; check "$how: nothing is left mounted under the root" $? "$left"
done

out=$("$here/run.sh" debian13 -- python3 -c 'import numpy; print("numpy", numpy.__version__)' 2>&1)
[[ "$out" == numpy\ 2.* ]]; check "a run after the interrupted ones works (NumPy 2 inside)" $? "$out"
inside=$("$here/run.sh" debian13 -- bash -c 'test -x "$(readlink -f /usr/bin/dotnet)" && touch /usr/share/dotnet/.probe 2>&1; echo rc=$?' 2>&1)
[[ "$inside" == *"Read-only file system"* ]]; check "the host's .NET SDK is visible and read-only inside the root" $? "$inside"

# A root with a bind mount under it is never deleted, and what is mounted there survives the attempt.
mkdir -p "$scratch/fake-root/mnt" "$scratch/precious"; echo keep >"$scratch/precious/file"
unshare --mount --propagation private -- bash -c "
  source '$here/common.sh'
  mount --bind '$scratch/precious' '$scratch/fake-root/mnt'
  remove_root '$scratch/fake-root' 2>'$scratch/refusal' && exit 1
  exit 0"
refused=$?
[ $refused -eq 0 ] && grep -q "still mounted" "$scratch/refusal"; check "remove_root refuses while something is mounted under the root" $? "$(cat "$scratch/refusal" 2>/dev/null)"
[ -f "$scratch/precious/file" ]; check "what was mounted there is intact" $? "the bind source lost its file"

echo "stack-scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
