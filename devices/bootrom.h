/* bootrom.h — the reset ROM at 0x1000: puts the hart id in a0, the device tree address in a1
 * and the address of an OpenSBI `fw_dynamic` info block in a2, then jumps to the firmware
 * (or kernel). */
#ifndef REWIND_BOOTROM_H
#define REWIND_BOOTROM_H

#include <stdint.h>

#include "vmm/bus.h"

#define BOOTROM_BYTES 0x1000

/* fw_dynamic next_mode values */
enum bootrom_next_mode { BOOTROM_NEXT_U = 0, BOOTROM_NEXT_S = 1, BOOTROM_NEXT_M = 3 };

struct bootrom {
    uint8_t image[BOOTROM_BYTES];
};

/* Fill the ROM: jump to `start` with a1 = fdt; fw_dynamic says the next stage is at
 * next_addr in next_mode. */
void bootrom_build(struct bootrom *rom, uint64_t start, uint64_t fdt, uint64_t next_addr,
                   enum bootrom_next_mode next_mode);
int bootrom_attach(struct bootrom *rom, struct bus *bus, uint64_t base);

/* State stream, section "bootrom": the image bytes (they depend on what was booted).
 * Returns 0, or -1 with the reader's error set and the ROM unchanged. */
struct state_writer;
struct state_reader;
void bootrom_save(const struct bootrom *rom, struct state_writer *w);
int bootrom_load(struct bootrom *rom, struct state_reader *r);

#endif
