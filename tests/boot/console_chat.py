#!/usr/bin/env python3
"""console_chat.py — drive a program's console like a person would: wait for text, then type.

usage: console_chat.py [--timeout S] [--expect-exit N] [--must-see TEXT]... \
                       [--wait TEXT --send TEXT]... -- COMMAND...

Each --wait/--send pair waits until TEXT appears in the output (after what the previous wait
matched), then writes the send text (with \\r, \\n escapes) to the program's stdin. After the last
pair stdin is closed. The run fails (exit 1) on timeout, on a different exit status than
--expect-exit, or if a --must-see text never appeared; the whole transcript is then printed.
"""
import argparse
import os
import select
import subprocess
import sys
import time


def unescape(s):
    return s.encode().decode("unicode_escape").encode("latin-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--must-see", action="append", default=[])
    ap.add_argument("--wait", action="append", default=[])
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("command", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if len(a.wait) != len(a.send) or not cmd:
        ap.error("--wait and --send come in pairs, then -- COMMAND")
    steps = list(zip(a.wait, a.send))

    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = bytearray()
    pos = 0
    deadline = time.monotonic() + a.timeout
    step = 0
    if not steps:
        proc.stdin.close()
    failed = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            failed = "timed out after %.0f s (waiting for %r)" % (
                a.timeout, steps[step][0] if step < len(steps) else "exit")
            proc.kill()
            break
        r, _, _ = select.select([proc.stdout], [], [], min(left, 0.2))
        if r:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            out += chunk
        while step < len(steps):
            i = out.find(steps[step][0].encode(), pos)
            if i < 0:
                break
            pos = i + len(steps[step][0])
            proc.stdin.write(unescape(steps[step][1]))
            proc.stdin.flush()
            step += 1
            if step == len(steps):
                proc.stdin.close()
    status = proc.wait()
    text = out.decode("utf-8", "replace")
    if failed is None and step < len(steps):
        failed = "program ended while waiting for %r" % steps[step][0]
    if failed is None and status != a.expect_exit:
        failed = "exit status %d, expected %d" % (status, a.expect_exit)
    for m in a.must_see:
        if failed is None and m not in text:
            failed = "never printed %r" % m
    if failed:
        sys.stdout.write(text)
        print("\nconsole_chat: FAIL: %s" % failed)
        return 1
    print("console_chat: ok (%d bytes of console output, exit %d)" % (len(out), status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
