/* mmu.c — Sv39/Sv48 page walks with hardware A/D updates, the software TLB (fill and flush),
 * and the slow paths of loads, stores, AMOs and instruction fetch. */
#include "vmm/cpu/mmu.h"

#include <string.h>

#include "vmm/cpu/code_cache.h"

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_MASK ((1ull << 44) - 1)

#define SATP_MODE_BARE 0
#define SATP_MODE_SV39 8
#define SATP_MODE_SV48 9

static uint32_t page_fault_cause(enum tlb_access access)
{
    return access == TLB_EXEC ? EXC_INSN_PAGE_FAULT
         : access == TLB_WRITE ? EXC_STORE_PAGE_FAULT : EXC_LOAD_PAGE_FAULT;
}

static uint32_t access_fault_cause(enum tlb_access access)
{
    return access == TLB_EXEC ? EXC_INSN_ACCESS
         : access == TLB_WRITE ? EXC_STORE_ACCESS : EXC_LOAD_ACCESS;
}

static int walk(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                uint64_t *paddr, bool side_effects)
{
    unsigned satp_mode = (unsigned)(h->satp >> 60);
    if (mode == PRIV_M || satp_mode == SATP_MODE_BARE) {
        *paddr = vaddr;
        return 0;
    }
    int levels = satp_mode == SATP_MODE_SV39 ? 3 : 4;
    unsigned va_bits = 12 + 9 * (unsigned)levels;
    if ((uint64_t)((int64_t)(vaddr << (64 - va_bits)) >> (64 - va_bits)) != vaddr)
        return (int)page_fault_cause(access);

    uint64_t table = (h->satp & PTE_PPN_MASK) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        uint64_t pte_addr = table + ((vaddr >> (12 + 9 * level)) & 0x1ff) * 8;
        uint8_t *page = bus_page_host(h->bus, pte_addr & ~0xfffull, BUS_USE_READ);
        if (!page || !pmp_allows(h, pte_addr, 8, TLB_READ, PRIV_S))
            return (int)access_fault_cause(access);
        uint64_t pte;
        memcpy(&pte, page + (pte_addr & 0xfff), 8);
        if (side_effects)
            code_cache_mark_page(h->code, pte_addr, PAGE_HAS_PTE);

        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte >> 54))
            return (int)page_fault_cause(access);
        if (!(pte & (PTE_R | PTE_X))) {
            table = ((pte >> 10) & PTE_PPN_MASK) << 12;
            continue;
        }
        /* Leaf: permission checks. */
        if (mode == PRIV_U && !(pte & PTE_U))
            return (int)page_fault_cause(access);
        if (mode == PRIV_S && (pte & PTE_U) &&
            (access == TLB_EXEC || !(h->mstatus & MSTATUS_SUM)))
            return (int)page_fault_cause(access);
        bool ok = access == TLB_EXEC ? (pte & PTE_X)
                : access == TLB_WRITE ? (pte & PTE_W)
                : ((pte & PTE_R) || ((h->mstatus & MSTATUS_MXR) && (pte & PTE_X)));
        if (!ok)
            return (int)page_fault_cause(access);
        uint64_t ppn = (pte >> 10) & PTE_PPN_MASK;
        uint64_t low_mask = (1ull << (9 * level)) - 1;
        if (ppn & low_mask)
            return (int)page_fault_cause(access); /* misaligned superpage */
        /* Hardware A/D update. The walker's own update changes no permission, so the TLB
         * entries derived from this PTE stay valid and no flush is needed. */
        uint64_t want = PTE_A | (access == TLB_WRITE ? PTE_D : 0);
        if ((pte & want) != want && side_effects) {
            uint8_t *wpage = bus_page_host(h->bus, pte_addr & ~0xfffull, BUS_USE_WRITE);
            if (!wpage || !pmp_allows(h, pte_addr, 8, TLB_WRITE, PRIV_S))
                return (int)access_fault_cause(access);
            pte |= want;
            memcpy(wpage + (pte_addr & 0xfff), &pte, 8);
            code_cache_mark_dirty(h->code, pte_addr);
        }
        uint64_t off_mask = (1ull << (12 + 9 * level)) - 1;
        *paddr = ((ppn << 12) & ~off_mask) | (vaddr & off_mask);
        return 0;
    }
    return (int)page_fault_cause(access);
}

int mmu_translate(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                  uint64_t *paddr)
{
    return walk(h, vaddr, access, mode, paddr, true);
}

int mmu_translate_quiet(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                        uint64_t *paddr)
{
    return walk(h, vaddr, access, mode, paddr, false);
}

/* --- TLB --- */

void hart_tlb_flush(struct hart *h)
{
    memset(h->tlb, 0xff, sizeof(h->tlb));
    if (++h->tlb_epoch == 0)
        memset(h->jcache, 0, sizeof(h->jcache)); /* never confuse a wrapped epoch */
}

void hart_tlb_flush_data(struct hart *h)
{
    memset(h->tlb[PRIV_S][TLB_READ], 0xff, sizeof(h->tlb[PRIV_S][TLB_READ]));
    memset(h->tlb[PRIV_S][TLB_WRITE], 0xff, sizeof(h->tlb[PRIV_S][TLB_WRITE]));
    memset(h->tlb[PRIV_U][TLB_READ], 0xff, sizeof(h->tlb[PRIV_U][TLB_READ]));
    memset(h->tlb[PRIV_U][TLB_WRITE], 0xff, sizeof(h->tlb[PRIV_U][TLB_WRITE]));
}

void hart_tlb_flush_writes(struct hart *h)
{
    for (int m = 0; m < 4; m++)
        memset(h->tlb[m][TLB_WRITE], 0xff, sizeof(h->tlb[m][TLB_WRITE]));
}

void hart_tlb_flush_ppage(struct hart *h, uint64_t ppage, int access)
{
    if (access == TLB_EXEC && ++h->tlb_epoch == 0)
        memset(h->jcache, 0, sizeof(h->jcache));
    for (int m = 0; m < 4; m++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            struct tlb_entry *e = &h->tlb[m][access][i];
            if (e->vpage != UINT64_MAX && e->ppage == ppage)
                e->vpage = UINT64_MAX;
        }
}

/* Does the virtual page of vaddr overlap a range watched for this kind of access? */
static bool page_watched(const struct hart *h, uint64_t vaddr, enum tlb_access access)
{
    uint64_t start = vaddr & ~0xfffull;
    unsigned kind = access == TLB_WRITE ? HART_WATCH_WRITE : HART_WATCH_READ;
    for (int i = 0; i < h->watch_count; i++) {
        const struct hart_watch *w = &h->watches[i];
        if ((w->type & kind) && w->addr <= start + 0xfff && start <= w->addr + (w->len - 1))
            return true;
    }
    return false;
}

/* Translate and, when the page is plain RAM that PMP treats uniformly (and, for writes,
 * holds neither decoded code nor page tables), cache it in the TLB. Returns 0 or a cause;
 * *host is the host address of paddr when the page is RAM/ROM accessible as a whole. */
static int translate_and_fill(struct hart *h, uint64_t vaddr, enum tlb_access access, int mode,
                              uint64_t *paddr, uint8_t **host)
{
    int cause = mmu_translate(h, vaddr, access, mode, paddr);
    if (cause)
        return cause;
    *host = NULL;
    uint64_t page = *paddr & ~0xfffull;
    if (access == TLB_WRITE)
        code_cache_mark_dirty(h->code, page); /* writes follow: checkpoints must see the page */
    uint8_t *page_host = bus_page_host(h->bus, page,
                                       access == TLB_WRITE ? BUS_USE_WRITE
                                       : access == TLB_EXEC ? BUS_USE_EXEC : BUS_USE_READ);
    bool allowed;
    if (page_host && pmp_page_uniform(h, page, access, mode, &allowed)) {
        if (!allowed)
            return (int)access_fault_cause(access);
        *host = page_host + (*paddr & 0xfff);
        /* Loads and stores on a page holding a watched range take this slow path (where
         * they are seen); other pages stay in the TLB. */
        if ((access == TLB_EXEC || !page_watched(h, vaddr, access)) &&
            (access != TLB_WRITE || !code_cache_page_guarded(h->code, page))) {
            if (access == TLB_WRITE)
                code_cache_note_write_tlb(h->code, page);
            struct tlb_entry *e = &h->tlb[mode][access][(vaddr >> 12) & (TLB_SIZE - 1)];
            e->vpage = vaddr >> 12;
            e->addend = (uintptr_t)page_host - (vaddr & ~0xfffull);
            e->ppage = page >> 12;
        }
    }
    return 0;
}

/* Note a watched access; the hart stops after the instruction. */
static void check_watch(struct hart *h, uint64_t vaddr, unsigned size, bool write)
{
    for (int i = 0; i < h->watch_count; i++) {
        const struct hart_watch *w = &h->watches[i];
        bool kind = write ? (w->type & HART_WATCH_WRITE) : (w->type & HART_WATCH_READ);
        if (kind && vaddr < w->addr + w->len && w->addr < vaddr + size) {
            h->watch_hit = true;
            h->watch_hit_addr = w->addr;
            h->watch_hit_type = w->type;
            h->stop_requested = true;
            return;
        }
    }
}

int hart_watch_add(struct hart *h, uint64_t addr, uint64_t len, enum hart_watch_type type)
{
    if (h->watch_count >= HART_MAX_WATCHPOINTS || len == 0)
        return -1;
    h->watches[h->watch_count++] = (struct hart_watch){ addr, len, type };
    hart_tlb_flush(h); /* loads and stores on its pages must now reach the slow path */
    return 0;
}

int hart_watch_remove(struct hart *h, uint64_t addr, uint64_t len, enum hart_watch_type type)
{
    for (int i = 0; i < h->watch_count; i++)
        if (h->watches[i].addr == addr && h->watches[i].len == len && h->watches[i].type == type) {
            h->watches[i] = h->watches[--h->watch_count];
            return 0;
        }
    return -1;
}

static int fault(struct hart *h, int cause, uint64_t tval)
{
    h->exc_cause = (uint32_t)cause;
    h->exc_tval = tval;
    return MEM_FAULT;
}

static uint64_t host_read(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void host_write(uint8_t *p, unsigned size, uint64_t v)
{
    switch (size) {
    case 1: *p = (uint8_t)v; break;
    case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
    case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* After an MMIO access: the decoded block must be left only if the access can make an
 * interrupt takeable at the next boundary (this hart's mip gained a bit) or someone asked the
 * hart to stop (exit, timer deadline moved). A line that fell cannot make an interrupt
 * takeable, so polling loops stay inside their blocks. */
static int mmio_result(const struct hart *h, uint64_t mip_before)
{
    return ((h->mip & ~mip_before) || h->stop_requested) ? MEM_EXIT : MEM_OK;
}

/* An access that lies within one page. */
static int load_in_page(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value)
{
    uint64_t pa;
    uint8_t *host;
    int mode = h->dmode;
    int cause = translate_and_fill(h, vaddr, TLB_READ, mode, &pa, &host);
    if (cause)
        return fault(h, cause, vaddr);
    if (host) {
        *value = host_read(host, size);
        return MEM_OK;
    }
    if (!pmp_allows(h, pa, size, TLB_READ, mode))
        return fault(h, EXC_LOAD_ACCESS, vaddr);
    bool mmio = bus_is_mmio(h->bus, pa);
    uint64_t mip_before = h->mip;
    if ((mmio && (pa & (size - 1))) || bus_read(h->bus, pa, size, value))
        return fault(h, EXC_LOAD_ACCESS, vaddr);
    return mmio ? mmio_result(h, mip_before) : MEM_OK;
}

static int store_in_page(struct hart *h, uint64_t vaddr, unsigned size, uint64_t value,
                         bool check_only)
{
    uint64_t pa;
    uint8_t *host;
    int mode = h->dmode;
    int cause = translate_and_fill(h, vaddr, TLB_WRITE, mode, &pa, &host);
    if (cause)
        return fault(h, cause, vaddr);
    if (!host && !pmp_allows(h, pa, size, TLB_WRITE, mode))
        return fault(h, EXC_STORE_ACCESS, vaddr);
    bool mmio = !host && bus_is_mmio(h->bus, pa);
    if (mmio && (pa & (size - 1)))
        return fault(h, EXC_STORE_ACCESS, vaddr);
    if (check_only)
        return MEM_OK;
    bool changed = code_cache_note_write(h->code, pa, size);
    if (host) {
        host_write(host, size, value);
    } else if (mmio) {
        uint64_t mip_before = h->mip;
        if (bus_write(h->bus, pa, size, value))
            return fault(h, EXC_STORE_ACCESS, vaddr);
        return mmio_result(h, mip_before);
    } else {
        /* RAM page that PMP splits: write through the bus (it cannot fault: checked). */
        const struct bus_region *r = bus_find(h->bus, pa);
        if (!r || r->kind != BUS_RAM)
            return fault(h, EXC_STORE_ACCESS, vaddr);
        host_write(r->host + (pa - r->base), size, value);
    }
    return changed ? MEM_EXIT : MEM_OK;
}

static int load_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value);
static int store_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t value);

/* A watched access must leave the decoded block right after its instruction. */
static int watched(const struct hart *h, int result)
{
    return result == MEM_OK && h->watch_hit ? MEM_EXIT : result;
}

int mmu_load_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value)
{
    if (!h->watch_count)
        return load_slow(h, vaddr, size, value);
    check_watch(h, vaddr, size, false);
    return watched(h, load_slow(h, vaddr, size, value));
}

int mmu_store_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t value)
{
    if (!h->watch_count)
        return store_slow(h, vaddr, size, value);
    check_watch(h, vaddr, size, true);
    return watched(h, store_slow(h, vaddr, size, value));
}

static int load_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value)
{
    if ((vaddr & 0xfff) + size <= 0x1000)
        return load_in_page(h, vaddr, size, value);
    /* Misaligned across a page boundary: byte by byte, each byte translated. */
    uint64_t v = 0;
    int result = MEM_OK;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b;
        int r = load_in_page(h, vaddr + i, 1, &b);
        if (r == MEM_FAULT)
            return r;
        result |= r;
        v |= b << (8 * i);
    }
    *value = v;
    return result;
}

int mmu_load_reserved(struct hart *h, uint64_t vaddr, unsigned size, uint64_t *value)
{
    if (h->watch_count)
        check_watch(h, vaddr, size, false);
    uint64_t pa;
    uint8_t *host;
    int cause = translate_and_fill(h, vaddr, TLB_READ, h->dmode, &pa, &host);
    if (cause)
        return fault(h, cause, vaddr);
    const struct bus_region *r = bus_find(h->bus, pa);
    if (!r || r->kind != BUS_RAM || !pmp_allows(h, pa, size, TLB_READ, h->dmode))
        return fault(h, EXC_LOAD_ACCESS, vaddr); /* reservations exist on RAM only */
    *value = host_read(r->host + (pa - r->base), size);
    /* Mark the page so that every store to it, by any hart or device, takes the slow path
     * and clears the reservation. */
    code_cache_mark_page(h->code, pa, PAGE_HAS_RESERVATION);
    h->reservation_valid = true;
    h->reservation_addr = vaddr;
    h->reservation_paddr = pa;
    return MEM_OK;
}

static int store_slow(struct hart *h, uint64_t vaddr, unsigned size, uint64_t value)
{
    if ((vaddr & 0xfff) + size <= 0x1000)
        return store_in_page(h, vaddr, size, value, false);
    /* Across a page boundary: check both pages first so a fault writes nothing. */
    uint64_t second = (vaddr + size - 1) & ~0xfffull;
    int r = store_in_page(h, vaddr, 1, 0, true);
    if (r == MEM_FAULT)
        return r;
    r = store_in_page(h, second, 1, 0, true);
    if (r == MEM_FAULT)
        return r;
    int result = MEM_OK;
    for (unsigned i = 0; i < size; i++) {
        r = store_in_page(h, vaddr + i, 1, value >> (8 * i), false);
        if (r == MEM_FAULT)
            return r;
        result |= r;
    }
    return result;
}

int mmu_amo_prepare(struct hart *h, uint64_t vaddr, unsigned size, uint8_t **host,
                    uint64_t *paddr)
{
    if (h->watch_count) {
        check_watch(h, vaddr, size, false);
        check_watch(h, vaddr, size, true);
    }
    if (vaddr & (size - 1))
        return fault(h, EXC_STORE_MISALIGNED, vaddr);
    int mode = h->dmode;
    int cause = translate_and_fill(h, vaddr, TLB_WRITE, mode, paddr, host);
    if (cause)
        return fault(h, cause, vaddr);
    if (!*host) {
        /* Atomics are supported on RAM only; PMP-split RAM pages are checked here. PMP never
         * grants W without R (that combination is reserved and written as neither). */
        const struct bus_region *r = bus_find(h->bus, *paddr);
        if (!r || r->kind != BUS_RAM || !pmp_allows(h, *paddr, size, TLB_WRITE, mode))
            return fault(h, EXC_STORE_ACCESS, vaddr);
        *host = r->host + (*paddr - r->base);
    }
    return MEM_OK;
}

int mmu_amo_written(struct hart *h, uint64_t paddr, unsigned size)
{
    return watched(h, code_cache_note_write(h->code, paddr, size) ? MEM_EXIT : MEM_OK);
}

int mmu_fetch(struct hart *h, uint64_t vpc, uint64_t *ppc, const uint8_t **page_host)
{
    int mode = h->priv;
    struct tlb_entry *e = &h->tlb[mode][TLB_EXEC][(vpc >> 12) & (TLB_SIZE - 1)];
    if (e->vpage == vpc >> 12) {
        *ppc = (e->ppage << 12) | (vpc & 0xfff);
        *page_host = (const uint8_t *)(e->addend + (vpc & ~0xfffull));
        return 0;
    }
    uint8_t *host;
    int cause = translate_and_fill(h, vpc, TLB_EXEC, mode, ppc, &host);
    if (cause)
        return cause;
    if (!host) {
        /* Not cacheable: execution is allowed only from RAM/ROM with PMP execute rights for
         * the first parcel; the caller checks the rest of the instruction. */
        uint8_t *ph = bus_page_host(h->bus, *ppc & ~0xfffull, BUS_USE_EXEC);
        if (!ph || !pmp_allows(h, *ppc, 2, TLB_EXEC, mode))
            return EXC_INSN_ACCESS;
        *page_host = NULL;
        return 0;
    }
    *page_host = host - (*ppc & 0xfff);
    return 0;
}
