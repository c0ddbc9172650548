/* gdb_glue.c — the live VM as a gdb target (see gdb_glue.h). Stepping runs one instruction of
 * the selected hart; continuing runs the machine in slices so that gdb's interrupt is seen. */
#include "vmm/gdb_glue.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay-log/memsnap.h"
#include "vmm/gdb_target_xml.h"

#define RUN_SLICE 2000000ull  /* instructions between looks at the connection */

static struct hart *hart_of(struct gdb_glue *g, int thread)
{
    unsigned n = vm_num_harts(g->vm);
    unsigned i = thread >= 1 && (unsigned)thread <= n ? (unsigned)thread - 1
               : (g->thread >= 1 ? (unsigned)g->thread - 1 : 0);
    return vm_hart(g->vm, i < n ? i : 0);
}

static int glue_threads(void *ctx, int *ids, int max)
{
    struct gdb_glue *g = ctx;
    int n = (int)vm_num_harts(g->vm);
    for (int i = 0; i < n && i < max; i++)
        ids[i] = i + 1;
    return n;
}

static void put_le(uint8_t *buf, uint64_t v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *buf, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len && i < 8; i++)
        v |= (uint64_t)buf[i] << (8 * i);
    return v;
}

/* CSR access as the debugger: with M-mode rights, whatever mode the hart is in. */
static int csr_as_debugger(struct hart *h, unsigned csr, uint64_t *value, bool write)
{
    enum priv saved = h->priv;
    uint64_t fs = h->mstatus & MSTATUS_FS;
    h->priv = PRIV_M;
    if (csr <= 3)
        h->mstatus |= MSTATUS_FS; /* fflags/frm/fcsr: readable even with the FPU off */
    int rc = write ? hart_csr_write(h, csr, *value) : hart_csr_read(h, csr, value);
    if (csr <= 3 && !write)
        h->mstatus = (h->mstatus & ~MSTATUS_FS) | fs;
    h->priv = saved;
    hart_update_dmode(h);
    return rc;
}

static int glue_read_reg(void *ctx, int thread, int regno, uint8_t *buf, size_t *len)
{
    struct gdb_glue *g = ctx;
    struct hart *h = hart_of(g, thread);
    uint64_t v;
    size_t size = 8;
    if (regno >= 0 && regno < 32) {
        v = regno ? h->x[regno] : 0;
    } else if (regno == GDB_REG_PC) {
        v = h->pc;
    } else if (regno >= GDB_REG_F0 && regno < GDB_REG_F0 + 32) {
        v = h->f[regno - GDB_REG_F0];
    } else if (regno == GDB_REG_PRIV) {
        v = (uint64_t)h->priv;
    } else if (regno >= GDB_REG_CSR0 && regno < GDB_REG_PRIV &&
               gdb_riscv_csr_described((unsigned)(regno - GDB_REG_CSR0))) {
        unsigned csr = (unsigned)(regno - GDB_REG_CSR0);
        if (csr_as_debugger(h, csr, &v, false))
            return -1;
        if (csr <= 3)
            size = 4;
    } else {
        return -1; /* no such register (*len stays 0) */
    }
    *len = size;
    put_le(buf, v, size);
    return 0;
}

/* A replay must not be changed (it would diverge): gdb only says it cannot write, so say
 * why once. */
static int refuse_write(struct gdb_glue *g)
{
    if (g->notice && !g->write_refusal_told) {
        g->write_refusal_told = true;
        g->notice(g->go_live ? "writes to registers and memory are refused during a replay (it "
                               "would diverge); 'monitor go-live' leaves the recording and goes "
                               "on as a live machine"
                             : "writes to registers and memory are refused during a replay (it "
                               "would diverge)");
    }
    return -1;
}

static int glue_write_reg(void *ctx, int thread, int regno, const uint8_t *buf, size_t len)
{
    struct gdb_glue *g = ctx;
    if (g->replay)
        return refuse_write(g);
    struct hart *h = hart_of(g, thread);
    uint64_t v = get_le(buf, len);
    if (regno >= 0 && regno < 32) {
        if (regno)
            h->x[regno] = v;
    } else if (regno == GDB_REG_PC) {
        h->pc = v & ~1ull;
    } else if (regno >= GDB_REG_F0 && regno < GDB_REG_F0 + 32) {
        h->f[regno - GDB_REG_F0] = v;
    } else if (regno == GDB_REG_PRIV) {
        if (v != PRIV_U && v != PRIV_S && v != PRIV_M)
            return -1;
        h->priv = (enum priv)v;
        hart_update_dmode(h);
    } else if (regno >= GDB_REG_CSR0 && regno < GDB_REG_PRIV &&
               gdb_riscv_csr_described((unsigned)(regno - GDB_REG_CSR0))) {
        if (csr_as_debugger(h, (unsigned)(regno - GDB_REG_CSR0), &v, true))
            return -1;
    } else {
        return -1;
    }
    return 0;
}

static int glue_read_mem(void *ctx, int thread, uint64_t addr, uint8_t *buf, size_t len)
{
    struct gdb_glue *g = ctx;
    /* Byte by byte so that a read running into an unmapped page returns what it got. */
    for (size_t i = 0; i < len; i++) {
        int rc = g->physical ? vm_phys_read(g->vm, addr + i, buf + i, 1)
                             : hart_vread(hart_of(g, thread), addr + i, buf + i, 1);
        if (rc)
            return i ? (int)i : -1;
    }
    return (int)len;
}

static int glue_write_mem(void *ctx, int thread, uint64_t addr, const uint8_t *buf, size_t len)
{
    struct gdb_glue *g = ctx;
    if (g->replay)
        return refuse_write(g);
    for (size_t i = 0; i < len; i++) {
        int rc = g->physical ? vm_phys_write(g->vm, addr + i, buf + i, 1)
                             : hart_vwrite(hart_of(g, thread), addr + i, buf + i, 1);
        if (rc)
            return i ? (int)i : -1;
    }
    return (int)len;
}

static void stop_signal(struct gdb_stop *stop, int sig, int thread, enum gdb_stop_reason reason)
{
    memset(stop, 0, sizeof(*stop));
    stop->kind = GDB_STOP_SIGNAL;
    stop->signal = sig;
    stop->thread = thread;
    stop->reason = reason;
}

/* The stop reason gdb is told for a watchpoint of this kind. */
static enum gdb_stop_reason watch_reason(enum hart_watch_type type)
{
    return type == HART_WATCH_WRITE ? GDB_REASON_WATCH
         : type == HART_WATCH_READ  ? GDB_REASON_RWATCH
                                    : GDB_REASON_AWATCH;
}

/* Set gdb's breakpoints and watchpoints again on a machine rebuilt by a seek. */
static void reapply(struct gdb_glue *g)
{
    g->vm = timetravel_vm(g->tt);
    for (int i = 0; i < g->nbp; i++)
        vm_break_at(g->vm, g->bps[i]);
    for (int i = 0; i < g->nwatch; i++)
        vm_watch_add(g->vm, g->watches[i].addr, g->watches[i].len, g->watches[i].type);
}

static bool seek(struct gdb_glue *g, uint64_t icount)
{
    char err[256];
    int rc = timetravel_seek(g->tt, icount, err, sizeof(err));
    reapply(g);
    g->seeked = rc == 0;
    g->seeked_icount = vm_icount(g->vm);
    return rc == 0;
}

/* Back one instruction of the whole machine: rebuild the past and run up to just before. */
static enum gdb_run_result reverse_step(struct gdb_glue *g, int current, struct gdb_stop *stop)
{
    uint64_t now = vm_icount(g->vm);
    uint64_t before[8] = { 0 }, pcs[8] = { 0 };
    unsigned n = vm_num_harts(g->vm) < 8 ? vm_num_harts(g->vm) : 8;
    for (unsigned i = 0; i < n; i++) {
        before[i] = vm_hart(g->vm, i)->icount;
        pcs[i] = vm_hart(g->vm, i)->pc;
    }
    /* Taking a trap (an exception such as ecall, or an interrupt) retires nothing: a hart
     * stopped on the first instruction of its handler (a breakpoint there) has the icount of
     * the instruction that trapped, and the replay positioned at that icount stands before
     * the trap. That state is the step before this one. (A machine a seek put here is in
     * that state already.) */
    if (!(g->seeked && g->seeked_icount == now)) {
        seek(g, now);
        for (unsigned i = 0; i < n; i++)
            if (vm_hart(g->vm, i)->pc != pcs[i]) {
                stop_signal(stop, SIGTRAP, (int)i + 1, GDB_REASON_NONE);
                return GDB_RUN_STOPPED;
            }
    }
    if (now == 0) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_REPLAYLOG_BEGIN);
        return GDB_RUN_STOPPED;
    }
    seek(g, now - 1);
    for (unsigned i = 0; i < n; i++)
        if (vm_hart(g->vm, i)->icount != before[i])
            current = (int)i + 1; /* the hart whose instruction was undone */
    stop_signal(stop, SIGTRAP, current, GDB_REASON_NONE);
    return GDB_RUN_STOPPED;
}

/* Back to the last breakpoint or watchpoint hit before now: replay the past with them set,
 * remember the last hit, and go there. gdb treats RISC-V watchpoints as non-steppable (they
 * fire before the access) and, after a watchpoint stop, steps once more in the direction of
 * travel with watchpoints removed. So a reverse watchpoint is reported just after the
 * instruction that touched the range, and gdb's own reverse step lands before it, with the pc
 * on that instruction. Without a hit, the replay stops at its beginning. */
static enum gdb_run_result reverse_continue(struct gdb_glue *g, int current, struct gdb_stop *stop)
{
    uint64_t now = vm_icount(g->vm);
    bool found = false;
    uint64_t at = 0, watch_addr = 0;
    int hart = current;
    enum gdb_stop_reason reason = GDB_REASON_NONE;
    timetravel_mute(g->tt, true);
    /* Scan the spans between checkpoints from the newest back, each one forwards from its
     * checkpoint, and stop at the first span with a hit. The newest span ends at now (a
     * breakpoint exactly at now is where we are, not a hit); an older one runs one
     * instruction past its end, so a breakpoint at the boundary (where the newer span's run
     * started, which does not stop on it) is seen, while the access made by that extra
     * instruction belongs to the newer span. */
    for (uint64_t span_end = now;;) {
        uint64_t span_start = timetravel_span_start(g->tt, span_end);
        bool newest = span_end == now;
        uint64_t limit = newest ? now : span_end + 1;
        seek(g, span_start);
        while (vm_icount(g->vm) < limit) {
            struct vm_exit ex;
            timetravel_run(g->tt, limit - vm_icount(g->vm), &ex);
            uint64_t ic = vm_icount(g->vm);
            if (ex.reason == VM_EXIT_BREAKPOINT && ic < limit) {
                found = true;
                at = ic;
                hart = (int)ex.hart + 1;
                reason = GDB_REASON_SWBREAK;
            } else if (ex.reason == VM_EXIT_WATCHPOINT && ic <= span_end && ic > 0) {
                found = true;
                at = ic;
                hart = (int)ex.hart + 1;
                watch_addr = ex.watch_addr;
                reason = watch_reason(ex.watch_type);
            } else if (ex.reason != VM_EXIT_BREAKPOINT && ex.reason != VM_EXIT_WATCHPOINT) {
                break;
            }
        }
        if (found || span_start == 0)
            break;
        span_end = span_start;
    }
    timetravel_mute(g->tt, false);
    seek(g, found ? at : 0);
    if (!found) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_REPLAYLOG_BEGIN);
        return GDB_RUN_STOPPED;
    }
    stop_signal(stop, SIGTRAP, hart, reason);
    stop->watch_addr = watch_addr;
    return GDB_RUN_STOPPED;
}

static enum gdb_run_result glue_run(void *ctx, enum gdb_resume_kind kind, int thread, bool first,
                                    bool interrupt, struct gdb_stop *stop)
{
    struct gdb_glue *g = ctx;
    (void)first;
    int current = thread >= 1 ? thread : (g->thread >= 1 ? g->thread : 1);
    if (g->exited) {
        memset(stop, 0, sizeof(*stop));
        stop->kind = GDB_STOP_EXITED;
        stop->exit_code = (int)(g->last_exit.exit_code & 0xff);
        return GDB_RUN_STOPPED;
    }
    if (interrupt) {
        stop_signal(stop, SIGINT, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
    if (kind == GDB_RESUME_REVERSE_CONTINUE || kind == GDB_RESUME_REVERSE_STEP) {
        if (!g->tt) {
            stop_signal(stop, SIGTRAP, current, GDB_REASON_REPLAYLOG_BEGIN);
            return GDB_RUN_STOPPED; /* a live machine has no history */
        }
        return kind == GDB_RESUME_REVERSE_STEP ? reverse_step(g, current, stop)
                                               : reverse_continue(g, current, stop);
    }
    g->seeked = false; /* running forward: it may stop on a trap handler's entry */
    if (g->replay && vm_icount(g->vm) >= g->end_icount) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_REPLAYLOG_END);
        return GDB_RUN_STOPPED;
    }
    if (kind == GDB_RESUME_STEP && !g->replay) {
        struct hart *h = hart_of(g, current);
        enum hart_stop hs;
        hart_run(h, 1, &hs);
        stop_signal(stop, SIGTRAP, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
    /* A replay steps the whole machine by one instruction: harts keep their recorded
     * interleaving, so the step lands on whichever hart runs next. */
    uint64_t slice = kind == GDB_RESUME_STEP ? 1 : RUN_SLICE;
    if (g->replay && g->end_icount - vm_icount(g->vm) < slice)
        slice = g->end_icount - vm_icount(g->vm);
    uint64_t before[8] = { 0 };
    unsigned n = vm_num_harts(g->vm) < 8 ? vm_num_harts(g->vm) : 8;
    for (unsigned i = 0; i < n; i++)
        before[i] = vm_hart(g->vm, i)->icount;
    struct vm_exit ex;
    if (g->replay && g->tt && kind != GDB_RESUME_STEP)
        timetravel_run(g->tt, slice, &ex); /* leaves in-memory checkpoints behind */
    else
        vm_run(g->vm, slice, &ex);
    if (kind == GDB_RESUME_STEP)
        for (unsigned i = 0; i < n; i++)
            if (vm_hart(g->vm, i)->icount != before[i])
                current = (int)i + 1; /* the hart that took the step */
    if (g->replay && g->tt && replayer_diverged(timetravel_replayer(g->tt))) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
    if (g->replay && g->diverged && g->diverged(g->diverged_ctx)) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
    if (kind == GDB_RESUME_STEP && ex.reason == VM_EXIT_INSN_LIMIT) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
    if (g->replay && ex.reason == VM_EXIT_INSN_LIMIT && vm_icount(g->vm) >= g->end_icount) {
        stop_signal(stop, SIGTRAP, current, GDB_REASON_REPLAYLOG_END);
        return GDB_RUN_STOPPED;
    }
    switch (ex.reason) {
    case VM_EXIT_INSN_LIMIT:
        return GDB_RUN_RUNNING;
    case VM_EXIT_BREAKPOINT:
        g->thread = (int)ex.hart + 1;
        stop_signal(stop, SIGTRAP, g->thread, GDB_REASON_SWBREAK);
        return GDB_RUN_STOPPED;
    case VM_EXIT_WATCHPOINT:
        g->thread = (int)ex.hart + 1;
        /* The hart stops after the access; gdb expects RISC-V's "before the access" and
         * steps over it itself. A replay can go back one instruction to give it exactly
         * that; a live machine cannot (documented in docs/gdb.md). */
        if (g->tt && vm_icount(g->vm) > 0)
            seek(g, vm_icount(g->vm) - 1);
        stop_signal(stop, SIGTRAP, g->thread, watch_reason(ex.watch_type));
        stop->watch_addr = ex.watch_addr;
        return GDB_RUN_STOPPED;
    case VM_EXIT_GUEST:
    case VM_EXIT_REBOOT:
        g->exited = true;
        g->last_exit = ex;
        memset(stop, 0, sizeof(*stop));
        stop->kind = GDB_STOP_EXITED;
        stop->exit_code = (int)(ex.exit_code & 0xff);
        return GDB_RUN_STOPPED;
    case VM_EXIT_QUIT:
        stop_signal(stop, SIGINT, current, GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    default: /* idle forever, trap storm, hung: the machine cannot go on by itself */
        g->thread = (int)ex.hart + 1;
        stop_signal(stop, ex.reason == VM_EXIT_IDLE ? SIGTRAP : SIGSEGV, g->thread,
                    GDB_REASON_NONE);
        return GDB_RUN_STOPPED;
    }
}

static int glue_breakpoint(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t kind,
                           bool insert)
{
    struct gdb_glue *g = ctx;
    (void)kind;
    if (type == GDB_BP_SW || type == GDB_BP_HW) {
        if (insert) {
            if (g->nbp >= 64 || vm_break_at(g->vm, addr))
                return -1;
            g->bps[g->nbp++] = addr;
            return 0;
        }
        for (int i = 0; i < g->nbp; i++)
            if (g->bps[i] == addr) {
                g->bps[i] = g->bps[--g->nbp];
                break;
            }
        return vm_break_remove(g->vm, addr) ? -1 : 0;
    }
    /* Watchpoints: exact, on every load or store that touches [addr, addr + kind). */
    int wt = type == GDB_WP_WRITE ? HART_WATCH_WRITE
           : type == GDB_WP_READ ? HART_WATCH_READ : HART_WATCH_ACCESS;
    if (kind == 0 || kind > 4096)
        return -1;
    if (insert) {
        if (g->nwatch >= 16 || vm_watch_add(g->vm, addr, kind, wt))
            return -1;
        g->watches[g->nwatch].addr = addr;
        g->watches[g->nwatch].len = kind;
        g->watches[g->nwatch].type = wt;
        g->nwatch++;
        return 0;
    }
    for (int i = 0; i < g->nwatch; i++)
        if (g->watches[i].addr == addr && g->watches[i].len == kind && g->watches[i].type == wt) {
            g->watches[i] = g->watches[--g->nwatch];
            break;
        }
    return vm_watch_remove(g->vm, addr, kind, wt) ? -1 : 0;
}

static const char *glue_target_xml(void *ctx, const char *annex)
{
    (void)ctx;
    return gdb_riscv_target_xml(annex);
}

/* The in-memory checkpoints of time travel: a summary, and their icounts (those nearest to
 * now when there are many). */
static void describe_memory_checkpoints(struct gdb_glue *g, void (*out)(void *, const char *),
                                        void *octx)
{
    if (!out)
        return;
    struct memsnap_stats st;
    timetravel_memory_stats(g->tt, &st);
    char line[256];
    snprintf(line, sizeof(line), "%u checkpoints in memory: %.1f MiB of %.0f MiB (taken %" PRIu64
             ", restored %" PRIu64 ", dropped %" PRIu64 ")\n", st.count,
             (double)st.bytes / 1048576.0, (double)st.budget / 1048576.0, st.taken, st.restored,
             st.evicted);
    out(octx, line);
    struct memsnap_store *m = timetravel_memory(g->tt);
    uint64_t now = vm_icount(g->vm);
    unsigned first = 0, last = st.count;
    if (st.count > 32) { /* the 32 nearest to now */
        unsigned at = 0;
        while (at < st.count && memsnap_icount(m, at) < now)
            at++;
        first = at > 16 ? at - 16 : 0;
        last = first + 32 < st.count ? first + 32 : st.count;
        first = last - 32;
    }
    for (unsigned i = first; i < last; i++) {
        snprintf(line, sizeof(line), "  in memory at icount %" PRIu64 "%s\n", memsnap_icount(m, i),
                 memsnap_icount(m, i) == now ? " (here)" : "");
        out(octx, line);
    }
}

static int glue_monitor(void *ctx, const char *command, void (*out)(void *, const char *),
                        void *octx)
{
    struct gdb_glue *g = ctx;
    char line[256];
    if (!strcmp(command, "help") || !*command) {
        out(octx, "rewind monitor commands:\n"
                  "  help          this text\n"
                  "  icount, when  instructions retired, per hart and in all; guest time\n"
                  "  info          the machine: harts, their mode and pc\n"
                  "  phys on|off   gdb addresses are guest physical (on) or virtual (off)\n"
                  "  goto N        (replay) move to instruction count N, back or forth\n"
                  "  info trace    (replay) where the replay is in the recording\n"
                  "  events [N|A..B]  (replay) the N recorded events before now (newest first),\n"
                  "                or those between two icounts\n"
                  "  checkpoints   (replay) the trace's checkpoints and the in-memory ones\n"
                  "  checkpoint    (replay) keep an in-memory checkpoint here\n"
                  "  restart K     (replay) go to the trace's checkpoint K\n"
                  "  go-live       (replay) leave the recording here and go on as a live\n"
                  "                machine: writes allowed, no more reverse execution\n");
        return 0;
    }
    if (!strcmp(command, "icount") || !strcmp(command, "when")) {
        for (unsigned i = 0; i < vm_num_harts(g->vm); i++) {
            snprintf(line, sizeof(line), "hart %u: %" PRIu64 "\n", i, vm_hart(g->vm, i)->icount);
            out(octx, line);
        }
        snprintf(line, sizeof(line), "total: %" PRIu64 "\n", vm_icount(g->vm));
        out(octx, line);
        uint64_t ns = vm_guest_time_ns(g->vm, 0);
        snprintf(line, sizeof(line), "guest time: %" PRIu64 ".%09" PRIu64 " s\n", ns / 1000000000u,
                 ns % 1000000000u);
        out(octx, line);
        return 0;
    }
    if (!strcmp(command, "info")) {
        for (unsigned i = 0; i < vm_num_harts(g->vm); i++) {
            struct hart *h = vm_hart(g->vm, i);
            snprintf(line, sizeof(line), "hart %u (thread %u): pc 0x%" PRIx64 ", mode %s%s, satp 0x%"
                     PRIx64 "\n", i, i + 1, h->pc,
                     h->priv == PRIV_M ? "M" : h->priv == PRIV_S ? "S" : "U",
                     h->wfi ? " (wfi)" : "", h->satp);
            out(octx, line);
        }
        snprintf(line, sizeof(line), "addresses: %s\n", g->physical ? "physical" : "virtual");
        out(octx, line);
        return 0;
    }
    if (!strncmp(command, "goto ", 5) && g->tt) {
        char *end;
        unsigned long long target = strtoull(command + 5, &end, 0);
        if (end == command + 5 || *end || target > g->end_icount) {
            snprintf(line, sizeof(line), "goto: an instruction count from 0 to %llu\n",
                     (unsigned long long)g->end_icount);
            out(octx, line);
            return -1;
        }
        seek(g, target);
        snprintf(line, sizeof(line), "now at icount %llu (gdb: use 'flushregs' or 'stepi 0' to "
                 "refresh its view)\n", (unsigned long long)vm_icount(g->vm));
        out(octx, line);
        return 0;
    }
    if (!strncmp(command, "events", 6) && g->tt &&
        (command[6] == 0 || command[6] == ' ')) {
        /* events [N] (the N around now, default 10) or events FROM..TO */
        uint64_t now = vm_icount(g->vm), from = now > 1000000 ? now - 1000000 : 0, to = now;
        int max = 10;
        const char *arg = command + 6;
        while (*arg == ' ')
            arg++;
        const char *dots = strstr(arg, "..");
        if (dots) {
            from = strtoull(arg, NULL, 0);
            to = strtoull(dots + 2, NULL, 0);
            max = 200;
        } else {
            if (*arg)
                max = atoi(arg);
            if (max < 1 || max > 1000)
                max = 10;
            from = 0;
        }
        int n = trace_describe_events(timetravel_trace(g->tt), from, to, max, !dots, out, octx);
        snprintf(line, sizeof(line), "%d events (icount %llu..%llu; now %llu)\n", n < 0 ? 0 : n,
                 (unsigned long long)from, (unsigned long long)to, (unsigned long long)now);
        out(octx, line);
        return n < 0 ? -1 : 0;
    }
    if (!strcmp(command, "checkpoints") && g->tt) {
        const struct trace_checkpoint *cps;
        int n = timetravel_checkpoints(g->tt, &cps);
        for (int i = 0; i < n; i++) {
            snprintf(line, sizeof(line), "checkpoint %lld at icount %llu\n", (long long)cps[i].id,
                     (unsigned long long)cps[i].icount);
            out(octx, line);
        }
        snprintf(line, sizeof(line), "%d checkpoints in the trace\n", n);
        out(octx, line);
        describe_memory_checkpoints(g, out, octx);
        return 0;
    }
    if (!strcmp(command, "checkpoint") && g->tt) {
        char err[160];
        if (timetravel_snapshot_here(g->tt, err, sizeof(err))) {
            snprintf(line, sizeof(line), "checkpoint: %s\n", err);
            out(octx, line);
            return -1;
        }
        snprintf(line, sizeof(line), "in-memory checkpoint at icount %llu\n",
                 (unsigned long long)vm_icount(g->vm));
        out(octx, line);
        describe_memory_checkpoints(g, NULL, NULL);
        return 0;
    }
    if (!strncmp(command, "restart ", 8) && g->tt) {
        const struct trace_checkpoint *cps;
        int n = timetravel_checkpoints(g->tt, &cps);
        long long id = atoll(command + 8);
        for (int i = 0; i < n; i++)
            if (cps[i].id == id) {
                seek(g, cps[i].icount);
                snprintf(line, sizeof(line), "at checkpoint %lld, icount %llu\n", id,
                         (unsigned long long)vm_icount(g->vm));
                out(octx, line);
                return 0;
            }
        out(octx, "no such checkpoint (monitor checkpoints lists them)\n");
        return -1;
    }
    if (!strcmp(command, "go-live") && g->replay && g->tt && g->go_live) {
        char err[160];
        if (g->go_live(g->go_live_ctx, g->vm, err, sizeof(err))) {
            snprintf(line, sizeof(line), "go-live: %s\n", err);
            out(octx, line);
            return -1;
        }
        g->replay = false;
        g->tt = NULL;
        snprintf(line, sizeof(line), "left the recording at icount %llu: the machine is live now "
                 "(registers and memory can be written; it runs on past the recording's end; "
                 "no reverse execution; no console input; network cards have no backend)\n",
                 (unsigned long long)vm_icount(g->vm));
        out(octx, line);
        return 0;
    }
    if (!strcmp(command, "info trace") && g->tt) {
        snprintf(line, sizeof(line), "replaying a recording of %llu instructions; now at %llu\n",
                 (unsigned long long)g->end_icount, (unsigned long long)vm_icount(g->vm));
        out(octx, line);
        return 0;
    }
    if (!strcmp(command, "phys on") || !strcmp(command, "phys off")) {
        g->physical = !strcmp(command, "phys on");
        out(octx, g->physical ? "addresses are guest physical\n"
                              : "addresses are virtual (the hart's current view)\n");
        return 0;
    }
    snprintf(line, sizeof(line), "unknown monitor command '%.64s' (try: monitor help)\n", command);
    out(octx, line);
    return -1;
}

static void glue_kill(void *ctx)
{
    struct gdb_glue *g = ctx;
    g->killed = true;
}

static void glue_detach(void *ctx)
{
    (void)ctx;
}

void gdb_glue_init(struct gdb_glue *glue, struct vm *vm, struct gdb_target_ops *ops)
{
    memset(glue, 0, sizeof(*glue));
    glue->vm = vm;
    glue->thread = 1;
    memset(ops, 0, sizeof(*ops));
    ops->threads = glue_threads;
    ops->read_reg = glue_read_reg;
    ops->write_reg = glue_write_reg;
    ops->num_regs = GDB_G_PACKET_REGS;
    ops->read_mem = glue_read_mem;
    ops->write_mem = glue_write_mem;
    ops->run = glue_run;
    ops->breakpoint = glue_breakpoint;
    ops->target_xml = glue_target_xml;
    ops->monitor = glue_monitor;
    ops->kill = glue_kill;
    ops->detach = glue_detach;
    ops->reverse = false;
    ops->ctx = glue;
}
