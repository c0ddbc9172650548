/* plic.c — the PLIC's gateways, claim/complete logic and register file (see plic.h). */
#include "devices/plic.h"

#include <string.h>

#include "vmm/state.h"

#define PRIORITY_BASE 0x000000u
#define PENDING_BASE 0x001000u
#define ENABLE_BASE 0x002000u
#define ENABLE_STRIDE 0x80u
#define CONTEXT_BASE 0x200000u
#define CONTEXT_STRIDE 0x1000u
#define SOURCE_WORDS (PLIC_NUM_SOURCES / 32)
/* Bit 0 (source 0) is hardwired zero in pending and enable words. */
#define VALID_SOURCES (~1ull)

static uint64_t source_bit(unsigned src)
{
    return 1ull << src;
}

/* The source a claim by ctx would return: the highest priority above the threshold among
 * enabled pending sources, lowest id on ties; 0 if none. */
static unsigned best_source(const struct plic *p, unsigned ctx)
{
    uint64_t candidates = p->pending & p->enable[ctx] & VALID_SOURCES;
    unsigned best = 0;
    uint32_t best_priority = p->threshold[ctx];
    for (unsigned src = 1; src < PLIC_NUM_SOURCES; src++) {
        if (!(candidates & source_bit(src)))
            continue;
        if (p->priority[src] > best_priority) {
            best = src;
            best_priority = p->priority[src];
        }
    }
    return best;
}

static void update_outputs(struct plic *p)
{
    for (unsigned ctx = 0; ctx < p->num_contexts; ctx++)
        irq_line_set(&p->context_out[ctx], best_source(p, ctx) != 0);
}

/* Gateway rule: pending iff the input is high and the source is not in service. */
static void update_pending(struct plic *p)
{
    p->pending = p->input & ~p->in_service & VALID_SOURCES;
}

int plic_init(struct plic *p, unsigned num_harts)
{
    memset(p, 0, sizeof(*p));
    if (num_harts == 0 || num_harts > PLIC_MAX_HARTS)
        return -1;
    p->num_contexts = 2 * num_harts;
    return 0;
}

void plic_reset(struct plic *p)
{
    memset(p->priority, 0, sizeof(p->priority));
    memset(p->enable, 0, sizeof(p->enable));
    memset(p->threshold, 0, sizeof(p->threshold));
    p->in_service = 0;
    update_pending(p);
    update_outputs(p);
}

void plic_set_input(void *ctx, unsigned src, bool level)
{
    struct plic *p = ctx;
    if (src == 0 || src >= PLIC_NUM_SOURCES)
        return;
    if (level)
        p->input |= source_bit(src);
    else
        p->input &= ~source_bit(src);
    update_pending(p);
    update_outputs(p);
}

static uint32_t claim(struct plic *p, unsigned ctx)
{
    unsigned src = best_source(p, ctx);
    if (src) {
        p->in_service |= source_bit(src);
        update_pending(p);
        update_outputs(p);
    }
    return src;
}

static void complete(struct plic *p, unsigned ctx, uint32_t id)
{
    if (id == 0 || id >= PLIC_NUM_SOURCES || !(p->enable[ctx] & source_bit(id)))
        return; /* not a source enabled for this context: ignored (PLIC spec) */
    p->in_service &= ~source_bit(id);
    update_pending(p);
    update_outputs(p);
}

static int plic_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct plic *p = opaque;
    if (size != 4 || (offset & 3))
        return -1;
    *value = 0;
    if (offset < PENDING_BASE) {
        uint64_t src = (offset - PRIORITY_BASE) / 4;
        if (src < PLIC_NUM_SOURCES)
            *value = p->priority[src];
    } else if (offset < ENABLE_BASE) {
        uint64_t word = (offset - PENDING_BASE) / 4;
        if (word < SOURCE_WORDS)
            *value = (uint32_t)(p->pending >> (32 * word));
    } else if (offset < CONTEXT_BASE) {
        uint64_t ctx = (offset - ENABLE_BASE) / ENABLE_STRIDE;
        uint64_t word = (offset - ENABLE_BASE) % ENABLE_STRIDE / 4;
        if (ctx < p->num_contexts && word < SOURCE_WORDS)
            *value = (uint32_t)(p->enable[ctx] >> (32 * word));
    } else {
        uint64_t ctx = (offset - CONTEXT_BASE) / CONTEXT_STRIDE;
        uint64_t reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
        if (ctx < p->num_contexts) {
            if (reg == 0)
                *value = p->threshold[ctx];
            else if (reg == 4)
                *value = claim(p, (unsigned)ctx);
        }
    }
    return 0;
}

static int plic_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct plic *p = opaque;
    if (size != 4 || (offset & 3))
        return -1;
    uint32_t v = (uint32_t)value;
    if (offset < PENDING_BASE) {
        uint64_t src = (offset - PRIORITY_BASE) / 4;
        if (src == 0 || src >= PLIC_NUM_SOURCES)
            return 0;
        p->priority[src] = v & PLIC_MAX_PRIORITY;
    } else if (offset < ENABLE_BASE) {
        return 0; /* pending bits are read-only */
    } else if (offset < CONTEXT_BASE) {
        uint64_t ctx = (offset - ENABLE_BASE) / ENABLE_STRIDE;
        uint64_t word = (offset - ENABLE_BASE) % ENABLE_STRIDE / 4;
        if (ctx >= p->num_contexts || word >= SOURCE_WORDS)
            return 0;
        unsigned shift = 32 * (unsigned)word;
        uint64_t e = p->enable[ctx] & ~(0xffffffffull << shift);
        p->enable[ctx] = (e | ((uint64_t)v << shift)) & VALID_SOURCES;
    } else {
        uint64_t ctx = (offset - CONTEXT_BASE) / CONTEXT_STRIDE;
        uint64_t reg = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
        if (ctx >= p->num_contexts)
            return 0;
        if (reg == 0)
            p->threshold[ctx] = v & PLIC_MAX_PRIORITY;
        else if (reg == 4)
            complete(p, (unsigned)ctx, v);
        else
            return 0;
    }
    update_outputs(p);
    return 0;
}

static const struct mmio_ops plic_ops = { .read = plic_read, .write = plic_write };

int plic_attach(struct plic *p, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, "plic", base, PLIC_SIZE, &plic_ops, p);
}

/* ---- state stream ---- */

#define PLIC_STATE_VERSION 1

void plic_save(const struct plic *p, struct state_writer *w)
{
    state_begin_section(w, "plic", PLIC_STATE_VERSION);
    state_put_u32(w, p->num_contexts);
    for (unsigned src = 0; src < PLIC_NUM_SOURCES; src++)
        state_put_u32(w, p->priority[src]);
    state_put_u64(w, p->input);
    state_put_u64(w, p->pending);
    state_put_u64(w, p->in_service);
    for (unsigned ctx = 0; ctx < p->num_contexts; ctx++) {
        state_put_u64(w, p->enable[ctx]);
        state_put_u32(w, p->threshold[ctx]);
        state_put_bool(w, p->context_out[ctx].level);
    }
    state_end_section(w);
}

int plic_load(struct plic *p, struct state_reader *r)
{
    uint32_t version = PLIC_STATE_VERSION;
    if (state_open_section(r, "plic", &version))
        return -1;
    uint32_t contexts = state_get_u32(r);
    if (contexts != p->num_contexts)
        return state_fail(r, "state for %u contexts, this PLIC has %u", contexts,
                          p->num_contexts);
    struct plic n = *p;
    for (unsigned src = 0; src < PLIC_NUM_SOURCES; src++) {
        n.priority[src] = state_get_u32(r);
        if (n.priority[src] > PLIC_MAX_PRIORITY || (src == 0 && n.priority[src]))
            return state_fail(r, "source %u: priority %u", src, n.priority[src]);
    }
    n.input = state_get_u64(r);
    n.pending = state_get_u64(r);
    n.in_service = state_get_u64(r);
    for (unsigned ctx = 0; ctx < contexts; ctx++) {
        n.enable[ctx] = state_get_u64(r);
        n.threshold[ctx] = state_get_u32(r);
        n.context_out[ctx].level = state_get_bool(r);
        if (state_reader_error(r))
            return -1;
        if ((n.enable[ctx] & ~VALID_SOURCES) || n.threshold[ctx] > PLIC_MAX_PRIORITY)
            return state_fail(r, "context %u: enables 0x%llx, threshold %u", ctx,
                              (unsigned long long)n.enable[ctx], n.threshold[ctx]);
    }
    if (state_close_section(r))
        return -1;
    if ((n.input | n.in_service) & ~VALID_SOURCES ||
        n.pending != (n.input & ~n.in_service & VALID_SOURCES))
        return state_fail(r, "pending 0x%llx does not follow input 0x%llx and in-service 0x%llx",
                          (unsigned long long)n.pending, (unsigned long long)n.input,
                          (unsigned long long)n.in_service);
    for (unsigned ctx = 0; ctx < contexts; ctx++)
        if (n.context_out[ctx].level != (best_source(&n, ctx) != 0))
            return state_fail(r, "context %u: output level %d contradicts the registers", ctx,
                              n.context_out[ctx].level);
    *p = n;
    return 0;
}
