/* trap.c — hart construction and reset, exception and interrupt entry with delegation,
 * xRET, interrupt lines, and the effective data privilege (MPRV). */
#include <string.h>

#include "vmm/cpu/code_cache.h"
#include "vmm/cpu/hart.h"

/* misa: RV64 with A, C, D, F, I, M, S, U. */
#define MISA_VALUE ((2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | \
                    (1u << 8) | (1u << 12) | (1u << 18) | (1u << 20))

void hart_init(struct hart *h, uint64_t hartid, struct bus *bus, struct code_cache *code,
               struct hart_platform platform)
{
    memset(h, 0, sizeof(*h));
    h->mhartid = hartid;
    h->bus = bus;
    h->code = code;
    h->platform = platform;
    if (code)
        code_cache_attach_hart(code, h);
    hart_reset(h, 0);
}

void hart_reset(struct hart *h, uint64_t pc)
{
    memset(h->x, 0, sizeof(h->x));
    memset(h->f, 0, sizeof(h->f));
    h->pc = pc;
    h->priv = PRIV_M;
    h->fflags = h->frm = 0;
    h->mstatus = MSTATUS_UXL & (2ull << 32);
    h->mstatus |= MSTATUS_SXL & (2ull << 34);
    h->misa = MISA_VALUE;
    h->medeleg = h->mideleg = h->mie = h->mip = 0;
    h->mtvec = h->mscratch = h->mepc = h->mcause = h->mtval = 0;
    h->mcounteren = h->menvcfg = 0;
    h->stvec = h->sscratch = h->sepc = h->scause = h->stval = 0;
    h->scounteren = h->senvcfg = h->satp = 0;
    h->cycle_offset = h->instret_offset = 0;
    memset(h->pmpcfg, 0, sizeof(h->pmpcfg));
    memset(h->pmpaddr, 0, sizeof(h->pmpaddr));
    h->wfi = false;
    h->reservation_valid = false;
    h->stop_requested = false;
    h->mip_sw = 0;
    h->mip = h->mip_lines; /* device lines keep their level across a reset */
    hart_update_dmode(h);
    hart_tlb_flush(h);
}

void hart_update_dmode(struct hart *h)
{
    if (h->priv == PRIV_M && (h->mstatus & MSTATUS_MPRV))
        h->dmode = (int)((h->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    else
        h->dmode = h->priv;
}

static void set_priv(struct hart *h, enum priv p)
{
    h->priv = p;
    hart_update_dmode(h);
}

/* Enter the trap handler for `cause` (interrupt bit in bit 63) from the current pc. */
static void trap_enter(struct hart *h, uint64_t cause, uint64_t tval)
{
    bool interrupt = cause >> 63;
    unsigned code = (unsigned)(cause & 63);
    uint64_t deleg = interrupt ? h->mideleg : h->medeleg;
    if (interrupt && h->platform.trap)
        h->platform.trap(h->platform.ctx, h, cause);
    h->wfi = false;
    h->reservation_valid = false;
    if (h->priv != PRIV_M && ((deleg >> code) & 1)) {
        h->scause = cause;
        h->sepc = h->pc;
        h->stval = tval;
        uint64_t s = h->mstatus & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
        if (h->mstatus & MSTATUS_SIE)
            s |= MSTATUS_SPIE;
        if (h->priv == PRIV_S)
            s |= MSTATUS_SPP;
        h->mstatus = s;
        uint64_t base = h->stvec & ~3ull;
        h->pc = (interrupt && (h->stvec & 1)) ? base + 4ull * code : base;
        set_priv(h, PRIV_S);
    } else {
        h->mcause = cause;
        h->mepc = h->pc;
        h->mtval = tval;
        uint64_t s = h->mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
        if (h->mstatus & MSTATUS_MIE)
            s |= MSTATUS_MPIE;
        s |= (uint64_t)h->priv << MSTATUS_MPP_SHIFT;
        h->mstatus = s;
        uint64_t base = h->mtvec & ~3ull;
        h->pc = (interrupt && (h->mtvec & 1)) ? base + 4ull * code : base;
        set_priv(h, PRIV_M);
    }
}

void hart_raise(struct hart *h, uint32_t cause, uint64_t tval)
{
    trap_enter(h, cause, tval);
}

/* Priority order of the privileged spec: MEI, MSI, MTI, SEI, SSI, STI. */
static const unsigned irq_priority[] = { IRQ_MEI, IRQ_MSI, IRQ_MTI, IRQ_SEI, IRQ_SSI, IRQ_STI };

/* Pending interrupts that the current privilege and enables let the hart take now: those
 * destined for M first ("in decreasing order of destined privilege mode"), then for S. */
static uint64_t takeable_interrupts(const struct hart *h)
{
    uint64_t pending = h->mip & h->mie;
    if (!pending)
        return 0;
    uint64_t m_enabled = (h->priv < PRIV_M || (h->mstatus & MSTATUS_MIE)) ? ~h->mideleg : 0;
    uint64_t s_enabled = (h->priv < PRIV_S || (h->priv == PRIV_S && (h->mstatus & MSTATUS_SIE)))
                             ? h->mideleg : 0;
    uint64_t takeable = pending & m_enabled;
    return takeable ? takeable : pending & s_enabled;
}

bool hart_irq_blocked(const struct hart *h)
{
    return (h->mip & h->mie) && !takeable_interrupts(h);
}

bool hart_take_interrupt(struct hart *h)
{
    uint64_t takeable = takeable_interrupts(h);
    if (!takeable)
        return false;
    for (unsigned i = 0; i < sizeof(irq_priority) / sizeof(irq_priority[0]); i++) {
        unsigned irq = irq_priority[i];
        if (takeable & (1ull << irq)) {
            trap_enter(h, (1ull << 63) | irq, 0);
            return true;
        }
    }
    return false;
}

bool hart_irq_pending(const struct hart *h)
{
    return (h->mip & h->mie) != 0;
}

void hart_set_irq(struct hart *h, uint64_t mip_bits, bool level)
{
    if (level)
        h->mip_lines |= mip_bits;
    else
        h->mip_lines &= ~mip_bits;
    h->mip = h->mip_sw | h->mip_lines;
}

void hart_set_sw_irq(struct hart *h, uint64_t mip_bits, bool level)
{
    mip_bits &= MIP_SSIP | MIP_STIP | MIP_SEIP;
    if (level)
        h->mip_sw |= mip_bits;
    else
        h->mip_sw &= ~mip_bits;
    h->mip = h->mip_sw | h->mip_lines;
}

void hart_request_stop(struct hart *h)
{
    h->stop_requested = true;
}

/* mret/sret: called by the interpreter after checking privilege. */
void hart_mret(struct hart *h)
{
    uint64_t s = h->mstatus;
    enum priv mpp = (enum priv)((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP; /* least-privileged mode: U */
    if (mpp != PRIV_M)
        s &= ~MSTATUS_MPRV;
    h->mstatus = s;
    h->pc = h->mepc;
    set_priv(h, mpp);
}

void hart_sret(struct hart *h)
{
    uint64_t s = h->mstatus;
    enum priv spp = (s & MSTATUS_SPP) ? PRIV_S : PRIV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~(MSTATUS_SPP | MSTATUS_MPRV);
    h->mstatus = s;
    h->pc = h->sepc;
    set_priv(h, spp);
}
