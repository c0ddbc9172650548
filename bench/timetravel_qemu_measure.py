#!/usr/bin/env python3
# timetravel_qemu_measure.py — QEMU's own reverse debugging (record/replay with icount)
# against rewind's, on the same Linux guest, through the real gdb-multiarch.
#
# One file, three roles:
#   python3 timetravel_qemu_measure.py BUILD_DIR   the driver (run by bench/timetravel-qemu.sh):
#       records the boot on QEMU and on rewind, then runs one gdb session per measurement,
#       each on a fresh replay process, and prints the tables;
#   sourced by gdb-multiarch (`source timetravel_qemu_measure.py`): one measurement, from the
#       TTQ_* environment variables; results on stdout as `TTQ {json}` lines;
#   python3 timetravel_qemu_measure.py --watchdog SECONDS PID HMP_SOCKET OUT
#       started by the gdb side around every command that may not come back: after SECONDS it
#       asks QEMU's monitor (when there is one) where the replay is, twice a second apart,
#       writes that to OUT and kills PID (the replay process this driver started) with
#       SIGKILL, so gdb gets "Remote connection closed" and the hang is recorded as a hang.
#
# Environment of the driver: QEMU (binary), QEMU_IMG, GDB (gdb-multiarch), STEPS (5),
# STEP_TIMEOUT (seconds per gdb command, 60), POINTS (kernel functions), FRACTIONS
# (percentages of each recording, "20 50 80 99"; empty: none), SWEEP (QEMU: one reverse-stepi
# every SWEEP instructions, 2e6; 0: none), SWEEP_TIMEOUT (15), WATCH (jiffies),
# REWIND_BIOS (firmware for rewind; default QEMU's default firmware; "builtin": rewind's
# built-in SBI), KEEP=1 (keep the work directory).
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

try:
    import gdb  # noqa: F401  (present only inside gdb)
except ImportError:
    gdb = None

SELF = os.path.abspath(__file__) if "__file__" in globals() else None


# ---------------------------------------------------------------------------------------
# the watchdog (a separate process, so it works whatever gdb does with Python's threads)

def hmp(path, command, wait=0.3):
    """One HMP command on QEMU's monitor socket; returns its text (or the error)."""
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(3)
        s.connect(path)
        time.sleep(0.2)
        s.recv(65536)  # the banner and prompt
        s.sendall((command + "\n").encode())
        time.sleep(wait)
        data = s.recv(65536).decode(errors="replace").replace("\r", "")
        s.close()
        # drop the monitor's echo of the command (full of terminal escapes) and prompts
        lines = [l for l in data.split("\n")
                 if l.strip() and "\x1b" not in l and not l.startswith("(qemu)")]
        return " ".join(lines).strip()
    except OSError as e:
        return "monitor unreachable: %s" % e


def watchdog(seconds, pid, hmp_path, out):
    time.sleep(seconds)
    notes = []
    if hmp_path != "-":
        notes.append(hmp(hmp_path, "info replay"))
        notes.append(hmp(hmp_path, "info status"))
        time.sleep(1)
        notes.append("1 s later: " + hmp(hmp_path, "info replay"))
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        notes.append("host CPU time of the replay process: %.1f s"
                     % ((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")))
    except OSError:
        pass
    with open(out, "w") as f:
        f.write("; ".join(notes))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------------------
# the gdb side: one measurement

def gdb_side():
    env = os.environ
    mode = env["TTQ_MODE"]                 # qemu | rewind
    action = env["TTQ_ACTION"]             # survey | steps | rc
    point = env.get("TTQ_POINT", "")       # a function, or icount:N
    steps = int(env.get("TTQ_STEPS", "5"))
    limit = float(env.get("TTQ_TIMEOUT", "60"))
    target_pid = int(env["TTQ_PID"])
    hmp_path = env.get("TTQ_HMP", "-")
    work = env["TTQ_WORK"]
    watch = env.get("TTQ_WATCH", "jiffies")

    def emit(**kw):
        print("TTQ " + json.dumps(kw), flush=True)

    def icount():
        if mode == "qemu":
            out = gdb.execute("monitor info replay", to_string=True)
            m = re.search(r"instruction count = (\d+)", out)
        else:
            out = gdb.execute("monitor when", to_string=True)
            m = re.search(r"total:\s*(\d+)", out)
        if not m:
            raise RuntimeError("no instruction count in %r" % out)
        return int(m.group(1))

    def where():
        try:
            frame = gdb.selected_frame()
            return "%s 0x%x" % (frame.name() or "??", frame.pc())
        except gdb.error as e:
            return "? (%s)" % e

    stops = []
    gdb.events.stop.connect(lambda ev: stops.append(ev))

    def guarded(cmd):
        """Run a gdb command under the watchdog. Returns (status, ms, detail):
        status ok | hang | error; detail = gdb's error or what the watchdog saw."""
        note = os.path.join(work, "watchdog.%d.txt" % os.getpid())
        if os.path.exists(note):
            os.unlink(note)
        dog = subprocess.Popen([os.environ.get("TTQ_PYTHON", "python3"), SELF_PATH, "--watchdog", str(limit),
                                str(target_pid), hmp_path, note],
                               stdin=subprocess.DEVNULL)
        del stops[:]
        start = time.monotonic()
        err = None
        try:
            gdb.execute(cmd, to_string=True)
        except gdb.error as e:
            err = str(e)
        ms = (time.monotonic() - start) * 1000.0
        dog.kill()
        dog.wait()
        if os.path.exists(note):
            with open(note) as f:
                return "hang", ms, "no answer after %.0f s (%s); gdb: %s" % (limit, f.read(), err)
        if err is not None:
            return "error", ms, err
        return "ok", ms, ""

    def go(pt):
        """Go forward from the start of the replay to a point; returns (status, ms, detail)."""
        if pt.startswith("icount:"):
            n = int(pt.split(":")[1])
            if mode == "qemu":
                gdb.execute("monitor replay_break %d" % n, to_string=True)
                r = guarded("continue")
            else:
                r = guarded("monitor goto %d" % n)
                if r[0] == "ok":
                    gdb.execute("flushregs", to_string=True)
            return r
        gdb.execute("break %s" % pt, to_string=True)
        r = guarded("continue")
        if r[0] == "ok":
            gdb.execute("delete", to_string=True)
        return r

    gdb.execute("set confirm off")
    gdb.execute("set pagination off")
    if action == "survey":
        # every hit of every function, to the end of the replay (QEMU exits at power-off,
        # rewind stops at the end of the recording)
        names = point.split(",")
        for name in names:
            gdb.execute("break %s" % name, to_string=True)
        for _ in range(200):
            status, ms, detail = guarded("continue")
            if status != "ok":
                emit(kind="survey-end", status=status, detail=detail)
                break
            try:
                n = icount()
                fn = gdb.selected_frame().name()
            except (gdb.error, RuntimeError) as e:
                emit(kind="survey-end", status="end", detail=str(e))
                break
            if not stops or not isinstance(stops[-1], gdb.BreakpointEvent):
                emit(kind="survey-end", status="end", icount=n, detail=where())
                break
            emit(kind="hit", function=fn, icount=n)
        return

    status, ms, detail = go(point)
    if status != "ok":
        emit(kind="go", status=status, ms=ms, detail=detail)
        return
    at = icount()
    emit(kind="go", status="ok", ms=ms, icount=at, where=where())

    if action == "steps":
        times = []
        moved = []
        prev = at
        for i in range(steps):
            status, ms, detail = guarded("reverse-stepi")
            if status != "ok":
                emit(kind="rsi", status=status, step=i + 1, ms=ms, detail=detail, times=times)
                return
            now = icount()
            moved.append(prev - now)  # 1, or 0 from a trap handler's first instruction
            prev = now
            times.append(ms)
        emit(kind="rsi", status="ok", times=times, icount=icount(), where=where(),
             moved=moved)
    elif action == "rc":
        gdb.execute("watch %s" % watch, to_string=True)
        status, ms, detail = guarded("reverse-continue")
        if status != "ok":
            emit(kind="rc", status=status, ms=ms, detail=detail, start=at)
            return
        now = icount()
        ev = stops[-1] if stops else None
        if isinstance(ev, gdb.BreakpointEvent):
            stop = "watchpoint"      # gdb recognised the stop as the watchpoint's
        elif now == 0:
            stop = "start"           # the start of the recording: no store before the point
        elif isinstance(ev, gdb.SignalEvent):
            stop = "signal " + ev.stop_signal
        else:
            stop = "stop"            # gdb reported a plain stop (QEMU: "SIGTRAP")
        try:
            prev = gdb.execute("x/i $pc", to_string=True).strip()
        except gdb.error:
            prev = ""
        emit(kind="rc", status="ok", ms=ms, start=at, icount=now, stop=stop,
             where=where(), code=prev)


# ---------------------------------------------------------------------------------------
# the driver

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    """Whether something listens on the TCP port (read from /proc, without connecting:
    a connection would be taken by rewind as gdb's)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def wait_port(port, proc, seconds=20):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        if listening(port):
            return True
        time.sleep(0.02)
    return False


class Driver:
    def __init__(self, build):
        e = os.environ
        self.build = build
        self.qemu = e.get("QEMU", "qemu-system-riscv64")
        self.qemu_img = e.get("QEMU_IMG", "qemu-img")
        self.gdb = e.get("GDB", "gdb-multiarch")
        self.steps = int(e.get("STEPS", "5"))
        self.limit = float(e.get("STEP_TIMEOUT", "60"))
        self.points = e.get("POINTS", "start_kernel driver_init goldfish_rtc_probe "
                            "run_init_process __do_sys_clone kernel_power_off").split()
        self.fractions = [float(x) for x in e.get("FRACTIONS", "20 50 80 99").split()]
        self.watch = e.get("WATCH", "jiffies")
        self.sweep = int(float(e.get("SWEEP", "2e6")))
        self.sweep_limit = float(e.get("SWEEP_TIMEOUT", "15"))
        self.qemu_fw = "/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin"
        self.rewind_bios = e.get("REWIND_BIOS", self.qemu_fw)
        self.keep = e.get("KEEP", "0") == "1"
        lin = os.path.join(build, "guests", "linux")
        self.image = os.path.join(lin, "Image")
        self.initrd = os.path.join(lin, "initramfs.cpio")
        self.vmlinux = os.path.join(lin, "vmlinux")
        self.work = tempfile.mkdtemp(prefix="timetravel-qemu.")
        self.procs = []          # every replay/record process started, to kill at the end
        self.qemu_errors = []    # QEMU's stderr lines worth reporting, verbatim
        # a private copy, so a rebuild meanwhile does not mix versions
        self.rewind = os.path.join(self.work, "rewind")
        with open(os.path.join(build, "vmm", "rewind"), "rb") as src, \
                open(self.rewind, "wb") as dst:
            dst.write(src.read())
        os.chmod(self.rewind, 0o755)
        self.qcow = os.path.join(self.work, "rr.qcow2")
        self.rrfile = os.path.join(self.work, "boot.rr")
        self.trace = os.path.join(self.work, "boot.trace")

    # --- machines

    def qemu_cmd(self, mode, hmp_path, port=None):
        cmd = [self.qemu, "-M", "virt", "-m", "128M", "-smp", "1", "-nographic",
               "-kernel", self.image, "-initrd", self.initrd, "-append", "console=ttyS0",
               "-net", "none", "-drive", "file=%s,if=none,id=rr" % self.qcow,
               "-icount", "shift=auto,rr=%s,rrfile=%s,rrsnapshot=init" % (mode, self.rrfile),
               "-monitor", "unix:%s,server=on,wait=off" % hmp_path]
        if port is not None:
            cmd += ["-gdb", "tcp:127.0.0.1:%d" % port, "-S"]
        return cmd

    def rewind_machine(self):
        m = ["-m", "128", "-smp", "1", "-kernel", self.image, "-initrd", self.initrd,
             "-append", "console=ttyS0"]
        if self.rewind_bios != "builtin":
            m = ["-bios", self.rewind_bios] + m
        return m

    def timed_run(self, cmd, log, timeout=600):
        start = time.monotonic()
        with open(log, "wb") as out:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT)
            self.procs.append(p)
            try:
                rc = p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                rc = "timeout"
        secs = time.monotonic() - start
        with open(log, "rb") as f:
            text = f.read().decode(errors="replace")
        return rc, secs, text

    def record(self):
        r = {}
        subprocess.run([self.qemu_img, "create", "-f", "qcow2", self.qcow, "1G"],
                       check=True, stdout=subprocess.DEVNULL)
        hmp_path = os.path.join(self.work, "record.hmp")
        cmd = self.qemu_cmd("record", hmp_path)
        rc, secs, text = self.timed_run(cmd, os.path.join(self.work, "qemu-record.log"))
        if rc != 0 or "rewind-init: all checks passed" not in text:
            sys.exit("timetravel-qemu: the QEMU recording failed (exit %s):\n  %s\n%s"
                     % (rc, " ".join(cmd), text[-2000:]))
        r["qemu_record_cmd"] = " ".join(cmd)
        r["qemu_record_s"] = secs
        r["qemu_rr_bytes"] = os.path.getsize(self.rrfile)
        r["qemu_qcow_bytes"] = os.path.getsize(self.qcow)
        # forward replay of the whole recording, without gdb
        rc, secs, text = self.timed_run(self.qemu_cmd("replay", hmp_path),
                                        os.path.join(self.work, "qemu-replay.log"))
        r["qemu_replay_s"] = secs if rc == 0 and "reboot: Power down" in text else None
        r["qemu_replay_rc"] = rc
        # rewind
        cmd = [self.rewind, "record", "-o", self.trace, "--force"] + self.rewind_machine()
        rc, secs, text = self.timed_run(cmd, os.path.join(self.work, "rewind-record.log"))
        if rc != 0 or "rewind-init: all checks passed" not in text:
            sys.exit("timetravel-qemu: the rewind recording failed (exit %s):\n  %s\n%s"
                     % (rc, " ".join(cmd), text[-2000:]))
        r["rewind_record_cmd"] = " ".join(cmd)
        r["rewind_record_s"] = secs
        r["rewind_trace_bytes"] = os.path.getsize(self.trace)
        rc, secs, text = self.timed_run([self.rewind, "replay", self.trace],
                                        os.path.join(self.work, "rewind-replay.log"))
        r["rewind_replay_s"] = secs if rc == 0 else None
        return r

    # --- one gdb session on a fresh replay process

    def session(self, mode, action, point, steps=None, limit=None):
        steps = self.steps if steps is None else steps
        limit = self.limit if limit is None else limit
        port = free_port()
        tag = "%s-%s-%s" % (mode, action, re.sub(r"[^A-Za-z0-9_]", "_", point)[:40])
        errlog = os.path.join(self.work, tag + ".stderr")
        hmp_path = "-"
        if mode == "qemu":
            hmp_path = os.path.join(self.work, tag + ".hmp")
            cmd = self.qemu_cmd("replay", hmp_path, port)
        else:
            cmd = [self.rewind, "replay", self.trace, "--gdb", "tcp:127.0.0.1:%d" % port]
        with open(errlog, "wb") as err:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=err)
        self.procs.append(proc)
        results = []
        gdb_out = ""
        try:
            if not wait_port(port, proc):
                return [{"kind": "go", "status": "error",
                         "detail": "the replay process did not open its gdb port (exit %s)"
                         % proc.poll()}], self.stderr_of(errlog)
            env = dict(os.environ, TTQ_MODE=mode, TTQ_ACTION=action, TTQ_POINT=point,
                       TTQ_STEPS=str(steps), TTQ_TIMEOUT=str(limit),
                       TTQ_PID=str(proc.pid), TTQ_HMP=hmp_path, TTQ_WORK=self.work,
                       TTQ_WATCH=self.watch, TTQ_SELF=SELF,
                       TTQ_PYTHON=sys.executable)
            budget = limit * (steps + 4) + 60 if action != "survey" else 600
            g = subprocess.run(["timeout", "-k", "5", str(int(budget)), self.gdb, "-q", "-nx",
                                "-batch", "-ex", "set architecture riscv:rv64", self.vmlinux,
                                "-ex", "target remote 127.0.0.1:%d" % port,
                                "-ex", "source %s" % SELF],
                               env=env, stdin=subprocess.DEVNULL, capture_output=True)
            gdb_out = g.stdout.decode(errors="replace") + g.stderr.decode(errors="replace")
            for line in gdb_out.splitlines():
                if line.startswith("TTQ "):
                    results.append(json.loads(line[4:]))
            if g.returncode == 124:
                results.append({"kind": "gdb", "status": "hang",
                                "detail": "the whole gdb session timed out"})
            elif not results:
                results.append({"kind": "go", "status": "error",
                                "detail": "gdb printed no result: " + gdb_out[-600:]})
        finally:
            self.stop(proc)
        with open(os.path.join(self.work, tag + ".gdb"), "w") as f:
            f.write(gdb_out)
        return results, self.stderr_of(errlog)

    def stop(self, proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stderr_of(self, path):
        with open(path, "rb") as f:
            lines = f.read().decode(errors="replace").splitlines()
        keep = [l for l in lines if l.strip() and "terminating on signal" not in l
                and "waiting for gdb on" not in l]
        return keep

    # --- the whole measurement

    def run(self):
        print("timetravel-qemu: work directory %s" % self.work, flush=True)
        rec = self.record()
        print("recorded: QEMU %.3f s (rr log %d bytes, snapshot image %d bytes), "
              "rewind %.3f s (trace %d bytes)" % (rec["qemu_record_s"], rec["qemu_rr_bytes"],
                                                  rec["qemu_qcow_bytes"], rec["rewind_record_s"],
                                                  rec["rewind_trace_bytes"]), flush=True)
        funcs = self.points + ["sbi_srst_power_off"]
        survey = {}
        for mode in ("qemu", "rewind"):
            res, errs = self.session(mode, "survey", ",".join(funcs))
            hits = {}
            for r in res:
                if r["kind"] == "hit":
                    hits.setdefault(r["function"], []).append(r["icount"])
            # QEMU exits at power-off, so its end cannot be asked for: on both machines the
            # boot's length is taken as the icount of the kernel's last SBI call (the
            # shutdown), a few hundred instructions before the end
            total = hits.get("sbi_srst_power_off", [None])[-1]
            survey[mode] = {"hits": hits, "total": total}
            self.note_errors(mode, "survey", errs)
            print("%s: %s" % (mode, ", ".join("%s %s" % (f, "/".join(map(str, hits.get(f, []))))
                                             for f in funcs)), flush=True)
            print("%s: %s instructions to sbi_srst_power_off" % (mode, survey[mode]["total"]),
                  flush=True)

        rows = []
        for fn in self.points:
            row = {"point": fn}
            for mode in ("qemu", "rewind"):
                res, errs = self.session(mode, "steps", fn)
                self.note_errors(mode, "steps at " + fn, errs)
                row[mode] = self.fold(res)
                res, errs = self.session(mode, "rc", fn)
                self.note_errors(mode, "reverse-continue at " + fn, errs)
                row[mode + "_rc"] = self.fold(res)
                print("%-22s %-7s %s | %s" % (fn, mode, self.fmt_steps(row[mode]),
                                              self.fmt_rc(row[mode + "_rc"])), flush=True)
            rows.append(row)
        frows = []
        for pct in self.fractions:
            row = {"point": "%g %%" % pct}
            for mode in ("qemu", "rewind"):
                total = survey[mode]["total"]
                if not total:
                    row[mode] = {"go": {"status": "error", "detail": "no total icount"}}
                    continue
                n = int(total * pct / 100.0)
                res, errs = self.session(mode, "steps", "icount:%d" % n)
                self.note_errors(mode, "steps at icount %d" % n, errs)
                row[mode] = self.fold(res)
                row[mode]["target"] = n
                print("%-22s %-7s %s" % (row["point"], mode, self.fmt_steps(row[mode])),
                      flush=True)
            frows.append(row)
        sweep = []
        qt = survey["qemu"]["total"]
        if self.sweep > 0 and qt:
            print("QEMU sweep: one reverse-stepi every %d instructions (timeout %.0f s)"
                  % (self.sweep, self.sweep_limit), flush=True)
            for n in list(range(self.sweep, qt, self.sweep)) + [qt - 1000]:
                res, errs = self.session("qemu", "steps", "icount:%d" % n, steps=1,
                                         limit=self.sweep_limit)
                self.note_errors("qemu", "sweep at icount %d" % n, errs)
                r = self.fold(res)
                sweep.append((n, r))
                print("  %d: %s" % (n, self.cell_rsi(r)), flush=True)
        self.report(rec, survey, rows, frows, sweep)

    def note_errors(self, mode, what, errs):
        if errs:
            self.qemu_errors.append((mode, what, errs))

    @staticmethod
    def fold(results):
        out = {}
        for r in results:
            out.setdefault(r["kind"], r)
        return out

    @staticmethod
    def fmt_steps(r):
        go = r.get("go", {})
        if go.get("status") != "ok":
            return "could not get there: %s %s" % (go.get("status"), go.get("detail", ""))
        s = "icount %d, continue %.0f ms, " % (go["icount"], go["ms"])
        rsi = r.get("rsi")
        if rsi is None:
            g = r.get("gdb", {})
            return s + "reverse-stepi: %s" % (g.get("detail", "no result"))
        if rsi["status"] == "ok":
            t = sorted(rsi["times"])
            return s + "reverse-stepi median %.1f ms (min %.1f, max %.1f)" % (
                statistics.median(t), t[0], t[-1])
        return s + "reverse-stepi %s at step %d: %s" % (rsi["status"], rsi["step"],
                                                       rsi["detail"])

    @staticmethod
    def fmt_rc(r):
        rc = r.get("rc")
        go = r.get("go", {})
        if go.get("status") != "ok":
            return "rc: could not get there"
        if rc is None:
            return "reverse-continue: %s" % r.get("gdb", {}).get("detail", "no result")
        if rc["status"] != "ok":
            return "reverse-continue %s after %.0f ms: %s" % (rc["status"], rc["ms"],
                                                              rc["detail"])
        return "reverse-continue %.0f ms to %d (%d back), stop: %s at %s [%s]" % (
            rc["ms"], rc["icount"], rc["start"] - rc["icount"], rc["stop"], rc["where"],
            rc["code"])

    @staticmethod
    def cell_rsi(r):
        go = r.get("go", {})
        if go.get("status") != "ok":
            return "(not reached: %s)" % go.get("status")
        rsi = r.get("rsi")
        if rsi is None:
            return "hang (gdb session timed out)"
        if rsi["status"] == "ok":
            t = sorted(rsi["times"])
            return "%.1f [%.1f..%.1f]" % (statistics.median(t), t[0], t[-1])
        m = re.search(r"instruction count = (\d+)", rsi.get("detail", ""))
        if rsi["status"] == "hang":
            return "hang%s" % (" (stuck at %s)" % m.group(1) if m else "")
        return "error: %s" % rsi.get("detail", "")[:60]

    @staticmethod
    def cell_rc(r):
        go = r.get("go", {})
        if go.get("status") != "ok":
            return "(not reached)"
        rc = r.get("rc")
        if rc is None:
            return "hang (gdb session timed out)"
        if rc["status"] == "hang":
            m = re.search(r"instruction count = (\d+)", rc.get("detail", ""))
            return "hang%s" % (" (stuck at %s)" % m.group(1) if m else "")
        if rc["status"] != "ok":
            return "error: %s" % rc.get("detail", "")[:60]
        back = rc["start"] - rc["icount"]
        if rc["stop"] == "start":
            return "%.0f ms, to the start (%.2fM back, no store)" % (rc["ms"], back / 1e6)
        return "%.0f ms, %.2fM back (%s in %s)" % (
            rc["ms"], back / 1e6, "SIGTRAP" if rc["stop"] == "stop" else rc["stop"],
            rc["where"].split()[0])

    def report(self, rec, survey, rows, frows, sweep):
        qt = survey["qemu"]["total"]
        rt = survey["rewind"]["total"]
        print()
        print("QEMU %s, record/replay -icount shift=auto, 1 hart, OpenSBI fw_dynamic; "
              "rewind %s, 1 hart, %s" % (
                  subprocess.run([self.qemu, "--version"], capture_output=True,
                                 text=True).stdout.split("\n")[0].split("version ")[-1],
                  subprocess.run([self.rewind, "version"], capture_output=True,
                                 text=True).stdout.strip(),
                  "built-in SBI" if self.rewind_bios == "builtin" else
                  os.path.basename(self.rewind_bios)))
        print("recording the boot: QEMU %.3f s (log %d B + qcow2 %d B), rewind %.3f s "
              "(trace %d B); forward replay: QEMU %s, rewind %s"
              % (rec["qemu_record_s"], rec["qemu_rr_bytes"], rec["qemu_qcow_bytes"],
                 rec["rewind_record_s"], rec["rewind_trace_bytes"],
                 "%.3f s" % rec["qemu_replay_s"] if rec["qemu_replay_s"] else
                 "failed (%s)" % rec["qemu_replay_rc"],
                 "%.3f s" % rec["rewind_replay_s"] if rec["rewind_replay_s"] else "failed"))
        end = re.search(r"end_icount\s+(\d+)", subprocess.run(
            [self.rewind, "info", self.trace], capture_output=True, text=True).stdout)
        print("instructions in the boot to the kernel's shutdown call (sbi_srst_power_off): "
              "QEMU %s, rewind %s (rewind's recording ends at %s)"
              % (qt, rt, end.group(1) if end else "?"))
        print()
        hdr = ("point (function)", "QEMU icount", "QEMU cont ms", "QEMU rsi ms",
               "rewind icount", "rw cont ms", "rewind rsi ms")
        fmt = "%-20s %14s %12s %-28s %14s %10s %-20s"
        print("reverse-stepi, %d steps per point (median [min..max]); timeout %.0f s per "
              "command" % (self.steps, self.limit))
        print(fmt % hdr)
        for row in rows:
            cells = [row["point"]]
            for mode in ("qemu", "rewind"):
                go = row[mode].get("go", {})
                tot = qt if mode == "qemu" else rt
                if go.get("status") == "ok":
                    cells += ["%d (%.0f%%)" % (go["icount"], 100.0 * go["icount"] / tot)
                              if tot else str(go["icount"]), "%.0f" % go["ms"]]
                else:
                    cells += ["-", "-"]
                cells.append(self.cell_rsi(row[mode]))
            print(fmt % tuple(cells))
        print()
        print("reverse-continue to the last store into %s, from the point" % self.watch)
        fmt2 = "%-20s %-56s %s"
        print(fmt2 % ("point (function)", "QEMU", "rewind"))
        for row in rows:
            print(fmt2 % (row["point"], self.cell_rc(row["qemu_rc"]),
                          self.cell_rc(row["rewind_rc"])))
        if frows:
            print()
            print("by fraction of each recording (QEMU: monitor replay_break N + continue; "
                  "rewind: monitor goto N)")
            fmt3 = "%-8s %12s %-28s %12s %-20s"
            print(fmt3 % ("point", "QEMU icount", "QEMU rsi ms", "rewind icount",
                          "rewind rsi ms"))
            for row in frows:
                print(fmt3 % (row["point"], row["qemu"].get("target", "-"),
                              self.cell_rsi(row["qemu"]), row["rewind"].get("target", "-"),
                              self.cell_rsi(row["rewind"])))
        if sweep:
            print()
            print("QEMU, one reverse-stepi every %.1fM instructions (timeout %.0f s): "
                  % (self.sweep / 1e6, self.sweep_limit))
            ok = [n for n, r in sweep if r.get("rsi", {}).get("status") == "ok"]
            bad = [n for n, r in sweep if r.get("rsi", {}).get("status") != "ok"]
            print("  worked at %d of %d points; first failure at %s; last success at %s"
                  % (len(ok), len(sweep), bad[0] if bad else "-", ok[-1] if ok else "-"))
            print("  " + ", ".join("%.1fM %s" % (n / 1e6, "ok" if n in ok else
                                                   self.cell_rsi(r)) for n, r in sweep))
        print()
        print("details (each hang: what QEMU's monitor said while gdb waited):")
        for row in rows + frows:
            for mode in ("qemu", "rewind"):
                for key in (mode, mode + "_rc"):
                    r = row.get(key)
                    if not r:
                        continue
                    for kind in ("go", "rsi", "rc", "gdb"):
                        x = r.get(kind)
                        if x and x.get("status") not in (None, "ok"):
                            print("  %s %s %s: %s — %s" % (row["point"], key, kind,
                                                          x["status"], x.get("detail", "")))
        odd = []
        for row in rows + frows:
            for mode in ("qemu", "rewind"):
                rsi = (row.get(mode) or {}).get("rsi") or {}
                if rsi.get("moved") and any(m != 1 for m in rsi["moved"]):
                    odd.append("%s %s: icount moved by %s" % (row["point"], mode, rsi["moved"]))
        print("every timed reverse-stepi moved the instruction count back by exactly 1%s"
              % ("" if not odd else ", except: " + "; ".join(odd)))
        if self.qemu_errors:
            print()
            print("stderr of the replay processes (verbatim, 'terminating on signal' lines "
                  "left out):")
            for mode, what, errs in self.qemu_errors:
                for line in errs[:20]:
                    print("  [%s, %s] %s" % (mode, what, line))

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.keep:
            print("timetravel-qemu: kept %s" % self.work)
        else:
            subprocess.run(["rm", "-rf", self.work])


# ---------------------------------------------------------------------------------------

if gdb is not None:
    SELF_PATH = os.environ["TTQ_SELF"]
    gdb_side()
elif __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--watchdog":
        watchdog(float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 2:
        d = Driver(sys.argv[1])
        try:
            d.run()
        finally:
            d.cleanup()
    else:
        sys.exit("usage: timetravel_qemu_measure.py BUILD_DIR")
