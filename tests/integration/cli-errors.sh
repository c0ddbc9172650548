#!/usr/bin/env bash
# cli-errors.sh REWIND DIR — the CLI's contract: exit codes, and a clear message (and no crash)
# for every kind of bad program file.
set -u
REWIND=$1
DIR=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
passes=0

# expect STATUS PATTERN -- ARGS...: run rewind, check exit status and a stderr/stdout pattern
expect() {
  local want=$1 pattern=$2
  shift 3
  local out status
  out=$(timeout 20 "$REWIND" "$@" 2>&1)
  status=$?
  if [ "$status" -ne "$want" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: rewind $* -> status $status (want $want), output:"
    echo "$out" | sed 's/^/    /'
    echo "    (wanted pattern: $pattern)"
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

expect 42 '^x$' -- run --kernel "$DIR/exit42.elf"
expect 42 '^x$' -- run -kernel "$DIR/exit42.elf" -nographic -m 64
expect 124 'stopped after 1000 instructions' -- run --kernel "$DIR/spin.elf" --max-insns 1000
expect 125 'wfi' -- run --kernel "$DIR/idle.elf"
expect 125 'stuck in a trap storm' -- run --kernel "$DIR/storm.elf"
expect 125 'is hung' -- run --kernel "$DIR/hung.elf" --hang-after 3000000
expect 124 'stopped after 5000000' -- run --kernel "$DIR/hung.elf" --hang-after 0 --max-insns 5000000
expect 125 'outside RAM' -- run --kernel "$DIR/outside-ram.elf"
expect 125 'No such file' -- run --kernel "$TMP/missing.elf"

head -c 4096 /dev/urandom > "$TMP/random.bin"
expect 125 'not an ELF' -- run --kernel "$TMP/random.bin"
: > "$TMP/empty.elf"
expect 125 'not an ELF' -- run --kernel "$TMP/empty.elf"
head -c 40 "$DIR/exit42.elf" > "$TMP/header-cut.elf"
expect 125 'truncated|malformed|not an ELF' -- run --kernel "$TMP/header-cut.elf"
size=$(stat -c %s "$DIR/exit42.elf")
head -c $((size / 2)) "$DIR/exit42.elf" > "$TMP/half.elf"
expect 125 'truncated|past the end|malformed|program header' -- run --kernel "$TMP/half.elf"
expect 125 'not RISC-V|not a 64-bit|not an executable' -- run --kernel /bin/true
python3 - "$DIR/exit42.elf" "$TMP/elf32.elf" <<'PY' 2>/dev/null || cp /bin/true "$TMP/elf32.elf"
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[4] = 1  # EI_CLASS = ELFCLASS32
open(sys.argv[2], 'wb').write(d)
PY
expect 125 'not a 64-bit|malformed|truncated' -- run --kernel "$TMP/elf32.elf"
expect 125 'needs --kernel' -- run
expect 125 'positive integer' -- run --kernel "$DIR/exit42.elf" --max-insns abc
expect 125 'unknown command' -- frobnicate
expect 0 'usage' -- help
expect 125 'virt board only' -- run -M sifive_u --kernel "$DIR/exit42.elf"
expect 42 '^x$' -- run -M virt --kernel "$DIR/exit42.elf"

# --signature: memory between begin_signature and end_signature, one 32-bit word per line
expect 0 '' -- run --kernel "$DIR/sig.elf" --signature "$TMP/sig.txt"
if [ "$(cat "$TMP/sig.txt" 2>/dev/null | tr '\n' ' ')" = "11223344 cafef00d " ]; then
  passes=$((passes + 1))
else
  echo "FAIL: signature file was: $(cat "$TMP/sig.txt" 2>/dev/null)"; fails=$((fails + 1))
fi
expect 0 '' -- run --kernel "$DIR/sig.elf" --signature "$TMP/sig8.txt" --signature-granularity 8
if [ "$(cat "$TMP/sig8.txt" 2>/dev/null)" = "cafef00d11223344" ]; then
  passes=$((passes + 1))
else
  echo "FAIL: 8-byte signature file was: $(cat "$TMP/sig8.txt" 2>/dev/null)"; fails=$((fails + 1))
fi
expect 125 'no begin_signature' -- run --kernel "$DIR/exit42.elf" --signature "$TMP/none.txt"

# virtio device options: each mistake is one clear message, before anything runs
B=(run --bios "$DIR/exit42.elf")
head -c 1048576 /dev/zero > "$TMP/disk.img"
: > "$TMP/empty.img"
expect 125 'raw images only' -- "${B[@]}" -drive file="$TMP/disk.img",format=qcow2
expect 125 'no PCI' -- "${B[@]}" -netdev user,id=n0 -device virtio-net-pci,netdev=n0
expect 125 'no unused -drive with id=d9' -- "${B[@]}" -device virtio-blk-device,drive=d9
expect 125 "backends are 'user'" -- "${B[@]}" -netdev tap,id=n0 -device virtio-net-device,netdev=n0
expect 125 'not used by any -device' -- "${B[@]}" -netdev user,id=n0
expect 125 'unknown or unsupported option' -- "${B[@]}" -drive file="$TMP/disk.img",bogus=1
expect 125 'not a unicast' -- "${B[@]}" -netdev user,id=n0 -device virtio-net-device,netdev=n0,mac=01:00:00:00:00:01
expect 125 'disk image .*missing.img: No such file' -- "${B[@]}" --disk "$TMP/missing.img"
expect 125 'at least one 512-byte sector' -- "${B[@]}" --disk "$TMP/empty.img"
expect 125 'hostfwd' -- "${B[@]}" --net user,hostfwd=tcp::notaport-:22
expect 125 'need the virt board' -- run --kernel "$DIR/exit42.elf" --disk "$TMP/disk.img"
expect 125 'at most 4 virtio disks' -- "${B[@]}" --disk "$TMP/disk.img" --disk "$TMP/disk.img" \
  --disk "$TMP/disk.img" --disk "$TMP/disk.img" --disk "$TMP/disk.img"
expect 125 'tt-memory needs a size' -- replay "$TMP/none.trace" --gdb stdio --tt-memory 0
expect 125 'usage: rewind export-disk' -- export-disk "$TMP/none.trace"
expect 125 'not a rewind trace|cannot|unable' -- export-pcap "$TMP/random.bin" "$TMP/out.pcap"

echo "cli-errors: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
