# Shared by the stack scripts: where the Debian 13 root lives, what it holds, and the guards that keep a
# delete from ever reaching through a bind mount into the host (a recursive delete through a mount of the
# .NET SDK deletes the host's SDK).
set -euo pipefail

NDBRIDGE_STACK_CACHE=${NDBRIDGE_STACK_CACHE:-/var/cache/ndbridge}
DEBIAN13_ROOT=${DEBIAN13_ROOT:-$NDBRIDGE_STACK_CACHE/debian13}
DEBIAN13_MIRROR=${DEBIAN13_MIRROR:-http://deb.debian.org/debian}
# The second stack: CPython 3.13, NumPy 2.x, torch 2.x, and what the Python-side tests, samples and
# packaging use. Changing this list rebuilds the root (its hash is stamped inside).
DEBIAN13_PACKAGES=(
  python3 python3-numpy python3-pil python3-torch python3-pytest libpython3.13 libpython3.13-testsuite
  python3-dask python3-distributed python3-mypy python3-setuptools python3-wheel python3-pip python3-venv
  python3-nbconvert python3-ipykernel python3-matplotlib
  libicu76 ca-certificates procps
)

stack_packages_stamp() { printf '%s\n' "${DEBIAN13_PACKAGES[@]}" | sha256sum | cut -c1-16; }

# Mount points at or under $1, as the host's mount table lists them.
mounts_under() {
  local root; root=$(realpath -m "$1")
  awk -v r="$root" '{ gsub(/\\040/, " ", $5); if ($5 == r || index($5, r "/") == 1) print $5 }' /proc/self/mountinfo
}

assert_nothing_mounted() {
  local found; found=$(mounts_under "$1")
  if [ -n "$found" ]; then
    echo "stacks: refusing to touch $1: still mounted under it:" >&2
    echo "$found" >&2
    echo "stacks: unmount them (umount -R <path>) and retry." >&2
    return 1
  fi
}

# Deletes a root only when nothing is mounted under it. The check is explicit (`|| return`): `set -e` does not
# act inside a function called from an `&&`/`||`/`if` context, and `--one-file-system` does not stop at a bind
# mount of the same file system.
remove_root() {
  assert_nothing_mounted "$1" || return 1
  rm -rf --one-file-system -- "$1"
}

stack_log() { echo "stacks: $*" >&2; }

# The stacks this checkout knows, and the interpreter each one tests against.
KNOWN_STACKS=(host debian13)
stack_python() {
  case "$1" in
    host) echo "${NDBRIDGE_HOST_PYTHON:-/usr/bin/python3}" ;;
    debian13) echo /usr/bin/python3 ;;
    *) echo "stacks: unknown stack '$1' (known: ${KNOWN_STACKS[*]}); set STACKS to some of them, e.g. STACKS=host" >&2; return 2 ;;
  esac
}
