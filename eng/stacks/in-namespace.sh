#!/usr/bin/env bash
# The first process of run.sh's private mount and PID namespaces: mounts, chroots, runs the command, unmounts on
# every exit. When it exits the kernel ends whatever the command left running in the namespace.
set -uo pipefail
root=$1 checkout=$2 dotnet_root=$3 nuget_cache=$4 python=$5 cwd=$6; shift 6

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R -l "${mounted[$i]}" 2>/dev/null; done
  mounted=()
}
child=
on_signal() { [ -n "$child" ] && kill -TERM "$child" 2>/dev/null; unmount_all; exit "$2"; }
trap unmount_all EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

bind() { # bind SOURCE TARGET [ro]
  [ -e "$1" ] || return 0
  mount --rbind "$1" "$2" && mounted+=("$2") || return 1
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2" || return 1; fi
}
{ mount -t proc proc "$root/proc" && mounted+=("$root/proc") &&
  bind /dev "$root/dev" &&
  bind /sys "$root/sys" ro &&
  bind "$dotnet_root" "$root$dotnet_root" ro &&
  bind /opt/nuget/packages "$root/opt/nuget/packages" ro &&
  bind "$nuget_cache" "$root/root/.nuget/packages" ro &&
  bind "$checkout" "$root$checkout"; } || { echo "stacks: mounting into $root failed" >&2; exit 1; }

passthrough=()
for v in $(compgen -e); do
  case "$v" in NDBRIDGE_*|DOTNET_*|CI|CONFIG|STACKS|TERM|MALLOC_*) passthrough+=("$v=${!v}") ;; esac
done
chroot "$root" env -i "${passthrough[@]}" HOME=/root LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  NDBRIDGE_PYTHON="$python" NDBRIDGE_STACK=debian13 bash -c 'cd "$1" && shift && exec "$@"' _ "$cwd" "$@" &
child=$!
while true; do
  wait "$child"; rc=$?
  kill -0 "$child" 2>/dev/null || exit "$rc"
done
