#!/usr/bin/env bash
# build-initramfs.sh OUTDIR — build the Linux guest's init and its initramfs.
#
# Compiles init/init.c statically with the riscv64 Linux cross compiler into
# OUTDIR/init and packs OUTDIR/initramfs.cpio (newc, uncompressed) holding
#   /dev  /dev/console (char 5,1)  /proc  /sys  /init
# The archive is written here, not with cpio(1) or the kernel's gen_init_cpio,
# so no root (for the device node) and no kernel tree are needed.  Every entry
# has uid/gid 0 and mtime 0: the same init gives the same bytes.
#
# Environment: CROSS_COMPILE (default riscv64-linux-gnu-).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CROSS_COMPILE="${CROSS_COMPILE:-riscv64-linux-gnu-}"
CC="${CROSS_COMPILE}gcc"

die() { echo "build-initramfs: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
OUTDIR="$1"
command -v "$CC" >/dev/null ||
  die "$CC not found: install 'gcc-riscv64-linux-gnu' (./run setup does it)"
case "$("$CC" -print-file-name=libc.a)" in
  /*) ;;
  *) die "no static riscv64 glibc: install 'libc6-dev-riscv64-cross' (./run setup does it)" ;;
esac

mkdir -p "$OUTDIR"
OUTDIR="$(cd "$OUTDIR" && pwd)"
INIT="$OUTDIR/init"
CPIO="$OUTDIR/initramfs.cpio"

# Compiled from a fixed directory with the source prefix mapped, so the bytes
# (and hence the initramfs hash a trace records) do not depend on the caller's
# working directory or where the repository is checked out.
( cd "$HERE" &&
  "$CC" -static -O2 -g -std=gnu11 -Wall -Wextra -Werror \
    -ffile-prefix-map="$HERE"=guests/linux \
    -o "$INIT" init/init.c )

# --- newc writer -------------------------------------------------------------
# An entry is a 110-byte ASCII header ("070701" + 13 fields of 8 hex digits),
# the NUL-terminated name padded to 4 bytes, then the data padded to 4 bytes.
ino=0
pad4() { local n=$(( (4 - $1 % 4) % 4 )); [ "$n" -eq 0 ] || head -c "$n" /dev/zero; }

# entry NAME MODE [FILE | RDEVMAJOR RDEVMINOR]
entry() {
  local name="$1" mode="$2" file="" size=0 rmaj=0 rmin=0 nlink=1
  case $(( mode & 0170000 )) in
    $(( 0100000 ))) file="$3"; size=$(stat -c %s "$file") ;;
    $(( 0020000 ))) rmaj="$3"; rmin="$4" ;;
    $(( 0040000 ))) nlink=2 ;;
  esac
  ino=$(( ino + 1 ))
  local namesize=$(( ${#name} + 1 ))
  #       magic ino  mode uid  gid  nlink mtime size devmaj devmin rmaj rmin namesize check
  printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
    "$ino" "$mode" 0 0 "$nlink" 0 "$size" 0 0 "$rmaj" "$rmin" "$namesize" 0
  printf '%s\0' "$name"
  pad4 $(( 110 + namesize ))
  if [ -n "$file" ]; then
    cat "$file"
    pad4 "$size"
  fi
}

{
  entry dev         $(( 0040755 ))
  entry dev/console $(( 0020600 )) 5 1
  entry proc        $(( 0040755 ))
  entry sys         $(( 0040755 ))
  entry init        $(( 0100755 )) "$INIT"
  ino=-1                                   # the trailer has ino 0 by convention
  entry 'TRAILER!!!' 0
} > "$CPIO.tmp"
mv -f "$CPIO.tmp" "$CPIO"
echo "initramfs: $CPIO ($(stat -c %s "$CPIO") bytes)"
