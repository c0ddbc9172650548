#!/usr/bin/env bash
# run-diff.sh — differential test of the rewind hart against QEMU.
#
#   run-diff.sh REWIND_BIN OUTDIR [SEED] [FILES] [SEQS_PER_FILE]
#
# Generates FILES assembly files with rvgen (file i holds sequences
# i*SEQS .. i*SEQS+SEQS-1 of seed SEED), links them with the RISC-V cross gcc,
# runs each on `qemu-system-riscv64 -machine spike` and on `REWIND_BIN run`,
# and compares the printed signatures.  On the first difference it shrinks the
# sequence to the shortest prefix that still differs, prints the seed, the
# sequence, the differing registers and the assembly, and exits 1.
# Exits 0 when everything matches, 2 when the generator, the toolchain or
# QEMU fails.
#
# REWIND_BIN "none" runs QEMU twice instead (checks the generator: no trap,
# no hang, deterministic output).  SEED "random" picks a random seed.
#
# Environment:
#   REWIND_DIFF_SEED       overrides SEED (e.g. REWIND_DIFF_SEED=random)
#   REWIND_DIFF_FILES      overrides FILES
#   REWIND_DIFF_SEQS       overrides SEQS_PER_FILE
#   REWIND_DIFF_LENGTH     random items per sequence (default 150)
#   REWIND_DIFF_JOBS       parallel files (default: nproc)
#   REWIND_DIFF_MAX_INSNS  rewind --max-insns per file (default: scaled)
#   REWIND_DIFF_TIMEOUT    seconds per QEMU/rewind run (default 120)
#   REWIND_DIFF_KEEP=1     keep files of matching runs in OUTDIR
#   REWIND_DIFF_NO_SHRINK=1  report the full sequence, do not shrink
#   RVGEN                  rvgen binary (default: built from rvgen.c with cc)
#   CROSS_GCC              cross compiler (default riscv64-unknown-elf-gcc)
#   QEMU                   QEMU binary (default qemu-system-riscv64)
#   QEMU_EXTRA             extra QEMU options (e.g. "-cpu rv64,zba=true,zbb=true")
set -u -o pipefail

usage() {
	echo "usage: $0 REWIND_BIN|none OUTDIR [SEED|random] [FILES] [SEQS_PER_FILE]" >&2
	exit 2
}
[ $# -ge 2 ] && [ $# -le 5 ] || usage

HERE=$(cd "$(dirname "$0")" && pwd)
REWIND_BIN=$1
OUTDIR=$2
SEED=${REWIND_DIFF_SEED:-${3:-1}}
FILES=${REWIND_DIFF_FILES:-${4:-4}}
SEQS=${REWIND_DIFF_SEQS:-${5:-100}}
LEN=${REWIND_DIFF_LENGTH:-150}
JOBS=${REWIND_DIFF_JOBS:-$(nproc 2>/dev/null || echo 2)}
TIMEOUT=${REWIND_DIFF_TIMEOUT:-120}
MAX_INSNS=${REWIND_DIFF_MAX_INSNS:-$((SEQS * (200000 + 2000 * LEN) + 1000000))}
CROSS_GCC=${CROSS_GCC:-riscv64-unknown-elf-gcc}
QEMU=${QEMU:-qemu-system-riscv64}
QEMU_EXTRA=${QEMU_EXTRA:-}

die() {
	echo "diff: error: $*" >&2
	exit 2
}

if [ "$SEED" = random ]; then
	SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
fi
for v in SEED FILES SEQS LEN JOBS TIMEOUT MAX_INSNS; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a decimal number (got '${!v}')"
done
[ "$FILES" -ge 1 ] && [ "$SEQS" -ge 1 ] && [ "$LEN" -ge 1 ] && [ "$JOBS" -ge 1 ] || die "FILES, SEQS, LENGTH and JOBS must be >= 1"
if [ "$REWIND_BIN" != none ]; then
	[ -x "$REWIND_BIN" ] || die "rewind binary '$REWIND_BIN' is not executable"
	REWIND_BIN=$(cd "$(dirname "$REWIND_BIN")" && pwd)/$(basename "$REWIND_BIN")
fi
command -v "$CROSS_GCC" >/dev/null || die "cross compiler '$CROSS_GCC' not found"
command -v "$QEMU" >/dev/null || die "QEMU '$QEMU' not found"
command -v timeout >/dev/null || die "timeout(1) not found"
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
# only this script's own files (OUTDIR may be shared)
for ext in S elf log status qemu qemu.err rewind rewind.err cmp; do
	rm -f "$OUTDIR"/f[0-9]*."$ext" "$OUTDIR"/shrink."$ext"
done

if [ -z "${RVGEN:-}" ]; then
	RVGEN=$OUTDIR/rvgen
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -o "$RVGEN" "$HERE/rvgen.c" || die "cannot build rvgen"
fi
[ -x "$RVGEN" ] || die "rvgen '$RVGEN' is not executable"

# Zba/Zbb if the assembler takes them
ARCH=rv64gc_zba_zbb
GENOPTS=()
if ! echo 'sh1add a0, a0, a1' | "$CROSS_GCC" -march=$ARCH -mabi=lp64d -x assembler -c - -o /dev/null 2>/dev/null; then
	ARCH=rv64gc
	GENOPTS=(--no-bitmanip)
	echo "diff: note: $CROSS_GCC does not accept zba/zbb, testing without them"
fi
LDFLAGS=(-nostdlib -static -T "$HERE/rvgen.ld")
if echo 'nop' | "$CROSS_GCC" -march=rv64gc -mabi=lp64d -x assembler - -nostdlib -static -o /dev/null \
	-Wl,--no-warn-rwx-segments -Wl,-e,0 2>/dev/null; then
	LDFLAGS+=(-Wl,--no-warn-rwx-segments)
fi

# gen_file BASE FIRST COUNT LEN: BASE.S and BASE.elf
gen_file() {
	"$RVGEN" --seed "$SEED" --first "$2" --sequences "$3" --length "$4" "${GENOPTS[@]}" -o "$1.S" ||
		{ echo "rvgen failed" >"$1.log"; return 1; }
	"$CROSS_GCC" -march=$ARCH -mabi=lp64d -mno-relax "${LDFLAGS[@]}" "$1.S" -o "$1.elf" >"$1.log" 2>&1
}

run_qemu() { # ELF OUT
	timeout "$TIMEOUT" "$QEMU" -machine spike -bios none -nographic -m 128M $QEMU_EXTRA \
		-kernel "$1" </dev/null >"$2" 2>"$2.err"
}

run_rewind() { # ELF OUT
	if [ "$REWIND_BIN" = none ]; then
		run_qemu "$1" "$2"
	else
		timeout "$TIMEOUT" "$REWIND_BIN" run --kernel "$1" --max-insns "$MAX_INSNS" </dev/null >"$2" 2>"$2.err"
	fi
}

# qemu_ok OUT COUNT: QEMU printed COUNT signatures, then "end"
qemu_ok() {
	[ "$(grep -c '^seq ' "$1")" -eq "$2" ] && [ "$(tail -n 1 "$1")" = end ] && ! grep -q '^TRAP' "$1"
}

# run_file I: writes f<I>.status = ok | mismatch | gen-fail | qemu-fail
run_file() {
	local i=$1 base=$OUTDIR/f$1 qrc rrc
	if ! gen_file "$base" $((i * SEQS)) "$SEQS" "$LEN"; then
		echo gen-fail >"$base.status"
		return
	fi
	run_qemu "$base.elf" "$base.qemu"
	qrc=$?
	if [ $qrc -ne 0 ] || ! qemu_ok "$base.qemu" "$SEQS"; then
		echo "qemu-fail $qrc" >"$base.status"
		return
	fi
	run_rewind "$base.elf" "$base.rewind"
	rrc=$?
	if [ $rrc -eq 0 ] && cmp -s "$base.qemu" "$base.rewind"; then
		echo ok >"$base.status"
		[ "${REWIND_DIFF_KEEP:-0}" = 1 ] || rm -f "$base.S" "$base.elf" "$base.qemu" "$base.rewind" "$base".*.err "$base.log"
	else
		echo "mismatch $rrc" >"$base.status"
	fi
}

# trial LEN N: does sequence N cut to LEN items still differ?  (0 = yes)
trial() {
	local base=$OUTDIR/shrink
	gen_file "$base" "$2" 1 "$1" || return 2
	run_qemu "$base.elf" "$base.qemu" && qemu_ok "$base.qemu" 1 || return 2
	run_rewind "$base.elf" "$base.rewind"
	local rrc=$?
	[ $rrc -ne 0 ] || ! cmp -s "$base.qemu" "$base.rewind"
}

echo "diff: seed $SEED, $FILES files x $SEQS sequences x $LEN items, rewind: $REWIND_BIN"
echo "diff: reproduce with: $0 $REWIND_BIN $OUTDIR $SEED $FILES $SEQS  (REWIND_DIFF_LENGTH=$LEN)"

# run the files, JOBS at a time; stop starting new ones after a failure
running=0
for ((i = 0; i < FILES; i++)); do
	if [ $running -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	if grep -qsv '^ok$' "$OUTDIR"/f*.status; then
		break
	fi
	run_file $i &
	running=$((running + 1))
done
wait

matched=0
total=0
for ((i = 0; i < FILES; i++)); do
	base=$OUTDIR/f$i
	[ -f "$base.status" ] || continue
	read -r status rc <"$base.status"
	first=$((i * SEQS))
	last=$((first + SEQS - 1))
	case $status in
	ok)
		matched=$((matched + SEQS))
		total=$((total + SEQS))
		;;
	gen-fail)
		echo "diff: FAIL: generating/assembling file $i failed (seed $SEED, sequences $first..$last):" >&2
		head -n 20 "$base.log" >&2
		exit 2
		;;
	qemu-fail)
		echo "diff: FAIL: QEMU failed on file $i (seed $SEED, sequences $first..$last), exit status $rc" >&2
		echo "--- last lines of QEMU output ($base.qemu) ---" >&2
		tail -n 5 "$base.qemu" "$base.qemu.err" >&2
		exit 2
		;;
	mismatch)
		awk -f "$HERE/sigcmp.awk" "$base.qemu" "$base.rewind" >"$base.cmp"
		n=$(awk '$1 == "first" { print $2 }' "$base.cmp")
		if [ -z "$n" ]; then
			# all signatures match: exit status or trailing output differs
			echo "diff: MISMATCH in file $i (seed $SEED, sequences $first..$last): signatures agree but the runs do not"
			echo "  QEMU exit 0, rewind exit $rc; first differing lines:"
			diff "$base.qemu" "$base.rewind" | head -n 10 | sed 's/^/  /'
			echo "--- rewind stderr ---"
			tail -n 10 "$base.rewind.err"
			exit 1
		fi
		total=$((total + n - first + 1))
		matched=$((matched + n - first))
		echo "diff: MISMATCH: seed $SEED, sequence $n (file $i, $base.S), rewind exit status $rc"
		len=$LEN
		if [ "${REWIND_DIFF_NO_SHRINK:-0}" != 1 ]; then
			# shortest prefix of the sequence that still differs
			lo=0
			hi=$LEN
			while [ $((hi - lo)) -gt 1 ]; do
				mid=$(((lo + hi) / 2))
				trial $mid "$n"
				case $? in
				0) hi=$mid ;;
				1) lo=$mid ;;
				*)
					hi=$LEN
					break
					;;
				esac
			done
			len=$hi
		fi
		if [ "$len" -lt "$LEN" ]; then
			trial "$len" "$n"
			if [ "$len" -eq 1 ]; then
				echo "diff: shrunk: sequence $n differs with a single item (item 0, or loading the initial state)"
			else
				echo "diff: shrunk: the first $len items of sequence $n differ, the first $((len - 1)) match;" \
					"item $((len - 1)) is the suspect"
			fi
			src=$OUTDIR/shrink
			awk -f "$HERE/sigcmp.awk" "$src.qemu" "$src.rewind" >"$base.cmp"
		else
			src=$base
		fi
		if [ "$(awk '$1 == "reg" && $4 != "-"' "$base.cmp" | wc -l)" -eq 0 ]; then
			echo "rewind printed no signature for sequence $n; its output ends with:"
			tail -n 5 "$src.rewind" | sed 's/^/  /'
		else
			printf '  %-6s %-18s %-18s\n' reg "qemu (expected)" rewind
			awk '$1 == "reg" { printf "  %-6s %-18s %-18s\n", $2, $3, $4 }' "$base.cmp"
		fi
		if [ -s "$src.rewind.err" ]; then
			echo "--- rewind stderr ---"
			tail -n 10 "$src.rewind.err"
		fi
		echo "--- sequence $n (initial state table, then code; from $src.S) ---"
		awk -v n="$n" '$0 == "# ==== sequence " n " begin ====" { p = 1 } p { print } $0 == "# ==== sequence " n " end ====" { p = 0 }' "$src.S"
		echo "--- reproduce ---"
		echo "  $RVGEN --seed $SEED --first $n --sequences 1 --length $len ${GENOPTS[*]} -o repro.S"
		echo "  $CROSS_GCC -march=$ARCH -mabi=lp64d -mno-relax ${LDFLAGS[*]} repro.S -o repro.elf"
		echo "  $QEMU -machine spike -bios none -nographic -m 128M $QEMU_EXTRA -kernel repro.elf"
		echo "  $REWIND_BIN run --kernel repro.elf --max-insns $MAX_INSNS"
		echo "diff: $total sequences, $matched matched"
		exit 1
		;;
	esac
done
echo "diff: $total sequences, $matched matched"
[ "$total" -eq $((FILES * SEQS)) ] || die "only $total of $((FILES * SEQS)) sequences ran"
exit 0
