/* htif.h — the Host-Target Interface of Spike and the RISC-V test suites: two 64-bit words,
 * `tohost` and `fromhost`, found by symbol in the guest program. Supports exit
 * ((code << 1) | 1), console putchar (device 1, command 1) and the proxied write/exit system
 * calls (device 0, command 0, payload = address of a 64-byte request). */
#ifndef REWIND_HTIF_H
#define REWIND_HTIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bus.h"

/* What HTIF needs from the machine. The device never touches host files itself. */
struct htif_host {
    void (*console_write)(void *ctx, const uint8_t *bytes, size_t len);
    void (*exit)(void *ctx, uint64_t code);
    void *ctx;
};

struct htif {
    struct bus *bus;
    struct htif_host host;
    uint64_t tohost_addr, fromhost_addr;
    uint64_t tohost, fromhost;
    bool exited;
    uint64_t exit_code;
};

/* Map tohost (and fromhost, if has_fromhost) onto the bus. Returns 0 or -1. */
int htif_attach(struct htif *h, struct bus *bus, uint64_t tohost, bool has_fromhost,
                uint64_t fromhost, struct htif_host host);

/* State stream, section "htif": the tohost/fromhost words and the exit status. Loading
 * refuses state of a program whose tohost/fromhost sit elsewhere. Returns 0, or -1 with the
 * reader's error set and the device unchanged. */
struct state_writer;
struct state_reader;
void htif_save(const struct htif *h, struct state_writer *w);
int htif_load(struct htif *h, struct state_reader *r);

#endif
