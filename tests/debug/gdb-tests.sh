#!/usr/bin/env bash
# gdb-tests.sh REWIND WATCHME_ELF [VMLINUX IMAGE INITRD] — the real gdb-multiarch, in batch
# mode, debugging guests through `rewind run --gdb stdio`: breakpoints, stepping, registers
# (incl. CSRs and priv), memory, a watchpoint, changing a register, running to the end; and
# the Linux guest with vmlinux symbols (break in start_kernel, backtrace, globals, 2 harts).
set -u
REWIND=$1
ELF=$2
VMLINUX=${3:-}
IMAGE=${4:-}
INITRD=${5:-}
passes=0
fails=0

# check NAME OUTPUT PATTERN...: every pattern (grep -E) must appear in OUTPUT
check() {
  local name=$1 out=$2
  shift 2
  for p in "$@"; do
    if ! grep -qE -- "$p" <<<"$out"; then
      echo "FAIL: $name: missing /$p/ in:"
      echo "$out" | tail -40 | sed 's/^/    /'
      fails=$((fails + 1))
      return
    fi
  done
  echo "PASS: $name"
  passes=$((passes + 1))
}

gdb_batch() {
  timeout 120 gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" \
    -ex "set pagination off" -ex "set confirm off" "$@" 2>&1
}

out=$(gdb_batch "$ELF" -ex "target remote | $REWIND run --gdb stdio --kernel $ELF" \
  -ex "break bump" -ex "continue" -ex "print counter" -ex "print \$pc == (long)&bump" \
  -ex "stepi" -ex "print \$pc != (long)&bump" -ex "print \$priv" -ex "print/x \$misa" \
  -ex "print/x \$mhartid" -ex "info threads" -ex "delete" -ex "watch counter" -ex "continue" \
  -ex "continue" -ex "delete" -ex "break answer" -ex "continue" -ex "set \$a0 = 41" \
  -ex "finish" -ex "delete" -ex "continue")
check "bare metal: breakpoint, step, registers, CSRs, watchpoint, register write, exit" "$out" \
  "Breakpoint 1, .*bump" '\$1 = 0' '\$2 = 1' '\$3 = 1' '\$4 = 3' '0x800000000014112d' \
  'Thread 1' 'atchpoint 2: counter' 'Old value = 1' 'New value = 3' 'Breakpoint 3, .*answer' \
  'Value returned is .* = 42' 'counter 15 answer 42' 'exited normally'

out=$(gdb_batch "$ELF" -ex "target remote | $REWIND run --gdb stdio --kernel $ELF" \
  -ex "monitor help" -ex "monitor icount" -ex "monitor info" -ex "x/2i \$pc" \
  -ex "print/x *(unsigned int *)0x80000000" -ex "monitor phys on" \
  -ex "print/x *(unsigned int *)0x80000000" -ex "kill")
check "bare metal: monitor commands, memory, disassembly, kill" "$out" \
  "rewind monitor commands" "total: 0" "hart 0 \(thread 1\)" "addresses are guest physical" \
  '=> 0x80000000'

# `rewind gdb` starts gdb-multiarch already connected (commands come from a pipe here).
out=$(printf 'break answer\ncontinue\nprint x\ncontinue\nquit\n' |
      timeout 120 "$REWIND" gdb --symbols "$ELF" --kernel "$ELF" 2>&1)
check "rewind gdb: gdb-multiarch started already connected" "$out" \
  "Breakpoint 1, answer" '\$1 = 1' 'counter 15 answer 2' 'exited normally'

if [ -n "$VMLINUX" ] && [ -e "$VMLINUX" ]; then
  out=$(gdb_batch "$VMLINUX" \
    -ex "target remote | $REWIND run --gdb stdio -kernel $IMAGE -initrd $INITRD -append console=ttyS0 -smp 2" \
    -ex "break start_kernel" -ex "continue" -ex "bt" -ex "print init_task.comm" \
    -ex "print/x \$satp" -ex "print \$priv" -ex "delete" -ex "watch jiffies" -ex "continue" \
    -ex "delete" -ex "break do_sys_openat2" \
    -ex "continue" -ex "bt 3" -ex "info threads" -ex "delete" -ex "continue")
  check "Linux: start_kernel, backtrace, globals, syscall breakpoint, 2 harts, poweroff" "$out" \
    "Breakpoint 1, start_kernel" "#0  start_kernel" 'init_task.comm|= "swapper' \
    '\$[0-9]+ = 1' "Hardware watchpoint 2: jiffies" "Old value = " "New value = " \
    "Breakpoint 3, do_sys_openat2" "Thread 2" "exited normally"
fi

echo "gdb-tests: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
