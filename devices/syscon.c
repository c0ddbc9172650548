/* syscon.c — the sifive,test0 poweroff/reboot register (see syscon.h). */
#include "devices/syscon.h"

#include <string.h>

#include "vmm/state.h"

static bool valid_size(unsigned size, uint64_t offset)
{
    return (size == 2 || size == 4) && !(offset & (size - 1));
}

static int syscon_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)opaque;
    if (!valid_size(size, offset))
        return -1;
    *value = 0;
    return 0;
}

static int syscon_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct syscon *s = opaque;
    if (!valid_size(size, offset))
        return -1;
    if (offset != 0)
        return 0;
    uint32_t status = (uint32_t)value & 0xffff;
    int code = (int)(((uint32_t)value >> 16) & 0xffff);
    switch (status) {
    case SYSCON_PASS:
        if (s->host.poweroff)
            s->host.poweroff(s->host.ctx, 0);
        break;
    case SYSCON_FAIL:
        if (s->host.poweroff)
            s->host.poweroff(s->host.ctx, code);
        break;
    case SYSCON_RESET:
        if (s->host.reboot)
            s->host.reboot(s->host.ctx);
        break;
    default:
        break;
    }
    return 0;
}

static const struct mmio_ops syscon_ops = { .read = syscon_read, .write = syscon_write };

void syscon_init(struct syscon *s, struct syscon_host host)
{
    memset(s, 0, sizeof(*s));
    s->host = host;
}

int syscon_attach(struct syscon *s, struct bus *bus, uint64_t base)
{
    return bus_add_mmio(bus, "syscon", base, SYSCON_SIZE, &syscon_ops, s);
}

/* ---- state stream ---- */

#define SYSCON_STATE_VERSION 1

void syscon_save(const struct syscon *s, struct state_writer *w)
{
    (void)s;
    state_begin_section(w, "syscon", SYSCON_STATE_VERSION);
    state_end_section(w);
}

int syscon_load(struct syscon *s, struct state_reader *r)
{
    (void)s;
    uint32_t version = SYSCON_STATE_VERSION;
    if (state_open_section(r, "syscon", &version))
        return -1;
    return state_close_section(r);
}
