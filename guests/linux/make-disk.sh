#!/usr/bin/env bash
# make-disk.sh OUT.img [SIZE_MB] — the Linux guest's test disk (virtio-blk).
#
# Makes a SIZE_MB (default 32) raw image holding an ext4 filesystem with one
# file, /hello.txt, whose content /init's disk check knows ("hello from
# rewind's test disk\n", 30 bytes, FNV-1a 64 42393183c882bcc7).  Uses Debian's
# e2fsprogs (mke2fs -d, debugfs); no root, no loop device, no mount.
#
# The image is byte-identical on every run and every host: a private
# mke2fs.conf (the host's /etc/mke2fs.conf is not read), fixed UUID, directory
# hash seed, label and block size, E2FSPROGS_FAKE_TIME for every timestamp
# mke2fs writes, and the copied file's owner and ctime (which mke2fs -d takes
# from the source file) set with debugfs afterwards.
#
# Environment: FSTYPE=ext2 makes an ext2 image instead (the guest mounts it
# with the ext4 driver, CONFIG_EXT4_USE_FOR_EXT2).
set -euo pipefail

# mke2fs and debugfs live in /sbin, which a normal user's PATH may lack.
PATH="$PATH:/usr/sbin:/sbin"
FSTYPE="${FSTYPE:-ext4}"
UUID=5265776e-642d-4c69-6e75-782d6469736b       # "Rewnd-Linux-disk" in hex
HASH_SEED=5265776e-642d-4c69-6e75-782d68617368  # "Rewnd-Linux-hash"
FIXED_TIME=1704067200                           # 2024-01-01 00:00:00 UTC
HELLO_CONTENT="hello from rewind's test disk"

die() { echo "make-disk: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 OUT.img [SIZE_MB]"
OUT="$1"
SIZE_MB="${2:-32}"
case "$SIZE_MB" in ''|*[!0-9]*) die "SIZE_MB must be a number of MiB" ;; esac
[ "$SIZE_MB" -ge 8 ] || die "SIZE_MB must be at least 8"
case "$FSTYPE" in ext4|ext2) ;; *) die "FSTYPE must be ext4 or ext2" ;; esac
for tool in mke2fs debugfs truncate; do
  command -v "$tool" >/dev/null || die "'$tool' not found (Debian package e2fsprogs / coreutils)"
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# --- the content: one file, fixed mode and times --------------------------------
mkdir "$TMP/root"
printf '%s\n' "$HELLO_CONTENT" > "$TMP/root/hello.txt"
chmod 0644 "$TMP/root/hello.txt"
chmod 0755 "$TMP/root"
touch -d "@$FIXED_TIME" "$TMP/root/hello.txt" "$TMP/root"

# --- a private mke2fs.conf: the host's defaults do not leak in -----------------
cat > "$TMP/mke2fs.conf" <<'EOF'
[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384

[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
	ext2 = {
		features = ^has_journal
	}
EOF
export MKE2FS_CONFIG="$TMP/mke2fs.conf"
export E2FSPROGS_FAKE_TIME="$FIXED_TIME"

# --- make the filesystem --------------------------------------------------------
# A fresh sparse file, so nothing of an older image survives.  Inode tables and
# journal are zeroed now (lazy_*_init=0): the guest kernel then starts no
# ext4lazyinit thread writing behind the test's back.
rm -f "$OUT"
truncate -s "${SIZE_MB}M" "$OUT"
mke2fs -q -F -t "$FSTYPE" -T default -b 4096 -L rewind -U "$UUID" \
  -E "hash_seed=$HASH_SEED,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0,nodiscard" \
  -d "$TMP/root" "$OUT" ||
  die "mke2fs failed"

# mke2fs -d copies the owner and ctime of the source file: make them fixed.
debugfs -w -f - "$OUT" >/dev/null 2>"$TMP/debugfs.err" <<EOF ||
sif /hello.txt uid 0
sif /hello.txt gid 0
sif /hello.txt ctime @$FIXED_TIME
EOF
  { cat "$TMP/debugfs.err" >&2; die "debugfs failed"; }
if grep -q . "$TMP/debugfs.err" && grep -qv '^debugfs ' "$TMP/debugfs.err"; then
  cat "$TMP/debugfs.err" >&2
  die "debugfs reported errors"
fi

echo "disk: $OUT ($FSTYPE, $SIZE_MB MiB, sha256 $(sha256sum "$OUT" | cut -c1-16))"
