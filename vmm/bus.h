/* bus.h — the physical address space: RAM/ROM regions backed by host memory and MMIO
 * regions served by device callbacks (TinyEMU style). The hart's TLB caches only pages
 * that are plain RAM; everything else goes through bus_read/bus_write. */
#ifndef REWIND_BUS_H
#define REWIND_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUS_MAX_REGIONS 64

/* MMIO callbacks: offset is relative to the region base, size is 1, 2, 4 or 8.
 * Return 0 on success, nonzero for an access fault. */
struct mmio_ops {
    int (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *value);
    int (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

enum bus_region_kind { BUS_RAM, BUS_ROM, BUS_MMIO };

struct bus_region {
    enum bus_region_kind kind;
    uint64_t base, size;
    uint8_t *host;                  /* RAM/ROM backing */
    const struct mmio_ops *ops;     /* MMIO */
    void *opaque;
    const char *name;
};

/* Called after a write through the bus changes RAM, so decoded code can be invalidated. */
typedef void (*bus_ram_write_hook)(void *ctx, uint64_t paddr, uint64_t len);

/* Called after every successful write to an MMIO region (the machine uses it to notice that
 * a device's timing may have changed). */
typedef void (*bus_mmio_write_hook)(void *ctx, const struct bus_region *region, uint64_t offset);

struct bus {
    struct bus_region regions[BUS_MAX_REGIONS];
    int count;
    bus_ram_write_hook ram_write_hook;
    void *ram_write_ctx;
    bus_mmio_write_hook mmio_write_hook;
    void *mmio_write_ctx;
};

void bus_init(struct bus *bus);
/* Regions may not overlap, except that an MMIO region may sit inside RAM (it wins). */
int bus_add_ram(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host);
int bus_add_rom(struct bus *bus, const char *name, uint64_t base, uint64_t size, uint8_t *host);
int bus_add_mmio(struct bus *bus, const char *name, uint64_t base, uint64_t size,
                 const struct mmio_ops *ops, void *opaque);

/* The region holding paddr (MMIO first), or NULL. */
const struct bus_region *bus_find(const struct bus *bus, uint64_t paddr);
/* Host pointer to the 4 KiB page at page-aligned paddr if the whole page is RAM (or ROM when
 * not writing) with no MMIO window inside it; otherwise NULL. */
enum bus_use { BUS_USE_READ, BUS_USE_WRITE, BUS_USE_EXEC };
uint8_t *bus_page_host(const struct bus *bus, uint64_t page_paddr, enum bus_use use);

/* Physical accesses of size 1/2/4/8 that do not cross a region. Return 0 or -1 (fault). */
int bus_read(const struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value);
int bus_write(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value);
/* True if paddr is backed by an MMIO region (accesses have side effects). */
bool bus_is_mmio(const struct bus *bus, uint64_t paddr);

#endif
