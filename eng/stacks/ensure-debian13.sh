#!/usr/bin/env bash
# Builds the Debian 13 (trixie) root with debootstrap when it is missing, incomplete, or its package list
# changed; otherwise does nothing. Built in a private mount namespace, so nothing it mounts outlives it.
source "$(dirname "$0")/common.sh"

stamp=$(stack_packages_stamp)
if [ -f "$DEBIAN13_ROOT/.ndbridge-stamp" ] && [ "$(cat "$DEBIAN13_ROOT/.ndbridge-stamp")" = "$stamp" ]; then
  exit 0
fi

mkdir -p "$NDBRIDGE_STACK_CACHE"
exec 9>"$NDBRIDGE_STACK_CACHE/.lock"
flock 9
if [ -f "$DEBIAN13_ROOT/.ndbridge-stamp" ] && [ "$(cat "$DEBIAN13_ROOT/.ndbridge-stamp")" = "$stamp" ]; then
  exit 0
fi

command -v debootstrap >/dev/null || {
  stack_log "installing debootstrap"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

building="$DEBIAN13_ROOT.building"
[ -e "$building" ] && remove_root "$building"
[ -e "$DEBIAN13_ROOT" ] && { stack_log "package list changed or root incomplete: rebuilding $DEBIAN13_ROOT"; remove_root "$DEBIAN13_ROOT"; }
mkdir -p "$building"
started=$SECONDS
stack_log "debootstrap trixie into $building (about 2 minutes, then the packages)"
debootstrap --variant=minbase trixie "$building" "$DEBIAN13_MIRROR" >"$NDBRIDGE_STACK_CACHE/debootstrap.log" 2>&1 || {
  stack_log "debootstrap failed; its log: $NDBRIDGE_STACK_CACHE/debootstrap.log"; tail -20 "$NDBRIDGE_STACK_CACHE/debootstrap.log" >&2; exit 1; }

# Package installation needs /proc and /dev inside; the namespace drops those mounts however this ends.
unshare --mount --propagation private -- bash -euo pipefail -c '
  root=$1; shift
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
  chroot "$root" apt-get clean
' _ "$building" "${DEBIAN13_PACKAGES[@]}" >>"$NDBRIDGE_STACK_CACHE/debootstrap.log" 2>&1 || {
  stack_log "installing packages into the root failed; its log: $NDBRIDGE_STACK_CACHE/debootstrap.log"
  tail -20 "$NDBRIDGE_STACK_CACHE/debootstrap.log" >&2; exit 1; }

# Mount points for the host's .NET SDK and NuGet folders; dotnet on PATH as on the host.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
mkdir -p "$building$dotnet_root" "$building/opt/nuget/packages" "$building/root/.nuget/packages"
ln -sf "$dotnet_root/dotnet" "$building/usr/bin/dotnet"
echo "$stamp" >"$building/.ndbridge-stamp"
assert_nothing_mounted "$building"
mv "$building" "$DEBIAN13_ROOT"
stack_log "root ready in $((SECONDS - started)) s: $(du -sh --one-file-system "$DEBIAN13_ROOT" | cut -f1)"
