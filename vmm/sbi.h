/* sbi.h — the built-in SBI: rewind answers S-mode ecalls itself (Base, TIME, IPI, RFENCE,
 * HSM, SRST, DBCN and the legacy extensions), so a Linux kernel boots without firmware. */
#ifndef REWIND_SBI_H
#define REWIND_SBI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/hart.h"

enum sbi_hart_state {
    SBI_HART_STARTED = 0,
    SBI_HART_STOPPED = 1,
    SBI_HART_START_PENDING = 2,
    SBI_HART_STOP_PENDING = 3,
    SBI_HART_SUSPENDED = 4,
};

/* What the SBI needs from the machine. */
struct sbi_host {
    unsigned num_harts;
    struct hart *(*hart)(void *ctx, unsigned id);
    void (*set_timer)(void *ctx, unsigned hart, uint64_t stime_value);
    void (*send_ipi)(void *ctx, unsigned hart);
    void (*remote_sfence)(void *ctx, unsigned hart);
    void (*console_write)(void *ctx, const uint8_t *bytes, size_t len);
    int (*console_read)(void *ctx);       /* a byte, or -1 when none is waiting */
    enum sbi_hart_state (*hart_state)(void *ctx, unsigned hart);
    /* Start a stopped hart in S-mode at addr with a0 = hartid, a1 = opaque. */
    void (*hart_start)(void *ctx, unsigned hart, uint64_t addr, uint64_t opaque);
    void (*hart_stop)(void *ctx, unsigned hart);
    void (*system_reset)(void *ctx, uint32_t type, uint32_t reason);
    struct bus *bus;
    void *ctx;
};

/* Handle an ecall made by h. Returns false for ecalls that are not SBI calls (not from
 * S-mode): those trap as usual. */
bool sbi_handle_ecall(const struct sbi_host *host, struct hart *h);

/* The implementation ID rewind reports (sbi_get_impl_id). */
#define SBI_IMPL_ID_REWIND 0x7277u

#endif
