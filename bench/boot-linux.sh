#!/usr/bin/env bash
# bench/boot-linux.sh — Linux boot-to-poweroff time on rewind and on QEMU.
#
# usage: bench/boot-linux.sh BUILD_DIR [REPEATS]      (REPEATS defaults to 5)
#
# Boots BUILD_DIR/guests/linux/Image with BUILD_DIR/guests/linux/initramfs.cpio
# (CMake target `linux`) until its /init prints "rewind-init: all checks
# passed" and powers the machine off, in three configurations:
#   rewind-sbi   rewind with its built-in SBI (no firmware)
#   rewind-fw    rewind with OpenSBI fw_jump.bin (same firmware as QEMU)
#   qemu         qemu-system-riscv64 -M virt (TCG) with OpenSBI fw_jump.bin
# REPEATS timed runs each, interleaved (one run of every configuration per
# round) so background noise spreads over all three, after one untimed warm-up
# round.  Every run is timed with the wall clock around the whole process
# (start-up included).  rewind's --stats gives its exact retired-instruction
# count and its own run time.  QEMU cannot count cheaply, so one extra,
# untimed QEMU run with -icount shift=0 and one instruction per translation
# block logs every executed instruction (-d nochain,exec) and the log lines are
# counted; BOOT_QEMU_COUNT=0 skips it and QEMU's MIPS then uses rewind's
# OpenSBI count as an estimate.  Every run must exit 0 and print the pass line.
#
# Environment: QEMU (binary), OPENSBI_FW (firmware, default Debian's fw_jump),
# BOOT_TIMEOUT (seconds per timed run, default 120), BOOT_QEMU_COUNT (1/0,
# default 1), BOOT_COUNT_TIMEOUT (seconds for the counting run, default 900).
set -euo pipefail
export LC_ALL=C   # '.' as decimal point in EPOCHREALTIME, awk and printf

usage() { echo "usage: $0 BUILD_DIR [REPEATS]" >&2; exit 2; }
die() { echo "boot-linux: $*" >&2; exit 1; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
BUILD=$1
REPEATS=${2:-5}
case "$REPEATS" in ''|*[!0-9]*|0) echo "boot-linux: REPEATS must be a positive integer" >&2; exit 2 ;; esac

IMAGE=$BUILD/guests/linux/Image
INITRD=$BUILD/guests/linux/initramfs.cpio
REWIND=$BUILD/vmm/rewind
QEMU=${QEMU:-qemu-system-riscv64}
FW=${OPENSBI_FW:-/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin}
TIMEOUT=${BOOT_TIMEOUT:-120}
COUNT=${BOOT_QEMU_COUNT:-1}
COUNT_TIMEOUT=${BOOT_COUNT_TIMEOUT:-900}
APPEND="console=ttyS0"
MEM_MB=128
PASS_LINE="rewind-init: all checks passed"

for f in "$IMAGE" "$INITRD"; do
  [ -f "$f" ] || die "$f not found (build it: cmake --build $BUILD --target linux)"
done
[ -x "$REWIND" ] || die "$REWIND not found or not executable (build first: ./run build)"
[ -f "$FW" ] || die "OpenSBI firmware $FW not found (Debian package opensbi, or set OPENSBI_FW)"
command -v "$QEMU" >/dev/null || die "$QEMU not found (Debian package qemu-system-misc)"
command -v timeout >/dev/null || die "timeout(1) not found (coreutils)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
fmt3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
mips() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s / 1e6; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
# guest clock at power-off: the timestamp of the kernel's "reboot: Power down"
guest_seconds() { sed -n 's/^\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p' "$1" | tail -n 1; }

# the three configurations: command lines (stdin is /dev/null for all)
REWIND_SBI=("$REWIND" run -m "$MEM_MB" -kernel "$IMAGE" -initrd "$INITRD" -append "$APPEND" --stats)
REWIND_FW=("$REWIND" run -m "$MEM_MB" -bios "$FW" -kernel "$IMAGE" -initrd "$INITRD" -append "$APPEND" --stats)
QEMU_CMD=("$QEMU" -M virt -m "${MEM_MB}M" -nographic -bios "$FW" -kernel "$IMAGE" -initrd "$INITRD" -append "$APPEND")
CONFIGS=(rewind-sbi rewind-fw qemu)
declare -A LABEL=(
  [rewind-sbi]="rewind, built-in SBI"
  [rewind-fw]="rewind, OpenSBI fw_jump"
  [qemu]="qemu TCG, OpenSBI fw_jump"
)

# run_config CONFIG : one boot; prints "WALL ICOUNT STATS_SECONDS GUEST_SECONDS"
# (ICOUNT and STATS_SECONDS are "-" for QEMU); fails loudly
run_config() {
  local cfg=$1 out=$WORK/$1.out err=$WORK/$1.err t0 t1 rc=0 cmd
  case "$cfg" in
    rewind-sbi) cmd=("${REWIND_SBI[@]}") ;;
    rewind-fw) cmd=("${REWIND_FW[@]}") ;;
    qemu) cmd=("${QEMU_CMD[@]}") ;;
  esac
  t0=$(now)
  timeout "$TIMEOUT" "${cmd[@]}" </dev/null >"$out" 2>"$err" || rc=$?
  t1=$(now)
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ]; then
      echo "boot-linux: ${LABEL[$cfg]}: no power-off within ${TIMEOUT} s (BOOT_TIMEOUT)" >&2
    else
      echo "boot-linux: ${LABEL[$cfg]}: exit status $rc" >&2
    fi
    echo "  command: ${cmd[*]}" >&2
    tail -n 20 "$out" | sed 's/^/  stdout| /' >&2
    tail -n 20 "$err" | sed 's/^/  stderr| /' >&2
    exit 1
  fi
  if ! grep -qF "$PASS_LINE" "$out"; then
    echo "boot-linux: ${LABEL[$cfg]}: the guest did not print \"$PASS_LINE\"" >&2
    echo "  command: ${cmd[*]}" >&2
    tail -n 20 "$out" | sed 's/^/  stdout| /' >&2
    tail -n 20 "$err" | sed 's/^/  stderr| /' >&2
    exit 1
  fi
  local n=- s=- g
  if [ "$cfg" != qemu ]; then
    local stats
    stats=$(grep -E '^rewind: icount=' "$err" | tail -n 1 || true)
    [ -n "$stats" ] || { echo "boot-linux: ${LABEL[$cfg]}: no 'rewind: icount=' line from --stats" >&2; cat "$err" >&2; exit 1; }
    n=$(sed -n 's/.*icount=\([0-9]*\).*/\1/p' <<<"$stats")
    s=$(sed -n 's/.*seconds=\([0-9.eE+-]*\).*/\1/p' <<<"$stats")
  fi
  g=$(guest_seconds "$out")
  echo "$(elapsed "$t0" "$t1") $n $s ${g:--}"
}

echo "boot-linux: $IMAGE + $(basename "$INITRD"), ${MEM_MB} MiB, append \"$APPEND\""
echo "boot-linux: firmware for rewind-fw and qemu: $FW"
echo "boot-linux: $REPEATS timed run(s) per configuration, interleaved, after one warm-up round"

declare -A WALLS ICOUNTS SELFS GUESTS
for cfg in "${CONFIGS[@]}"; do WALLS[$cfg]=""; ICOUNTS[$cfg]=""; SELFS[$cfg]=""; GUESTS[$cfg]=""; done

for round in $(seq 0 "$REPEATS"); do
  for cfg in "${CONFIGS[@]}"; do
    read -r wall n s g < <(run_config "$cfg") || exit 1
    [ -n "${wall:-}" ] || exit 1    # run_config failed (its message is above)
    if [ "$round" -eq 0 ]; then
      printf '  warm-up %-26s %7s s wall\n' "${LABEL[$cfg]}:" "$wall"
      continue
    fi
    WALLS[$cfg]+=" $wall"; GUESTS[$cfg]+=" $g"
    if [ "$n" != - ]; then
      ICOUNTS[$cfg]+=" $n"; SELFS[$cfg]+=" $s"
      printf '  run %d %-26s %7s s wall  %8s s --stats  icount %s  guest clock %s s\n' "$round" "${LABEL[$cfg]}:" "$wall" "$s" "$n" "$g"
    else
      printf '  run %d %-26s %7s s wall                      guest clock %s s\n' "$round" "${LABEL[$cfg]}:" "$wall" "$g"
    fi
  done
done

# QEMU's own instruction count: a separate, untimed run in icount mode (the
# guest clock then follows instructions, 1 ns each, like rewind's) with one
# instruction per translation block and the exec log counted line by line.
QCOUNT="" QCOUNT_GUEST=""
if [ "$COUNT" != 0 ]; then
  if "$QEMU" -help | grep -q 'one-insn-per-tb'; then
    one_insn=(-accel "tcg,one-insn-per-tb=on")
  else
    one_insn=(-singlestep)
  fi
  qcount_cmd=("$QEMU" -M virt -m "${MEM_MB}M" -display none -monitor none -serial "file:$WORK/count.out"
              -bios "$FW" -kernel "$IMAGE" -initrd "$INITRD" -append "$APPEND"
              -icount shift=0 "${one_insn[@]}" -d "nochain,exec" -D /dev/stdout)
  echo "boot-linux: counting QEMU's instructions: one untimed run with -icount shift=0 ${one_insn[*]} -d nochain,exec"
  echo "boot-linux: (about 1 µs per instruction on the reference host; BOOT_QEMU_COUNT=0 skips it)"
  QCOUNT=$( { rc=0; timeout "$COUNT_TIMEOUT" "${qcount_cmd[@]}" </dev/null 2>"$WORK/count.err" || rc=$?
              echo "$rc" >"$WORK/count.rc"; } | grep -c '^Trace ' ) || true
  rc=$(cat "$WORK/count.rc" 2>/dev/null || echo "?")
  if [ "$rc" != 0 ] || ! grep -qF "$PASS_LINE" "$WORK/count.out" 2>/dev/null || [ "${QCOUNT:-0}" -eq 0 ]; then
    if [ "$rc" = 124 ]; then
      echo "boot-linux: the QEMU counting run did not finish within ${COUNT_TIMEOUT} s (BOOT_COUNT_TIMEOUT)" >&2
    else
      echo "boot-linux: the QEMU counting run failed (exit status $rc, ${QCOUNT:-0} exec log lines)" >&2
    fi
    echo "  command: ${qcount_cmd[*]}" >&2
    tail -n 20 "$WORK/count.out" 2>/dev/null | sed 's/^/  console| /' >&2
    tail -n 20 "$WORK/count.err" 2>/dev/null | sed 's/^/  stderr| /' >&2
    echo "  (BOOT_QEMU_COUNT=0 skips this run)" >&2
    exit 1
  fi
  QCOUNT_GUEST=$(guest_seconds "$WORK/count.out")
  echo "  qemu -icount run: $QCOUNT instructions executed, guest clock ${QCOUNT_GUEST:--} s"
fi

# ---- results ----------------------------------------------------------------
declare -A MED MIN MAX N NLO NHI SELF GCLK
# The lists are space-separated words: their unquoted expansion is intended.
# shellcheck disable=SC2086
for cfg in "${CONFIGS[@]}"; do
  MED[$cfg]=$(fmt3 "$(median ${WALLS[$cfg]})")
  MIN[$cfg]=$(fmt3 "$(minimum ${WALLS[$cfg]})")
  MAX[$cfg]=$(fmt3 "$(maximum ${WALLS[$cfg]})")
  case " ${GUESTS[$cfg]} " in
    *" - "*) GCLK[$cfg]=- ;;
    *) GCLK[$cfg]=$(median ${GUESTS[$cfg]}) ;;
  esac
  if [ -n "${ICOUNTS[$cfg]}" ]; then
    N[$cfg]=$(awk -v x="$(median ${ICOUNTS[$cfg]})" 'BEGIN { printf "%.0f", x }')
    NLO[$cfg]=$(minimum ${ICOUNTS[$cfg]}); NHI[$cfg]=$(maximum ${ICOUNTS[$cfg]})
    SELF[$cfg]=$(fmt3 "$(median ${SELFS[$cfg]})")
  fi
done
if [ -n "$QCOUNT" ]; then
  N[qemu]=$QCOUNT; QMARK="*"
else
  N[qemu]=${N[rewind-fw]}; QMARK="~"
fi

echo
echo "results: Linux boot to power-off, $REPEATS timed run(s) per configuration, medians"
echo
printf '%-26s %7s %16s %8s %13s %7s %7s %7s\n' \
  configuration "wall s" "[min..max]" "self s" instructions MIPS "guest s" "qemu/x"
for cfg in "${CONFIGS[@]}"; do
  if [ "$cfg" = qemu ]; then mark=$QMARK; self=-; else mark=""; self=${SELF[$cfg]}; fi
  g=${GCLK[$cfg]}; [ "$g" = - ] || g=$(fmt3 "$g")
  printf '%-26s %7s %16s %8s %13s %7s %7s %7s\n' "${LABEL[$cfg]}" "${MED[$cfg]}" \
    "[${MIN[$cfg]}..${MAX[$cfg]}]" "$self" "$mark${N[$cfg]}" "$(mips "${N[$cfg]}" "${MED[$cfg]}")" \
    "$g" "$(ratio "${MED[qemu]}" "${MED[$cfg]}")"
done
echo
echo "wall s   whole process, start-up included, measured by this script; [min..max] over the runs"
echo "self s   rewind's own run time from --stats (interpreter-only MIPS: $(mips "${N[rewind-sbi]}" "${SELF[rewind-sbi]}") built-in SBI, $(mips "${N[rewind-fw]}" "${SELF[rewind-fw]}") OpenSBI)"
echo "instructions  rewind: exact retired count from --stats (median over the runs)"
if [ -n "$QCOUNT" ]; then
  echo "         *qemu: executed instructions counted in one separate run with -icount shift=0"
  echo "          (guest clock follows instructions, as on rewind); the timed TCG runs were not"
  echo "          counted and their guest clock is real time, so their count may differ somewhat."
  echo "          With rewind's OpenSBI count instead, qemu's MIPS would be $(mips "${N[rewind-fw]}" "${MED[qemu]}")."
else
  echo "         ~qemu: NOT counted (BOOT_QEMU_COUNT=0): rewind's count with the same OpenSBI is used"
  echo "          as an estimate; QEMU's own count differs (another board model, device tree and"
  echo "          firmware path: it was about 30% higher when measured on the reference host)."
fi
echo "MIPS     instructions / median wall seconds"
echo "guest s  the guest kernel's clock at power-off (printk timestamp of \"reboot: Power down\")"
echo "qemu/x   qemu's median wall time / this configuration's median wall time (> 1: faster than qemu)"
for cfg in rewind-sbi rewind-fw; do
  if [ "${NLO[$cfg]}" != "${NHI[$cfg]}" ]; then
    echo "note: ${LABEL[$cfg]}: the icount varied between runs: ${NLO[$cfg]}..${NHI[$cfg]}"
  fi
done
