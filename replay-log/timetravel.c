/* timetravel.c — seeking a replay (see timetravel.h). */
#include "replay-log/timetravel.h"

#include "replay-log/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay-log/checkpoint.h"
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
};

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
    return tt;
}

void timetravel_destroy(struct timetravel *tt)
{
    if (!tt)
        return;
    drop(tt);
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

uint64_t timetravel_checkpoint_before(struct timetravel *tt, uint64_t icount)
{
    int k = checkpoint_before(tt, icount);
    return k >= 0 ? tt->cps[k].icount : 0;
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

static int seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen)
{
    if (build_fresh(tt, err, errlen))
        return -1;
    /* The latest checkpoint at or before the target, if the trace has usable ones. */
    int k = checkpoint_before(tt, icount + 1);
    if (k >= 0) {
        uint64_t ram_size;
        uint8_t *ram = vm_ram(tt->vm, &ram_size);
        uint8_t *state = NULL;
        size_t len = 0;
        if (trace_load_checkpoint(tt->trace, tt->cps[k].id, ram, ram_size / 4096, &state, &len,
                                  err, errlen))
            return -1;
        if (checkpoint_restore_disks(tt->trace, tt->cps[k].id, tt->vm, err, errlen)) {
            free(state);
            return -1;
        }
        struct state_reader r;
        state_reader_init(&r, state, len);
        int rc = vm_load_state(tt->vm, &r, err, errlen);
        free(state);
        if (rc)
            return -1;
        struct replayer *later = replayer_create(tt->trace, (int64_t)tt->cps[k].events, err, errlen);
        if (!later)
            return -1;
        if (tt->incomplete)
            replayer_set_incomplete(later);
        replayer_destroy(tt->rep);
        tt->rep = later;
        vm_set_gate(tt->vm, replayer_gate(later), replayer_observer(later));
    }
    while (vm_icount(tt->vm) < icount) {
        struct vm_exit ex;
        vm_run(tt->vm, icount - vm_icount(tt->vm), &ex);
        if (ex.reason != VM_EXIT_INSN_LIMIT)
            break; /* the machine ended earlier: stay where it stopped */
    }
    if (replayer_diverged(tt->rep)) {
        snprintf(err, errlen, "%s", replayer_report(tt->rep));
        return -1;
    }
    return 0;
}
