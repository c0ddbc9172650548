#!/usr/bin/env bash
# no-host-reads.sh SOURCE_DIR — the determinism contract's first rule, checked on the source:
# the machine (hart, devices, bus, VM, built-in SBI) never asks the host for anything itself.
# Every outside value must come through the gate (struct vm_gate), whose host side lives in
# vmm/host_console.c and whose record/replay sides live in replay-log/.
set -u
SRC=$1
files=$(ls "$SRC"/vmm/cpu/*.c "$SRC"/devices/*.c "$SRC"/vmm/bus.c "$SRC"/vmm/vm.c \
           "$SRC"/vmm/vm_run.c "$SRC"/vmm/sbi.c "$SRC"/vmm/snapshot.c "$SRC"/vmm/state.c)
# calls that read time, entropy or host files/terminals
pattern='(^|[^>.[:alnum:]_])(time|clock_gettime|gettimeofday|getrandom|rand|random|srand|read|pread|recv|recvfrom|poll|select|getchar|fgetc|fgets|scanf|fscanf|getenv|nanosleep|usleep|sleep)[[:space:]]*\('
bad=$(grep -nE "$pattern" $files | grep -vE '^\S+:[0-9]+:\s*(/\*|\*|//)' || true)
# vm.c legitimately reads image files while loading (before the machine runs): allow read()
# there only inside read_file_into / file checks.
bad=$(echo "$bad" | grep -vE '/vmm/vm\.c:[0-9]+:.*\bread\(fd' || true)
if [ -n "$bad" ]; then
  echo "no-host-reads: the machine reads the host directly (use the gate):"
  echo "$bad"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "no-host-reads: $(echo $files | wc -w) machine source files take nothing from the host"
echo "1 passed, 0 failed"
