/* sbi.c — the built-in SBI implementation (see sbi.h): decodes a7/a6, validates every
 * argument, and calls the machine through struct sbi_host. */
#include "vmm/sbi.h"

enum {
    SBI_SUCCESS = 0,
    SBI_ERR_FAILED = -1,
    SBI_ERR_NOT_SUPPORTED = -2,
    SBI_ERR_INVALID_PARAM = -3,
    SBI_ERR_DENIED = -4,
    SBI_ERR_INVALID_ADDRESS = -5,
    SBI_ERR_ALREADY_AVAILABLE = -6,
    SBI_ERR_ALREADY_STARTED = -7,
    SBI_ERR_ALREADY_STOPPED = -8,
};

enum {
    EXT_LEGACY_SET_TIMER = 0x00, EXT_LEGACY_PUTCHAR = 0x01, EXT_LEGACY_GETCHAR = 0x02,
    EXT_LEGACY_CLEAR_IPI = 0x03, EXT_LEGACY_SEND_IPI = 0x04, EXT_LEGACY_FENCE_I = 0x05,
    EXT_LEGACY_SFENCE_VMA = 0x06, EXT_LEGACY_SFENCE_VMA_ASID = 0x07, EXT_LEGACY_SHUTDOWN = 0x08,
    EXT_BASE = 0x10,
    EXT_TIME = 0x54494d45,
    EXT_IPI = 0x735049,
    EXT_RFENCE = 0x52464e43,
    EXT_HSM = 0x48534d,
    EXT_SRST = 0x53525354,
    EXT_DBCN = 0x4442434e,
};

#define SBI_SPEC_VERSION ((2u << 24) | 0u) /* 2.0 */
#define REWIND_IMPL_VERSION 1
#define DBCN_MAX_BYTES 4096

enum { A0 = 10, A1, A2, A3, A4, A5, A6, A7 };

struct sbiret {
    int64_t error;
    uint64_t value;
};

static bool valid_hart(const struct sbi_host *host, uint64_t id)
{
    return id < host->num_harts;
}

/* Apply fn to each hart selected by (mask, base); base == -1 means all harts. */
static int64_t for_each_hart(const struct sbi_host *host, uint64_t mask, uint64_t base,
                             void (*fn)(const struct sbi_host *, unsigned))
{
    if (base == UINT64_MAX) {
        for (unsigned i = 0; i < host->num_harts; i++)
            fn(host, i);
        return SBI_SUCCESS;
    }
    for (unsigned bit = 0; bit < 64; bit++) {
        if (!((mask >> bit) & 1))
            continue;
        uint64_t id = base + bit;
        if (id < base || !valid_hart(host, id))
            return SBI_ERR_INVALID_PARAM;
    }
    for (unsigned bit = 0; bit < 64; bit++)
        if ((mask >> bit) & 1)
            fn(host, (unsigned)(base + bit));
    return SBI_SUCCESS;
}

static void do_ipi(const struct sbi_host *host, unsigned hart)
{
    host->send_ipi(host->ctx, hart);
}

static void do_sfence(const struct sbi_host *host, unsigned hart)
{
    host->remote_sfence(host->ctx, hart);
}

static void do_nothing(const struct sbi_host *host, unsigned hart)
{
    (void)host;
    (void)hart; /* fence.i: decoded code is always coherent with memory */
}

static bool probe(uint64_t ext)
{
    switch (ext) {
    case EXT_BASE: case EXT_TIME: case EXT_IPI: case EXT_RFENCE: case EXT_HSM: case EXT_SRST:
    case EXT_DBCN:
    case EXT_LEGACY_SET_TIMER: case EXT_LEGACY_PUTCHAR: case EXT_LEGACY_GETCHAR:
    case EXT_LEGACY_CLEAR_IPI: case EXT_LEGACY_SEND_IPI: case EXT_LEGACY_FENCE_I:
    case EXT_LEGACY_SFENCE_VMA: case EXT_LEGACY_SFENCE_VMA_ASID: case EXT_LEGACY_SHUTDOWN:
        return true;
    default:
        return false;
    }
}

static struct sbiret base_call(uint64_t fid, uint64_t arg0)
{
    switch (fid) {
    case 0: return (struct sbiret){ SBI_SUCCESS, SBI_SPEC_VERSION };
    case 1: return (struct sbiret){ SBI_SUCCESS, SBI_IMPL_ID_REWIND };
    case 2: return (struct sbiret){ SBI_SUCCESS, REWIND_IMPL_VERSION };
    case 3: return (struct sbiret){ SBI_SUCCESS, probe(arg0) ? 1 : 0 };
    case 4: case 5: case 6: return (struct sbiret){ SBI_SUCCESS, 0 }; /* mvendorid/marchid/mimpid */
    default: return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static struct sbiret hsm_call(const struct sbi_host *host, struct hart *h, uint64_t fid,
                              const uint64_t *a)
{
    switch (fid) {
    case 0: { /* hart_start(hartid, start_addr, opaque) */
        if (!valid_hart(host, a[0]))
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        if (host->hart_state(host->ctx, (unsigned)a[0]) != SBI_HART_STOPPED)
            return (struct sbiret){ SBI_ERR_ALREADY_AVAILABLE, 0 };
        if (a[1] & 1)
            return (struct sbiret){ SBI_ERR_INVALID_ADDRESS, 0 };
        host->hart_start(host->ctx, (unsigned)a[0], a[1], a[2]);
        return (struct sbiret){ SBI_SUCCESS, 0 };
    }
    case 1: /* hart_stop() */
        host->hart_stop(host->ctx, (unsigned)h->mhartid);
        return (struct sbiret){ SBI_SUCCESS, 0 };
    case 2: /* hart_get_status(hartid) */
        if (!valid_hart(host, a[0]))
            return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
        return (struct sbiret){ SBI_SUCCESS, (uint64_t)host->hart_state(host->ctx, (unsigned)a[0]) };
    case 3: /* hart_suspend(type, resume_addr, opaque): default retentive suspend = wfi */
        if ((uint32_t)a[0] == 0) {
            h->wfi = true;
            return (struct sbiret){ SBI_SUCCESS, 0 };
        }
        /* Reserved and (unimplemented) platform-specific types are invalid; only the default
         * non-retentive suspend is a real type we lack. */
        return (struct sbiret){ (uint32_t)a[0] == 0x80000000u ? SBI_ERR_NOT_SUPPORTED
                                                              : SBI_ERR_INVALID_PARAM, 0 };
    default:
        return (struct sbiret){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

/* Copy up to len bytes of guest physical memory at addr to the console. */
static struct sbiret dbcn_write(const struct sbi_host *host, uint64_t len, uint64_t addr)
{
    uint8_t chunk[256];
    uint64_t done = 0;
    if (len > DBCN_MAX_BYTES)
        len = DBCN_MAX_BYTES;
    while (done < len) {
        size_t n = len - done > sizeof(chunk) ? sizeof(chunk) : (size_t)(len - done);
        for (size_t i = 0; i < n; i++) {
            uint64_t v;
            if (bus_is_mmio(host->bus, addr + done + i) ||
                bus_read(host->bus, addr + done + i, 1, &v)) {
                if (done + i == 0)
                    return (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
                host->console_write(host->ctx, chunk, i);
                return (struct sbiret){ SBI_SUCCESS, done + i };
            }
            chunk[i] = (uint8_t)v;
        }
        host->console_write(host->ctx, chunk, n);
        done += n;
    }
    return (struct sbiret){ SBI_SUCCESS, done };
}

static struct sbiret dbcn_read(const struct sbi_host *host, uint64_t len, uint64_t addr)
{
    uint64_t done = 0;
    if (len > DBCN_MAX_BYTES)
        len = DBCN_MAX_BYTES;
    while (done < len) {
        /* check the destination before taking a byte from the console, or it would be lost */
        const struct bus_region *region = bus_find(host->bus, addr + done);
        if (!region || region->kind != BUS_RAM)
            return (struct sbiret){ done ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, done };
        int c = host->console_read(host->ctx);
        if (c < 0)
            break;
        if (bus_write(host->bus, addr + done, 1, (uint64_t)c))
            return (struct sbiret){ done ? SBI_SUCCESS : SBI_ERR_INVALID_PARAM, done };
        done++;
    }
    return (struct sbiret){ SBI_SUCCESS, done };
}

bool sbi_handle_ecall(const struct sbi_host *host, struct hart *h)
{
    if (h->priv != PRIV_S)
        return false;
    uint64_t ext = h->x[A7], fid = h->x[A6];
    const uint64_t a[6] = { h->x[A0], h->x[A1], h->x[A2], h->x[A3], h->x[A4], h->x[A5] };
    struct sbiret r = { SBI_ERR_NOT_SUPPORTED, 0 };
    unsigned self = (unsigned)h->mhartid;
    bool legacy = false;

    switch (ext) {
    case EXT_BASE: r = base_call(fid, a[0]); break;
    case EXT_TIME:
        if (fid == 0) {
            host->set_timer(host->ctx, self, a[0]);
            r = (struct sbiret){ SBI_SUCCESS, 0 };
        }
        break;
    case EXT_IPI:
        if (fid == 0)
            r = (struct sbiret){ for_each_hart(host, a[0], a[1], do_ipi), 0 };
        break;
    case EXT_RFENCE:
        switch (fid) {
        case 0: r = (struct sbiret){ for_each_hart(host, a[0], a[1], do_nothing), 0 }; break;
        case 1: case 2: r = (struct sbiret){ for_each_hart(host, a[0], a[1], do_sfence), 0 }; break;
        default: break; /* hypervisor fences: not supported */
        }
        break;
    case EXT_HSM: r = hsm_call(host, h, fid, a); break;
    case EXT_SRST:
        if (fid == 0) {
            if (a[0] > 2 || (a[1] > 1 && a[1] < 0xf0000000u)) {
                r = (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 };
                break;
            }
            host->system_reset(host->ctx, (uint32_t)a[0], (uint32_t)a[1]);
            r = (struct sbiret){ SBI_SUCCESS, 0 };
        }
        break;
    case EXT_DBCN:
        switch (fid) {
        /* a2 = base_addr_hi, the upper XLEN bits of the address: nonzero is beyond memory */
        case 0:
            r = a[2] ? (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 } : dbcn_write(host, a[0], a[1]);
            break;
        case 1:
            r = a[2] ? (struct sbiret){ SBI_ERR_INVALID_PARAM, 0 } : dbcn_read(host, a[0], a[1]);
            break;
        case 2: {
            uint8_t b = (uint8_t)a[0];
            host->console_write(host->ctx, &b, 1);
            r = (struct sbiret){ SBI_SUCCESS, 0 };
            break;
        }
        default: break;
        }
        break;
    /* Legacy extensions (v0.1): one return value in a0. */
    case EXT_LEGACY_SET_TIMER:
        host->set_timer(host->ctx, self, a[0]);
        legacy = true;
        r.error = 0;
        break;
    case EXT_LEGACY_PUTCHAR: {
        uint8_t b = (uint8_t)a[0];
        host->console_write(host->ctx, &b, 1);
        legacy = true;
        r.error = 0;
        break;
    }
    case EXT_LEGACY_GETCHAR:
        legacy = true;
        r.error = host->console_read(host->ctx);
        break;
    case EXT_LEGACY_CLEAR_IPI:
        hart_set_sw_irq(h, MIP_SSIP, false);
        legacy = true;
        r.error = 0;
        break;
    case EXT_LEGACY_SEND_IPI:
    case EXT_LEGACY_FENCE_I:
    case EXT_LEGACY_SFENCE_VMA:
    case EXT_LEGACY_SFENCE_VMA_ASID: {
        /* a0 is the address of a hart mask in guest memory (physical with satp off, else
         * virtual: read it as the hart's data accesses would). */
        uint64_t mask = 0;
        int64_t rc = SBI_SUCCESS;
        if (a[0] && hart_vread(h, a[0], &mask, sizeof(mask)))
            rc = SBI_ERR_INVALID_ADDRESS;
        if (rc == SBI_SUCCESS) {
            void (*fn)(const struct sbi_host *, unsigned) =
                ext == EXT_LEGACY_SEND_IPI ? do_ipi
                : ext == EXT_LEGACY_FENCE_I ? do_nothing : do_sfence;
            rc = for_each_hart(host, mask, a[0] ? 0 : UINT64_MAX, fn);
        }
        legacy = true;
        r.error = rc;
        break;
    }
    case EXT_LEGACY_SHUTDOWN:
        host->system_reset(host->ctx, 0, 0);
        legacy = true;
        r.error = 0;
        break;
    default:
        break;
    }
    h->x[A0] = (uint64_t)r.error;
    if (!legacy)
        h->x[A1] = r.value;
    return true;
}
