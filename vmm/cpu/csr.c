/* csr.c — the control and status registers: numbering, access rules (privilege, read-only,
 * TVM, FS, counter enables), WARL legalisation of every writable field. */
#include <string.h>

#include "vmm/cpu/hart.h"

enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105, CSR_SCOUNTEREN = 0x106,
    CSR_SENVCFG = 0x10a, CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13, CSR_MHARTID = 0xf14,
    CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302, CSR_MIDELEG = 0x303,
    CSR_MIE = 0x304, CSR_MTVEC = 0x305, CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320, CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342, CSR_MTVAL = 0x343,
    CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af, CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_TSELECT = 0x7a0, CSR_TDATA1 = 0x7a1, CSR_TDATA2 = 0x7a2, CSR_TDATA3 = 0x7a3,
    CSR_TINFO = 0x7a4,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
};

#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | \
                      MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define MSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | \
                          MSTATUS_SPP | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | \
                          MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
#define S_INTERRUPTS (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define ALL_INTERRUPTS (S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP)
/* Exceptions that may be delegated: all implemented ones except ecall from M-mode. */
#define MEDELEG_WRITABLE 0xb3ffull

static uint64_t mstatus_read(const struct hart *h)
{
    uint64_t s = h->mstatus;
    if ((s & MSTATUS_FS) == MSTATUS_FS)
        s |= MSTATUS_SD;
    return s;
}

static void mstatus_write(struct hart *h, uint64_t v)
{
    uint64_t old = h->mstatus;
    uint64_t n = (old & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
    if (((n & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) /* reserved: keep the old value */
        n = (n & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    h->mstatus = n;
    /* MPRV/MPP only choose which privilege's TLB data accesses use. SUM and MXR change what
     * S-mode (and, for MXR, U-mode) loads and stores may touch: only those data TLBs go;
     * fetches are unaffected. */
    if ((old ^ n) & (MSTATUS_MPRV | MSTATUS_MPP))
        hart_update_dmode(h);
    if ((old ^ n) & (MSTATUS_SUM | MSTATUS_MXR))
        hart_tlb_flush_data(h);
}

static uint64_t counter_value(const struct hart *h, uint32_t csr)
{
    switch (csr & 0x1f) {
    case 0: return h->icount + (uint64_t)h->cycle_offset;
    case 1: return h->platform.read_time ? h->platform.read_time(h->platform.ctx, h->icount) : 0;
    case 2: return h->icount + (uint64_t)h->instret_offset;
    default: return 0; /* hpmcounter3..31: implemented as read-only zero */
    }
}

/* May the current privilege read the user counter `csr` (0xc00..0xc1f)? */
static bool counter_accessible(const struct hart *h, uint32_t csr)
{
    uint64_t bit = 1ull << (csr & 0x1f);
    if (h->priv == PRIV_M)
        return true;
    if (!(h->mcounteren & bit))
        return false;
    return h->priv == PRIV_S || (h->scounteren & bit);
}

static bool fp_enabled(const struct hart *h)
{
    return (h->mstatus & MSTATUS_FS) != 0;
}

/* Common access rule: privilege encoded in csr[9:8]. */
static bool privileged_enough(const struct hart *h, uint32_t csr)
{
    return (unsigned)h->priv >= ((csr >> 8) & 3);
}

int hart_csr_read(struct hart *h, uint32_t csr, uint64_t *v)
{
    if (!privileged_enough(h, csr))
        return -1;
    switch (csr) {
    case CSR_FFLAGS: if (!fp_enabled(h)) return -1; *v = h->fflags; return 0;
    case CSR_FRM: if (!fp_enabled(h)) return -1; *v = h->frm; return 0;
    case CSR_FCSR: if (!fp_enabled(h)) return -1; *v = h->frm << 5 | h->fflags; return 0;
    case CSR_CYCLE ... CSR_HPMCOUNTER31:
        if (!counter_accessible(h, csr))
            return -1;
        *v = counter_value(h, csr);
        return 0;
    case CSR_SSTATUS: *v = mstatus_read(h) & SSTATUS_MASK; return 0;
    case CSR_SIE: *v = h->mie & h->mideleg; return 0;
    case CSR_STVEC: *v = h->stvec; return 0;
    case CSR_SCOUNTEREN: *v = h->scounteren; return 0;
    case CSR_SENVCFG: *v = h->senvcfg; return 0;
    case CSR_SSCRATCH: *v = h->sscratch; return 0;
    case CSR_SEPC: *v = h->sepc; return 0;
    case CSR_SCAUSE: *v = h->scause; return 0;
    case CSR_STVAL: *v = h->stval; return 0;
    case CSR_SIP: *v = h->mip & h->mideleg; return 0;
    case CSR_SATP:
        if (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
            return -1;
        *v = h->satp;
        return 0;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        *v = 0;
        return 0;
    case CSR_MHARTID: *v = h->mhartid; return 0;
    case CSR_MSTATUS: *v = mstatus_read(h); return 0;
    case CSR_MISA: *v = h->misa; return 0;
    case CSR_MEDELEG: *v = h->medeleg; return 0;
    case CSR_MIDELEG: *v = h->mideleg; return 0;
    case CSR_MIE: *v = h->mie; return 0;
    case CSR_MTVEC: *v = h->mtvec; return 0;
    case CSR_MCOUNTEREN: *v = h->mcounteren; return 0;
    case CSR_MENVCFG: *v = h->menvcfg; return 0;
    case CSR_MCOUNTINHIBIT: *v = 0; return 0;
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31: *v = 0; return 0;
    case CSR_MSCRATCH: *v = h->mscratch; return 0;
    case CSR_MEPC: *v = h->mepc; return 0;
    case CSR_MCAUSE: *v = h->mcause; return 0;
    case CSR_MTVAL: *v = h->mtval; return 0;
    case CSR_MIP: *v = h->mip; return 0;
    case CSR_PMPCFG0 ... CSR_PMPCFG15: {
        if (csr & 1)
            return -1; /* RV64 has only the even pmpcfg registers */
        unsigned first = (csr - CSR_PMPCFG0) * 4;
        uint64_t r = 0;
        for (unsigned i = 0; i < 8; i++)
            if (first + i < HART_PMP_ENTRIES)
                r |= (uint64_t)h->pmpcfg[first + i] << (8 * i);
        *v = r;
        return 0;
    }
    case CSR_PMPADDR0 ... CSR_PMPADDR63: {
        unsigned i = csr - CSR_PMPADDR0;
        *v = i < HART_PMP_ENTRIES ? h->pmpaddr[i] : 0;
        return 0;
    }
    /* Sdtrig with no triggers: tselect reads 0, tdata1 type 0 ("no trigger here"), tinfo
     * says only type 0 exists. Software probing for triggers finds none. */
    case CSR_TSELECT: case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: *v = 0; return 0;
    case CSR_TINFO: *v = 1; return 0;
    case CSR_MCYCLE: *v = h->icount + (uint64_t)h->cycle_offset; return 0;
    case CSR_MINSTRET: *v = h->icount + (uint64_t)h->instret_offset; return 0;
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31: *v = 0; return 0;
    default:
        return -1;
    }
}

static bool pmp_locked(const struct hart *h, unsigned i)
{
    return h->pmpcfg[i] & 0x80;
}

static uint8_t pmpcfg_legalise(uint8_t cfg)
{
    cfg &= 0x9f;            /* bits 5..6 are reserved zero */
    if ((cfg & 3) == 2)     /* W without R is reserved: drop W */
        cfg &= (uint8_t)~2;
    return cfg;
}

static uint64_t tvec_legalise(uint64_t old, uint64_t v)
{
    /* Modes 0 (direct) and 1 (vectored); other modes leave the register unchanged. */
    if ((v & 3) >= 2)
        return old;
    return v & ~2ull;
}

int hart_csr_write(struct hart *h, uint32_t csr, uint64_t v)
{
    if (!privileged_enough(h, csr) || (csr >> 10) == 3)
        return -1;
    switch (csr) {
    case CSR_FFLAGS:
        if (!fp_enabled(h)) return -1;
        h->fflags = v & 0x1f;
        h->mstatus |= MSTATUS_FS;
        return 0;
    case CSR_FRM:
        if (!fp_enabled(h)) return -1;
        h->frm = v & 7;
        h->mstatus |= MSTATUS_FS;
        return 0;
    case CSR_FCSR:
        if (!fp_enabled(h)) return -1;
        h->fflags = v & 0x1f;
        h->frm = (v >> 5) & 7;
        h->mstatus |= MSTATUS_FS;
        return 0;
    case CSR_SSTATUS:
        mstatus_write(h, (h->mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK));
        return 0;
    case CSR_SIE:
        h->mie = (h->mie & ~h->mideleg) | (v & h->mideleg & ALL_INTERRUPTS);
        return 0;
    case CSR_STVEC: h->stvec = tvec_legalise(h->stvec, v); return 0;
    case CSR_SCOUNTEREN: h->scounteren = v & 0xffffffff; return 0;
    case CSR_SENVCFG: h->senvcfg = 0; return 0; /* no optional fields implemented */
    case CSR_SSCRATCH: h->sscratch = v; return 0;
    case CSR_SEPC: h->sepc = v & ~1ull; return 0;
    case CSR_SCAUSE: h->scause = v; return 0;
    case CSR_STVAL: h->stval = v; return 0;
    case CSR_SIP:
        /* Only SSIP is writable from S-mode, and only when delegated. */
        h->mip_sw = (h->mip_sw & ~(MIP_SSIP & h->mideleg)) | (v & MIP_SSIP & h->mideleg);
        h->mip = h->mip_sw | h->mip_lines;
        return 0;
    case CSR_SATP: {
        if (h->priv == PRIV_S && (h->mstatus & MSTATUS_TVM))
            return -1;
        unsigned mode = (unsigned)(v >> 60);
        if (mode != 0 && mode != 8 && mode != 9)
            return 0; /* unsupported mode: the whole write has no effect */
        /* ASIDs are not implemented (ASIDLEN = 0): the field reads as zero. */
        uint64_t n = v & ((0xfull << 60) | ((1ull << 44) - 1));
        if (mode == 0)
            n = 0;
        h->satp = n;
        hart_tlb_flush(h);
        return 0;
    }
    case CSR_MSTATUS: mstatus_write(h, v); return 0;
    case CSR_MISA: return 0; /* extensions cannot be switched off */
    case CSR_MEDELEG: h->medeleg = v & MEDELEG_WRITABLE; return 0;
    case CSR_MIDELEG: h->mideleg = v & S_INTERRUPTS; return 0;
    case CSR_MIE: h->mie = v & ALL_INTERRUPTS; return 0;
    case CSR_MTVEC: h->mtvec = tvec_legalise(h->mtvec, v); return 0;
    case CSR_MCOUNTEREN: h->mcounteren = v & 0xffffffff; return 0;
    case CSR_MENVCFG: h->menvcfg = 0; return 0;
    case CSR_MCOUNTINHIBIT: return 0; /* counters cannot be inhibited: read-only zero */
    case CSR_MHPMEVENT3 ... CSR_MHPMEVENT31: return 0;
    case CSR_MSCRATCH: h->mscratch = v; return 0;
    case CSR_MEPC: h->mepc = v & ~1ull; return 0;
    case CSR_MCAUSE: h->mcause = v; return 0;
    case CSR_MTVAL: h->mtval = v; return 0;
    case CSR_MIP:
        /* Software writes its own SSIP/STIP/SEIP bits; reads see them ORed with the lines
         * devices drive (so a device's SEIP cannot be cleared by software, as the spec says). */
        h->mip_sw = v & S_INTERRUPTS;
        h->mip = h->mip_sw | h->mip_lines;
        return 0;
    case CSR_PMPCFG0 ... CSR_PMPCFG15: {
        if (csr & 1)
            return -1;
        unsigned first = (csr - CSR_PMPCFG0) * 4;
        for (unsigned i = 0; i < 8; i++) {
            unsigned e = first + i;
            if (e < HART_PMP_ENTRIES && !pmp_locked(h, e))
                h->pmpcfg[e] = pmpcfg_legalise((uint8_t)(v >> (8 * i)));
        }
        hart_tlb_flush(h);
        return 0;
    }
    case CSR_PMPADDR0 ... CSR_PMPADDR63: {
        unsigned i = csr - CSR_PMPADDR0;
        if (i >= HART_PMP_ENTRIES || pmp_locked(h, i))
            return 0;
        /* A locked TOR entry also locks the address below it. */
        if (i + 1 < HART_PMP_ENTRIES && pmp_locked(h, i + 1) &&
            ((h->pmpcfg[i + 1] >> 3) & 3) == 1)
            return 0;
        h->pmpaddr[i] = v & ((1ull << 54) - 1);
        hart_tlb_flush(h);
        return 0;
    }
    case CSR_TSELECT: case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: return 0;
    case CSR_TINFO: return 0;
    /* The writing instruction retires after the write, so the next read sees exactly v. */
    case CSR_MCYCLE: h->cycle_offset = (int64_t)(v - (h->icount + 1)); return 0;
    case CSR_MINSTRET: h->instret_offset = (int64_t)(v - (h->icount + 1)); return 0;
    case CSR_MHPMCOUNTER3 ... CSR_MHPMCOUNTER31: return 0;
    default:
        return -1;
    }
}
