#!/usr/bin/env bash
# build-kernel.sh [OUTDIR] — build the Linux guest kernel for rewind's virt board.
#
# Extracts Debian's linux-source tarball into a cache directory outside the
# repository, configures it (tinyconfig + rewind.config + olddefconfig), checks
# that every option of the fragment survived, and builds Image and vmlinux.
# The cache directory is keyed by a sha256 of the fragment, this script and the
# installed linux-source package version, so a repeated call returns at once.
# With OUTDIR, Image and vmlinux are copied there.  The last line printed is
# "Image: <path>".
#
# Environment:
#   REWIND_CACHE   cache root (default $HOME/.cache/rewind)
#   LINUX_TARBALL  kernel source tarball (default /usr/src/linux-source-6.1.tar.xz)
#   LINUX_SOURCE_PACKAGE  Debian package that ships it (default linux-source-6.1)
#   CROSS_COMPILE  toolchain prefix (default riscv64-linux-gnu-)
#   JOBS           parallel make jobs (default $(nproc))
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SELF="$HERE/$(basename "${BASH_SOURCE[0]}")"
FRAGMENT="$HERE/rewind.config"
TARBALL="${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}"
SOURCE_PACKAGE="${LINUX_SOURCE_PACKAGE:-linux-source-6.1}"
CROSS_COMPILE="${CROSS_COMPILE:-riscv64-linux-gnu-}"
JOBS="${JOBS:-$(nproc)}"
CACHE_ROOT="${REWIND_CACHE:-$HOME/.cache/rewind}"
OUTDIR="${1:-}"

die() { echo "build-kernel: $*" >&2; exit 1; }
log() { echo "build-kernel: $*"; }

# --- prerequisites ---------------------------------------------------------
[ -r "$TARBALL" ] ||
  die "kernel source $TARBALL not found: install the Debian package '$SOURCE_PACKAGE' (./run setup does it)"
command -v "${CROSS_COMPILE}gcc" >/dev/null ||
  die "${CROSS_COMPILE}gcc not found: install 'gcc-riscv64-linux-gnu' (./run setup does it)"
for tool in make flex bison bc perl xz; do
  command -v "$tool" >/dev/null || die "'$tool' not found (Debian packages: build-essential flex bison bc perl xz-utils)"
done

# --- cache key -------------------------------------------------------------
# The package version identifies Debian's tarball; any other tarball is
# identified by its path, size and mtime.
source_identity() {
  local version
  if [ "$TARBALL" = /usr/src/linux-source-6.1.tar.xz ] &&
     version="$(dpkg-query -W -f='${Version}' "$SOURCE_PACKAGE" 2>/dev/null)"; then
    echo "$SOURCE_PACKAGE $version"
  else
    stat -c '%n size=%s mtime=%Y' "$TARBALL"
  fi
}
key="$( { cat "$FRAGMENT" "$SELF"; source_identity; } | sha256sum | cut -c1-16)"
WORK="$CACHE_ROOT/linux-$key"
SRC="$WORK/src"
IMAGE="$SRC/arch/riscv/boot/Image"
VMLINUX="$SRC/vmlinux"

deliver() {
  if [ -n "$OUTDIR" ]; then
    mkdir -p "$OUTDIR"
    cp -f "$IMAGE" "$OUTDIR/Image"
    cp -f "$VMLINUX" "$OUTDIR/vmlinux"
    log "copied Image and vmlinux to $OUTDIR"
  fi
  echo "Image: $IMAGE"
}

if [ -e "$WORK/.complete" ]; then
  log "cache hit ($WORK)"
  deliver
  exit 0
fi

# One build per cache directory at a time (cmake and a manual call may race).
mkdir -p "$CACHE_ROOT"
exec 9>"$WORK.lock"
flock 9
if [ -e "$WORK/.complete" ]; then   # another process finished it while we waited
  log "cache hit ($WORK)"
  deliver
  exit 0
fi

# --- extract ---------------------------------------------------------------
if [ ! -e "$WORK/.extracted" ]; then
  log "extracting $TARBALL into $SRC"
  rm -rf "$WORK"
  mkdir -p "$SRC"
  tar -xf "$TARBALL" -C "$SRC" --strip-components=1
  touch "$WORK/.extracted"
fi

# Reproducible version banner: the Image depends on the inputs only.
export KBUILD_BUILD_USER=rewind KBUILD_BUILD_HOST=rewind
export KBUILD_BUILD_TIMESTAMP="2024-01-01 00:00:00 UTC"
kmake() { make -C "$SRC" ARCH=riscv CROSS_COMPILE="$CROSS_COMPILE" "$@"; }

# --- configure -------------------------------------------------------------
log "configuring: tinyconfig + $(basename "$FRAGMENT") + olddefconfig"
kmake -s tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$SRC" "$SRC/.config" "$FRAGMENT" >/dev/null
# The fragment overrides some choices on purpose: drop those warnings only.
{ kmake -s olddefconfig 2>&1 1>&3 | { grep -v 'changes choice state' || true; } >&2; } 3>&1

# Every `CONFIG_X=v` / `# CONFIG_X is not set` of the fragment must be in the
# final .config (an unset option may also be absent: it is then invisible).
check_config() {
  awk '
    FNR == NR {
      if (match($0, /^CONFIG_[A-Za-z0-9_]+=/)) {
        want[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1)
      } else if ($0 ~ /^# CONFIG_[A-Za-z0-9_]+ is not set$/) {
        want[$2] = "n"
      }
      next
    }
    match($0, /^CONFIG_[A-Za-z0-9_]+=/) { have[substr($0, 1, RLENGTH - 1)] = substr($0, RLENGTH + 1) }
    END {
      bad = 0
      for (k in want) {
        got = (k in have) ? have[k] : "n"
        if (got != want[k]) {
          printf "  %s: asked %s, got %s\n", k, want[k], got
          bad++
        }
      }
      exit bad ? 1 : 0
    }' "$FRAGMENT" "$SRC/.config"
}
if ! dropped="$(check_config)"; then
  echo "build-kernel: options of $(basename "$FRAGMENT") that did not survive olddefconfig" \
       "(missing dependency, or a choice/select overrode them):" >&2
  echo "$dropped" | sort >&2
  exit 1
fi
log "config check: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set$)' "$FRAGMENT") fragment options present"

# --- build -----------------------------------------------------------------
log "building Image and vmlinux with -j$JOBS (several minutes)"
start=$(date +%s)
kmake -j"$JOBS" Image vmlinux
log "kernel built in $(( $(date +%s) - start )) s; Image is $(stat -c %s "$IMAGE") bytes"
touch "$WORK/.complete"
for old in "$CACHE_ROOT"/linux-*/; do
  [ "${old%/}" = "$WORK" ] ||
    log "note: an older kernel cache ${old%/} ($(du -sh "$old" | cut -f1)) can be deleted"
done
deliver
