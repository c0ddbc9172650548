/* bus.c — physical address decoding: RAM/ROM regions and MMIO dispatch. */
#include "vmm/bus.h"

#include <string.h>

void bus_init(struct bus *bus)
{
    memset(bus, 0, sizeof(*bus));
}

static bool ranges_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
    return a < b + bs && b < a + as;
}

static int bus_add(struct bus *bus, struct bus_region r)
{
    if (bus->count >= BUS_MAX_REGIONS || r.size == 0 || r.base + r.size < r.base)
        return -1;
    for (int i = 0; i < bus->count; i++) {
        const struct bus_region *o = &bus->regions[i];
        if (!ranges_overlap(o->base, o->size, r.base, r.size))
            continue;
        /* An MMIO window may overlay RAM (HTIF tohost lives in the program image). */
        bool overlay = (r.kind == BUS_MMIO) != (o->kind == BUS_MMIO);
        if (!overlay)
            return -1;
    }
    bus->regions[bus->count++] = r;
    return 0;
}

int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host)
{
    return bus_add(bus, (struct bus_region){ .kind = BUS_RAM, .base = base, .size = size,
                                             .host = host, .name = name });
}

int bus_add_rom(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host)
{
    return bus_add(bus, (struct bus_region){ .kind = BUS_ROM, .base = base, .size = size,
                                             .host = host, .name = name });
}

int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                 const struct mmio_ops *ops, void *opaque)
{
    return bus_add(bus, (struct bus_region){ .kind = BUS_MMIO, .base = base, .size = size,
                                             .ops = ops, .opaque = opaque, .name = name });
}

static bool region_contains(const struct bus_region *r, uint64_t paddr, uint64_t len)
{
    return paddr >= r->base && paddr - r->base < r->size && len <= r->size - (paddr - r->base);
}

const struct bus_region *bus_find(const struct bus *bus, uint64_t paddr)
{
    const struct bus_region *mem = NULL;
    for (int i = 0; i < bus->count; i++) {
        const struct bus_region *r = &bus->regions[i];
        if (!region_contains(r, paddr, 1))
            continue;
        if (r->kind == BUS_MMIO)
            return r;
        mem = r;
    }
    return mem;
}

bool bus_is_mmio(const struct bus *bus, uint64_t paddr)
{
    const struct bus_region *r = bus_find(bus, paddr);
    return r && r->kind == BUS_MMIO;
}

uint8_t *bus_page_host(const struct bus *bus, uint64_t page, enum bus_use use)
{
    const struct bus_region *mem = NULL;
    bool writable = use == BUS_USE_WRITE;
    for (int i = 0; i < bus->count; i++) {
        const struct bus_region *r = &bus->regions[i];
        if (r->kind == BUS_MMIO) {
            /* Instruction fetch reads the memory under a small MMIO window (HTIF's tohost
             * shares a page with program code); data accesses must see the window. */
            if (use == BUS_USE_EXEC)
                continue;
            if (ranges_overlap(r->base, r->size, page, 4096))
                return NULL;
        } else if (region_contains(r, page, 4096)) {
            mem = r;
        }
    }
    if (!mem || (writable && mem->kind == BUS_ROM))
        return NULL;
    return mem->host + (page - mem->base);
}

int bus_read(const struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value)
{
    const struct bus_region *r = bus_find(bus, paddr);
    if (!r || !region_contains(r, paddr, size))
        return -1;
    if (r->kind == BUS_MMIO)
        return r->ops->read ? r->ops->read(r->opaque, paddr - r->base, size, value) : -1;
    const uint8_t *p = r->host + (paddr - r->base);
    switch (size) {
    case 1: *value = *p; return 0;
    case 2: { uint16_t v; memcpy(&v, p, 2); *value = v; return 0; }
    case 4: { uint32_t v; memcpy(&v, p, 4); *value = v; return 0; }
    case 8: { uint64_t v; memcpy(&v, p, 8); *value = v; return 0; }
    default: return -1;
    }
}

int bus_write(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value)
{
    const struct bus_region *r = bus_find(bus, paddr);
    if (!r || !region_contains(r, paddr, size))
        return -1;
    if (r->kind == BUS_MMIO) {
        if (!r->ops->write || r->ops->write(r->opaque, paddr - r->base, size, value))
            return -1;
        if (bus->mmio_write_hook)
            bus->mmio_write_hook(bus->mmio_write_ctx, r, paddr - r->base);
        return 0;
    }
    if (r->kind == BUS_ROM)
        return -1;
    uint8_t *p = r->host + (paddr - r->base);
    switch (size) {
    case 1: *p = (uint8_t)value; break;
    case 2: { uint16_t v = (uint16_t)value; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)value; memcpy(p, &v, 4); break; }
    case 8: memcpy(p, &value, 8); break;
    default: return -1;
    }
    if (bus->ram_write_hook)
        bus->ram_write_hook(bus->ram_write_ctx, paddr, size);
    return 0;
}
