/* replayer.c — the replay backend of the gate and the divergence checker (see replayer.h). */
#include "replay-log/replayer.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define RECENT 8
#define LINE 200

struct replayer {
    struct trace *trace;
    struct trace_cursor *inputs, *derived;
    struct trace_event in;      /* next input event */
    bool have_in, inputs_done;
    struct trace_event d;       /* next derived event */
    uint8_t *d_blob;            /* our copy of d's blob */
    size_t d_off;               /* bytes of a console chunk already matched */
    bool have_d, derived_done;
    uint64_t checked;
    bool diverged;
    bool incomplete, reached_end;
    char report[4096];
    char recent[RECENT][LINE];  /* the last derived events that matched */
    unsigned recent_next;
    struct vm *vm;
};

static void next_input(struct replayer *r)
{
    int rc = trace_cursor_next(r->inputs, &r->in);
    r->have_in = rc == 1;
    if (rc != 1)
        r->inputs_done = true;
}

static void next_derived(struct replayer *r)
{
    free(r->d_blob);
    r->d_blob = NULL;
    r->d_off = 0;
    int rc = trace_cursor_next(r->derived, &r->d);
    r->have_d = rc == 1;
    if (rc != 1) {
        r->derived_done = true;
        return;
    }
    if (r->d.blob) {
        r->d_blob = malloc(r->d.blob_len ? r->d.blob_len : 1);
        if (r->d_blob)
            memcpy(r->d_blob, r->d.blob, r->d.blob_len);
        r->d.blob = r->d_blob;
    }
}

static void describe(char *buf, size_t len, enum trace_kind kind, uint64_t icount, unsigned hart,
                     uint64_t pc, uint64_t value, const uint8_t *data, size_t dlen)
{
    int n = snprintf(buf, len, "%-11s icount=%" PRIu64 " hart=%u pc=0x%" PRIx64, trace_kind_name(kind),
                     icount, hart, pc);
    if (n < 0 || (size_t)n >= len)
        return;
    if ((kind == TRACE_NET_TX || kind == TRACE_NET_RX) && data) {
        XXH64_hash_t h = XXH3_64bits(data, dlen);
        snprintf(buf + n, len - (size_t)n, " card=%" PRIu64 " frame=%zu bytes xxh3=%016llx",
                 value, dlen, (unsigned long long)h);
        return;
    }
    if (kind == TRACE_DISK_IO && data) {
        snprintf(buf + n, len - (size_t)n, " sector=%" PRIu64 " \"%.*s\"", value,
                 (int)(dlen < 80 ? dlen : 80), (const char *)data);
        return;
    }
    if (kind == TRACE_CONSOLE_OUT && data) {
        int m = snprintf(buf + n, len - (size_t)n, " text=\"");
        size_t pos = (size_t)n + (size_t)(m > 0 ? m : 0);
        for (size_t i = 0; i < dlen && pos + 6 < len && i < 40; i++) {
            uint8_t c = data[i];
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                buf[pos++] = (char)c;
            else
                pos += (size_t)snprintf(buf + pos, len - pos, "\\x%02x", c);
        }
        snprintf(buf + pos, len - pos, "\"");
    } else {
        snprintf(buf + n, len - (size_t)n, " value=0x%" PRIx64, value);
    }
}

static void remember(struct replayer *r, const char *line)
{
    snprintf(r->recent[r->recent_next % RECENT], LINE, "%s", line);
    r->recent_next++;
}

/* Stop the machine and say what differed. */
static void diverge(struct replayer *r, struct vm *vm, const char *fmt, ...)
{
    if (r->diverged)
        return;
    r->diverged = true;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->report, sizeof(r->report), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    size_t pos = (size_t)n < sizeof(r->report) ? (size_t)n : sizeof(r->report) - 1;
    unsigned count = r->recent_next < RECENT ? r->recent_next : RECENT;
    if (count) {
        pos += (size_t)snprintf(r->report + pos, sizeof(r->report) - pos,
                                "\nlast events that matched:");
        for (unsigned i = 0; i < count && pos < sizeof(r->report); i++) {
            unsigned idx = (r->recent_next - count + i) % RECENT;
            pos += (size_t)snprintf(r->report + pos, sizeof(r->report) - pos, "\n  %s",
                                    r->recent[idx]);
        }
    }
    if (vm)
        vm_request_quit(vm);
}

/* An incomplete trace has run out: stop where the recording stopped. */
static bool end_of_recording(struct replayer *r, struct vm *vm)
{
    if (!r->incomplete)
        return false;
    r->reached_end = true;
    vm_request_quit(vm);
    return true;
}

/* ---- inputs ---- */

/* The next input must be of `kind` at the current icount. */
static bool expect_input(struct replayer *r, struct vm *vm, enum trace_kind kind)
{
    uint64_t now = vm_icount(vm);
    if (!r->have_in) {
        if (end_of_recording(r, vm))
            return false;
        diverge(r, vm, "divergence at icount %" PRIu64 ": the machine asked for %s, but the "
                "trace has no more inputs", now, trace_kind_name(kind));
        return false;
    }
    if (r->in.kind != kind || r->in.icount != now) {
        diverge(r, vm, "divergence at icount %" PRIu64 ": the machine asked for %s, the trace "
                "has %s at icount %" PRIu64 " (event %" PRId64 ")", now, trace_kind_name(kind),
                trace_kind_name(r->in.kind), r->in.icount, r->in.seq);
        return false;
    }
    return true;
}

static size_t rep_console_input(void *ctx, struct vm *vm, uint8_t *buf, size_t max, bool *eof)
{
    struct replayer *r = ctx;
    uint64_t now = vm_icount(vm);
    size_t n = 0;
    *eof = false;
    while (r->have_in && !r->diverged &&
           (r->in.kind == TRACE_CONSOLE_IN || r->in.kind == TRACE_CONSOLE_EOF)) {
        if (r->in.icount < now) {
            diverge(r, vm, "divergence at icount %" PRIu64 ": recorded %s at icount %" PRIu64
                    " was never asked for", now, trace_kind_name(r->in.kind), r->in.icount);
            return 0;
        }
        if (r->in.icount > now)
            break;
        if (r->in.kind == TRACE_CONSOLE_EOF) {
            *eof = true;
            next_input(r);
            continue;
        }
        if (n || r->in.blob_len > max) {
            diverge(r, vm, "divergence at icount %" PRIu64 ": %zu console bytes recorded, room "
                    "for %zu", now, r->in.blob_len, max - n);
            return n;
        }
        memcpy(buf, r->in.blob, r->in.blob_len);
        n = r->in.blob_len;
        next_input(r);
    }
    return n;
}

static uint64_t rep_idle(void *ctx, struct vm *vm, uint64_t max_ns)
{
    struct replayer *r = ctx;
    if (!expect_input(r, vm, TRACE_WARP))
        return max_ns;
    uint64_t v = r->in.value;
    next_input(r);
    if (v > max_ns) {
        diverge(r, vm, "divergence at icount %" PRIu64 ": recorded idle warp of %" PRIu64
                " ns exceeds the next deadline (%" PRIu64 " ns)", vm_icount(vm), v, max_ns);
        return max_ns;
    }
    return v;
}

static uint64_t rep_wall_clock(void *ctx, struct vm *vm)
{
    struct replayer *r = ctx;
    if (!expect_input(r, vm, TRACE_WALL_CLOCK))
        return 0;
    uint64_t v = r->in.value;
    next_input(r);
    return v;
}

static uint64_t rep_host_clock(void *ctx, struct vm *vm)
{
    struct replayer *r = ctx;
    if (!expect_input(r, vm, TRACE_HOST_CLOCK))
        return 0;
    uint64_t v = r->in.value;
    next_input(r);
    return v;
}

/* The next input must be `len` bytes of `kind` (entropy, virtio-rng) at the current icount. */
static void give_bytes(struct replayer *r, struct vm *vm, enum trace_kind kind, uint8_t *buf,
                       size_t len)
{
    memset(buf, 0, len);
    if (!expect_input(r, vm, kind))
        return;
    if (r->in.blob_len != len) {
        diverge(r, vm, "divergence at icount %" PRIu64 ": %zu bytes of %s requested, %zu "
                "recorded", vm_icount(vm), len, trace_kind_name(kind), r->in.blob_len);
        return;
    }
    memcpy(buf, r->in.blob, len);
    next_input(r);
}

static void rep_entropy(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    give_bytes(ctx, vm, TRACE_ENTROPY, buf, len);
}

static size_t rep_net_receive(void *ctx, struct vm *vm, unsigned nic, uint8_t *buf, size_t max)
{
    struct replayer *r = ctx;
    uint64_t now = vm_icount(vm);
    if (!r->have_in || r->diverged || r->in.kind != TRACE_NET_RX)
        return 0;
    if (r->in.icount < now) {
        diverge(r, vm, "divergence at icount %" PRIu64 ": the frame recorded for card %" PRIu64
                " at icount %" PRIu64 " was never taken", now, r->in.value, r->in.icount);
        return 0;
    }
    if (r->in.icount > now || r->in.value != nic)
        return 0;
    if (r->in.blob_len > max || r->in.blob_len == 0) {
        diverge(r, vm, "divergence at icount %" PRIu64 ": a recorded frame of %zu bytes, room "
                "for %zu", now, r->in.blob_len, max);
        return 0;
    }
    size_t n = r->in.blob_len;
    memcpy(buf, r->in.blob, n);
    next_input(r);
    return n;
}

static void rep_rng(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    give_bytes(ctx, vm, TRACE_RNG, buf, len);
}

/* ---- derived events ---- */

static void mismatch(struct replayer *r, struct vm *vm, enum trace_kind kind, const struct vm_event *ev,
                     const uint8_t *data, size_t len)
{
    char actual[LINE], expected[LINE];
    describe(actual, sizeof(actual), kind, ev->icount, ev->hart, ev->pc, ev->value, data, len);
    if (r->have_d)
        describe(expected, sizeof(expected), r->d.kind, r->d.icount, r->d.hart, r->d.pc,
                 r->d.value, r->d.blob ? r->d.blob + r->d_off : NULL,
                 r->d.blob ? r->d.blob_len - r->d_off : 0);
    else
        snprintf(expected, sizeof(expected), "(the recording ends here)");
    diverge(r, vm, "divergence at icount %" PRIu64 " on hart %u (pc 0x%" PRIx64 "):\n"
            "  expected: %s\n  actual:   %s", ev->icount, ev->hart, ev->pc, expected, actual);
}

static enum trace_kind kind_of(enum vm_event_kind k)
{
    switch (k) {
    case VM_EVENT_CONSOLE_OUT: return TRACE_CONSOLE_OUT;
    case VM_EVENT_INTERRUPT: return TRACE_INTERRUPT;
    case VM_EVENT_NET_TX: return TRACE_NET_TX;
    case VM_EVENT_DISK_IO: return TRACE_DISK_IO;
    default: return TRACE_EXIT;
    }
}

static void rep_event(void *ctx, struct vm *vm, const struct vm_event *ev)
{
    struct replayer *r = ctx;
    if (r->diverged)
        return;
    enum trace_kind kind = kind_of(ev->kind);
    if (!r->have_d && end_of_recording(r, vm))
        return;
    if (kind == TRACE_CONSOLE_OUT) {
        for (size_t i = 0; i < ev->len; i++) {
            if (!r->have_d && end_of_recording(r, vm))
                return;
            if (!r->have_d || r->d.kind != TRACE_CONSOLE_OUT ||
                (r->d_off == 0 && (r->d.icount != ev->icount || r->d.hart != ev->hart)) ||
                r->d.blob[r->d_off] != ev->data[i]) {
                mismatch(r, vm, kind, ev, ev->data + i, ev->len - i);
                return;
            }
            if (r->d_off == 0) {
                char line[LINE];
                describe(line, sizeof(line), kind, r->d.icount, r->d.hart, r->d.pc, 0,
                         r->d.blob, r->d.blob_len);
                remember(r, line);
            }
            if (++r->d_off == r->d.blob_len) {
                r->checked++;
                next_derived(r);
            }
        }
        return;
    }
    if (!r->have_d || r->d.kind != kind || r->d_off != 0 || r->d.icount != ev->icount ||
        r->d.hart != ev->hart || r->d.pc != ev->pc || r->d.value != ev->value ||
        r->d.blob_len != (r->d.blob ? ev->len : 0) ||
        (ev->len && (!r->d.blob || memcmp(r->d.blob, ev->data, ev->len)))) {
        mismatch(r, vm, kind, ev, ev->data, ev->len);
        return;
    }
    char line[LINE];
    describe(line, sizeof(line), kind, ev->icount, ev->hart, ev->pc, ev->value, NULL, 0);
    remember(r, line);
    r->checked++;
    next_derived(r);
}

static struct replayer *create(struct trace *t, int64_t input_after, int64_t derived_after,
                               char *err, size_t errlen);

struct replayer *replayer_create(struct trace *t, int64_t after_seq, char *err, size_t errlen)
{
    return create(t, after_seq, after_seq, err, errlen);
}

void replayer_position(const struct replayer *r, struct replayer_pos *pos)
{
    pos->input_after = r->have_in ? r->in.seq - 1 : INT64_MAX;
    pos->derived_after = r->have_d ? r->d.seq - 1 : INT64_MAX;
    pos->derived_offset = r->have_d ? r->d_off : 0;
    pos->checked = r->checked;
}

struct replayer *replayer_create_at(struct trace *t, const struct replayer_pos *pos, char *err,
                                    size_t errlen)
{
    struct replayer *r = create(t, pos->input_after, pos->derived_after, err, errlen);
    if (!r)
        return NULL;
    r->checked = pos->checked;
    if (pos->derived_offset) {
        if (!r->have_d || r->d.kind != TRACE_CONSOLE_OUT || pos->derived_offset >= r->d.blob_len) {
            snprintf(err, errlen, "the trace changed under the replay (event %lld)",
                     (long long)pos->derived_after + 1);
            replayer_destroy(r);
            return NULL;
        }
        r->d_off = pos->derived_offset;
    }
    return r;
}

static struct replayer *create(struct trace *t, int64_t input_after, int64_t derived_after,
                               char *err, size_t errlen)
{
    struct replayer *r = calloc(1, sizeof(*r));
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->trace = t;
    r->inputs = trace_cursor_open(t, true, input_after);
    r->derived = trace_cursor_open(t, false, derived_after);
    if (!r->inputs || !r->derived) {
        snprintf(err, errlen, "cannot read events: %s", trace_errmsg(t));
        replayer_destroy(r);
        return NULL;
    }
    next_input(r);
    next_derived(r);
    return r;
}

void replayer_destroy(struct replayer *r)
{
    if (!r)
        return;
    trace_cursor_close(r->inputs);
    trace_cursor_close(r->derived);
    free(r->d_blob);
    free(r);
}

struct vm_gate replayer_gate(struct replayer *r)
{
    return (struct vm_gate){ .console_input = rep_console_input, .idle = rep_idle,
                             .wall_clock_ns = rep_wall_clock, .entropy = rep_entropy,
                             .host_clock_ns = rep_host_clock, .net_receive = rep_net_receive,
                             .rng = rep_rng, .ctx = r };
}

struct vm_observer replayer_observer(struct replayer *r)
{
    return (struct vm_observer){ .event = rep_event, .ctx = r };
}

void replayer_set_incomplete(struct replayer *r)
{
    r->incomplete = true;
}

bool replayer_reached_end(const struct replayer *r)
{
    return r->reached_end;
}

bool replayer_diverged(const struct replayer *r)
{
    return r->diverged;
}

const char *replayer_report(const struct replayer *r)
{
    return r->report;
}

uint64_t replayer_checked(const struct replayer *r)
{
    return r->checked;
}

bool replayer_all_matched(struct replayer *r)
{
    return !r->diverged && !r->have_d;
}
