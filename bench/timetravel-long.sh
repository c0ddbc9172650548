#!/usr/bin/env bash
# timetravel-long.sh BUILD_DIR [STEPS] [EVERY] — going backwards in a long recording: the
# CPU benchmark guest (2·10⁹ instructions; GUEST=coremark-long: 10¹⁰) recorded with a checkpoint every EVERY
# instructions (default 5·10⁶), then gdb-multiarch at its end times `monitor goto` and
# reverse-stepi at 20/50/80/99 % of it (bench/timetravel_measure.py).
set -euo pipefail
BUILD=${1:?usage: timetravel-long.sh BUILD_DIR [STEPS] [EVERY]}
STEPS=${2:-5}
EVERY=${3:-5000000}
REWIND=$BUILD/vmm/rewind
GUEST=${GUEST:-coremark-like}   # coremark-long: 1.0e10 instructions
ELF=$BUILD/guests/bench/$GUEST.elf
for f in "$REWIND" "$ELF"; do
  [ -e "$f" ] || { echo "timetravel-long: $f is missing (build first: ./run build)" >&2; exit 2; }
done
[[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "timetravel-long: STEPS must be a positive number" >&2; exit 2; }
[[ "$EVERY" =~ ^[1-9][0-9]*$ ]] || { echo "timetravel-long: EVERY must be a positive number" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
t0=$(date +%s.%N)
"$REWIND" record -o "$TMP/t.trace" --checkpoint-every "$EVERY" --kernel "$ELF" \
  < /dev/null > "$TMP/rec.out" 2>&1
t1=$(date +%s.%N)
ncp=$(sqlite3 "$TMP/t.trace" "SELECT count(*) FROM checkpoints")
end=$(sqlite3 "$TMP/t.trace" "SELECT value FROM meta WHERE key = 'end_icount'")
echo "recorded $end instructions in $(echo "$t1 - $t0" | bc) s: $ncp checkpoints," \
     "$(stat -c %s "$TMP/t.trace") bytes"
STEPS=$STEPS gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$ELF" \
  -ex "target remote | $REWIND replay --gdb stdio $TMP/t.trace --at end" \
  -ex "source $(dirname "$0")/timetravel_measure.py" 2>&1 | grep -E '^at icount' || {
    echo "timetravel-long: the gdb session failed" >&2; exit 1; }
