/* pmp.c — physical memory protection: 16 entries, OFF/TOR/NA4/NAPOT, locking, and the
 * page-granular verdict that lets the TLB cache a page only when PMP treats it uniformly. */
#include "vmm/cpu/mmu.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_L 0x80

enum { PMP_OFF = 0, PMP_TOR = 1, PMP_NA4 = 2, PMP_NAPOT = 3 };

/* The byte range [lo, hi) of entry i; false if the entry is off or empty. */
static bool pmp_range(const struct hart *h, int i, uint64_t *lo, uint64_t *hi)
{
    uint8_t cfg = h->pmpcfg[i];
    switch ((cfg >> PMP_A_SHIFT) & 3) {
    case PMP_TOR:
        *lo = i == 0 ? 0 : h->pmpaddr[i - 1] << 2;
        *hi = h->pmpaddr[i] << 2;
        return *lo < *hi;
    case PMP_NA4:
        *lo = h->pmpaddr[i] << 2;
        *hi = *lo + 4;
        return true;
    case PMP_NAPOT: {
        uint64_t a = h->pmpaddr[i];
        unsigned ones = (unsigned)__builtin_ctzll(~a); /* a is at most 54 bits wide */
        *lo = (a & ~((1ull << ones) - 1)) << 2;
        *hi = *lo + (1ull << (ones + 3));
        return true;
    }
    default:
        return false;
    }
}

static bool pmp_grants(uint8_t cfg, enum tlb_access access, int mode)
{
    if (mode == PRIV_M && !(cfg & PMP_L))
        return true;
    switch (access) {
    case TLB_READ: return cfg & PMP_R;
    case TLB_WRITE: return cfg & PMP_W;
    default: return cfg & PMP_X;
    }
}

bool pmp_allows(const struct hart *h, uint64_t paddr, uint64_t len, enum tlb_access access,
                int mode)
{
    uint64_t end = paddr + len;
    for (int i = 0; i < HART_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (!pmp_range(h, i, &lo, &hi) || end <= lo || paddr >= hi)
            continue;
        if (paddr < lo || end > hi)
            return false; /* only part of the access matches: it fails */
        return pmp_grants(h->pmpcfg[i], access, mode);
    }
    /* No entry matches: M-mode is allowed; S and U fail because entries are implemented. */
    return mode == PRIV_M;
}

bool pmp_page_uniform(const struct hart *h, uint64_t page, enum tlb_access access, int mode,
                      bool *allowed)
{
    for (int i = 0; i < HART_PMP_ENTRIES; i++) {
        uint64_t lo, hi;
        if (!pmp_range(h, i, &lo, &hi) || page + 4096 <= lo || page >= hi)
            continue;
        /* The first entry touching the page decides for all of it only if it covers it. */
        if (page < lo || page + 4096 > hi)
            return false;
        *allowed = pmp_grants(h->pmpcfg[i], access, mode);
        return true;
    }
    *allowed = mode == PRIV_M;
    return true;
}
