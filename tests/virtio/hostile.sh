#!/usr/bin/env bash
# hostile.sh REWIND HOSTILE_ELF — runs the hostile virtio guest (hostile.c) on the real rewind
# binary with a writable disk, a read-only disk, a user-mode NIC and an rng; then records the
# same machine and verifies (and replays) the recording. Passes when:
#   - every run exits 0 (the guest powers off with 0 only if all its cases passed; 125 would
#     be rewind failing), prints "hostile: ALL PASS" and no FAIL line;
#   - rewind's count of virtio rule violations ("broke the rules N times") equals the number
#     the guest says it provoked;
#   - no sanitizer report appears (ASan/UBSan builds: ./run sanitize-test);
#   - the image files given to --disk are unchanged (md5), although the guest wrote to one;
#   - the replay prints the same console output as the recording.
set -u
REWIND=$1
ELF=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# byte j of sector s of disk k: (s * 13 + j * 7 + k * 64 + 1) & 0xff, 128 sectors (hostile.c)
python3 - "$TMP" <<'PY'
import sys
for k in (0, 1):
    data = bytes(((s * 13 + j * 7 + k * 64 + 1) & 0xff) for s in range(128) for j in range(512))
    with open(f"{sys.argv[1]}/disk{k}.img", "wb") as f:
        f.write(data)
PY
before=$(md5sum "$TMP/disk0.img" "$TMP/disk1.img" | cut -d' ' -f1)
MACHINE=(-m 128 --bios "$ELF" --disk "$TMP/disk0.img" --disk "$TMP/disk1.img,readonly"
         --net user --rng)

# check NAME STATUS OUT ERR [count]: the common verdict on one rewind invocation
check() {
  local name=$1 status=$2 out=$3 err=$4 count=${5:-}
  if [ "$status" -ne 0 ]; then
    fail "$name: exit status $status"
  fi
  if grep -q '^FAIL' "$out"; then
    fail "$name: the guest reported failures:"
    grep '^FAIL' "$out" | sed 's/^/    /'
  fi
  if ! grep -q '^hostile: ALL PASS' "$out"; then
    fail "$name: no 'hostile: ALL PASS' line"
  fi
  if grep -qE 'Sanitizer|runtime error|rewind crashed|backtrace' "$err"; then
    fail "$name: rewind reported an internal error:"
    sed 's/^/    /' "$err" | head -40
  fi
  if [ -n "$count" ]; then
    local provoked seen
    provoked=$(sed -n 's/.*rule violations provoked: \([0-9]*\).*/\1/p' "$out")
    seen=$(sed -n 's/.*broke the rules \([0-9]*\) time.*/\1/p' "$err")
    if [ -z "$provoked" ] || [ "$provoked" != "$seen" ]; then
      fail "$name: the guest provoked '${provoked}' rule violations, rewind counted '${seen}'"
    fi
  fi
}

timeout 60 "$REWIND" run "${MACHINE[@]}" >"$TMP/run.out" 2>"$TMP/run.err"
check run $? "$TMP/run.out" "$TMP/run.err" count
grep -E '^(PASS|FAIL)' "$TMP/run.out" | wc -l | sed 's/^/run: cases reported: /'

timeout 60 "$REWIND" record -o "$TMP/t.trace" "${MACHINE[@]}" >"$TMP/rec.out" 2>"$TMP/rec.err"
check record $? "$TMP/rec.out" "$TMP/rec.err"

timeout 60 "$REWIND" verify "$TMP/t.trace" >"$TMP/verify.out" 2>&1
status=$?
if [ "$status" -ne 0 ]; then
  fail "verify: exit status $status"
  sed 's/^/    /' "$TMP/verify.out" | head -20
fi
if grep -qE 'Sanitizer|runtime error' "$TMP/verify.out"; then
  fail "verify: sanitizer report"
fi

timeout 60 "$REWIND" replay "$TMP/t.trace" >"$TMP/replay.out" 2>"$TMP/replay.err"
check replay $? "$TMP/replay.out" "$TMP/replay.err"
if ! cmp -s "$TMP/rec.out" "$TMP/replay.out"; then
  fail "replay: console output differs from the recording"
  diff "$TMP/rec.out" "$TMP/replay.out" | head -10 | sed 's/^/    /'
fi

after=$(md5sum "$TMP/disk0.img" "$TMP/disk1.img" | cut -d' ' -f1)
if [ "$before" != "$after" ]; then
  fail "the disk image files changed"
fi

if [ "$fails" -ne 0 ]; then
  echo "--- run output:"; cat "$TMP/run.out"; echo "--- run stderr:"; cat "$TMP/run.err"
  echo "virtio.hostile: $fails failure(s)"
  exit 1
fi
echo "virtio.hostile: run, record, verify and replay all pass; disk images unchanged"
