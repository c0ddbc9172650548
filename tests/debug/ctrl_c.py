#!/usr/bin/env python3
"""ctrl_c.py REWIND SPIN_ELF — Ctrl-C in gdb while the guest runs: gdb sends the 0x03 byte,
rewind stops the machine with SIGINT, and the session goes on (registers, monitor, kill)."""
import os
import signal
import subprocess
import sys
import time

rewind, elf = sys.argv[1:3]
gdb = subprocess.Popen(
    ["gdb-multiarch", "-q", "-nx", "-ex", "set architecture riscv:rv64", "-ex",
     "set confirm off", "-ex", "target remote | %s run --gdb stdio --kernel %s --hang-after 0"
     % (rewind, elf)],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
gdb.stdin.write(b"continue\n")
gdb.stdin.flush()
time.sleep(1.5)
os.kill(gdb.pid, signal.SIGINT)          # what Ctrl-C at the terminal does
time.sleep(1.0)
gdb.stdin.write(b"p/x $pc\nmonitor icount\nkill\nquit\n")
gdb.stdin.flush()
gdb.stdin.close()
gdb.stdin = None
try:
    out, _ = gdb.communicate(timeout=60)
except subprocess.TimeoutExpired:
    gdb.kill()
    out, _ = gdb.communicate()
text = out.decode(errors="replace")
ok = "SIGINT" in text and "total:" in text and "0x8000000" in text
if not ok:
    print(text[-2000:])
    print("FAIL: no SIGINT stop after Ctrl-C\n0 passed, 1 failed")
    sys.exit(1)
icount = [l for l in text.splitlines() if l.startswith("total:")]
print("Ctrl-C stopped the running guest (%s)\n1 passed, 0 failed" % icount[0])
