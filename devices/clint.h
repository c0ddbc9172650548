/* clint.h — the core-local interruptor of the `virt` board (`sifive,clint0`,
 * `riscv,clint0`): per-hart software interrupt bits (msip), per-hart timer compare registers
 * (mtimecmp) and a window onto the machine timer (mtime).
 *
 * Register map:
 *   0x0000 + 4*h   msip of hart h: bit 0 only, other bits read 0 (32-bit accesses only)
 *   0x4000 + 8*h   mtimecmp of hart h (64-bit, or 32-bit halves at +0 / +4); reset all ones
 *   0xbff8         mtime (64-bit, or 32-bit halves at 0xbff8 / 0xbffc)
 * Accesses of any other size, or misaligned for their size, are access faults. Registers of
 * harts that do not exist and reserved offsets read 0 and ignore writes.
 *
 * mtime is not kept here: it is the machine's virtual clock, read and set through the host
 * callbacks (mtime() returns the time as seen by the hart making the access). Because time
 * advances without the CLINT seeing it, MTIP is re-evaluated only when asked: the VM calls
 * clint_update() whenever time may have crossed a deadline (clint_next_deadline() says when),
 * and the CLINT re-evaluates by itself after every write to mtimecmp or mtime.
 *
 * Outputs: mtip[h] = (mtime >= mtimecmp[h]), msip[h] = msip register bit 0. The VM connects
 * them to hart h's MTIP and MSIP with irq_line_connect() after clint_init(). */
#ifndef REWIND_CLINT_H
#define REWIND_CLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "vmm/bus.h"

#define CLINT_BASE 0x02000000ull
#define CLINT_SIZE 0x10000ull
#define CLINT_MAX_HARTS 8

/* What the CLINT needs from the machine (calls go through the record/replay gate). */
struct clint_host {
    uint64_t (*mtime)(void *ctx);              /* current mtime */
    void (*set_mtime)(void *ctx, uint64_t value); /* the guest wrote mtime */
    void *ctx;
};

struct clint {
    struct clint_host host;
    unsigned num_harts;
    uint32_t msip_reg[CLINT_MAX_HARTS];        /* bit 0 only */
    uint64_t mtimecmp[CLINT_MAX_HARTS];
    struct irq_line mtip[CLINT_MAX_HARTS];
    struct irq_line msip[CLINT_MAX_HARTS];
};

/* Reset state for num_harts harts (1..8); clears all wiring. Returns 0, or -1 if num_harts
 * is out of range or the host lacks an mtime callback. */
int clint_init(struct clint *c, unsigned num_harts, struct clint_host host);
/* Back to reset state (msip 0, mtimecmp all ones), keeping host and wiring; outputs are
 * driven to their new levels. */
void clint_reset(struct clint *c);
/* Map the registers at base (CLINT_SIZE bytes). Returns 0 or -1. */
int clint_attach(struct clint *c, struct bus *bus, uint64_t base);
/* Re-evaluate every hart's MTIP against the host's current mtime. */
void clint_update(struct clint *c);
/* The smallest mtimecmp among harts whose MTIP is low (as of the last evaluation), or
 * UINT64_MAX if there is none. */
uint64_t clint_next_deadline(const struct clint *c);

/* State stream, section "clint": msip, mtimecmp and the output levels of every hart. Loading
 * sets the outputs' levels without telling the receivers (their own state is loaded with
 * them); it refuses state for another number of harts. Returns 0, or -1 with the reader's
 * error set and the CLINT unchanged. */
struct state_writer;
struct state_reader;
void clint_save(const struct clint *c, struct state_writer *w);
int clint_load(struct clint *c, struct state_reader *r);

#endif
