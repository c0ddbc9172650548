#!/usr/bin/env python3
"""replay_tests.py REWIND IMAGE INITRD — record/replay of the Linux guest through the real
rewind binary: typed input at random host times (1 and 2 harts), exact replays, divergence
reports for tampered traces, kill -9 during recording, and bad trace files. Prints one line per
check and 'N passed, M failed' at the end."""
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

REWIND, IMAGE, INITRD = sys.argv[1:4]
ROUNDS = int(os.environ.get("REPLAY_TEST_ROUNDS", "3"))
TMP = tempfile.mkdtemp(prefix="rewind-replay-test-")
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS", name)
    else:
        failed += 1
        print("FAIL", name)
        if detail:
            print("    " + detail.replace("\n", "\n    "))


def run(args, **kw):
    return subprocess.run([REWIND] + args, capture_output=True, timeout=300, **kw)


def record_chat(trace, harts, lines, seed, clock="virtual"):
    """Record the Linux shell, typing each line after the prompt plus a random host delay."""
    rnd = random.Random(seed)
    cmd = [REWIND, "record", "-o", trace, "--force", "-kernel", IMAGE, "-initrd", INITRD,
           "-append", "console=ttyS0 rewind.shell=1", "-smp", str(harts), "--clock", clock,
           "--max-insns", "3000000000"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    out = b""
    pos = 0
    deadline = time.time() + 120
    for line in lines + ["poweroff"]:
        while out.find(b"rewind# ", pos) < 0 and time.time() < deadline:
            r, _, _ = select.select([p.stdout], [], [], 0.2)
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                out += chunk
        pos = out.find(b"rewind# ", pos) + 1
        time.sleep(rnd.uniform(0.0, 0.3))
        data = (line + "\n").encode()
        # sometimes type character by character, at random moments
        if rnd.random() < 0.5:
            for ch in data:
                p.stdin.write(bytes([ch]))
                p.stdin.flush()
                time.sleep(rnd.uniform(0.0, 0.02))
        else:
            p.stdin.write(data)
            p.stdin.flush()
    p.stdin.close()
    p.stdin = None
    rest, err = p.communicate(timeout=120)
    return p.returncode, out + rest, err


# 1. record with typed input, replay: identical console output and an exact verify, in the
#    virtual and the host clock modes
for clock, rounds in (("virtual", ROUNDS), ("host", max(1, ROUNDS - 1))):
    for harts in (1, 2):
        for i in range(rounds):
            name = "%s clock, %d hart(s) #%d" % (clock, harts, i)
            trace = os.path.join(TMP, "chat-%s-%d-%d.trace" % (clock, harts, i))
            marker = "marker-%d-%d-%d" % (harts, i, random.randrange(10**6))
            rc, out, err = record_chat(trace, harts, ["echo " + marker, "cat /proc/uptime",
                                                      "echo done"], seed=harts * 100 + i,
                                       clock=clock)
            check("record %s exits 0" % name, rc == 0 and marker.encode() in out,
                  err.decode(errors="replace")[-400:])
            rep = run(["replay", trace])
            check("replay %s gives the same console" % name,
                  rep.returncode == 0 and rep.stdout == out,
                  "status %d, %d vs %d bytes\n%s" % (rep.returncode, len(rep.stdout), len(out),
                                                    rep.stderr.decode(errors="replace")[-600:]))
            ver = run(["verify", trace])
            check("verify %s" % name, ver.returncode == 0 and b"replay verified" in ver.stderr,
                  ver.stderr.decode(errors="replace")[-600:])

base = os.path.join(TMP, "chat-virtual-2-0.trace")

# 2. a tampered event produces a divergence report, not a hang
tampered = os.path.join(TMP, "tampered.trace")
shutil.copy(base, tampered)
db = sqlite3.connect(tampered)
db.execute("UPDATE events SET value = value + 1 WHERE seq = (SELECT seq FROM events "
           "WHERE kind = 'interrupt' ORDER BY seq LIMIT 1 OFFSET 20)")
db.commit()
db.close()
ver = run(["verify", tampered])
check("tampered interrupt is reported", ver.returncode == 1 and b"diverged" in ver.stderr
      and b"expected:" in ver.stderr and b"actual:" in ver.stderr,
      ver.stderr.decode(errors="replace")[-600:])
tampered2 = os.path.join(TMP, "tampered-input.trace")
shutil.copy(base, tampered2)
db = sqlite3.connect(tampered2)
db.execute("UPDATE events SET blob = CAST('echo something else' || char(10) AS BLOB) WHERE seq = "
           "(SELECT min(seq) FROM events WHERE kind = 'console_in')")
db.commit()
db.close()
ver = run(["verify", tampered2])
check("tampered console input is reported", ver.returncode == 1 and b"diverged" in ver.stderr,
      ver.stderr.decode(errors="replace")[-600:])

# 2b. checkpoints: verify checks every checkpoint's hash; a wrong hash is a divergence
cps = os.path.join(TMP, "checkpoints.trace")
r = run(["record", "-o", cps, "--checkpoint-every", "3000000", "-kernel", IMAGE, "-initrd",
         INITRD, "-append", "console=ttyS0", "-smp", "2"], stdin=subprocess.DEVNULL)
db = sqlite3.connect(cps)
ncp = db.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
db.close()
ver = run(["verify", cps])
check("checkpoints recorded and verified", r.returncode == 0 and ncp >= 8 and
      (b"and %d checkpoint hashes checked" % ncp) in ver.stderr,
      "%d checkpoints\n%s" % (ncp, ver.stderr.decode(errors="replace")[-400:]))
full = run(["replay", cps])
for k in (2, 5):
    part = run(["replay", cps, "--from", str(k)])
    check("replay from checkpoint %d continues exactly" % k, part.returncode == 0 and
          len(part.stdout) > 0 and full.stdout.endswith(part.stdout),
          part.stderr.decode(errors="replace")[-400:])
db = sqlite3.connect(cps)
db.execute("UPDATE checkpoints SET state_hash = '0123456789abcdef' WHERE id = 4")
db.commit()
db.close()
ver = run(["verify", cps])
check("a wrong checkpoint hash is a divergence", ver.returncode == 1 and
      b"checkpoint 3" in ver.stderr and b"0123456789abcdef" in ver.stderr,
      ver.stderr.decode(errors="replace")[-400:])

# 3. kill -9 while recording: the trace opens, says it is incomplete, replays to its end
killed = os.path.join(TMP, "killed.trace")
p = subprocess.Popen([REWIND, "record", "-o", killed, "-kernel", IMAGE, "-initrd", INITRD,
                      "-append", "console=ttyS0 rewind.shell=1"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = b""
t0 = time.time()
while b"rewind# " not in out and time.time() - t0 < 60:
    r, _, _ = select.select([p.stdout], [], [], 0.2)
    if r:
        out += os.read(p.stdout.fileno(), 65536)
p.stdin.write(b"echo before-the-kill\n")
p.stdin.flush()
time.sleep(1.0)
os.kill(p.pid, signal.SIGKILL)
p.wait()
info = run(["info", killed])
check("killed trace: info says incomplete", info.returncode == 0 and b"INCOMPLETE" in info.stdout,
      (info.stdout + info.stderr).decode(errors="replace")[-400:])
rep = run(["replay", killed])
check("killed trace: replays to its last commit", rep.returncode == 0 and
      b"before-the-kill" in rep.stdout and b"as far as recorded" in rep.stderr,
      rep.stderr.decode(errors="replace")[-400:])

# 3b. rewind itself crashes while recording: backtrace, the reason in the trace, consistent
crashed = os.path.join(TMP, "crashed.trace")
r = run(["record", "-o", crashed, "-kernel", IMAGE, "-initrd", INITRD, "-append", "console=ttyS0",
         "--debug-crash-at", "5000000"], stdin=subprocess.DEVNULL)
check("host crash: backtrace printed", r.returncode == -11 and b"backtrace" in r.stderr and
      b"cmd_record" in r.stderr, r.stderr.decode(errors="replace")[-600:])
info = run(["info", crashed])
check("host crash: the trace says why it ends", b"host-crash: Segmentation fault" in info.stdout
      and b"up to icount 5000000" in info.stdout, info.stdout.decode(errors="replace"))
rep = run(["verify", crashed])
check("host crash: the trace replays to the crash", rep.returncode == 0 and
      b"5000000 instructions" in rep.stderr, rep.stderr.decode(errors="replace")[-400:])

# 3c. a guest crash (Linux panic) ends the recording with the panic line, and replays
panicked = os.path.join(TMP, "panic.trace")
r = run(["record", "-o", panicked, "-kernel", IMAGE, "-initrd", INITRD, "-append",
         "console=ttyS0 rdinit=/does-not-exist"], stdin=subprocess.DEVNULL)
check("guest panic ends the recording", r.returncode == 1 and b"the guest crashed" in r.stderr
      and b"Kernel panic" in r.stderr, r.stderr.decode(errors="replace")[-400:])
info = run(["info", panicked])
check("guest panic: trace end says so", b"guest-crash" in info.stdout, info.stdout.decode())
rep = run(["verify", panicked])
check("guest panic: replays", rep.returncode == 0 and b"verified" in rep.stderr,
      rep.stderr.decode(errors="replace")[-400:])

vmlinux = os.path.join(os.path.dirname(IMAGE), "vmlinux")
if os.path.exists(vmlinux):
    bp = os.path.join(TMP, "panic-bp.trace")
    r = run(["record", "-o", bp, "--symbols", vmlinux, "-kernel", IMAGE, "-initrd", INITRD,
             "-append", "console=ttyS0 rdinit=/does-not-exist"], stdin=subprocess.DEVNULL)
    info = run(["info", bp])
    check("a breakpoint on panic() detects the crash", r.returncode == 1 and
          b"panic function was called" in info.stdout, info.stdout.decode(errors="replace"))
    rep = run(["verify", bp])
    check("panic breakpoint trace replays", rep.returncode == 0, rep.stderr.decode()[-300:])

# 4. bad files: clear errors, nothing overwritten
empty = os.path.join(TMP, "empty.trace")
open(empty, "wb").close()
r = run(["replay", empty])
check("empty file", r.returncode == 125 and b"empty file" in r.stderr, r.stderr.decode())
foreign = os.path.join(TMP, "foreign.db")
db = sqlite3.connect(foreign)
db.execute("CREATE TABLE things (x)")
db.commit()
db.close()
r = run(["verify", foreign])
check("foreign SQLite file", r.returncode == 125 and b"not a rewind trace" in r.stderr,
      r.stderr.decode())
junk = os.path.join(TMP, "junk.trace")
with open(junk, "wb") as f:
    f.write(os.urandom(8192))
r = run(["info", junk])
check("random bytes", r.returncode == 125 and b"not a rewind trace" in r.stderr, r.stderr.decode())
truncated = os.path.join(TMP, "truncated.trace")
with open(base, "rb") as f:
    data = f.read()
with open(truncated, "wb") as f:
    f.write(data[: len(data) // 3])
r = run(["verify", truncated])
check("truncated trace: clear error, no crash", r.returncode in (1, 125) and
      r.returncode != -11 and len(r.stderr) > 0, r.stderr.decode(errors="replace")[-400:])
newer = os.path.join(TMP, "newer.trace")
shutil.copy(base, newer)
db = sqlite3.connect(newer)
db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
db.commit()
db.close()
r = run(["replay", newer])
check("newer format refused", r.returncode == 125 and b"newer" in r.stderr, r.stderr.decode())
before = open(base, "rb").read()
r = run(["record", "-o", base, "-kernel", IMAGE])
check("record does not overwrite", r.returncode == 125 and b"already exists" in r.stderr and
      open(base, "rb").read() == before, r.stderr.decode())

# 5. images: a missing or different image is named with both hashes; pack makes it portable
moved_dir = os.path.join(TMP, "images")
os.mkdir(moved_dir)
img = os.path.join(moved_dir, "Image")
rd = os.path.join(moved_dir, "initramfs.cpio")
shutil.copy(IMAGE, img)
shutil.copy(INITRD, rd)
portable = os.path.join(TMP, "portable.trace")
r = run(["record", "-o", portable, "-kernel", img, "-initrd", rd, "-append", "console=ttyS0"],
        stdin=subprocess.DEVNULL)
check("record from copied images", r.returncode == 0, r.stderr.decode(errors="replace")[-300:])
with open(rd, "ab") as f:
    f.write(b"x")
r = run(["verify", portable])
check("changed image: both hashes named", r.returncode == 125 and b"initrd" in r.stderr and
      b"recorded with hash" in r.stderr, r.stderr.decode())
shutil.copy(INITRD, rd)
os.unlink(img)
r = run(["verify", portable])
check("missing image named", r.returncode == 125 and b"missing" in r.stderr and
      b"kernel" in r.stderr, r.stderr.decode())
shutil.copy(IMAGE, img)
shutil.copy(INITRD, rd)
r = run(["pack", portable])
check("pack", r.returncode == 0 and b"packed kernel" in r.stdout, r.stderr.decode())
shutil.rmtree(moved_dir)
r = run(["verify", portable])
check("packed trace replays without the files", r.returncode == 0 and b"verified" in r.stderr,
      r.stderr.decode(errors="replace")[-400:])

shutil.rmtree(TMP, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
