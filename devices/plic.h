/* plic.h — the platform-level interrupt controller of the `virt` board (`sifive,plic-1.0.0`,
 * `riscv,plic0`): sources 1..63 with level-triggered gateways, 3-bit priorities, and two
 * contexts per hart (2h = M-mode, 2h+1 = S-mode) for up to 8 harts.
 *
 * Register map (all registers are 32 bits; any other access size or a misaligned offset is
 * an access fault; reserved or absent registers read 0 and ignore writes):
 *   0x000000 + 4*src          priority of source src (0..7; source 0 is hardwired 0)
 *   0x001000 + 4*w            pending bits of sources 32w..32w+31 (read-only)
 *   0x002000 + 0x80*ctx + 4*w enable bits of context ctx (bit 0 of word 0 hardwired 0)
 *   0x200000 + 0x1000*ctx     priority threshold of context ctx (0..7)
 *   0x200004 + 0x1000*ctx     claim (read) / complete (write) of context ctx
 *
 * Gateways: a source whose input is high and that is not in service is pending; when its
 * input goes low before it is claimed, the pending bit drops too (as QEMU's `virt` PLIC does).
 * A claim returns the enabled pending source of highest priority above the threshold (ties
 * go to the lowest id; 0 if there is none), clears its pending bit and puts it in service.
 * A completion of an id enabled for that context ends the service; if the input is still
 * high the source is pending again at once. Completions of other ids are ignored.
 *
 * Output: context_out[ctx] is high iff some pending source enabled for ctx has a priority
 * above ctx's threshold. The VM connects these lines to its harts' MEIP (even contexts) and
 * SEIP (odd contexts) with irq_line_connect() after plic_init(). */
#ifndef REWIND_PLIC_H
#define REWIND_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/irq.h"
#include "vmm/bus.h"

#define PLIC_BASE 0x0c000000ull
#define PLIC_SIZE 0x600000ull
#define PLIC_NUM_SOURCES 64     /* ids 0..63; 0 is reserved */
#define PLIC_MAX_HARTS 8
#define PLIC_MAX_CONTEXTS (2 * PLIC_MAX_HARTS)
#define PLIC_MAX_PRIORITY 7

struct plic {
    unsigned num_contexts;                  /* 2 * number of harts */
    uint32_t priority[PLIC_NUM_SOURCES];    /* priority[0] stays 0 */
    uint64_t input;                         /* input levels, bit per source */
    uint64_t pending;                       /* pending bits (input && !in service) */
    uint64_t in_service;                    /* claimed and not yet completed */
    uint64_t enable[PLIC_MAX_CONTEXTS];
    uint32_t threshold[PLIC_MAX_CONTEXTS];
    struct irq_line context_out[PLIC_MAX_CONTEXTS];
};

/* Reset state for num_harts harts (1..8); clears all wiring. Returns 0, or -1 if num_harts
 * is out of range. */
int plic_init(struct plic *p, unsigned num_harts);
/* Back to reset state, keeping the number of harts, the input levels and the wiring;
 * outputs are driven to their new levels. */
void plic_reset(struct plic *p);
/* Map the register file at base (PLIC_SIZE bytes). Returns 0 or -1. */
int plic_attach(struct plic *p, struct bus *bus, uint64_t base);
/* Drive input src (1..63; others are ignored). Usable as an irq_line callback with
 * ctx = the plic. */
void plic_set_input(void *ctx, unsigned src, bool level);

/* State stream, section "plic": priorities, input levels, pending and in-service bits, and
 * each context's enables, threshold and output level. Loading sets the outputs' levels
 * without telling the receivers; it refuses state for another number of contexts. Returns
 * 0, or -1 with the reader's error set and the PLIC unchanged. */
struct state_writer;
struct state_reader;
void plic_save(const struct plic *p, struct state_writer *w);
int plic_load(struct plic *p, struct state_reader *r);

#endif
