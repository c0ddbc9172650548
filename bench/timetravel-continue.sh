#!/usr/bin/env bash
# timetravel-continue.sh BUILD_DIR [EVERY] — reverse-continue to a watchpoint about 2·10⁹
# instructions back, next to the forward replay of the same span. The CPU benchmark guest
# (2·10⁹ instructions) writes its HTIF `tohost` word only when it prints: once at the start
# and at the end. gdb-multiarch goes to 2·10⁵ instructions before the end (after the last
# iteration, before the final print), sets an access watchpoint on `tohost` (`awatch`: it is
# a device register, which gdb cannot read back to compare values, so a plain `watch` would
# never report) and reverse-continues: the hit is the start's print. Recorded with a checkpoint every EVERY instructions (default: rewind's
# default, 5·10⁷). The forward time of the span is measured by `rewind verify` of the whole
# recording (the span is nearly all of it). Wall clock inside gdb, packet traffic included.
set -euo pipefail
BUILD=${1:?usage: timetravel-continue.sh BUILD_DIR [EVERY]}
EVERY=${2:-50000000}
REWIND=$BUILD/vmm/rewind
ELF=$BUILD/guests/bench/coremark-like.elf
for f in "$REWIND" "$ELF"; do
  [ -e "$f" ] || { echo "timetravel-continue: $f is missing (build first: ./run build)" >&2; exit 2; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$REWIND" record -o "$TMP/t.trace" --checkpoint-every "$EVERY" --kernel "$ELF" \
  < /dev/null > "$TMP/rec.out" 2>&1
end=$(sqlite3 "$TMP/t.trace" "SELECT value FROM meta WHERE key = 'end_icount'")
ncp=$(sqlite3 "$TMP/t.trace" "SELECT count(*) FROM checkpoints")
t0=$(date +%s.%N); "$REWIND" verify "$TMP/t.trace" > /dev/null 2>&1; t1=$(date +%s.%N)
fwd=$(echo "($t1 - $t0) * 1000" | bc)
from=$((end - 200000))
cat > "$TMP/measure.py" <<PY
import time
import gdb
gdb.execute("monitor goto $from", to_string=True)
gdb.execute("awatch *(long *)&tohost", to_string=True)
start = time.monotonic()
gdb.execute("reverse-continue", to_string=True)
ms = (time.monotonic() - start) * 1000.0
now = int(gdb.execute("monitor when", to_string=True).split("total:")[1].split()[0])
mem = gdb.execute("monitor checkpoints", to_string=True).strip().splitlines()[-1]
print("RESULT %d %d %.1f %s" % (now, $from - now, ms, mem))
PY
line=$(gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$ELF" \
  -ex "target remote | $REWIND replay --gdb stdio $TMP/t.trace" \
  -ex "source $TMP/measure.py" 2>&1 | grep '^RESULT') || {
    echo "timetravel-continue: the gdb session failed" >&2; exit 1; }
read -r _ now back ms mem <<<"$line"
span_fwd=$(echo "$fwd * $back / $end" | bc -l)
printf 'recording: %d instructions, %d checkpoints (every %d); forward replay of all of it %.0f ms\n' \
  "$end" "$ncp" "$EVERY" "$fwd"
printf 'reverse-continue from %d to the previous tohost access at %d (%d instructions back): %.0f ms\n' \
  "$from" "$now" "$back" "$ms"
printf 'forward replay of that span: %.0f ms; reverse-continue / forward = %.2f\n' \
  "$span_fwd" "$(echo "$ms / $span_fwd" | bc -l)"
echo "in-memory checkpoints afterwards: ${line#* * * * }"
