# timetravel_measure.py — sourced by gdb-multiarch (from bench/timetravel-*.sh) while it is
# attached to a replay at its end: times `monitor goto` to several points of the recording
# and STEPS `reverse-stepi` at each (median, min, max), and, when WATCH names a variable,
# reverse-continue from the end to its last store. Wall clock around each command, gdb's
# packet traffic included. STEPS and WATCH come from the environment.
import os
import time

import gdb


def timed(cmd):
    start = time.monotonic()
    gdb.execute(cmd, to_string=True)
    return (time.monotonic() - start) * 1000.0


def total_icount():
    return int(gdb.execute("monitor when", to_string=True).split("total:")[1].split()[0])


steps = int(os.environ.get("STEPS", "5"))
watch = os.environ.get("WATCH", "")
end = total_icount()
for frac in (0.2, 0.5, 0.8, 0.99):
    target = int(end * frac)
    g = timed("monitor goto %d" % target)
    gdb.execute("flushregs", to_string=True)
    times = sorted(timed("reverse-stepi") for _ in range(steps))
    print("at icount %d: goto %.1f ms, reverse-stepi median %.1f ms (min %.1f, max %.1f)"
          % (target, g, times[len(times) // 2], times[0], times[-1]))
if watch:
    gdb.execute("monitor goto %d" % end, to_string=True)
    gdb.execute("flushregs", to_string=True)
    gdb.execute("watch %s" % watch, to_string=True)
    rc = timed("reverse-continue")
    now = total_icount()
    print("reverse-continue from the end (%d) to the last %s store (%d, %d insns back): %.1f ms"
          % (end, watch, now, end - now, rc))
