/* syscon.h — the `sifive,test0` finisher of the `virt` board (also driven by Linux's
 * syscon-poweroff / syscon-reboot): a write at offset 0 whose low 16 bits are
 *   0x5555  powers off, exit code 0 (pass)
 *   0x3333  powers off, exit code = bits 31..16 of the value (fail; as in QEMU the code is
 *           passed on as written, even 0)
 *   0x7777  reboots
 * Other values and offsets are ignored; reads return 0. Accesses are 2 or 4 bytes (as
 * QEMU's sifive_test accepts); 1- and 8-byte accesses are access faults. */
#ifndef REWIND_SYSCON_H
#define REWIND_SYSCON_H

#include <stdint.h>

#include "vmm/bus.h"

#define SYSCON_BASE 0x00100000ull
#define SYSCON_SIZE 0x1000ull

#define SYSCON_PASS 0x5555u
#define SYSCON_FAIL 0x3333u
#define SYSCON_RESET 0x7777u

/* What the finisher asks of the machine. Either callback may be NULL (then ignored). */
struct syscon_host {
    void (*poweroff)(void *ctx, int exit_code);
    void (*reboot)(void *ctx);
    void *ctx;
};

struct syscon {
    struct syscon_host host;
};

void syscon_init(struct syscon *s, struct syscon_host host);
/* Map the register at base (SYSCON_SIZE bytes). Returns 0 or -1. */
int syscon_attach(struct syscon *s, struct bus *bus, uint64_t base);

/* State stream, section "syscon": the finisher has no state of its own; the (empty) section
 * keeps the place for a later version. Returns 0, or -1 with the reader's error set. */
struct state_writer;
struct state_reader;
void syscon_save(const struct syscon *s, struct state_writer *w);
int syscon_load(struct syscon *s, struct state_reader *r);

#endif
