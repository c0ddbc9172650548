/* timetravel.c — seeking a replay (see timetravel.h). */
#include "replay-log/timetravel.h"

#include "replay-log/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay-log/checkpoint.h"
#include "replay-log/memsnap.h"
#include "vmm/snapshot.h"
#include "vmm/state.h"

struct timetravel {
    struct trace *trace;
    bool incomplete;
    struct vm_config base;
    timetravel_build_fn build;
    void *build_ctx;
    struct trace_checkpoint *cps;
    int ncp;
    struct vm *vm;
    struct replayer *rep;
    bool muted;   /* console output is not shown while the past is being rebuilt */
    struct memsnap_store *snaps;  /* in-memory checkpoints of tt->vm */
    uint64_t run_snap_every;      /* timetravel_run: instructions between them */
};

/* Seeking forward from a position this close is a replay, not a restore. A trace checkpoint
 * rebuilds the machine and reads pages from SQLite, which costs about as much as replaying
 * this many instructions. */
#define TRACE_RESTORE_COST 2000000ull
/* The closest in-memory checkpoints a seek leaves behind it. */
#define MIN_SNAP_GAP 20000ull
#define RUN_SNAP_EVERY 2000000ull
/* Reverse continue scans spans at least this long from checkpoints of each kind. */
#define MIN_MEMORY_SPAN 1000000ull
#define MIN_TRACE_SPAN 8000000ull

static void take_snapshot(struct timetravel *tt, uint64_t present);

static void console_through(void *ctx, const uint8_t *bytes, size_t len)
{
    struct timetravel *tt = ctx;
    if (!tt->muted && tt->base.console_write)
        tt->base.console_write(tt->base.console_ctx, bytes, len);
}

void timetravel_mute(struct timetravel *tt, bool muted)
{
    tt->muted = muted;
}

static void drop(struct timetravel *tt)
{
    vm_destroy(tt->vm);
    replayer_destroy(tt->rep);
    tt->vm = NULL;
    tt->rep = NULL;
}

/* A fresh machine at icount 0 with its replay at the start. */
static int build_fresh(struct timetravel *tt, char *err, size_t errlen)
{
    drop(tt);
    if (tt->snaps)
        memsnap_forget_live(tt->snaps, false);
    tt->rep = replayer_create(tt->trace, 0, err, errlen);
    if (!tt->rep)
        return -1;
    if (tt->incomplete)
        replayer_set_incomplete(tt->rep);
    struct vm_config cfg = tt->base;
    cfg.console_write = console_through;
    cfg.console_ctx = tt;
    cfg.gate = replayer_gate(tt->rep);
    cfg.observer = replayer_observer(tt->rep);
    tt->vm = tt->build(tt->build_ctx, &cfg);
    if (!tt->vm) {
        snprintf(err, errlen, "cannot rebuild the machine");
        return -1;
    }
    return 0;
}

struct timetravel *timetravel_create(struct trace *t, bool incomplete, struct vm_config base,
                                     timetravel_build_fn build, void *build_ctx, char *err,
                                     size_t errlen)
{
    struct timetravel *tt = calloc(1, sizeof(*tt));
    if (!tt) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    tt->trace = t;
    tt->incomplete = incomplete;
    tt->run_snap_every = RUN_SNAP_EVERY;
    tt->snaps = memsnap_create(MEMSNAP_DEFAULT_BUDGET);
    if (!tt->snaps) {
        snprintf(err, errlen, "out of memory");
        free(tt);
        return NULL;
    }
    tt->base = base;
    tt->build = build;
    tt->build_ctx = build_ctx;
    char format[64] = "";
    trace_get_meta(t, "state_format", format, sizeof(format));
    int n = trace_checkpoints(t, NULL, 0);
    if (n > 0 && !strcmp(format, VM_STATE_FORMAT) && (tt->cps = calloc((size_t)n, sizeof(*tt->cps)))) {
        trace_checkpoints(t, tt->cps, n);
        tt->ncp = n;
    }
    if (build_fresh(tt, err, errlen)) {
        timetravel_destroy(tt);
        return NULL;
    }
    /* The machine as built: every trace checkpoint is restored on top of it. */
    take_snapshot(tt, 0);
    memsnap_pin(tt->snaps, memsnap_find(tt->snaps, 0, NULL));
    return tt;
}

void timetravel_destroy(struct timetravel *tt)
{
    if (!tt)
        return;
    drop(tt);
    memsnap_destroy(tt->snaps);
    free(tt->cps);
    free(tt);
}

struct trace *timetravel_trace(struct timetravel *tt)
{
    return tt->trace;
}

int timetravel_checkpoints(struct timetravel *tt, const struct trace_checkpoint **cps)
{
    *cps = tt->cps;
    return tt->ncp;
}

struct vm *timetravel_vm(struct timetravel *tt)
{
    return tt->vm;
}

struct replayer *timetravel_replayer(struct timetravel *tt)
{
    return tt->rep;
}

/* The latest usable checkpoint strictly before `below` (index), or -1. */
static int checkpoint_before(const struct timetravel *tt, uint64_t below)
{
    int k = -1;
    for (int i = 0; i < tt->ncp; i++)
        if (tt->cps[i].icount < below)
            k = i;
    return k;
}

uint64_t timetravel_span_start(struct timetravel *tt, uint64_t end)
{
    if (!end)
        return 0;
    /* Restoring an in-memory checkpoint costs about what replaying MIN_MEMORY_SPAN
     * instructions does, a trace checkpoint about MIN_TRACE_SPAN: spans shorter than that
     * would spend more on restoring than on scanning. */
    uint64_t mem = 0, cp = 0, any = 0;
    bool have_mem = end > MIN_MEMORY_SPAN &&
                    memsnap_find(tt->snaps, end - MIN_MEMORY_SPAN, &mem) >= 0;
    int k = end > MIN_TRACE_SPAN ? checkpoint_before(tt, end - MIN_TRACE_SPAN + 1) : -1;
    if (k >= 0)
        cp = tt->cps[k].icount;
    if (have_mem || k >= 0)
        return mem > cp ? mem : cp;
    /* Nothing that far back: the latest checkpoint of either kind. */
    k = checkpoint_before(tt, end);
    if (k >= 0)
        any = tt->cps[k].icount;
    if (memsnap_find(tt->snaps, end - 1, &mem) >= 0 && mem > any)
        any = mem;
    return any;
}

static int seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen);

int timetravel_seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen)
{
    bool was = tt->muted;
    tt->muted = true;
    int rc = seek(tt, icount, err, errlen);
    tt->muted = was;
    return rc;
}

/* Let `later` answer the machine from now on. */
static void use_replayer(struct timetravel *tt, struct replayer *later)
{
    if (tt->incomplete)
        replayer_set_incomplete(later);
    replayer_destroy(tt->rep);
    tt->rep = later;
    vm_set_gate(tt->vm, replayer_gate(later), replayer_observer(later));
}

/* A new replayer at pos for the machine (after an in-memory restore). */
static int reposition(struct timetravel *tt, const struct replayer_pos *pos, char *err,
                      size_t errlen)
{
    struct replayer *later = replayer_create_at(tt->trace, pos, err, errlen);
    if (!later)
        return -1;
    use_replayer(tt, later);
    return 0;
}

static void restore_page(void *ctx, uint64_t page, const uint8_t *data)
{
    vm_restore_ram_page(ctx, page, data, true);
}

/* Put trace checkpoint k's pages, disk blocks and state into the machine, which holds the
 * machine as built (fresh, or restored in place: then its decoded code is kept), and start
 * the replay of the events after it. */
static int load_trace_checkpoint(struct timetravel *tt, int k, bool in_place, char *err,
                                 size_t errlen)
{
    uint64_t ram_size;
    vm_ram(tt->vm, &ram_size);
    uint8_t *state = NULL;
    size_t len = 0;
    if (trace_load_checkpoint_pages(tt->trace, tt->cps[k].id, ram_size / 4096, restore_page,
                                    tt->vm, &state, &len, err, errlen) ||
        checkpoint_restore_disks(tt->trace, tt->cps[k].id, tt->vm, err, errlen)) {
        free(state);
        return -1;
    }
    struct state_reader r;
    state_reader_init(&r, state, len);
    int rc = in_place ? vm_restore_state(tt->vm, &r, err, errlen)
                      : vm_load_state(tt->vm, &r, err, errlen);
    free(state);
    if (rc)
        return -1;
    vm_debug_clear(tt->vm);
    struct replayer *later = replayer_create(tt->trace, (int64_t)tt->cps[k].events, err, errlen);
    if (!later)
        return -1;
    use_replayer(tt, later);
    return 0;
}

/* The machine at trace checkpoint k (or at the start when k < 0): in place, on top of the
 * machine as built kept in memory (the pinned in-memory checkpoint at icount 0), so that
 * only pages that differ are copied and the decoded code of the others survives; else
 * rebuilt. */
static int restore_trace_checkpoint(struct timetravel *tt, int k, char *err, size_t errlen)
{
    uint64_t at = 1;
    int base = memsnap_find(tt->snaps, 0, &at);
    struct replayer_pos pos;
    if (base >= 0 && at == 0 && memsnap_restore(tt->snaps, base, tt->vm, &pos, err, errlen) == 0) {
        if (k < 0 ? reposition(tt, &pos, err, errlen) == 0
                  : load_trace_checkpoint(tt, k, true, err, errlen) == 0)
            return 0;
    }
    if (build_fresh(tt, err, errlen))
        return -1;
    return k < 0 ? 0 : load_trace_checkpoint(tt, k, false, err, errlen);
}

static void take_snapshot(struct timetravel *tt, uint64_t present)
{
    struct replayer_pos pos;
    char err[128];
    replayer_position(tt->rep, &pos);
    memsnap_take(tt->snaps, tt->vm, &pos, present, err, sizeof(err)); /* best effort */
}

/* Replay forward to exactly `target` (or until the machine ends), leaving in-memory
 * checkpoints at target - D/2, target - D/4, ... (D the distance run), so that stepping
 * back from the target again finds one close by. */
static void run_to(struct timetravel *tt, uint64_t target)
{
    uint64_t start = vm_icount(tt->vm);
    uint64_t gap = target > start ? (target - start) / 2 : 0;
    while (vm_icount(tt->vm) < target && !replayer_diverged(tt->rep)) {
        while (gap >= MIN_SNAP_GAP && target - gap <= vm_icount(tt->vm))
            gap /= 2;
        uint64_t stop = gap >= MIN_SNAP_GAP ? target - gap : target;
        struct vm_exit ex;
        vm_run(tt->vm, stop - vm_icount(tt->vm), &ex);
        if (ex.reason != VM_EXIT_INSN_LIMIT)
            break; /* the machine ended earlier: stay where it stopped */
        if (stop < target)
            take_snapshot(tt, target);
    }
}

static int seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen)
{
    /* Candidates: going on from where the machine is, an in-memory checkpoint (there is
     * always one: the machine as built, at icount 0), or a trace checkpoint, restored in
     * place when it is far enough ahead of both to be worth reading from the trace. */
    uint64_t now = vm_icount(tt->vm);
    /* Not when the machine is already at the target: it may stand on the first instruction
     * of a trap handler (a breakpoint there), which has the icount of the instruction that
     * trapped; a seek gives the state before the trap, as a replay run to that icount does. */
    bool go_on = now < icount && !replayer_diverged(tt->rep);
    uint64_t snap_at = 0;
    int si = memsnap_find(tt->snaps, icount, &snap_at);
    int k = checkpoint_before(tt, icount + 1);
    uint64_t cp_at = k >= 0 ? tt->cps[k].icount : 0;
    uint64_t best = go_on ? now : 0;
    enum { GO_ON, MEMORY, TRACE } how = go_on ? GO_ON : TRACE;
    if (si >= 0 && (!go_on || snap_at > now)) {
        how = MEMORY;
        best = snap_at;
    }
    if (k >= 0 && (how == TRACE || cp_at > best + TRACE_RESTORE_COST))
        how = TRACE;
    vm_debug_clear(tt->vm);
    if (how == MEMORY) {
        struct replayer_pos pos;
        if (memsnap_restore(tt->snaps, si, tt->vm, &pos, err, errlen) ||
            reposition(tt, &pos, err, errlen)) {
            /* The machine is in an unknown state: start over from the trace. */
            if (restore_trace_checkpoint(tt, k, err, errlen))
                return -1;
        }
    } else if (how == TRACE) {
        if (restore_trace_checkpoint(tt, k, err, errlen))
            return -1;
        take_snapshot(tt, icount);
    }
    run_to(tt, icount);
    if (replayer_diverged(tt->rep)) {
        snprintf(err, errlen, "%s", replayer_report(tt->rep));
        return -1;
    }
    return 0;
}

int timetravel_run(struct timetravel *tt, uint64_t max_insns, struct vm_exit *ex)
{
    uint64_t start = vm_icount(tt->vm);
    for (;;) {
        uint64_t now = vm_icount(tt->vm);
        uint64_t last = 0;
        memsnap_find(tt->snaps, now, &last);
        uint64_t chunk = last + tt->run_snap_every > now ? last + tt->run_snap_every - now : 1;
        if (max_insns && max_insns - (now - start) < chunk)
            chunk = max_insns - (now - start);
        vm_run(tt->vm, chunk, ex);
        if (ex->reason != VM_EXIT_INSN_LIMIT || replayer_diverged(tt->rep))
            return 0;
        now = vm_icount(tt->vm);
        if (now >= last + tt->run_snap_every)
            take_snapshot(tt, now);
        if (max_insns && now - start >= max_insns)
            return 0;
    }
}

void timetravel_set_memory(struct timetravel *tt, uint64_t bytes)
{
    memsnap_set_budget(tt->snaps, bytes, vm_icount(tt->vm));
}

void timetravel_memory_stats(struct timetravel *tt, struct memsnap_stats *st)
{
    memsnap_stats(tt->snaps, st);
}

int timetravel_snapshot_here(struct timetravel *tt, char *err, size_t errlen)
{
    /* The state a replay run to this icount has (not a trap handler's entry). */
    if (timetravel_seek(tt, vm_icount(tt->vm), err, errlen))
        return -1;
    struct replayer_pos pos;
    replayer_position(tt->rep, &pos);
    return memsnap_take(tt->snaps, tt->vm, &pos, vm_icount(tt->vm), err, errlen);
}

struct memsnap_store *timetravel_memory(struct timetravel *tt)
{
    return tt->snaps;
}
