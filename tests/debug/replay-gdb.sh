#!/usr/bin/env bash
# replay-gdb.sh REWIND DEMO_ELF — gdb driving a replay: record the demo kernel with a fixed
# seed until it crashes, then in gdb-multiarch over `rewind replay --gdb stdio`: break on the
# panic path, see the culprit in the backtrace, read the icount, have writes refused, step,
# and run to the recorded end.
set -u
REWIND=$1
DEMO=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$REWIND" record -o "$TMP/demo.trace" -bios "$DEMO" --append seed=0x5eed --max-insns 600000000 \
  < /dev/null > "$TMP/record.out" 2>&1
status=$?
if [ "$status" -ne 1 ]; then
  echo "FAIL: the demo did not crash while recording (status $status)"
  tail -5 "$TMP/record.out"
  echo "0 passed, 1 failed"
  exit 1
fi
out=$(timeout 300 gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$DEMO" \
  -ex "target remote | $REWIND replay --gdb stdio $TMP/demo.trace" \
  -ex "break panic_report_context" -ex "continue" -ex "bt" -ex "monitor when" \
  -ex "monitor events 2" -ex "monitor checkpoints" -ex "monitor info trace" \
  -ex "print \$pc = 0" -ex "stepi" -ex "delete" -ex "continue" 2>&1)
fails=0
for p in "Breakpoint 1, panic_report_context" "#[0-9]+ .* in (panic|panic_exception)" \
         "(mailq|sensor)" "total: [0-9]+" "2 events \(icount" "checkpoint 1 at icount 50000000" \
         "replaying a recording of" "Could not write register" "exited with code 01"; do
  if ! grep -qE -- "$p" <<<"$out"; then
    echo "FAIL: missing /$p/"
    fails=1
  fi
done
if [ "$fails" -ne 0 ]; then
  echo "$out" | grep -v '^\*\*\*' | tail -30
  echo "0 passed, 1 failed"
  exit 1
fi
echo "PASS: gdb drove the replay of the demo's crash to the culprit and to the recorded end"

# Backwards: reverse-stepi undoes exactly one instruction; a watchpoint on the corrupted link
# walks back to the store that wrote it (the pc is on that store instruction);
# reverse-continue to a breakpoint hit many times lands on its last hit before now; at the
# start of the recording gdb hears replaylog begin.
out=$(timeout 600 gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$DEMO" \
  -ex "target remote | $REWIND replay --gdb stdio $TMP/demo.trace" \
  -ex "break panic_report_context" -ex "continue" -ex "monitor when" -ex "reverse-stepi" \
  -ex "monitor when" -ex "delete" -ex "watch -l *bad_link" -ex "reverse-continue" -ex "bt 2" -ex "x/i \$pc" \
  -ex "delete" -ex "break sensor_publish" -ex "reverse-continue" -ex "monitor when" \
  -ex "delete" -ex "reverse-continue" 2>&1)
whens=($(grep -E '^total: [0-9]+' <<<"$out" | awk '{print $2}'))
fails=0
if [ "${#whens[@]}" -lt 3 ] || [ $((whens[0] - whens[1])) -ne 1 ] || [ "${whens[2]}" -ge "${whens[1]}" ]; then
  echo "FAIL: reverse-stepi / reverse-continue icounts: ${whens[*]}"
  fails=1
fi
for p in "atchpoint 2: -location \*bad_link" "#0  .*(msg_free|mailq_[a-z_]+|msg_alloc) \(" \
         "=> 0x[0-9a-f]+ <(msg_free|mailq_[a-z_]+|msg_alloc)\+[0-9]+>:[[:space:]]+s[dwhb][[:space:]]" \
         "Breakpoint 3, sensor_publish" "No more reverse-execution history"; do
  if ! grep -qE -- "$p" <<<"$out"; then
    echo "FAIL: missing /$p/"
    fails=1
  fi
done
if [ "$fails" -ne 0 ]; then
  echo "$out" | grep -v '^\*\*\*' | tail -40
  echo "1 passed, 1 failed"
  exit 1
fi
echo "PASS: reverse-stepi, reverse-continue to a watchpoint and to a breakpoint, start of history"
echo "2 passed, 0 failed"
