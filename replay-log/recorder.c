/* recorder.c — the record backend of the gate (see recorder.h). Events are appended inside
 * an open transaction that is committed at least every 200 ms of host time, so a recording
 * killed at any moment leaves a trace that ends at its last commit. */
#include "replay-log/recorder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMMIT_INTERVAL_NS 200000000ull
#define OUT_CHUNK 4096

struct recorder {
    struct trace *trace;
    struct vm_gate host;
    /* console output is coalesced into chunks while nothing else happens */
    uint8_t out[OUT_CHUNK];
    size_t out_len;
    uint64_t out_icount, out_pc;
    unsigned out_hart;
    uint64_t last_commit_ns;
    struct vm *vm;          /* the machine being recorded (known from its first call) */
    /* guest crash detection on the console */
    bool watch_crashes;
    uint64_t grace;
    char line[256];
    size_t line_len;
    char crash[256];
    uint64_t crash_icount;
    bool crashed;
    bool failed;
    char error[256];
};

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(struct recorder *r)
{
    if (!r->failed) {
        r->failed = true;
        snprintf(r->error, sizeof(r->error), "writing the trace failed: %s",
                 trace_errmsg(r->trace));
    }
}

static void append(struct recorder *r, enum trace_kind kind, uint64_t icount, unsigned hart,
                   uint64_t pc, uint64_t value, const void *blob, size_t len)
{
    if (r->failed)
        return;
    if (trace_append(r->trace, kind, icount, hart, pc, value, blob, len))
        fail(r);
}

static void flush_output(struct recorder *r)
{
    if (!r->out_len)
        return;
    append(r, TRACE_CONSOLE_OUT, r->out_icount, r->out_hart, r->out_pc, r->out_len, r->out,
           r->out_len);
    r->out_len = 0;
}

/* Every commit also says how far the recording got, so a trace cut off afterwards replays
 * exactly that far. */
static void commit(struct recorder *r)
{
    flush_output(r);
    if (r->vm && !r->failed && trace_set_meta_u64(r->trace, "recorded_icount", vm_icount(r->vm)))
        fail(r);
    if (!r->failed && trace_commit(r->trace))
        fail(r);
}

static void maybe_commit(struct recorder *r)
{
    uint64_t now = host_ns();
    if (now - r->last_commit_ns < COMMIT_INTERVAL_NS)
        return;
    commit(r);
    r->last_commit_ns = now;
}

int recorder_flush(struct recorder *r)
{
    commit(r);
    r->last_commit_ns = host_ns();
    return r->failed ? -1 : 0;
}

const char *recorder_error(const struct recorder *r)
{
    return r->error;
}

/* ---- the gate ---- */

static size_t rec_console_input(void *ctx, struct vm *vm, uint8_t *buf, size_t max, bool *eof)
{
    struct recorder *r = ctx;
    r->vm = vm;
    size_t n = 0;
    *eof = false;
    if (r->host.console_input)
        n = r->host.console_input(r->host.ctx, vm, buf, max, eof);
    else
        *eof = true;
    if (n > max)
        n = max;
    if (n || *eof)
        flush_output(r);
    if (n)
        append(r, TRACE_CONSOLE_IN, vm_icount(vm), 0, 0, n, buf, n);
    if (*eof)
        append(r, TRACE_CONSOLE_EOF, vm_icount(vm), 0, 0, 0, NULL, 0);
    maybe_commit(r);
    return n;
}

static uint64_t rec_idle(void *ctx, struct vm *vm, uint64_t max_ns)
{
    struct recorder *r = ctx;
    r->vm = vm;
    /* Nothing happens while the machine waits: make the trace current first. */
    recorder_flush(r);
    uint64_t passed = r->host.idle ? r->host.idle(r->host.ctx, vm, max_ns) : max_ns;
    if (passed > max_ns)
        passed = max_ns;
    append(r, TRACE_WARP, vm_icount(vm), 0, 0, passed, NULL, 0);
    if (r->crashed) /* a crashed guest went idle: nothing more will come */
        vm_request_quit(vm);
    return passed;
}

static uint64_t rec_wall_clock(void *ctx, struct vm *vm)
{
    struct recorder *r = ctx;
    r->vm = vm;
    uint64_t ns = r->host.wall_clock_ns ? r->host.wall_clock_ns(r->host.ctx, vm) : 0;
    append(r, TRACE_WALL_CLOCK, vm_icount(vm), 0, 0, ns, NULL, 0);
    return ns;
}

/* Bytes the host gives (entropy, virtio-rng), logged as `kind` at the current icount. */
static void record_bytes(struct recorder *r, struct vm *vm, enum trace_kind kind,
                         void (*fill)(void *ctx, struct vm *vm, uint8_t *buf, size_t len),
                         uint8_t *buf, size_t len)
{
    r->vm = vm;
    memset(buf, 0, len);
    if (fill)
        fill(r->host.ctx, vm, buf, len);
    flush_output(r);
    append(r, kind, vm_icount(vm), 0, 0, len, buf, len);
}

static void rec_entropy(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    struct recorder *r = ctx;
    record_bytes(r, vm, TRACE_ENTROPY, r->host.entropy, buf, len);
}

static size_t rec_net_receive(void *ctx, struct vm *vm, unsigned nic, uint8_t *buf, size_t max)
{
    struct recorder *r = ctx;
    r->vm = vm;
    size_t n = r->host.net_receive ? r->host.net_receive(r->host.ctx, vm, nic, buf, max) : 0;
    if (n > max)
        n = max;
    if (n) {
        flush_output(r);
        append(r, TRACE_NET_RX, vm_icount(vm), 0, 0, nic, buf, n);
    }
    return n;
}

static void rec_rng(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    struct recorder *r = ctx;
    record_bytes(r, vm, TRACE_RNG, r->host.rng, buf, len);
}

/* ---- guest crashes ---- */

static const char *const crash_markers[] = { "Kernel panic - not syncing", "Oops", "BUG: ",
                                             "Unable to handle kernel" };

static void watch_console_byte(struct recorder *r, const struct vm_event *ev, uint8_t b)
{
    if (b != '\n' && b != '\r') {
        if (r->line_len + 1 < sizeof(r->line))
            r->line[r->line_len++] = (char)b;
        return;
    }
    r->line[r->line_len] = 0;
    if (!r->crashed) {
        for (size_t i = 0; i < sizeof(crash_markers) / sizeof(crash_markers[0]); i++)
            if (strstr(r->line, crash_markers[i])) {
                r->crashed = true;
                r->crash_icount = ev->icount;
                snprintf(r->crash, sizeof(r->crash), "%s", r->line);
                trace_set_meta(r->trace, "guest_crash", r->crash);
                trace_set_meta_u64(r->trace, "guest_crash_icount", ev->icount);
                break;
            }
    }
    r->line_len = 0;
}

void recorder_note_crash(struct recorder *r, struct vm *vm, const char *what)
{
    if (r->crashed)
        return;
    r->crashed = true;
    r->crash_icount = vm_icount(vm);
    snprintf(r->crash, sizeof(r->crash), "%s", what);
    trace_set_meta(r->trace, "guest_crash", r->crash);
    trace_set_meta_u64(r->trace, "guest_crash_icount", r->crash_icount);
}

void recorder_watch_crashes(struct recorder *r, uint64_t grace)
{
    r->watch_crashes = true;
    r->grace = grace;
}

const char *recorder_guest_crash(const struct recorder *r, uint64_t *icount)
{
    if (!r->crashed)
        return NULL;
    *icount = r->crash_icount;
    return r->crash;
}

/* ---- derived events ---- */

static void rec_event(void *ctx, struct vm *vm, const struct vm_event *ev)
{
    struct recorder *r = ctx;
    r->vm = vm;
    switch (ev->kind) {
    case VM_EVENT_CONSOLE_OUT:
        for (size_t i = 0; i < ev->len; i++) {
            if (r->out_len && (r->out_hart != ev->hart || r->out_len == OUT_CHUNK))
                flush_output(r);
            if (!r->out_len) {
                r->out_icount = ev->icount;
                r->out_hart = ev->hart;
                r->out_pc = ev->pc;
            }
            r->out[r->out_len++] = ev->data[i];
            if (r->watch_crashes)
                watch_console_byte(r, ev, ev->data[i]);
        }
        if (r->crashed && ev->icount - r->crash_icount > r->grace)
            vm_request_quit(vm);
        break;
    case VM_EVENT_INTERRUPT:
        flush_output(r);
        append(r, TRACE_INTERRUPT, ev->icount, ev->hart, ev->pc, ev->value, NULL, 0);
        break;
    case VM_EVENT_EXIT:
        flush_output(r);
        append(r, TRACE_EXIT, ev->icount, ev->hart, ev->pc, ev->value, NULL, 0);
        break;
    case VM_EVENT_NET_TX:
        flush_output(r);
        append(r, TRACE_NET_TX, ev->icount, ev->hart, ev->pc, ev->value, ev->data, ev->len);
        break;
    case VM_EVENT_DISK_IO:
        flush_output(r);
        append(r, TRACE_DISK_IO, ev->icount, ev->hart, ev->pc, ev->value, ev->data, ev->len);
        break;
    }
}

struct recorder *recorder_create(struct trace *t, struct vm_gate host)
{
    struct recorder *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->trace = t;
    r->host = host;
    r->last_commit_ns = host_ns();
    return r;
}

void recorder_destroy(struct recorder *r)
{
    free(r);
}

static uint64_t rec_host_clock(void *ctx, struct vm *vm)
{
    struct recorder *r = ctx;
    r->vm = vm;
    uint64_t ns = r->host.host_clock_ns ? r->host.host_clock_ns(r->host.ctx, vm) : 0;
    append(r, TRACE_HOST_CLOCK, vm_icount(vm), 0, 0, ns, NULL, 0);
    return ns;
}

static void rec_progress(void *ctx, struct vm *vm)
{
    struct recorder *r = ctx;
    r->vm = vm;
    if (r->crashed && vm_icount(vm) - r->crash_icount > r->grace)
        vm_request_quit(vm);
    maybe_commit(r);
}

struct vm_gate recorder_gate(struct recorder *r)
{
    return (struct vm_gate){ .console_input = rec_console_input, .idle = rec_idle,
                             .wall_clock_ns = rec_wall_clock, .entropy = rec_entropy,
                             .host_clock_ns = rec_host_clock, .progress = rec_progress,
                             .net_receive = rec_net_receive, .rng = rec_rng,
                             .ctx = r };
}

struct vm_observer recorder_observer(struct recorder *r)
{
    return (struct vm_observer){ .event = rec_event, .ctx = r };
}
