/* hart_state.c — saving and loading a hart's architectural state in the state stream
 * (section "hart"). Implementation caches (TLB, jump cache) are not state: they are emptied
 * on load. Breakpoints belong to the debugger attached to this hart and are kept as they
 * are. */
#include <string.h>

#include "vmm/cpu/code_cache.h"
#include "vmm/cpu/hart.h"
#include "vmm/state.h"

#define HART_STATE_VERSION 1

/* What the CSR file can ever hold (csr.c legalises every write to these). */
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define ALL_INTERRUPTS (S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)
#define PMPADDR_MASK ((1ull << 54) - 1)
#define SATP_PPN_MASK ((1ull << 44) - 1)

void hart_save(const struct hart *h, struct state_writer *w)
{
    state_begin_section(w, "hart", HART_STATE_VERSION);
    state_put_u64(w, h->mhartid);
    for (int i = 0; i < 32; i++)
        state_put_u64(w, h->x[i]);
    for (int i = 0; i < 32; i++)
        state_put_u64(w, h->f[i]);
    state_put_u64(w, h->pc);
    state_put_u64(w, h->icount);
    state_put_u8(w, (uint8_t)h->priv);
    state_put_u32(w, h->fflags);
    state_put_u32(w, h->frm);

    state_put_u64(w, h->mstatus);
    state_put_u64(w, h->misa);
    state_put_u64(w, h->medeleg);
    state_put_u64(w, h->mideleg);
    state_put_u64(w, h->mie);
    state_put_u64(w, h->mip);
    state_put_u64(w, h->mtvec);
    state_put_u64(w, h->mscratch);
    state_put_u64(w, h->mepc);
    state_put_u64(w, h->mcause);
    state_put_u64(w, h->mtval);
    state_put_u64(w, h->mcounteren);
    state_put_u64(w, h->menvcfg);
    state_put_u64(w, h->stvec);
    state_put_u64(w, h->sscratch);
    state_put_u64(w, h->sepc);
    state_put_u64(w, h->scause);
    state_put_u64(w, h->stval);
    state_put_u64(w, h->scounteren);
    state_put_u64(w, h->senvcfg);
    state_put_u64(w, h->satp);
    state_put_i64(w, h->cycle_offset);
    state_put_i64(w, h->instret_offset);
    state_put_bytes(w, h->pmpcfg, HART_PMP_ENTRIES);
    for (int i = 0; i < HART_PMP_ENTRIES; i++)
        state_put_u64(w, h->pmpaddr[i]);

    state_put_u64(w, h->mip_sw);
    state_put_u64(w, h->mip_lines);
    state_put_bool(w, h->wfi);
    state_put_bool(w, h->reservation_valid);
    state_put_u64(w, h->reservation_addr);
    state_put_u64(w, h->reservation_paddr);
    /* A pending stop request changes where the next hart_run ends, so it is state. */
    state_put_bool(w, h->stop_requested);
    /* So is the length of a trap storm so far (it ends the run at HART_STUCK_TRAPS). */
    state_put_u32(w, h->traps_without_progress);
    state_end_section(w);
}

static bool pmpcfg_legal(uint8_t cfg)
{
    return !(cfg & 0x60) && (cfg & 3) != 2; /* reserved bits zero; no W without R */
}

static bool tvec_legal(uint64_t v)
{
    return (v & 3) < 2;
}

/* The saved fields, read here first so that the hart changes only if all of them are valid. */
struct arch_state {
    uint64_t mhartid;
    uint64_t x[32], f[32], pc, icount;
    enum priv priv;
    uint32_t fflags, frm;
    uint64_t mstatus, misa, medeleg, mideleg, mie, mip;
    uint64_t mtvec, mscratch, mepc, mcause, mtval, mcounteren, menvcfg;
    uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
    int64_t cycle_offset, instret_offset;
    uint8_t pmpcfg[HART_PMP_ENTRIES];
    uint64_t pmpaddr[HART_PMP_ENTRIES];
    uint64_t mip_sw, mip_lines;
    bool wfi, reservation_valid;
    uint64_t reservation_addr, reservation_paddr;
    bool stop_requested;
    uint32_t traps_without_progress;
};

/* Every value a later instruction or access relies on must be one the hart could hold. */
static int check(struct state_reader *r, const struct hart *h, const struct arch_state *n)
{
    if (n->mhartid != h->mhartid)
        return state_fail(r, "state of hart %llu cannot be loaded into hart %llu",
                          (unsigned long long)n->mhartid, (unsigned long long)h->mhartid);
    if (n->icount > (uint64_t)INT64_MAX)
        return state_fail(r, "icount %llu is beyond any run", (unsigned long long)n->icount);
    if (n->traps_without_progress > HART_STUCK_TRAPS)
        return state_fail(r, "%u traps in a row, beyond the limit of %d",
                          n->traps_without_progress, HART_STUCK_TRAPS);
    if (n->x[0] != 0)
        return state_fail(r, "x0 is 0x%llx", (unsigned long long)n->x[0]);
    if (n->priv != PRIV_U && n->priv != PRIV_S && n->priv != PRIV_M)
        return state_fail(r, "privilege level %d does not exist", (int)n->priv);
    if (n->fflags > 0x1f || n->frm > 7)
        return state_fail(r, "fflags 0x%x / frm %u out of range", n->fflags, n->frm);
    if (n->misa != h->misa)
        return state_fail(r, "misa 0x%llx differs from this hart's 0x%llx",
                          (unsigned long long)n->misa, (unsigned long long)h->misa);
    uint64_t mpp = (n->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    if (mpp == 2 || (n->mstatus & MSTATUS_UXL) != (h->mstatus & MSTATUS_UXL) ||
        (n->mstatus & MSTATUS_SXL) != (h->mstatus & MSTATUS_SXL))
        return state_fail(r, "mstatus 0x%llx is not a legal value",
                          (unsigned long long)n->mstatus);
    unsigned satp_mode = (unsigned)(n->satp >> 60);
    if ((satp_mode != 0 && satp_mode != 8 && satp_mode != 9) ||
        (n->satp & ~((0xfull << 60) | SATP_PPN_MASK)) || (satp_mode == 0 && n->satp))
        return state_fail(r, "satp 0x%llx is not a legal value", (unsigned long long)n->satp);
    if (!tvec_legal(n->mtvec) || !tvec_legal(n->stvec))
        return state_fail(r, "mtvec/stvec with a reserved mode");
    if ((n->mie & ~ALL_INTERRUPTS) || (n->mideleg & ~S_INTERRUPTS) ||
        (n->mip_sw & ~S_INTERRUPTS) || (n->mip_lines & ~ALL_INTERRUPTS) ||
        n->mip != (n->mip_sw | n->mip_lines))
        return state_fail(r, "inconsistent interrupt registers (mie 0x%llx mip 0x%llx)",
                          (unsigned long long)n->mie, (unsigned long long)n->mip);
    for (int i = 0; i < HART_PMP_ENTRIES; i++)
        if (!pmpcfg_legal(n->pmpcfg[i]) || (n->pmpaddr[i] & ~PMPADDR_MASK))
            return state_fail(r, "pmp entry %d (cfg 0x%x, addr 0x%llx) is not legal", i,
                              n->pmpcfg[i], (unsigned long long)n->pmpaddr[i]);
    return 0;
}

int hart_load(struct hart *h, struct state_reader *r)
{
    uint32_t version = HART_STATE_VERSION;
    if (state_open_section(r, "hart", &version))
        return -1;
    struct arch_state n;
    n.mhartid = state_get_u64(r);
    for (int i = 0; i < 32; i++)
        n.x[i] = state_get_u64(r);
    for (int i = 0; i < 32; i++)
        n.f[i] = state_get_u64(r);
    n.pc = state_get_u64(r);
    n.icount = state_get_u64(r);
    n.priv = (enum priv)state_get_u8(r);
    n.fflags = state_get_u32(r);
    n.frm = state_get_u32(r);

    n.mstatus = state_get_u64(r);
    n.misa = state_get_u64(r);
    n.medeleg = state_get_u64(r);
    n.mideleg = state_get_u64(r);
    n.mie = state_get_u64(r);
    n.mip = state_get_u64(r);
    n.mtvec = state_get_u64(r);
    n.mscratch = state_get_u64(r);
    n.mepc = state_get_u64(r);
    n.mcause = state_get_u64(r);
    n.mtval = state_get_u64(r);
    n.mcounteren = state_get_u64(r);
    n.menvcfg = state_get_u64(r);
    n.stvec = state_get_u64(r);
    n.sscratch = state_get_u64(r);
    n.sepc = state_get_u64(r);
    n.scause = state_get_u64(r);
    n.stval = state_get_u64(r);
    n.scounteren = state_get_u64(r);
    n.senvcfg = state_get_u64(r);
    n.satp = state_get_u64(r);
    n.cycle_offset = state_get_i64(r);
    n.instret_offset = state_get_i64(r);
    state_get_bytes(r, n.pmpcfg, HART_PMP_ENTRIES);
    for (int i = 0; i < HART_PMP_ENTRIES; i++)
        n.pmpaddr[i] = state_get_u64(r);

    n.mip_sw = state_get_u64(r);
    n.mip_lines = state_get_u64(r);
    n.wfi = state_get_bool(r);
    n.reservation_valid = state_get_bool(r);
    n.reservation_addr = state_get_u64(r);
    n.reservation_paddr = state_get_u64(r);
    n.stop_requested = state_get_bool(r);
    n.traps_without_progress = state_get_u32(r);
    if (state_close_section(r) || check(r, h, &n))
        return -1;

    memcpy(h->x, n.x, sizeof(n.x));
    h->x[32] = 0;
    memcpy(h->f, n.f, sizeof(n.f));
    h->pc = n.pc;
    h->icount = n.icount;
    h->priv = n.priv;
    h->fflags = n.fflags;
    h->frm = n.frm;
    h->mstatus = n.mstatus;
    h->medeleg = n.medeleg;
    h->mideleg = n.mideleg;
    h->mie = n.mie;
    h->mip = n.mip;
    h->mtvec = n.mtvec;
    h->mscratch = n.mscratch;
    h->mepc = n.mepc;
    h->mcause = n.mcause;
    h->mtval = n.mtval;
    h->mcounteren = n.mcounteren;
    h->menvcfg = n.menvcfg;
    h->stvec = n.stvec;
    h->sscratch = n.sscratch;
    h->sepc = n.sepc;
    h->scause = n.scause;
    h->stval = n.stval;
    h->scounteren = n.scounteren;
    h->senvcfg = n.senvcfg;
    h->satp = n.satp;
    h->cycle_offset = n.cycle_offset;
    h->instret_offset = n.instret_offset;
    memcpy(h->pmpcfg, n.pmpcfg, sizeof(n.pmpcfg));
    memcpy(h->pmpaddr, n.pmpaddr, sizeof(n.pmpaddr));
    h->mip_sw = n.mip_sw;
    h->mip_lines = n.mip_lines;
    h->wfi = n.wfi;
    h->reservation_valid = n.reservation_valid;
    h->reservation_addr = n.reservation_addr;
    h->reservation_paddr = n.reservation_paddr;
    h->stop_requested = n.stop_requested;
    h->traps_without_progress = n.traps_without_progress;

    /* Derived and cached state: recomputed or emptied. */
    h->exc_cause = 0;
    h->exc_tval = 0;
    hart_update_dmode(h);
    hart_tlb_flush(h);
    memset(h->jcache, 0, sizeof(h->jcache));
    /* The reserved page must send every store through the slow path again, or a store by
     * another hart would not clear the reservation. */
    if (h->reservation_valid && h->code)
        code_cache_mark_page(h->code, h->reservation_paddr, PAGE_HAS_RESERVATION);
    return 0;
}
