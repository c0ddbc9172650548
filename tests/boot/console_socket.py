#!/usr/bin/env python3
"""console_socket.py REWIND IMAGE INITRD — the guest console served on a Unix socket:
connect, wait for the Linux shell prompt, type a command, read its answer, power off."""
import os
import socket
import subprocess
import sys
import tempfile
import time

rewind, image, initrd = sys.argv[1:4]
path = os.path.join(tempfile.mkdtemp(prefix="rewind-console-"), "console.sock")
p = subprocess.Popen([rewind, "run", "-kernel", image, "-initrd", initrd, "-append",
                      "console=ttyS0 rewind.shell=1", "--console", "unix:" + path,
                      "--max-insns", "3000000000"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
s = None
for _ in range(200):
    if os.path.exists(path):
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError:
            s = None
    time.sleep(0.05)
if s is None:
    p.kill()
    print("FAIL: no console socket appeared\n0 passed, 1 failed")
    sys.exit(1)
s.settimeout(60)
out = b""


def wait_for(text):
    global out
    while text not in out:
        chunk = s.recv(65536)
        if not chunk:
            return False
        out += chunk
    return True


ok = wait_for(b"rewind# ")
s.sendall(b"echo through-the-socket\n")
ok = ok and wait_for(b"through-the-socket\r\n")
s.sendall(b"poweroff\n")
stdout, stderr = p.communicate(timeout=60)
ok = ok and p.returncode == 0 and stdout == b""
if not ok:
    print(out.decode(errors="replace")[-1000:])
    print(stderr.decode(errors="replace")[-500:])
    print("FAIL: status %s\n0 passed, 1 failed" % p.returncode)
    sys.exit(1)
print("console over a Unix socket: %d bytes of console, exit 0\n1 passed, 0 failed" % len(out))
