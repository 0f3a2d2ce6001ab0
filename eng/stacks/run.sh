#!/usr/bin/env bash
# run.sh STACK [--] COMMAND...   Runs COMMAND in this checkout on one stack.
#   host      Debian 12's /usr/bin/python3 (CPython 3.11, NumPy 1.24), directly.
#   debian13  inside the Debian 13 root (CPython 3.13, NumPy 2.x), built on first use. The host's .NET SDK and
#             NuGet folders are bind-mounted read-only and this checkout read-write, each at its host path, in
#             private mount and PID namespaces: the host's mount table never lists them, and when the run ends
#             in any way (even SIGKILL) the kernel ends every process inside and the mounts go with them.
#             in-namespace.sh also unmounts in order on every exit its shell sees.
source "$(dirname "$0")/common.sh"

stack=${1:?usage: run.sh STACK [--] COMMAND...}; shift
[ "${1:-}" = "--" ] && shift
python=$(stack_python "$stack")
checkout=$(cd "$(dirname "$0")/../.." && pwd -P)

case "$stack" in
  host)
    NDBRIDGE_PYTHON=$python NDBRIDGE_STACK=host exec "$@" ;;
  debian13)
    "$(dirname "$0")/ensure-debian13.sh"
    dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
    nuget_cache=${NUGET_PACKAGES:-$HOME/.nuget/packages}
    mkdir -p "$DEBIAN13_ROOT$checkout" "$DEBIAN13_ROOT$dotnet_root" "$DEBIAN13_ROOT/root/.nuget/packages" "$DEBIAN13_ROOT/opt/nuget/packages"
    # unshare --fork ignores SIGINT/SIGTERM while it waits, and a background job of a script starts with SIGINT
    # ignored, so this shell stays to turn INT, TERM and HUP into TERM for the namespace's first process (its
    # trap unmounts); if unshare itself dies, --kill-child ends the namespace.
    unshare --mount --pid --fork --kill-child=KILL --propagation private -- \
      bash "$(dirname "$0")/in-namespace.sh" "$DEBIAN13_ROOT" "$checkout" "$dotnet_root" "$nuget_cache" "$python" "$PWD" "$@" &
    ns=$!
    forward() { pkill -TERM -P "$ns" 2>/dev/null; }
    trap forward TERM INT HUP
    while true; do
      wait "$ns"; rc=$?
      kill -0 "$ns" 2>/dev/null || exit "$rc"   # wait returns early when a trapped signal arrives
    done ;;
esac
