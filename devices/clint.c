/* clint.c — CLINT registers and timer-interrupt evaluation (see clint.h). */
#include "devices/clint.h"

#include <string.h>

#include "vmm/state.h"

#define MSIP_BASE 0x0000u
#define MTIMECMP_BASE 0x4000u
#define MTIME_OFFSET 0xbff8u

int clint_init(struct clint *c, unsigned num_harts, struct clint_host host)
{
    memset(c, 0, sizeof(*c));
    if (num_harts == 0 || num_harts > CLINT_MAX_HARTS || !host.mtime)
        return -1;
    c->host = host;
    c->num_harts = num_harts;
    for (unsigned h = 0; h < CLINT_MAX_HARTS; h++)
        c->mtimecmp[h] = UINT64_MAX;
    return 0;
}

void clint_reset(struct clint *c)
{
    for (unsigned h = 0; h < CLINT_MAX_HARTS; h++) {
        c->msip_reg[h] = 0;
        c->mtimecmp[h] = UINT64_MAX;
    }
    for (unsigned h = 0; h < c->num_harts; h++)
        irq_line_set(&c->msip[h], false);
    clint_update(c);
}

void clint_update(struct clint *c)
{
    uint64_t now = c->host.mtime(c->host.ctx);
    for (unsigned h = 0; h < c->num_harts; h++)
        irq_line_set(&c->mtip[h], now >= c->mtimecmp[h]);
}

uint64_t clint_next_deadline(const struct clint *c)
{
    uint64_t next = UINT64_MAX;
    for (unsigned h = 0; h < c->num_harts; h++)
        if (!c->mtip[h].level && c->mtimecmp[h] < next)
            next = c->mtimecmp[h];
    return next;
}

/* Locate the 64-bit register at offset and check the access shape: 8 bytes aligned to 8, or
 * 4 bytes aligned to 4 (one half). On success *reg_offset is the register's offset and
 * *shift the bit position of the accessed part. */
static bool split_wide(uint64_t offset, unsigned size, uint64_t *reg_offset, unsigned *shift)
{
    if (size == 8 && !(offset & 7)) {
        *reg_offset = offset;
        *shift = 0;
        return true;
    }
    if (size == 4 && !(offset & 3)) {
        *reg_offset = offset & ~7ull;
        *shift = (unsigned)(offset & 4) * 8;
        return true;
    }
    return false;
}

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? UINT64_MAX : 0xffffffffull;
}

static uint64_t merge(uint64_t old, uint64_t value, unsigned size, unsigned shift)
{
    uint64_t mask = size_mask(size) << shift;
    return (old & ~mask) | ((value << shift) & mask);
}

static int clint_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct clint *c = opaque;
    *value = 0;
    if (offset < MTIMECMP_BASE) {
        if (size != 4 || (offset & 3))
            return -1;
        uint64_t h = (offset - MSIP_BASE) / 4;
        if (h < c->num_harts)
            *value = c->msip_reg[h];
        return 0;
    }
    uint64_t reg;
    unsigned shift;
    if (!split_wide(offset, size, &reg, &shift))
        return -1;
    uint64_t full = 0;
    if (reg == MTIME_OFFSET) {
        full = c->host.mtime(c->host.ctx);
    } else if (reg < MTIME_OFFSET) {
        uint64_t h = (reg - MTIMECMP_BASE) / 8;
        if (h < c->num_harts)
            full = c->mtimecmp[h];
    }
    *value = (full >> shift) & size_mask(size);
    return 0;
}

static int clint_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct clint *c = opaque;
    if (offset < MTIMECMP_BASE) {
        if (size != 4 || (offset & 3))
            return -1;
        uint64_t h = (offset - MSIP_BASE) / 4;
        if (h < c->num_harts) {
            c->msip_reg[h] = (uint32_t)value & 1;
            irq_line_set(&c->msip[h], c->msip_reg[h] != 0);
        }
        return 0;
    }
    uint64_t reg;
    unsigned shift;
    if (!split_wide(offset, size, &reg, &shift))
        return -1;
    if (reg == MTIME_OFFSET) {
        uint64_t now = c->host.mtime(c->host.ctx);
        if (c->host.set_mtime)
            c->host.set_mtime(c->host.ctx, merge(now, value, size, shift));
        clint_update(c);
    } else if (reg < MTIME_OFFSET) {
        uint64_t h = (reg - MTIMECMP_BASE) / 8;
        if (h < c->num_harts) {
            c->mtimecmp[h] = merge(c->mtimecmp[h], value, size, shift);
            clint_update(c);
        }
    }
    return 0;
}

static const struct mmio_ops clint_ops = { .read = clint_read, .write = clint_write };

int clint_attach(struct clint *c, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, "clint", base, CLINT_SIZE, &clint_ops, c);
}

/* ---- state stream ---- */

#define CLINT_STATE_VERSION 1

void clint_save(const struct clint *c, struct state_writer *w)
{
    state_begin_section(w, "clint", CLINT_STATE_VERSION);
    state_put_u32(w, c->num_harts);
    for (unsigned h = 0; h < c->num_harts; h++) {
        state_put_u32(w, c->msip_reg[h]);
        state_put_u64(w, c->mtimecmp[h]);
        state_put_bool(w, c->mtip[h].level);
        state_put_bool(w, c->msip[h].level);
    }
    state_end_section(w);
}

int clint_load(struct clint *c, struct state_reader *r)
{
    uint32_t version = CLINT_STATE_VERSION;
    if (state_open_section(r, "clint", &version))
        return -1;
    uint32_t harts = state_get_u32(r);
    if (harts != c->num_harts)
        return state_fail(r, "state for %u harts, this CLINT has %u", harts, c->num_harts);
    uint32_t msip[CLINT_MAX_HARTS];
    uint64_t mtimecmp[CLINT_MAX_HARTS];
    bool mtip_level[CLINT_MAX_HARTS], msip_level[CLINT_MAX_HARTS];
    for (unsigned h = 0; h < harts; h++) {
        msip[h] = state_get_u32(r);
        mtimecmp[h] = state_get_u64(r);
        mtip_level[h] = state_get_bool(r);
        msip_level[h] = state_get_bool(r);
        if (!state_reader_error(r) && (msip[h] > 1 || msip_level[h] != (msip[h] != 0)))
            return state_fail(r, "hart %u: msip %u with output level %d", h, msip[h],
                              msip_level[h]);
    }
    if (state_close_section(r))
        return -1;
    for (unsigned h = 0; h < harts; h++) {
        c->msip_reg[h] = msip[h];
        c->mtimecmp[h] = mtimecmp[h];
        c->mtip[h].level = mtip_level[h];
        c->msip[h].level = msip_level[h];
    }
    return 0;
}
