#!/usr/bin/env bash
# record-linux.sh BUILD_DIR [REPEATS] — what recording costs on the Linux guest's boot to
# poweroff (built-in SBI, 2 harts): wall time of run, record, replay and verify (medians of
# REPEATS runs, interleaved), record overhead, replay speed, and trace size per 1000
# instructions. Console input is closed (< /dev/null), as in CI.
set -euo pipefail
BUILD=${1:?usage: record-linux.sh BUILD_DIR [REPEATS]}
REPEATS=${2:-5}
REWIND=$BUILD/vmm/rewind
IMAGE=$BUILD/guests/linux/Image
INITRD=$BUILD/guests/linux/initramfs.cpio
for f in "$REWIND" "$IMAGE" "$INITRD"; do
  [ -e "$f" ] || { echo "record-linux: $f is missing (build first: ./run build)" >&2; exit 2; }
done
[[ "$REPEATS" =~ ^[1-9][0-9]*$ ]] || { echo "record-linux: REPEATS must be a positive number" >&2; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
MACHINE=(-kernel "$IMAGE" -initrd "$INITRD" -append console=ttyS0 -smp 2)

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq 1 "$REPEATS"); do
  t0=$(now); "$REWIND" run "${MACHINE[@]}" < /dev/null > "$TMP/run.out" 2>&1; t1=$(now)
  echo "$t1 - $t0" | bc >> "$TMP/run.times"
  rm -f "$TMP/t.trace"
  t0=$(now); "$REWIND" record -o "$TMP/t.trace" "${MACHINE[@]}" < /dev/null > "$TMP/rec.out" 2> "$TMP/rec.err"; t1=$(now)
  echo "$t1 - $t0" | bc >> "$TMP/record.times"
  grep -q "all checks passed" "$TMP/rec.out" || { echo "record-linux: the recorded boot failed" >&2; cat "$TMP/rec.err" >&2; exit 1; }
  t0=$(now); "$REWIND" replay "$TMP/t.trace" > "$TMP/rep.out" 2>&1; t1=$(now)
  echo "$t1 - $t0" | bc >> "$TMP/replay.times"
  t0=$(now); "$REWIND" verify "$TMP/t.trace" > /dev/null 2> "$TMP/ver.err"; t1=$(now)
  echo "$t1 - $t0" | bc >> "$TMP/verify.times"
  grep -q "replay verified" "$TMP/ver.err" || { echo "record-linux: verify failed" >&2; cat "$TMP/ver.err" >&2; exit 1; }
  stat -c %s "$TMP/t.trace" >> "$TMP/sizes"
done
icount=$(sqlite3 "$TMP/t.trace" "SELECT value FROM meta WHERE key = 'end_icount'")
events=$(sqlite3 "$TMP/t.trace" "SELECT count(*) FROM events")
size=$(median < "$TMP/sizes")
run_s=$(median < "$TMP/run.times")
rec_s=$(median < "$TMP/record.times")
rep_s=$(median < "$TMP/replay.times")
ver_s=$(median < "$TMP/verify.times")
printf 'Linux boot to poweroff, 2 harts, %s instructions, %d runs each (medians, wall time)\n' "$icount" "$REPEATS"
printf '  run      %8.3f s\n' "$run_s"
printf '  record   %8.3f s   overhead %+.1f %%\n' "$rec_s" "$(echo "($rec_s / $run_s - 1) * 100" | bc -l)"
printf '  replay   %8.3f s   (%.2f x record time)\n' "$rep_s" "$(echo "$rep_s / $rec_s" | bc -l)"
printf '  verify   %8.3f s\n' "$ver_s"
printf '  trace    %8d bytes, %d events, %.3f bytes per 1000 instructions (file incl. schema)\n' \
  "$size" "$events" "$(echo "$size * 1000 / $icount" | bc -l)"
# Checkpoint cost: the same boot recorded with a checkpoint every 5e6 instructions.
rm -f "$TMP/c.trace"
"$REWIND" record -o "$TMP/c.trace" --checkpoint-every 5000000 --stats "${MACHINE[@]}" \
  < /dev/null > /dev/null 2> "$TMP/c.err"
cp_line=$(grep -E "checkpoints," "$TMP/c.err" || true)
read -r n_cp _ pages _ bytes _ secs _ <<< "$(echo "$cp_line" | sed 's/rewind: //; s/,//g')"
if [ -n "$cp_line" ] && [ "${n_cp:-0}" -gt 0 ]; then
  printf '  checkpoints every 5e6 instructions: %d taken, %.1f ms and %d bytes each (%d pages changed in all)\n' \
    "$n_cp" "$(echo "$secs * 1000 / $n_cp" | bc -l)" "$((bytes / n_cp))" "$pages"
fi
