#!/usr/bin/env python3
"""attach_later.py REWIND SPIN_ELF WATCHME_ELF — `rewind run --gdb tcp::PORT` starts the
machine at once and gdb may attach any time (the machine stops for it); with -S the machine
waits for gdb before its first instruction."""
import socket
import subprocess
import sys
import time

rewind, spin, watchme = sys.argv[1:4]
failed = 0


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def gdb(port, *cmds):
    args = ["gdb-multiarch", "-q", "-nx", "-batch", "-ex", "set architecture riscv:rv64",
            "-ex", "set confirm off", "-ex", "target remote 127.0.0.1:%d" % port]
    for c in cmds:
        args += ["-ex", c]
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120).stdout.decode(errors="replace")


# attach any time: the guest spins for a while before gdb comes
port = free_port()
vm = subprocess.Popen([rewind, "run", "--gdb", "tcp::%d" % port, "--kernel", spin,
                       "--hang-after", "0"], stdin=subprocess.DEVNULL,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(1.0)
out = gdb(port, "monitor icount", "p/x $pc", "kill")
vm.wait(timeout=60)
total = [int(l.split()[1]) for l in out.splitlines() if l.startswith("total:")]
if not total or total[0] < 1000000:
    print("FAIL: attach while running\n" + out)
    failed += 1
else:
    print("PASS: attached while running after %d instructions" % total[0])

# -S: nothing runs before gdb
port = free_port()
vm = subprocess.Popen([rewind, "run", "--gdb", "tcp::%d" % port, "-S", "--kernel", watchme],
                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.5)
out = gdb(port, "monitor icount", "continue")
vout, _ = vm.communicate(timeout=60)
if "total: 0" not in out or b"counter 15" not in vout or vm.returncode != 0:
    print("FAIL: -S\n" + out)
    failed += 1
else:
    print("PASS: -S waits for gdb; continue runs to the end")
print("%d passed, %d failed" % (2 - failed, failed))
sys.exit(1 if failed else 0)
