#!/usr/bin/env bash
# timetravel-linux.sh BUILD_DIR [STEPS] — what going backwards costs over a recorded Linux
# boot (built-in SBI, 2 harts): the latency of gdb's reverse-stepi at several points of the
# recording (median over STEPS steps per point), of `monitor goto` to those points, and of
# reverse-continue from the end to the last jiffies store, next to the forward replay of the
# whole recording. Done for two checkpoint spacings: the default and one every 2.5M
# instructions. Timed inside gdb-multiarch (its Python clock) around each command, so gdb's
# own packet traffic is included, as a user would feel it.
set -euo pipefail
BUILD=${1:?usage: timetravel-linux.sh BUILD_DIR [STEPS]}
STEPS=${2:-5}
REWIND=$BUILD/vmm/rewind
VMLINUX=$BUILD/guests/linux/vmlinux
IMAGE=$BUILD/guests/linux/Image
INITRD=$BUILD/guests/linux/initramfs.cpio
for f in "$REWIND" "$VMLINUX" "$IMAGE" "$INITRD"; do
  [ -e "$f" ] || { echo "timetravel-linux: $f is missing (build first: ./run build)" >&2; exit 2; }
done
[[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "timetravel-linux: STEPS must be a positive number" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
MACHINE=(-kernel "$IMAGE" -initrd "$INITRD" -append console=ttyS0 -smp 2)


for every in 50000000 2500000; do
  rm -f "$TMP/t.trace"
  "$REWIND" record -o "$TMP/t.trace" --checkpoint-every "$every" "${MACHINE[@]}" \
    < /dev/null > "$TMP/rec.out" 2>&1
  ncp=$(sqlite3 "$TMP/t.trace" "SELECT count(*) FROM checkpoints")
  t0=$(date +%s.%N); "$REWIND" verify "$TMP/t.trace" > /dev/null 2>&1; t1=$(date +%s.%N)
  echo "checkpoint every $every instructions: $ncp checkpoints, $(stat -c %s "$TMP/t.trace") bytes;" \
       "forward replay of the whole recording $(echo "($t1 - $t0) * 1000" | bc | cut -d. -f1) ms"
  STEPS=$STEPS WATCH=jiffies gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$VMLINUX" \
    -ex "target remote | $REWIND replay --gdb stdio $TMP/t.trace --at end" \
    -ex "source $(dirname "$0")/timetravel_measure.py" 2>&1 | grep -E '^(at icount|reverse-continue)' || {
      echo "timetravel-linux: the gdb session failed" >&2; exit 1; }
done
