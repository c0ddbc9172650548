#!/usr/bin/env bash
# qemu-devices.sh IMAGE INITRAMFS [--bench] — check the guest's virtio device
# tests against QEMU (qemu-system-riscv64 -M virt, the reference for rewind's
# own virtio-mmio devices).
#
#  1. boot with disk (make-disk.sh), network (user/slirp, ip=dhcp,
#     rewind.fetch= pointing at fetch-server.py) and entropy devices: every
#     check must PASS; the payload's byte count and FNV-1a 64 the guest prints
#     must equal what the server logged; the file the guest wrote must be in
#     the image afterwards (debugfs) with the hash the guest printed, and the
#     image must pass e2fsck -fn;
#  2. boot with no devices at all: the device checks SKIP, "all checks passed";
#  3. with --bench: rewind.bench=disk:64 (/dev/vdb) and rewind.bench=net:..:64.
# Prints each QEMU run's wall time.  Exit status 0 when everything held.
#
# Environment: QEMU (default qemu-system-riscv64), QEMU_TIMEOUT (s, default 120),
# KEEP=DIR keeps the disk image, console logs and server log in DIR.
set -euo pipefail
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
QEMU="${QEMU:-qemu-system-riscv64}"
TIMEOUT="${QEMU_TIMEOUT:-120}"
PATH="$PATH:/usr/sbin:/sbin"

die() { echo "qemu-devices: $*" >&2; exit 1; }
[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: $0 IMAGE INITRAMFS [--bench]"
IMAGE="$1"
INITRD="$2"
BENCH="${3:-}"
[ -z "$BENCH" ] || [ "$BENCH" = --bench ] || die "unknown option $BENCH"
for f in "$IMAGE" "$INITRD"; do [ -f "$f" ] || die "$f not found"; done
for tool in "$QEMU" python3 debugfs e2fsck; do
  command -v "$tool" >/dev/null || die "'$tool' not found"
done

if [ -n "${KEEP:-}" ]; then
  WORK="$KEEP"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"
fi
SERVER_PID=
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
fail() { echo "qemu-devices: FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "qemu-devices: ok: $*"; }

# qemu_run LOG APPEND [QEMU ARGS...]: boots to power-off, prints the wall time.
qemu_run() {
  local log="$1" append="$2"
  shift 2
  local start end
  start=$(date +%s.%N)
  timeout "$TIMEOUT" "$QEMU" -M virt -m 128M -smp 2 -nographic -no-reboot \
    -kernel "$IMAGE" -initrd "$INITRD" -append "console=ttyS0 $append" "$@" \
    </dev/null >"$log" 2>&1 || fail "$(basename "$log" .log): QEMU exited with $? (timeout ${TIMEOUT}s?)"
  end=$(date +%s.%N)
  echo "qemu-devices: $(basename "$log" .log): $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s wall"
}

# start_server ARGS...: fetch-server.py in the background; sets PORT.
start_server() {
  rm -f "$WORK/port"
  python3 "$HERE/fetch-server.py" --port-file "$WORK/port" --count 1 "$@" \
    >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  [ -s "$WORK/port" ] || die "fetch-server.py did not start: $(cat "$WORK/server.log")"
  PORT=$(cat "$WORK/port")
}
wait_server() { wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

# field LINE KEY: the value after "KEY" up to the next space/semicolon/comma.
field() { sed -n "s/.*$2\([^ ;,]*\).*/\1/p" <<<"$1" | head -n 1; }

# --- 1. every device -------------------------------------------------------------
"$HERE/make-disk.sh" "$WORK/disk.img" >/dev/null
start_server
qemu_run "$WORK/devices.log" "ip=dhcp rewind.fetch=10.0.2.2:$PORT" \
  -drive file="$WORK/disk.img",if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0 \
  -netdev user,id=n0 -device virtio-net-device,netdev=n0 \
  -device virtio-rng-device
wait_server
grep '^rewind-init: \(PASS\|FAIL\|SKIP\)' "$WORK/devices.log" | sed 's/^/  /'
for check in entropy network disk; do
  grep -q "^rewind-init: PASS $check:" "$WORK/devices.log" || fail "devices: no PASS $check"
done
grep -q "^rewind-init: all checks passed" "$WORK/devices.log" || fail "devices: not all checks passed"

net_line=$(grep "^rewind-init: PASS network:" "$WORK/devices.log" || true)
srv_line=$(grep "^fetch-server: conn 1 " "$WORK/server.log" | tail -n 1 || true)
g_bytes=$(field "$net_line" "fetched ")
g_fnv=$(field "$net_line" "fnv1a64=")
s_bytes=$(field "$srv_line" "sent ")
s_fnv=$(field "$srv_line" "fnv1a64=")
if [ -n "$g_fnv" ] && [ "$g_bytes/$g_fnv" = "$s_bytes/$s_fnv" ]; then
  ok "payload: guest and server agree on $g_bytes bytes fnv1a64=$g_fnv"
else
  fail "payload: guest '$g_bytes/$g_fnv', server '$s_bytes/$s_fnv'"
fi

disk_line=$(grep "^rewind-init: PASS disk:" "$WORK/devices.log" || true)
g_run_fnv=$(sed -n 's/.*rewind-run\.bin [0-9]* bytes seed=[0-9a-f]* fnv1a64=\([0-9a-f]*\).*/\1/p' <<<"$disk_line")
read -r h_len h_fnv _ < <(debugfs -R "cat /rewind-run.bin" "$WORK/disk.img" 2>/dev/null |
                          python3 "$HERE/fetch-server.py" --hash -)
if [ -n "$g_run_fnv" ] && [ "$h_fnv" = "$g_run_fnv" ] && [ "$h_len" = 524288 ]; then
  ok "disk: /rewind-run.bin in the image: $h_len bytes fnv1a64=$h_fnv, as the guest wrote"
else
  fail "disk: image has /rewind-run.bin $h_len bytes fnv1a64=$h_fnv, guest printed '$g_run_fnv'"
fi
if e2fsck -fn "$WORK/disk.img" >"$WORK/e2fsck.log" 2>&1; then
  ok "disk: e2fsck -fn clean"
else
  fail "disk: e2fsck -fn: $(tail -n 3 "$WORK/e2fsck.log")"
fi

# --- 2. no devices: what the existing test suite runs -----------------------------
qemu_run "$WORK/bare.log" ""
[ "$(grep -c '^rewind-init: SKIP ' "$WORK/bare.log")" = 3 ] || fail "bare: expected 3 SKIP lines"
if grep -q "^rewind-init: all checks passed" "$WORK/bare.log"; then
  ok "bare: all checks passed, device checks skipped"
else
  fail "bare: not all checks passed"
fi

# --- 3. benchmarks ----------------------------------------------------------------
if [ -n "$BENCH" ]; then
  truncate -s 0 "$WORK/bench.img"
  truncate -s 80M "$WORK/bench.img"
  qemu_run "$WORK/bench-disk.log" "rewind.bench=disk:64" \
    -drive file="$WORK/disk.img",if=none,format=raw,id=d0 -device virtio-blk-device,drive=d0 \
    -drive file="$WORK/bench.img",if=none,format=raw,id=d1 -device virtio-blk-device,drive=d1
  grep "^rewind-init: PASS bench-disk:" "$WORK/bench-disk.log" || fail "bench-disk did not pass"
  start_server --bytes $((64 << 20))
  qemu_run "$WORK/bench-net.log" "ip=dhcp rewind.bench=net:10.0.2.2:$PORT:64" \
    -netdev user,id=n0 -device virtio-net-device,netdev=n0
  wait_server
  grep "^rewind-init: PASS bench-net:" "$WORK/bench-net.log" || fail "bench-net did not pass"
fi

if [ "$failures" -eq 0 ]; then
  echo "qemu-devices: all passed"
else
  echo "qemu-devices: $failures FAILED (logs: ${KEEP:-set KEEP=DIR to keep them})"
  exit 1
fi
