#!/usr/bin/env bash
# bench/io-linux.sh — Linux guest I/O (virtio-blk, virtio-net) on rewind and on QEMU,
# and what recording costs with I/O in flight.
#
# usage: bench/io-linux.sh BUILD_DIR [REPEATS]   (REPEATS: default $IO_REPEATS or 5)
#
# One machine for every run: BUILD_DIR/guests/linux/{Image,initramfs.cpio}, 2 harts,
# 256 MiB, vda = a make-disk.sh ext4 image, vdb = an empty raw scratch image (IO_MB + 16
# MiB), a virtio-net card on the user network (slirp) and a virtio-rng; command line
# "console=ttyS0 ip=dhcp" plus the workload's key.  Three workloads:
#   boot   no rewind.bench: /init's self-checks (a 512 KiB file on vda, 32 bytes of
#          entropy), power-off — the baseline with the devices attached
#   disk   rewind.bench=disk:IO_MB  write IO_MB MiB raw to /dev/vdb, fsync, read back O_DIRECT
#   net    rewind.bench=net:10.0.2.2:PORT:IO_MB  receive IO_MB MiB by TCP from
#          guests/linux/fetch-server.py --bytes on the host's loopback (a fresh server per run)
# Three configurations of each:
#   rewind run      rewind run ... --stats            (exact instruction count)
#   rewind record   rewind record -o TRACE --force ... --stats; then rewind replay TRACE,
#                   timed too, which must exit 0 and print the same /init lines
#   qemu            qemu-system-riscv64 -M virt (TCG), its default firmware (OpenSBI
#                   fw_dynamic), the same kernel, initramfs, command line and devices
# rewind boots the firmware QEMU loads by default (IO_REWIND_BIOS=builtin: rewind's
# built-in SBI instead).  Runs are interleaved (one of each workload and configuration per
# round) after one untimed warm-up round; each is timed with the wall clock around the whole
# process (start-up to power-off).  Medians of REPEATS runs.  A run that fails (exit status,
# timeout, no PASS line, vdb not the scratch disk, replay failure or divergence) is
# reported with its command; the script goes on, then exits 1 and keeps its work directory.
#
# Environment: QEMU (binary), IO_REPEATS (default 5), IO_MB (MiB per transfer, default 64),
# IO_TIMEOUT (seconds per process, default 180), IO_REWIND_BIOS (firmware file for rewind,
# or "builtin"; default QEMU's default firmware), IO_CHECKPOINT_EVERY (record's
# --checkpoint-every; default rewind's own), IO_REWIND_ARGS (more options for rewind run and
# record, split at spaces, e.g. "--quantum 1000"), IO_KEEP=1 (keep the work directory).
set -euo pipefail
export LC_ALL=C   # '.' as decimal point in EPOCHREALTIME, awk and printf

usage() { echo "usage: $0 BUILD_DIR [REPEATS]" >&2; exit 2; }
die() { echo "io-linux: $*" >&2; exit 1; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
BUILD=$1
REPEATS=${2:-${IO_REPEATS:-5}}
case "$REPEATS" in ''|*[!0-9]*|0) echo "io-linux: REPEATS must be a positive integer" >&2; exit 2 ;; esac
MB=${IO_MB:-64}
case "$MB" in ''|*[!0-9]*|0) echo "io-linux: IO_MB must be a positive integer" >&2; exit 2 ;; esac
TIMEOUT=${IO_TIMEOUT:-180}
QEMU=${QEMU:-qemu-system-riscv64}
QEMU_FW=/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin
REWIND_BIOS=${IO_REWIND_BIOS:-$QEMU_FW}
CHECKPOINT_EVERY=${IO_CHECKPOINT_EVERY:-}
read -ra REWIND_EXTRA <<<"${IO_REWIND_ARGS:-}"   # e.g. IO_REWIND_ARGS="--quantum 1000"

SRC=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=$BUILD/guests/linux/Image
INITRD=$BUILD/guests/linux/initramfs.cpio
MAKE_DISK=$SRC/guests/linux/make-disk.sh
FETCH=$SRC/guests/linux/fetch-server.py
MEM=256M
SMP=2
SCRATCH_MB=$((MB + 16))     # bigger than the transfer, and unlike vda's 32 MiB
[ "$SCRATCH_MB" -ne 32 ] || SCRATCH_MB=33
BYTES=$((MB * 1048576))

for f in "$IMAGE" "$INITRD"; do
  [ -f "$f" ] || die "$f not found (build it: cmake --build $BUILD --target linux)"
done
[ -x "$BUILD/vmm/rewind" ] || die "$BUILD/vmm/rewind not found or not executable (build first: ./run build)"
[ -x "$MAKE_DISK" ] || die "$MAKE_DISK not found"
[ -f "$FETCH" ] || die "$FETCH not found"
command -v "$QEMU" >/dev/null || die "$QEMU not found (Debian package qemu-system-misc)"
command -v python3 >/dev/null || die "python3 not found (for fetch-server.py)"
command -v timeout >/dev/null || die "timeout(1) not found (coreutils)"
if [ "$REWIND_BIOS" != builtin ]; then
  [ -f "$REWIND_BIOS" ] || die "firmware $REWIND_BIOS not found (Debian package opensbi / qemu-system-data, or IO_REWIND_BIOS=builtin)"
fi

WORK=$(mktemp -d)
SERVER_PID=""
FAILS=()
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  if [ "${#FAILS[@]}" -eq 0 ] && [ "${IO_KEEP:-0}" != 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The binary is copied: other work may rebuild BUILD_DIR while the benchmark runs.
REWIND=$WORK/rewind
cp "$BUILD/vmm/rewind" "$REWIND"
"$MAKE_DISK" "$WORK/disk.img" >/dev/null
truncate -s "${SCRATCH_MB}M" "$WORK/scratch.img"

now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n 1; }
# calc EXPR VARS...: awk arithmetic, "-" if any input is "-" or a division by zero
calc() {
  local fmt=$1 expr=$2; shift 2
  local v
  for v in "$@"; do
    if [ "$v" = - ] || [ -z "$v" ]; then echo -; return; fi
  done
  awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" -v d="${4:-0}" \
    "BEGIN { x = ($expr); if (x == \"inf\") print \"-\"; else printf \"$fmt\", x }" 2>/dev/null || echo -
}
quote() { printf '%q ' "$@"; }

# ---- the machine -------------------------------------------------------------
APPEND_BASE="console=ttyS0 ip=dhcp"
append_for() {   # WORKLOAD PORT
  case "$1" in
    boot) echo "$APPEND_BASE" ;;
    disk) echo "$APPEND_BASE rewind.bench=disk:$MB" ;;
    net) echo "$APPEND_BASE rewind.bench=net:10.0.2.2:$2:$MB" ;;
  esac
}
# devices: vda = the ext4 test disk, vdb = the scratch disk.  On both rewind and QEMU
# 7.2 the first virtio-blk -device on the command line becomes vda (checked every run).
devices() {   # VDA_IMAGE VDB_IMAGE
  echo "-drive" "file=$1,if=none,id=d0,format=raw" "-device" "virtio-blk-device,drive=d0" \
       "-drive" "file=$2,if=none,id=d1,format=raw" "-device" "virtio-blk-device,drive=d1" \
       "-netdev" "user,id=n0" "-device" "virtio-net-device,netdev=n0" \
       "-device" "virtio-rng-device"
}
if [ "$REWIND_BIOS" = builtin ]; then REWIND_FW=(); else REWIND_FW=(-bios "$REWIND_BIOS"); fi
VDB_LINE="\\[vdb\\] $((SCRATCH_MB * 2048)) 512-byte logical blocks"

WORKLOADS=(boot disk net)
MODES=(run record qemu)
declare -A WL_LABEL=([boot]="boot" [disk]="disk ${MB} MiB" [net]="net ${MB} MiB")
declare -A MODE_LABEL=([run]="rewind run" [record]="rewind record" [qemu]="qemu")
declare -A PASS_RE=(
  [boot]='^rewind-init: all checks passed'
  [disk]='^rewind-init: PASS bench-disk: /dev/vdb \(raw\)'
  [net]='^rewind-init: PASS bench-net: '
)

# ---- one run -----------------------------------------------------------------
# fail WHAT CMD... : note a failure, print the command and the end of its output
fail() {
  local what=$1; shift
  FAILS+=("$what")
  echo "io-linux: FAIL: $what" >&2
  echo "  command: $(quote "$@")" >&2
  [ -f "$WORK/out" ] && tail -n 15 "$WORK/out" | sed 's/^/  stdout| /' >&2
  [ -f "$WORK/err" ] && tail -n 10 "$WORK/err" | sed 's/^/  stderr| /' >&2
  if [ -f "$WORK/server.log" ]; then sed 's/^/  server| /' "$WORK/server.log" >&2; fi
  return 0
}

start_server() {
  rm -f "$WORK/port" "$WORK/server.log"
  python3 "$FETCH" --bytes "$BYTES" --count 1 --port-file "$WORK/port" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  local _
  for _ in $(seq 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  [ -s "$WORK/port" ] || die "fetch-server.py did not start: $(cat "$WORK/server.log")"
  PORT=$(cat "$WORK/port")
}
stop_server() {   # waits up to 5 s for the server's log line, then ends it
  local _
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# run_one WORKLOAD MODE: one timed run; sets R_WALL R_N R_SELF R_G1 R_G2 R_SIZE R_CP R_CPB
# R_REPLAY (each "-" when not applicable); returns 1 on failure (already reported)
run_one() {
  local wl=$1 mode=$2 t0 t1 rc=0 cmd=() what="${WL_LABEL[$1]}, ${MODE_LABEL[$2]}" line
  R_WALL=- R_N=- R_SELF=- R_G1=- R_G2=- R_SIZE=- R_CP=- R_CPB=- R_REPLAY=-
  PORT=0
  rm -f "$WORK/out" "$WORK/err" "$WORK/server.log" "$WORK/t.trace"
  if [ "$wl" = net ]; then start_server; fi
  local append; append=$(append_for "$wl" "$PORT")
  local dev
  if [ "$mode" = qemu ]; then
    # QEMU writes its images: fresh copies every run (a sparse scratch file, as rewind's)
    cp "$WORK/disk.img" "$WORK/qemu-vda.img"
    rm -f "$WORK/qemu-vdb.img"; truncate -s "${SCRATCH_MB}M" "$WORK/qemu-vdb.img"
    read -ra dev <<<"$(devices "$WORK/qemu-vda.img" "$WORK/qemu-vdb.img")"
    cmd=("$QEMU" -M virt -smp "$SMP" -m "$MEM" -nographic
         -kernel "$IMAGE" -initrd "$INITRD" -append "$append" "${dev[@]}")
  else
    # rewind never writes the images (the guest's writes go to an overlay)
    read -ra dev <<<"$(devices "$WORK/disk.img" "$WORK/scratch.img")"
    local machine=(-M virt -smp "$SMP" -m "$MEM" -nographic "${REWIND_FW[@]}"
                   -kernel "$IMAGE" -initrd "$INITRD" -append "$append" "${dev[@]}" --stats
                   "${REWIND_EXTRA[@]}")
    if [ "$mode" = run ]; then
      cmd=("$REWIND" run "${machine[@]}")
    else
      cmd=("$REWIND" record -o "$WORK/t.trace" --force)
      [ -z "$CHECKPOINT_EVERY" ] || cmd+=(--checkpoint-every "$CHECKPOINT_EVERY")
      cmd+=("${machine[@]}")
    fi
  fi
  t0=$(now)
  timeout "$TIMEOUT" "${cmd[@]}" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
  t1=$(now)
  if [ "$wl" = net ]; then stop_server; fi
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ]; then fail "$what: no power-off within ${TIMEOUT} s (IO_TIMEOUT): hang?" "${cmd[@]}"
    else fail "$what: exit status $rc" "${cmd[@]}"; fi
    return 1
  fi
  if ! grep -qE "$VDB_LINE" "$WORK/out"; then
    fail "$what: /dev/vdb is not the ${SCRATCH_MB} MiB scratch disk (device order)" "${cmd[@]}"; return 1
  fi
  line=$(grep -E "${PASS_RE[$wl]}" "$WORK/out" | tail -n 1 || true)
  if [ -z "$line" ]; then
    fail "$what: no pass line ($(grep -E '^rewind-init: (FAIL|[0-9]+ checks FAILED)' "$WORK/out" | head -n 1 || echo "no FAIL line either"))" "${cmd[@]}"
    return 1
  fi
  if [ "$wl" = net ] && ! grep -q "sent $BYTES bytes" "$WORK/server.log"; then
    fail "$what: fetch-server.py did not log 'sent $BYTES bytes'" "${cmd[@]}"; return 1
  fi
  R_WALL=$(elapsed "$t0" "$t1")
  case "$wl" in
    disk) R_G1=$(sed -n 's/.* write [0-9]* MiB in [0-9.]* s = \([0-9.]*\) MiB\/s.*/\1/p' <<<"$line")
          R_G2=$(sed -n 's/.* read [0-9]* MiB in [0-9.]* s = \([0-9.]*\) MiB\/s.*/\1/p' <<<"$line") ;;
    net) R_G1=$(sed -n 's/.* = \([0-9.]*\) MiB\/s.*/\1/p' <<<"$line") ;;
  esac
  [ -n "$R_G1" ] || R_G1=-; [ -n "$R_G2" ] || R_G2=-
  if [ "$mode" != qemu ]; then
    local stats
    stats=$(grep -E '^rewind: icount=' "$WORK/err" | tail -n 1 || true)
    if [ -z "$stats" ]; then fail "$what: no 'rewind: icount=' line from --stats" "${cmd[@]}"; return 1; fi
    R_N=$(sed -n 's/.*icount=\([0-9]*\).*/\1/p' <<<"$stats")
    R_SELF=$(sed -n 's/.*seconds=\([0-9.eE+-]*\).*/\1/p' <<<"$stats")
  fi
  if [ "$mode" = record ]; then
    R_SIZE=$(stat -c %s "$WORK/t.trace")
    local cp
    cp=$(sed -n 's/^rewind: \([0-9]*\) checkpoints, [0-9]* pages, \([0-9]*\) bytes.*/\1 \2/p' "$WORK/err" | tail -n 1)
    if [ -n "$cp" ]; then read -r R_CP R_CPB <<<"$cp"; else R_CP=0 R_CPB=0; fi
    # the replay: exit 0 and the same /init lines as the recording
    local rcmd=("$REWIND" replay "$WORK/t.trace")
    grep '^rewind-init:' "$WORK/out" >"$WORK/rec.lines" || true
    rc=0
    t0=$(now)
    timeout "$TIMEOUT" "${rcmd[@]}" </dev/null >"$WORK/out" 2>"$WORK/err" || rc=$?
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
      if [ "$rc" -eq 124 ]; then fail "$what: replay did not end within ${TIMEOUT} s" "${rcmd[@]}"
      else fail "$what: replay exit status $rc (125: diverged or failed)" "${rcmd[@]}"; fi
      cp "$WORK/t.trace" "$WORK/failed-$wl-$(date +%s).trace" 2>/dev/null || true
      return 1
    fi
    if ! grep '^rewind-init:' "$WORK/out" | cmp -s - "$WORK/rec.lines"; then
      fail "$what: the replay's /init lines differ from the recording's" "${rcmd[@]}"
      diff "$WORK/rec.lines" <(grep '^rewind-init:' "$WORK/out") | sed 's/^/  diff| /' >&2 || true
      return 1
    fi
    R_REPLAY=$(elapsed "$t0" "$t1")
    rm -f "$WORK/t.trace"
  fi
  return 0
}

# ---- the rounds --------------------------------------------------------------
echo "io-linux: $IMAGE + $(basename "$INITRD"), $SMP harts, $MEM, append \"$APPEND_BASE [rewind.bench=...]\""
echo "io-linux: vda = make-disk.sh ext4 image (32 MiB), vdb = ${SCRATCH_MB} MiB scratch; virtio-net (user), virtio-rng"
echo "io-linux: rewind firmware: $([ "$REWIND_BIOS" = builtin ] && echo "built-in SBI" || echo "$REWIND_BIOS"); qemu: its default ($QEMU_FW)"
echo "io-linux: $("$REWIND" version 2>/dev/null | head -n 1 || echo 'rewind ?') (copied from $BUILD/vmm/rewind of $(date -r "$BUILD/vmm/rewind" '+%F %T'), source $(git -C "$SRC" describe --always --dirty 2>/dev/null || echo '?'))"
echo "io-linux: $("$QEMU" --version | head -n 1)"
[ "${#REWIND_EXTRA[@]}" -eq 0 ] || echo "io-linux: extra rewind options (IO_REWIND_ARGS): ${REWIND_EXTRA[*]}"
if [ "$MB" -le 16 ]; then
  echo "io-linux: note: at IO_MB <= 16 fetch-server.py also computes FNV-1a in pure Python (a few MB/s):"
  echo "io-linux:       the host server, not the VMM, then limits the net workload"
fi
echo "io-linux: $REPEATS timed run(s) per workload and configuration, interleaved, after one warm-up round"

declare -A WALLS NS SELFS G1S G2S SIZES CPS CPBS REPLAYS NFAIL
for wl in "${WORKLOADS[@]}"; do for mode in "${MODES[@]}"; do
  k=$wl.$mode; WALLS[$k]=""; NS[$k]=""; SELFS[$k]=""; G1S[$k]=""; G2S[$k]=""
  SIZES[$k]=""; CPS[$k]=""; CPBS[$k]=""; REPLAYS[$k]=""; NFAIL[$k]=0
done; done

for round in $(seq 0 "$REPEATS"); do
  for wl in "${WORKLOADS[@]}"; do
    for mode in "${MODES[@]}"; do
      k=$wl.$mode
      if ! run_one "$wl" "$mode"; then
        NFAIL[$k]=$((NFAIL[$k] + 1))
        continue
      fi
      g=""
      case "$wl" in
        disk) g="  guest write $R_G1 read $R_G2 MiB/s" ;;
        net) g="  guest $R_G1 MiB/s" ;;
      esac
      extra=""
      [ "$mode" = qemu ] || extra="  icount $R_N"
      [ "$mode" != record ] || extra+="  trace $R_SIZE B  replay $R_REPLAY s"
      if [ "$round" -eq 0 ]; then
        printf '  warm-up %-12s %-14s %7s s wall%s%s\n' "${WL_LABEL[$wl]}" "${MODE_LABEL[$mode]}" "$R_WALL" "$extra" "$g"
        continue
      fi
      printf '  run %-3d %-12s %-14s %7s s wall%s%s\n' "$round" "${WL_LABEL[$wl]}" "${MODE_LABEL[$mode]}" "$R_WALL" "$extra" "$g"
      WALLS[$k]+=" $R_WALL"; G1S[$k]+=" $R_G1"; G2S[$k]+=" $R_G2"
      if [ "$mode" != qemu ]; then NS[$k]+=" $R_N"; SELFS[$k]+=" $R_SELF"; fi
      if [ "$mode" = record ]; then
        SIZES[$k]+=" $R_SIZE"; CPS[$k]+=" $R_CP"; CPBS[$k]+=" $R_CPB"; REPLAYS[$k]+=" $R_REPLAY"
      fi
    done
  done
done

# ---- results -----------------------------------------------------------------
declare -A MED MIN MAX N NLO NHI G1 G2 SIZE CP CPB REP
# The lists are space-separated words: their unquoted expansion is intended.
# shellcheck disable=SC2086
for wl in "${WORKLOADS[@]}"; do for mode in "${MODES[@]}"; do
  k=$wl.$mode
  if [ -z "${WALLS[$k]}" ]; then
    MED[$k]=-; MIN[$k]=-; MAX[$k]=-; N[$k]=-; NLO[$k]=-; NHI[$k]=-; G1[$k]=-; G2[$k]=-
    SIZE[$k]=-; CP[$k]=-; CPB[$k]=-; REP[$k]=-
    continue
  fi
  MED[$k]=$(calc %.3f a "$(median ${WALLS[$k]})"); MIN[$k]=$(minimum ${WALLS[$k]}); MAX[$k]=$(maximum ${WALLS[$k]})
  G1[$k]=$(median ${G1S[$k]}); G2[$k]=$(median ${G2S[$k]})
  case " ${G1S[$k]} " in *" - "*) G1[$k]=- ;; esac
  case " ${G2S[$k]} " in *" - "*) G2[$k]=- ;; esac
  N[$k]=-; NLO[$k]=-; NHI[$k]=-; SIZE[$k]=-; CP[$k]=-; CPB[$k]=-; REP[$k]=-
  if [ -n "${NS[$k]}" ]; then
    N[$k]=$(calc %.0f a "$(median ${NS[$k]})"); NLO[$k]=$(minimum ${NS[$k]}); NHI[$k]=$(maximum ${NS[$k]})
  fi
  if [ -n "${SIZES[$k]}" ]; then
    SIZE[$k]=$(calc %.0f a "$(median ${SIZES[$k]})"); CP[$k]=$(median ${CPS[$k]})
    CPB[$k]=$(calc %.0f a "$(median ${CPBS[$k]})"); REP[$k]=$(calc %.3f a "$(median ${REPLAYS[$k]})")
  fi
done; done

# matched_overhead WORKLOAD: for every record run, its wall time over that of the run
# (rewind run) with the nearest instruction count; prints the median ratio - 1 in %
# shellcheck disable=SC2086
matched_overhead() {
  local rec=$1.record run=$1.run
  if [ -z "${WALLS[$rec]}" ] || [ -z "${WALLS[$run]}" ]; then echo -; return; fi
  awk -v rw="${WALLS[$rec]}" -v rn="${NS[$rec]}" -v uw="${WALLS[$run]}" -v un="${NS[$run]}" 'BEGIN {
    n = split(rw, a); split(rn, an); m = split(uw, b); split(un, bn)
    for (i = 1; i <= n; i++) {
      best = 1
      for (j = 2; j <= m; j++) {
        dj = bn[j] - an[i]; if (dj < 0) dj = -dj
        db = bn[best] - an[i]; if (db < 0) db = -db
        if (dj < db) best = j
      }
      r[i] = a[i] / b[best]
    }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
    x = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
    printf "%+.1f%%", (x - 1) * 100 }'
}

guest_mibs() {   # WORKLOAD MODE
  local k=$1.$2 v=""
  case "$1" in
    boot) v=- ;;
    disk) v="w $(calc %.1f a "${G1[$k]}") r $(calc %.1f a "${G2[$k]}")" ;;
    net) v="$(calc %.1f a "${G1[$k]}")" ;;
  esac
  if [ "$1" != boot ] && [ "$2" != qemu ]; then v+=" (virtual)"; fi
  echo "$v"
}

echo
echo "results: median of $REPEATS run(s), wall seconds of the whole process (start-up to power-off)"
echo
printf '%-12s %-14s %7s %16s %13s %-26s %8s\n' workload configuration "wall s" "[min..max]" instructions "guest MiB/s" "rw/qemu"
for wl in "${WORKLOADS[@]}"; do
  for mode in "${MODES[@]}"; do
    k=$wl.$mode
    r=-; [ "$mode" = qemu ] || r=$(calc %.2f 'a / b' "${MED[$k]}" "${MED[$wl.qemu]}")
    printf '%-12s %-14s %7s %16s %13s %-26s %8s\n' "${WL_LABEL[$wl]}" "${MODE_LABEL[$mode]}" "${MED[$k]}" \
      "[${MIN[$k]}..${MAX[$k]}]" "${N[$k]}" "$(guest_mibs "$wl" "$mode")" "$r"
  done
done

echo
echo "the transfer itself: workload minus boot (medians of wall seconds; instructions on rewind run)"
echo
printf '%-12s %11s %14s %8s %8s %11s %15s\n' transfer "rewind run" "rewind record" qemu "run/qemu" "record/qemu" "instructions"
for wl in disk net; do
  d_run=$(calc %.3f 'a - b' "${MED[$wl.run]}" "${MED[boot.run]}")
  d_rec=$(calc %.3f 'a - b' "${MED[$wl.record]}" "${MED[boot.record]}")
  d_q=$(calc %.3f 'a - b' "${MED[$wl.qemu]}" "${MED[boot.qemu]}")
  printf '%-12s %11s %14s %8s %8s %11s %15s\n' "${WL_LABEL[$wl]}" "$d_run" "$d_rec" "$d_q" \
    "$(calc %.2f 'a / b' "$d_run" "$d_q")" "$(calc %.2f 'a / b' "$d_rec" "$d_q")" \
    "$(calc %.0f 'a - b' "${N[$wl.run]}" "${N[boot.run]}")"
done

echo
echo "recording (rewind record, then rewind replay of the trace; medians)"
echo
printf '%-12s %7s %8s %9s %9s %12s %9s %17s %11s %8s %8s %7s\n' workload "run s" "record s" overhead matched "trace bytes" "B/1k ins" "checkpoints (B)" "trace-boot" "replay s" "rep/rec" replays
for wl in "${WORKLOADS[@]}"; do
  k=$wl.record
  ok=$(wc -w <<<"${REPLAYS[$k]}")
  over=$(calc %+.1f%% '(a / b - 1) * 100' "${MED[$k]}" "${MED[$wl.run]}")
  overi=$(matched_overhead "$wl")
  if [ "$wl" = boot ]; then growth=-
  else growth=$(calc '%.2fx I/O' '(a - b) / c' "${SIZE[$k]}" "${SIZE[boot.record]}" "$BYTES"); fi
  cpcol=-; [ "${CP[$k]}" = - ] || cpcol="${CP[$k]} (${CPB[$k]})"
  printf '%-12s %7s %8s %9s %9s %12s %9s %17s %11s %8s %8s %7s\n' "${WL_LABEL[$wl]}" "${MED[$wl.run]}" "${MED[$k]}" "$over" "$overi" \
    "${SIZE[$k]}" "$(calc %.1f 'a * 1000 / b' "${SIZE[$k]}" "${N[$k]}")" "$cpcol" "$growth" \
    "${REP[$k]}" "$(calc %.2f 'a / b' "${REP[$k]}" "${MED[$k]}")" "$ok/$REPEATS"
done

echo
echo "wall s       whole process measured by this script; [min..max] over the runs"
echo "instructions rewind's exact retired count from --stats (median; QEMU cannot count cheaply)"
echo "guest MiB/s  what /init printed (median): w = write incl. fsync, r = O_DIRECT read-back;"
echo "             (virtual) on rewind: the guest clock there is virtual (1 instruction = 1 ns"
echo "             per hart), so these are MiB per virtual second, not host throughput; QEMU's"
echo "             guest clock is real time.  Compare wall times."
echo "rw/qemu      rewind's median wall time / QEMU's for the same workload (< 1: rewind faster)"
echo "overhead     record / run - 1 (median wall times); matched: median over the record runs of"
echo "             record wall / wall of the run with the nearest instruction count, - 1 (fairer"
echo "             when the instruction counts vary between runs, as on the disk workload)"
echo "B/1k ins     trace file bytes per 1000 instructions"
echo "checkpoints  count (bytes) from record --stats; they are part of the trace file"
echo "trace-boot   (trace bytes - boot's trace bytes) / bytes moved by the guest ($MB MiB)"
echo "rep/rec      replay wall time / record wall time; replays = replays that exited 0 with"
echo "             the recording's /init lines"
for wl in "${WORKLOADS[@]}"; do for mode in run record; do
  k=$wl.$mode
  if [ "${NLO[$k]}" != "${NHI[$k]}" ]; then
    echo "note: ${WL_LABEL[$wl]}, ${MODE_LABEL[$mode]}: the icount varied between runs: ${NLO[$k]}..${NHI[$k]}"
  fi
done; done

if [ "${#FAILS[@]}" -gt 0 ]; then
  echo
  echo "io-linux: ${#FAILS[@]} run(s) FAILED (medians above are over the runs that passed):"
  printf '  %s\n' "${FAILS[@]}"
  echo "io-linux: work directory kept: $WORK"
  exit 1
fi
