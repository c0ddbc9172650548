#!/usr/bin/env bash
# timetravel-qemu.sh BUILD_DIR [STEPS] — QEMU's own reverse debugging against rewind's, on the
# same Linux guest (BUILD_DIR/guests/linux: Image, initramfs.cpio, vmlinux; "console=ttyS0",
# 128 MiB, one hart, OpenSBI fw_dynamic on both), in one run.
#
# QEMU: the boot is recorded with `-icount shift=auto,rr=record,rrfile=…,rrsnapshot=init`, a
# qcow2 image for the snapshot (`-drive file=rr.qcow2,if=none,id=rr`) and `-net none`; every
# measurement then runs on a fresh `rr=replay` process with `-gdb tcp:… -S` and an HMP monitor
# socket. rewind: `rewind record`, then `rewind replay TRACE --gdb tcp:…` per measurement.
# gdb-multiarch (batch, Python: bench/timetravel_qemu_measure.py) goes to kernel functions hit
# once at different stages of the boot (`break F` + `continue`, timed), reads the instruction
# count there (QEMU: `monitor info replay`; rewind: `monitor when`), times STEPS reverse-stepi,
# and in another session a reverse-continue to the last store into jiffies. It also goes to
# 20/50/80/99 % of each recording by instruction count (QEMU: `monitor replay_break N` +
# `continue`; rewind: `monitor goto N`), and sweeps QEMU with one reverse-stepi every SWEEP
# instructions (2e6; timeout SWEEP_TIMEOUT, 15 s). Every gdb command has a timeout (STEP_TIMEOUT,
# default 60 s): when it expires a watchdog asks QEMU's monitor where the replay is, kills that
# replay process, and the command is reported as a hang. QEMU's stderr is printed verbatim.
#
# Environment: QEMU, QEMU_IMG, GDB, STEP_TIMEOUT (60), POINTS (kernel functions), FRACTIONS
# ("20 50 80 99"; "" for none), SWEEP (0: none), SWEEP_TIMEOUT, WATCH (jiffies), REWIND_BIOS
# (firmware file or "builtin"; default QEMU's default firmware), KEEP=1 (keep the work
# directory: recordings, gdb logs).
set -euo pipefail
BUILD=${1:?usage: timetravel-qemu.sh BUILD_DIR [STEPS]}
STEPS=${2:-${STEPS:-5}}
[[ "$STEPS" =~ ^[1-9][0-9]*$ ]] || { echo "timetravel-qemu: STEPS must be a positive number" >&2; exit 2; }
QEMU=${QEMU:-qemu-system-riscv64}
QEMU_IMG=${QEMU_IMG:-qemu-img}
GDB=${GDB:-gdb-multiarch}
for f in "$BUILD/vmm/rewind" "$BUILD/guests/linux/Image" "$BUILD/guests/linux/initramfs.cpio" \
         "$BUILD/guests/linux/vmlinux"; do
  [ -e "$f" ] || { echo "timetravel-qemu: $f is missing (build first: ./run build)" >&2; exit 2; }
done
for t in "$QEMU" "$QEMU_IMG" "$GDB" python3 timeout; do
  command -v "$t" >/dev/null || {
    echo "timetravel-qemu: $t not found (Debian: qemu-system-misc, qemu-utils, gdb-multiarch)" >&2
    exit 2; }
done
export QEMU QEMU_IMG GDB STEPS
exec python3 "$(dirname "$0")/timetravel_qemu_measure.py" "$BUILD"
