#!/usr/bin/env bash
# io-record-replay.sh REWIND IMAGE INITRAMFS DISK FETCH_SERVER — record a 2-hart Linux run
# that mounts an ext4 disk and writes a file to it, fetches a random payload (random size,
# random delay) from a TCP server on the host's loopback through slirp's gateway address, and
# reads /dev/hwrng; then check:
#   - the guest's checks all pass and its fetch hash is what the server sent;
#   - the base image is byte-identical before and after (writes went to the overlay);
#   - the replay prints exactly the same console output, and verify says "verified"
#     (every frame, disk request and entropy read matched, and the disk overlay hash);
#   - a replay started at any checkpoint ends as recorded (DMA-written RAM and the disk
#     overlay are in the checkpoints);
#   - export-disk gives the disk as the guest left it: the file it wrote has the hash it
#     printed;
#   - export-pcap gives a capture tshark reads, with the DHCP exchange and the TCP stream,
#     as many frames as the trace's network view;
#   - pack + a missing base image still replays; a changed base image is refused by hash;
#   - a trace whose received frame was altered diverges, with a report.
set -u
REWIND=$1 IMAGE=$2 INITRAMFS=$3 DISK=$4 SERVER=$5
W=$(mktemp -d)
SRV_PID=
trap '[ -n "$SRV_PID" ] && kill $SRV_PID 2>/dev/null; rm -rf "$W"' EXIT
pass=0 fail=0
ok() { echo "PASS $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit $?; }

cp "$DISK" "$W/base.img"
before=$(md5sum < "$W/base.img")

python3 "$SERVER" --port-file "$W/port" --count 1 --log "$W/server.log" --max-delay 0.3 \
  > "$W/server.out" 2>&1 &
SRV_PID=$!
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
PORT=$(cat "$W/port" 2>/dev/null)
[ -n "$PORT" ] || { bad "the fetch server did not start"; finish; }

APPEND="console=ttyS0 ip=dhcp rewind.fetch=10.0.2.2:$PORT"
"$REWIND" record -o "$W/io.trace" --checkpoint-every 10000000 -smp 2 -m 128 \
  --kernel "$IMAGE" --initrd "$INITRAMFS" --append "$APPEND" \
  -drive file="$W/base.img",if=none,id=d0,format=raw -device virtio-blk-device,drive=d0 \
  -netdev user,id=n0 -device virtio-net-device,netdev=n0 -device virtio-rng-device \
  --max-insns 2000000000 < /dev/null > "$W/record.out" 2> "$W/record.err"
rc=$?
wait $SRV_PID 2>/dev/null; SRV_PID=
[ $rc -eq 0 ] && grep -q "rewind-init: all checks passed" "$W/record.out" &&
  ok "record: the guest's checks pass" ||
  { bad "record (rc=$rc)"; tail -20 "$W/record.out" "$W/record.err"; finish; }
for check in entropy network disk; do
  grep -q "rewind-init: PASS $check:" "$W/record.out" && ok "record: $check check ran and passed" ||
    bad "record: no 'PASS $check' line"
done

# The payload the guest fetched is what the server sent (random length, content, delay).
sent=$(grep -o 'sent [0-9]* bytes fnv1a64=[0-9a-f]*' "$W/server.log" | head -1)
got=$(grep -o 'fetched [0-9]* bytes fnv1a64=[0-9a-f]*' "$W/record.out" | head -1)
[ -n "$sent" ] && [ "${sent#sent }" = "${got#fetched }" ] &&
  ok "the guest fetched what the server sent (${got#fetched })" ||
  bad "server sent '$sent', guest got '$got'"

[ "$(md5sum < "$W/base.img")" = "$before" ] && ok "the base image is unchanged" ||
  bad "the base image changed during the recording"

"$REWIND" replay "$W/io.trace" > "$W/replay.out" 2> "$W/replay.err"
rc=$?
[ $rc -eq 0 ] && cmp -s "$W/record.out" "$W/replay.out" &&
  ok "replay: identical console output ($(wc -l < "$W/replay.out") lines)" ||
  { bad "replay (rc=$rc) differs"; diff "$W/record.out" "$W/replay.out" | head; tail -5 "$W/replay.err"; }
"$REWIND" verify "$W/io.trace" > "$W/verify.out" 2>&1
grep -q "replay verified" "$W/verify.out" && ok "verify: $(tail -1 "$W/verify.out")" ||
  { bad "verify"; cat "$W/verify.out"; }
[ "$(md5sum < "$W/base.img")" = "$before" ] && ok "the base image is unchanged by replay" ||
  bad "the base image changed during the replay"

# Replay from every checkpoint: RAM the devices wrote (DMA) and the disk overlay as of that
# instruction are restored, and the run goes on exactly as recorded.
fromok=0 fromall=0
for k in $(sqlite3 "$W/io.trace" "SELECT id FROM checkpoints ORDER BY id"); do
  fromall=$((fromall + 1))
  "$REWIND" replay "$W/io.trace" --from "$k" > "$W/from.out" 2> "$W/from.err" &&
    grep -q "rewind-init: all checks passed" "$W/from.out" && fromok=$((fromok + 1)) ||
    { echo "replay --from $k:"; tail -4 "$W/from.err"; }
done
[ $fromall -ge 3 ] && [ $fromok -eq $fromall ] &&
  ok "replay --from each of the $fromall checkpoints ends as recorded" ||
  bad "replay --from: $fromok of $fromall checkpoints"

# Time travel through the I/O with the real gdb: go late (after the disk writes and the
# fetch), back early, late again: the same registers as a replay opened there.
if command -v gdb-multiarch > /dev/null; then
  end=$(sqlite3 "$W/io.trace" "SELECT value FROM meta WHERE key = 'end_icount'")
  late=$((end - 3000000)) early=15000000
  gdbrun() {
    timeout 120 gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" \
      -ex "target remote | $REWIND replay --gdb stdio $W/io.trace $1" "${@:2}" 2>&1 |
      awk '/^(pc|ra|sp|gp|tp|t[0-6]|fp|s[0-9]+|a[0-7]) +0x/ {print $1, $2} /^total:/'
  }
  travel=$(gdbrun "" -ex "monitor goto $late" -ex "monitor goto $early" -ex "flushregs" \
           -ex "monitor goto $late" -ex "flushregs" -ex "info registers" -ex "monitor when")
  direct=$(gdbrun "--at $late" -ex "info registers" -ex "monitor when")
  [ "$(wc -l <<<"$direct")" -ge 33 ] && [ "$travel" = "$direct" ] &&
    ok "gdb: goto $late, back to $early, forward again: same registers as a replay opened there" ||
    { bad "gdb time travel through the I/O"; diff <(echo "$direct") <(echo "$travel") | head; }
else
  bad "gdb-multiarch is not installed"
fi

# Every kind of device input and check is in the trace.
counts=$(sqlite3 "$W/io.trace" "SELECT group_concat(kind || '=' || n, ' ') FROM (SELECT kind, count(*) AS n FROM events WHERE kind IN ('net_rx','net_tx','disk_io','rng') GROUP BY kind ORDER BY kind)")
case "$counts" in
  disk_io=*net_rx=*net_tx=*rng=*) ok "trace holds $counts" ;;
  *) bad "trace device events: '$counts'" ;;
esac

# The disk as the recording left it: the guest's file has the hash the guest printed.
"$REWIND" export-disk "$W/io.trace" 0 "$W/after.img" 2> "$W/export.err" ||
  bad "export-disk: $(cat "$W/export.err")"
want=$(grep -o 'rewind-run.bin [0-9]* bytes seed=[0-9a-f]* fnv1a64=[0-9a-f]*' "$W/record.out" | grep -o 'fnv1a64=[0-9a-f]*')
debugfs -R "cat /rewind-run.bin" "$W/after.img" > "$W/run.bin" 2>/dev/null
have=$(python3 "$SERVER" --hash "$W/run.bin" | awk '{print "fnv1a64=" $2}')
[ -n "$want" ] && [ "$want" = "$have" ] && ok "export-disk: the written file matches the guest ($have)" ||
  bad "export-disk: guest printed '$want', the exported disk holds '$have'"

# pcap export, read by tshark.
"$REWIND" export-pcap "$W/io.trace" "$W/io.pcap" 2> "$W/pcap.err" || bad "export-pcap: $(cat "$W/pcap.err")"
frames=$(sqlite3 "$W/io.trace" "SELECT count(*) FROM network")
if command -v tshark > /dev/null; then
  tshark -r "$W/io.pcap" > "$W/pcap.txt" 2>/dev/null
  n=$(wc -l < "$W/pcap.txt")
  [ "$n" -eq "$frames" ] && grep -q "DHCP" "$W/pcap.txt" && grep -q "$PORT" "$W/pcap.txt" &&
    ok "tshark reads $n frames: DHCP and the TCP stream to port $PORT" ||
    bad "tshark: $n lines for $frames frames"
else
  bad "tshark is not installed (./run setup installs it)"
fi

# pack, then replay without the base image; a changed image is refused.
"$REWIND" pack "$W/io.trace" > /dev/null 2>&1 || bad "pack"
mv "$W/base.img" "$W/base.moved"
"$REWIND" verify "$W/io.trace" > "$W/verify2.out" 2>&1 &&
  ok "a packed trace replays without the base image" || { bad "packed replay"; cat "$W/verify2.out"; }
cp "$W/base.moved" "$W/base.img"
printf 'X' | dd of="$W/base.img" bs=1 seek=1024 conv=notrunc 2>/dev/null
sqlite3 "$W/io.trace" "UPDATE images SET data = NULL WHERE role = 'disk0'"
"$REWIND" verify "$W/io.trace" > "$W/verify3.out" 2>&1
grep -q "image disk0: .* has hash .* but the trace was recorded" "$W/verify3.out" &&
  ok "a changed base image is refused by hash" || { bad "changed image"; cat "$W/verify3.out"; }
cp "$W/base.moved" "$W/base.img"

# A plain run leaves the image alone unless --disk-persist lets the writes through.
cp "$DISK" "$W/plain.img"
"$REWIND" run -kernel "$IMAGE" -initrd "$INITRAMFS" -append console=ttyS0 --disk "$W/plain.img" \
  --max-insns 2000000000 < /dev/null > "$W/plain.out" 2> "$W/plain.err"
cmp -s "$DISK" "$W/plain.img" && grep -q "is unchanged (--disk-persist" "$W/plain.err" &&
  ok "run: the image is unchanged and rewind says how much the guest wrote" ||
  { bad "run without --disk-persist"; cat "$W/plain.err"; }
"$REWIND" run -kernel "$IMAGE" -initrd "$INITRAMFS" -append console=ttyS0 --disk "$W/plain.img" \
  --disk-persist --max-insns 2000000000 < /dev/null > "$W/persist.out" 2> "$W/persist.err"
persisted=$(grep -o 'rewind-run.bin [0-9]* bytes seed=[0-9a-f]* fnv1a64=[0-9a-f]*' "$W/persist.out" | grep -o 'fnv1a64=[0-9a-f]*')
debugfs -R "cat /rewind-run.bin" "$W/plain.img" > "$W/persist.bin" 2>/dev/null
have=$(python3 "$SERVER" --hash "$W/persist.bin" | awk '{print "fnv1a64=" $2}')
[ -n "$persisted" ] && [ "$persisted" = "$have" ] &&
  ok "run --disk-persist: the guest's file is in the image ($have)" ||
  bad "run --disk-persist: guest printed '$persisted', image holds '$have'"
"$REWIND" record -o "$W/x.trace" --disk-persist -kernel "$IMAGE" --disk "$W/plain.img" \
  > /dev/null 2> "$W/persist-record.err"
[ $? -eq 125 ] && grep -q "disk-persist is for run" "$W/persist-record.err" &&
  ok "record refuses --disk-persist" || bad "record --disk-persist: $(cat "$W/persist-record.err")"

# The virtio console (--hvc): hvc1 in this guest (hvc0 is its SBI console). A recorded shell
# session typed into it replays and verifies.
CHAT="$(dirname "$0")/../boot/console_chat.py"
python3 "$CHAT" --timeout 120 --must-see "hello-through-virtio-console" \
  --wait "rewind# " --send "echo hello-through-virtio-console\n" --wait "rewind# " --send "poweroff\n" \
  -- "$REWIND" record -o "$W/hvc.trace" -kernel "$IMAGE" -initrd "$INITRAMFS" -smp 2 \
     -append "console=hvc1 rewind.shell=1" -device virtio-serial-device --max-insns 4000000000 \
  > "$W/hvc.out" 2>&1 && ok "virtio console: a shell session typed into hvc1, recorded" ||
  { bad "virtio console session"; tail -5 "$W/hvc.out"; }
"$REWIND" verify "$W/hvc.trace" > "$W/hvc-verify.out" 2>&1 &&
  grep -q "replay verified" "$W/hvc-verify.out" && ok "virtio console: the session replays exactly" ||
  { bad "virtio console replay"; cat "$W/hvc-verify.out"; }

# Alter one received frame (a byte of the fetched payload): the replay must diverge.
cp "$W/io.trace" "$W/bad.trace"
seq=$(sqlite3 "$W/bad.trace" "SELECT seq FROM events WHERE kind='net_rx' AND length(blob) > 1000 LIMIT 1")
sqlite3 "$W/bad.trace" "UPDATE events SET blob = substr(blob, 1, 200) || X'FF' || substr(blob, 202) WHERE seq = $seq"
"$REWIND" verify "$W/bad.trace" > "$W/verify4.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "diverged" "$W/verify4.out" &&
  ok "an altered frame makes the replay diverge: $(grep -m1 'divergence\|diverged' "$W/verify4.out" | cut -c1-120)" ||
  { bad "altered frame: rc=$rc"; cat "$W/verify4.out"; }
finish
