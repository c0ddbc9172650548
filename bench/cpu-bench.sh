#!/usr/bin/env bash
# bench/cpu-bench.sh — CPU speed of rewind against QEMU on the same guest.
#
# usage: bench/cpu-bench.sh BUILD_DIR [REPEATS]      (REPEATS defaults to 5)
#
# Runs BUILD_DIR/guests/bench/coremark-like.elf (fixed work, ~2e9 instructions)
# REPEATS times on rewind (`rewind run --kernel ELF --stats`) and REPEATS times on
# `qemu-system-riscv64 -machine spike -bios none`, timing every run with the
# wall clock (date +%s.%N).  Both MIPS figures use N = rewind's exact retired
# instruction count from --stats: MIPS = N / median wall seconds.  rewind's own
# --stats seconds are shown as well.  Every run must exit 0 and all runs of
# both machines must print the same checksum.  Environment: QEMU (binary to
# use), BENCH_ELF (another guest), BENCH_TIMEOUT (seconds per run, default 900).
set -euo pipefail

usage() { echo "usage: $0 BUILD_DIR [REPEATS]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
BUILD=$1
REPEATS=${2:-5}
case "$REPEATS" in ''|*[!0-9]*|0) echo "cpu-bench: REPEATS must be a positive integer" >&2; exit 2 ;; esac

ELF=${BENCH_ELF:-$BUILD/guests/bench/coremark-like.elf}
REWIND=$BUILD/vmm/rewind
QEMU=${QEMU:-qemu-system-riscv64}
TIMEOUT=${BENCH_TIMEOUT:-900}
QEMU_ARGS=(-machine spike -bios none -nographic -monitor none)

[ -f "$ELF" ] || { echo "cpu-bench: $ELF not found (build first: ./run build)" >&2; exit 1; }
command -v "$QEMU" >/dev/null || { echo "cpu-bench: $QEMU not found (Debian package qemu-system-misc)" >&2; exit 1; }
have_rewind=1
if [ ! -x "$REWIND" ]; then
  have_rewind=0
  echo "cpu-bench: $REWIND not built yet: timing QEMU only" >&2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mips() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", n / s / 1e6; else print "inf" }'; }
checksum_of() { sed -n 's/.*checksum \(0x[0-9a-fA-F]*\).*/\1/p' "$1" | tail -n 1; }

# run_one LABEL OUTFILE ERRFILE CMD... : runs CMD, prints the wall seconds, fails loudly
run_one() {
  local label=$1 out=$2 err=$3; shift 3
  local t0 t1 rc=0
  t0=$(now)
  timeout "$TIMEOUT" "$@" </dev/null >"$out" 2>"$err" || rc=$?
  t1=$(now)
  if [ "$rc" -ne 0 ]; then
    echo "cpu-bench: $label run failed with exit status $rc" >&2
    sed 's/^/  | /' "$out" "$err" >&2
    exit 1
  fi
  elapsed "$t0" "$t1"
}

echo "cpu-bench: $ELF, $REPEATS run(s) on each machine"

rewind_wall=() rewind_self=() rewind_sums=() icount=""
if [ "$have_rewind" = 1 ]; then
  for i in $(seq 1 "$REPEATS"); do
    t=$(run_one rewind "$WORK/r.out" "$WORK/r.err" "$REWIND" run --kernel "$ELF" --stats)
    stats=$(grep -E '^rewind: icount=' "$WORK/r.err" | tail -n 1 || true)
    [ -n "$stats" ] || { echo "cpu-bench: no 'rewind: icount=' line from --stats" >&2; cat "$WORK/r.err" >&2; exit 1; }
    n=$(sed -n 's/.*icount=\([0-9]*\).*/\1/p' <<<"$stats")
    s=$(sed -n 's/.*seconds=\([0-9.eE+-]*\).*/\1/p' <<<"$stats")
    if [ -n "$icount" ] && [ "$n" != "$icount" ]; then
      echo "cpu-bench: rewind's instruction count changed between runs ($icount vs $n)" >&2; exit 1
    fi
    icount=$n
    rewind_wall+=("$t"); rewind_self+=("$s"); rewind_sums+=("$(checksum_of "$WORK/r.out")")
    echo "  rewind run $i: ${t} s wall, ${s} s by --stats, checksum ${rewind_sums[-1]}"
  done
fi

qemu_wall=() qemu_sums=()
for i in $(seq 1 "$REPEATS"); do
  t=$(run_one qemu "$WORK/q.out" "$WORK/q.err" "$QEMU" "${QEMU_ARGS[@]}" -kernel "$ELF")
  qemu_wall+=("$t"); qemu_sums+=("$(checksum_of "$WORK/q.out")")
  echo "  qemu   run $i: ${t} s wall, checksum ${qemu_sums[-1]}"
done

# QEMU's fixed start-up cost, for reading the numbers (not subtracted)
startup_elf=$BUILD/guests/tests/hello.elf
if [ -f "$startup_elf" ]; then
  qs=$(run_one qemu-startup "$WORK/s.out" "$WORK/s.err" "$QEMU" "${QEMU_ARGS[@]}" -kernel "$startup_elf")
else
  qs=""
fi

# every checksum must be the same
all_sums=("${rewind_sums[@]}" "${qemu_sums[@]}")
ref=${all_sums[0]}
[ -n "$ref" ] || { echo "cpu-bench: the guest printed no checksum" >&2; exit 1; }
for c in "${all_sums[@]}"; do
  [ "$c" = "$ref" ] || { echo "cpu-bench: CHECKSUM MISMATCH: rewind ${rewind_sums[*]:-} / qemu ${qemu_sums[*]}" >&2; exit 1; }
done

qm=$(median "${qemu_wall[@]}")
echo
echo "results ($REPEATS runs each, medians):"
if [ "$have_rewind" = 1 ]; then
  rm=$(median "${rewind_wall[@]}")
  rs=$(median "${rewind_self[@]}")
  rmips=$(mips "$icount" "$rm")
  qmips=$(mips "$icount" "$qm")
  printf '  instructions (rewind icount): %s\n' "$icount"
  printf '  rewind : %8s s wall  %9s MIPS   (--stats: %s s, %s MIPS)\n' "$rm" "$rmips" "$rs" "$(mips "$icount" "$rs")"
  printf '  qemu   : %8s s wall  %9s MIPS\n' "$qm" "$qmips"
  [ -n "$qs" ] && printf '  (qemu start-up alone, hello.elf: %s s wall, included above)\n' "$qs"
  printf '  ratio rewind/qemu (MIPS): %s\n' "$(awk -v a="$rmips" -v b="$qmips" 'BEGIN { printf "%.3f", a / b }')"
  printf '  checksum: %s on both machines: OK\n' "$ref"
else
  printf '  qemu   : %8s s wall (MIPS needs rewind'"'"'s instruction count)\n' "$qm"
  printf '  checksum: %s on every qemu run\n' "$ref"
  echo "cpu-bench: incomplete: build the rewind CLI to compare" >&2
  exit 3
fi
