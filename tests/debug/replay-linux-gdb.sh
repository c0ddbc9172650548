#!/usr/bin/env bash
# replay-linux-gdb.sh REWIND VMLINUX IMAGE INITRD — time travel on a recorded 2-hart Linux
# boot with the real gdb-multiarch: `monitor goto` forward and back lands on the same
# registers as a separate replay opened at that icount (`--at`); stepi then reverse-stepi
# returns to the same icount and registers (across hart switches: both harts run in that
# span); reverse-continue to a kernel breakpoint hit several times lands on its previous hit;
# reverse-finish leaves a kernel function for its caller; a reverse watchpoint on jiffies.
# Checkpoints every 3M instructions, so seeks and reverse-continue cross them.
set -u
REWIND=$1
VMLINUX=$2
IMAGE=$3
INITRD=$4
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$REWIND" record -o "$TMP/linux.trace" --checkpoint-every 3000000 -kernel "$IMAGE" -initrd "$INITRD" \
  -append console=ttyS0 -smp 2 < /dev/null > "$TMP/record.out" 2>&1 || {
  echo "FAIL: recording the Linux boot failed"; tail -5 "$TMP/record.out"
  echo "0 passed, 1 failed"; exit 1; }
gdb_on() { # gdb_on EXTRA_REPLAY_ARGS -ex ...
  local extra=$1; shift
  timeout 300 gdb-multiarch -q -nx -batch -ex "set architecture riscv:rv64" "$VMLINUX" \
    -ex "target remote | $REWIND replay --gdb stdio $TMP/linux.trace $extra" "$@" 2>&1 |
    grep -v '^\*\*\*'
}
regs() { # the integer register lines of an 'info registers' dump, numbered by block
  awk '/^(pc|ra|sp|gp|tp|t[0-6]|fp|s[0-9]+|a[0-7]) +0x/ {print $1, $2}'
}
passes=0
fails=0
check() { # check NAME CONDITION_STATUS DETAILS
  if [ "$2" -eq 0 ]; then echo "PASS: $1"; passes=$((passes + 1))
  else echo "FAIL: $1"; echo "$3" | tail -30; fails=$((fails + 1)); fi
}
A=12000000
B=20000000
# Session 1: goto A, forward to B, back to A; step three and undo them.
s1=$(gdb_on "" -ex "monitor goto $A" -ex "flushregs" -ex "echo ==A1\n" -ex "info registers" \
  -ex "monitor goto $B" -ex "flushregs" -ex "monitor goto $A" -ex "flushregs" \
  -ex "echo ==A2\n" -ex "info registers" -ex "stepi 3" -ex "monitor when" \
  -ex "reverse-stepi" -ex "reverse-stepi" -ex "reverse-stepi" -ex "monitor when" \
  -ex "echo ==A3\n" -ex "info registers")
# Session 2: a straight replay opened at A.
s2=$(gdb_on "--at $A" -ex "echo ==S\n" -ex "info registers" -ex "monitor when")
a1=$(sed -n '/^==A1/,/^==/p' <<<"$s1" | regs)
a2=$(sed -n '/^==A2/,/^==/p' <<<"$s1" | regs)
a3=$(sed -n '/^==A3/,$p' <<<"$s1" | regs)
st=$(sed -n '/^==S/,$p' <<<"$s2" | regs)
ok=1
[ "$(wc -l <<<"$st")" -ge 32 ] && [ "$a1" = "$st" ] && [ "$a2" = "$st" ] && ok=0
check "monitor goto forward and back matches a replay opened at icount $A" $ok \
  "$(diff <(echo "$st") <(echo "$a2")) $s1 $s2"
whens=($(grep -E '^total: [0-9]+' <<<"$s1" | awk '{print $2}'))
ok=1
[ "${#whens[@]}" -eq 2 ] && [ "${whens[0]}" -gt "$A" ] && [ "${whens[1]}" -eq "$A" ] &&
  [ "$a3" = "$st" ] && ok=0
check "stepi 3 then reverse-stepi x3 returns to icount $A with the same registers" $ok \
  "icounts: ${whens[*]} $(diff <(echo "$st") <(echo "$a3"))"

# Session 3: both harts run between two points, and reverse-stepi crosses the switch:
# every reverse step lands exactly one instruction earlier.
s3=$(gdb_on "--at $B" -ex "monitor when" -ex "reverse-stepi" -ex "monitor when" \
  -ex "monitor goto 2000000" -ex "monitor when" -ex "monitor goto $B" -ex "monitor when")
h=($(grep -E '^hart 1: [0-9]+' <<<"$s3" | awk '{print $3}'))
t=($(grep -E '^total: [0-9]+' <<<"$s3" | awk '{print $2}'))
ok=1
[ "${#t[@]}" -eq 4 ] && [ "${t[0]}" -eq "$B" ] && [ $((t[0] - t[1])) -eq 1 ] &&
  [ "${t[3]}" -eq "$B" ] && [ "${h[0]}" -gt 0 ] && [ "${h[3]}" -eq "${h[0]}" ] && ok=0
check "reverse-stepi and goto on a 2-hart recording keep each hart's icount exact" $ok \
  "totals: ${t[*]} hart1: ${h[*]} $s3"

# Session 4: a breakpoint hit several times; reverse-continue lands on the previous hit;
# reverse-finish leaves it for its caller.
s4=$(gdb_on "" -ex "break do_sys_openat2" -ex "continue" -ex "continue" -ex "monitor when" \
  -ex "continue" -ex "reverse-continue" -ex "monitor when" -ex "reverse-finish" -ex "bt 1")
t=($(grep -E '^total: [0-9]+' <<<"$s4" | awk '{print $2}'))
ok=1
[ "${#t[@]}" -eq 2 ] && [ "${t[0]}" -eq "${t[1]}" ] &&
  [ "$(grep -c 'Breakpoint 1, do_sys_openat2' <<<"$s4")" -eq 4 ] &&
  grep -qE '^#0  .*(do_sys_open|__do_sys_openat|__riscv_sys_openat)' <<<"$s4" && ok=0
check "reverse-continue lands on the previous hit of do_sys_openat2; reverse-finish" $ok "$s4"

# Session 5: from the end of the recording, a reverse watchpoint on jiffies (written in the
# timer interrupt's path) stops just before the store; from there a forward continue
# performs it and stops just after it, one instruction later.
s5=$(gdb_on "--at end" -ex "watch jiffies" -ex "reverse-continue" -ex "bt 3" \
  -ex "monitor when" -ex "echo ==before\n" -ex "print/d jiffies" -ex "continue" \
  -ex "monitor when" -ex "echo ==after\n" -ex "print/d jiffies")
later=$(grep -E '^Old value = ' <<<"$s5" | head -1 | awk '{print $4}')
before=$(sed -n '/^==before/,/^==after/p' <<<"$s5" | grep -E '^\$[0-9]+ = ' | awk '{print $3}')
after=$(sed -n '/^==after/,$p' <<<"$s5" | grep -E '^\$[0-9]+ = ' | awk '{print $3}')
t=($(grep -E '^total: [0-9]+' <<<"$s5" | awk '{print $2}'))
ok=1
[ "${#t[@]}" -eq 2 ] && [ $((t[1] - t[0])) -eq 1 ] && [ -n "$later" ] && [ -n "$before" ] && [ "$before" != "$later" ] && [ "$after" = "$later" ] &&
  grep -qE '^#[0-9]+ .*(tick_do_update_jiffies64|do_timer|tick_sched_do_timer)' <<<"$s5" && ok=0
check "jiffies watchpoint: reverse stops before the timer path's store, forward just after" \
  $ok "$s5"

# Session 6: in-memory checkpoints under a tight budget (--tt-memory 16: most are dropped
# again): moving around, stepping back and forth, then back to A lands on the same
# registers as the straight replay of session 2; `monitor checkpoint` keeps one here and
# `monitor checkpoints` reports them within the budget.
s6=$(gdb_on "--tt-memory 16" -ex "monitor goto $B" -ex "monitor goto 3000000" \
  -ex "monitor goto 24000000" -ex "flushregs" -ex "reverse-stepi" -ex "reverse-stepi" \
  -ex "monitor goto $A" -ex "flushregs" -ex "stepi" -ex "reverse-stepi" -ex "monitor when" \
  -ex "monitor checkpoint" -ex "monitor checkpoints" -ex "echo ==M\n" -ex "info registers")
m=$(sed -n '/^==M/,$p' <<<"$s6" | regs)
mem=$(grep -E '^[0-9]+ checkpoints in memory: ' <<<"$s6")
used=$(sed -E 's/.*memory: ([0-9.]+) MiB of ([0-9]+) MiB.*/\1/' <<<"$mem")
ok=1
[ "$m" = "$st" ] && grep -q "^total: $A$" <<<"$s6" && grep -q "in-memory checkpoint at icount $A" <<<"$s6" &&
  grep -q "(here)" <<<"$s6" && [ -n "$used" ] && awk "BEGIN {exit !($used <= 16.0)}" &&
  grep -qE 'dropped [1-9]' <<<"$s6" && ok=0
check "in-memory checkpoints within --tt-memory 16 MiB: back at $A with the straight replay's registers" \
  $ok "$(diff <(echo "$st") <(echo "$m")) $mem $s6"

# Session 7: reverse-stepi across a trap and an interrupt. An ecall retires nothing: the
# handler's first instruction (a breakpoint) has the ecall's icount, and reverse-stepi from
# there lands on the ecall in user mode, then on the instruction before it. The same from the
# first instruction of an interrupt's handler: reverse-stepi lands on the interrupted pc (the
# handler's sepc) at the same icount. (gdb steps RISC-V forwards with breakpoints on the
# next pc, so a forward stepi never stops on a handler's entry; a breakpoint there does.)
s7=$(gdb_on "--at 15000000" -ex 'break handle_exception if $scause == 8' -ex "continue" \
  -ex "monitor when" -ex "reverse-stepi" -ex "monitor when" -ex 'x/i $pc' \
  -ex 'info registers priv' -ex "reverse-stepi" -ex "monitor when")
t=($(grep -E '^total: [0-9]+' <<<"$s7" | awk '{print $2}'))
ok=1
[ "${#t[@]}" -eq 3 ] && [ "${t[0]}" -eq "${t[1]}" ] && [ $((t[1] - t[2])) -eq 1 ] &&
  grep -qE '^=> 0x[0-9a-f]+:[[:space:]]+ecall' <<<"$s7" && grep -q 'User/Application' <<<"$s7" &&
  ok=0
check "reverse-stepi from the ecall handler's first instruction lands on the ecall, then before it" \
  $ok "totals: ${t[*]} $s7"
s8=$(gdb_on "--at 15000000" -ex 'break handle_exception if (long)$scause < 0' -ex "continue" \
  -ex "monitor when" -ex 'printf "==sepc %lx\n", $sepc' -ex "reverse-stepi" -ex "monitor when" \
  -ex 'printf "==pc %lx\n", $pc')
sepc=$(grep -E '^==sepc ' <<<"$s8" | awk '{print $2}')
pc=$(grep -E '^==pc ' <<<"$s8" | awk '{print $2}')
t=($(grep -E '^total: [0-9]+' <<<"$s8" | awk '{print $2}'))
ok=1
[ -n "$sepc" ] && [ "$sepc" = "$pc" ] && [ "${#t[@]}" -eq 2 ] && [ "${t[0]}" -eq "${t[1]}" ] && ok=0
check "reverse-stepi from an interrupt handler's first instruction lands on the interrupted pc" \
  $ok "sepc $sepc pc $pc totals: ${t[*]} $s8"

# Session 9: read and access watchpoints backwards: from the end, the last read of jiffies,
# then (awatch) the last access before that.
s10=$(gdb_on "--at end" -ex "monitor when" -ex "rwatch jiffies" -ex "reverse-continue" -ex "monitor when" \
  -ex "delete" -ex "awatch jiffies" -ex "reverse-continue" -ex "monitor when")
t=($(grep -E '^total: [0-9]+' <<<"$s10" | awk '{print $2}'))
ok=1
[ "${#t[@]}" -eq 3 ] && [ "${t[1]}" -lt "${t[0]}" ] && [ "${t[2]}" -lt "${t[1]}" ] &&
  grep -q "Hardware read watchpoint 1: jiffies" <<<"$s10" &&
  grep -q "Hardware access (read/write) watchpoint 2: jiffies" <<<"$s10" && ok=0
check "read and access watchpoints stop going backwards" $ok "totals: ${t[*]} $s10"

# Session 8: a write during the replay is refused, with the reason; `monitor go-live` leaves
# the recording: the write works, reverse execution has no history, and the machine runs on
# to its power-off.
s9=$(gdb_on "--at 12000000" -ex "set var jiffies = 5" -ex "monitor go-live" \
  -ex "set var jiffies = 5" -ex 'printf "==jiffies %d\n", jiffies' -ex "reverse-stepi" -ex "continue")
ok=1
grep -q "refused during a replay" <<<"$s9" && grep -q "^left the recording at icount 12000000" <<<"$s9" &&
  grep -q "^==jiffies 5$" <<<"$s9" && grep -q "No more reverse-execution history" <<<"$s9" &&
  grep -q "exited normally" <<<"$s9" && ok=0
check "writes refused during the replay; monitor go-live makes the machine live" $ok "$s9"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
