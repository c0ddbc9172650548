/* hart.h — one RISC-V RV64IMAFDC(+Zicsr, Zifencei, Zicntr, Zba, Zbb) hart: its architectural
 * state, its software TLB, and the run API. Every instance is self-contained: any number of
 * harts (and VMs) may live in one process. */
#ifndef REWIND_HART_H
#define REWIND_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bus.h"

struct code_cache;
struct hart;

enum priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* Exception causes (mcause with interrupt bit clear). */
enum exc_cause {
    EXC_INSN_MISALIGNED = 0,
    EXC_INSN_ACCESS = 1,
    EXC_ILLEGAL_INSN = 2,
    EXC_BREAKPOINT = 3,
    EXC_LOAD_MISALIGNED = 4,
    EXC_LOAD_ACCESS = 5,
    EXC_STORE_MISALIGNED = 6,
    EXC_STORE_ACCESS = 7,
    EXC_ECALL_U = 8,
    EXC_ECALL_S = 9,
    EXC_ECALL_M = 11,
    EXC_INSN_PAGE_FAULT = 12,
    EXC_LOAD_PAGE_FAULT = 13,
    EXC_STORE_PAGE_FAULT = 15,
};

/* Interrupt numbers (bit positions in mip/mie). */
enum irq_bit { IRQ_SSI = 1, IRQ_MSI = 3, IRQ_STI = 5, IRQ_MTI = 7, IRQ_SEI = 9, IRQ_MEI = 11 };

#define MIP_SSIP (1ull << IRQ_SSI)
#define MIP_MSIP (1ull << IRQ_MSI)
#define MIP_STIP (1ull << IRQ_STI)
#define MIP_MTIP (1ull << IRQ_MTI)
#define MIP_SEIP (1ull << IRQ_SEI)
#define MIP_MEIP (1ull << IRQ_MEI)

/* mstatus fields */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_SD   (1ull << 63)

#define HART_PMP_ENTRIES 16

/* Software TLB: direct mapped, one array per (privilege used for the access, access type).
 * It holds only pages of plain RAM whose whole 4 KiB page passes PMP; host = vaddr + addend. */
#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
enum tlb_access { TLB_READ = 0, TLB_WRITE = 1, TLB_EXEC = 2 };
struct tlb_entry {
    uint64_t vpage;    /* vaddr >> 12, or UINT64_MAX when empty */
    uintptr_t addend;  /* host address - vaddr */
    uint64_t ppage;    /* paddr >> 12 */
};

/* Jump cache: virtual pc -> decoded block, valid while the translation epoch and privilege
 * match and the block has not been invalidated. Lets one block chain to the next without a
 * page walk or hash lookup. */
#define JCACHE_BITS 12
#define JCACHE_SIZE (1u << JCACHE_BITS)
struct block;
struct jcache_entry {
    uint64_t vpc;
    const struct block *block;
    uint32_t epoch;
    uint32_t priv;
};

/* Why hart_run returned. */
enum hart_stop {
    HART_STOP_BUDGET = 0, /* executed the requested number of instructions */
    HART_STOP_WFI,        /* waiting for an interrupt; time must advance */
    HART_STOP_REQUEST,    /* someone called hart_request_stop (device, debugger, host) */
    HART_STOP_BREAKPOINT, /* pc reached a breakpoint (the instruction there has not run) */
    HART_STOP_STUCK,      /* trapping over and over without retiring an instruction */
    HART_STOP_WATCH,      /* an instruction touched a watched range (it has completed) */
};

#define HART_MAX_WATCHPOINTS 16
enum hart_watch_type { HART_WATCH_WRITE = 1, HART_WATCH_READ = 2, HART_WATCH_ACCESS = 3 };
struct hart_watch {
    uint64_t addr, len;        /* virtual range */
    enum hart_watch_type type;
};

/* Consecutive traps without a retired instruction that make a hart stuck (a trap storm:
 * e.g. a trap vector that itself faults). */
#define HART_STUCK_TRAPS 100000

#define HART_MAX_BREAKPOINTS 64

/* What the hart asks of the machine it sits in. */
struct hart_platform {
    /* Current value of the `time` CSR (mtime) given the hart's exact icount. */
    uint64_t (*read_time)(void *ctx, uint64_t icount);
    /* Called for every ecall before it traps. Returning true means the platform handled it
     * (a built-in SBI): the ecall then retires and execution continues after it. */
    bool (*ecall)(void *ctx, struct hart *h);
    /* Told of every interrupt taken (cause with bit 63 set), with h->pc still the
     * interrupted pc. May be NULL. */
    void (*trap)(void *ctx, struct hart *h, uint64_t cause);
    void *ctx;
};

struct hart {
    /* --- architectural state --- */
    uint64_t x[33];        /* x[32] is a write sink: the decoder maps rd = x0 onto it */
    uint64_t f[32];
    uint64_t pc;
    uint64_t icount;       /* instructions retired: the machine's clock */
    enum priv priv;
    uint32_t fflags, frm;

    uint64_t mstatus, misa, medeleg, mideleg, mie, mip;
    uint64_t mtvec, mscratch, mepc, mcause, mtval, mcounteren, menvcfg;
    uint64_t stvec, sscratch, sepc, scause, stval, scounteren, senvcfg, satp;
    uint64_t mhartid;
    int64_t cycle_offset, instret_offset; /* mcycle/minstret = icount + offset */
    uint8_t pmpcfg[HART_PMP_ENTRIES];
    uint64_t pmpaddr[HART_PMP_ENTRIES];

    uint64_t mip_sw;       /* mip bits written by software (SSIP, STIP, SEIP) */
    uint64_t mip_lines;    /* mip bits driven by devices; mip = mip_sw | mip_lines */
    bool wfi;              /* stalled in wfi until an interrupt is pending */
    bool reservation_valid;       /* LR/SC: a store by anyone to the reserved page clears it */
    uint64_t reservation_addr;    /* virtual address LR used */
    uint64_t reservation_paddr;   /* its physical address */

    /* --- implementation state --- */
    struct bus *bus;
    struct code_cache *code;
    struct hart_platform platform;
    bool stop_requested;
    uint32_t traps_without_progress;
    int dmode;                /* effective privilege for data accesses (MPRV) */
    uint32_t exc_cause;       /* pending exception from a slow path */
    uint64_t exc_tval;
    struct tlb_entry tlb[4][3][TLB_SIZE]; /* [priv][access][index] */
    uint32_t tlb_epoch;                   /* bumped by every flush of translations */
    uint64_t breakpoints[HART_MAX_BREAKPOINTS]; /* virtual pcs */
    int breakpoint_count;
    bool at_breakpoint;         /* stopped at a breakpoint at (bp_pc, bp_icount): the next */
    uint64_t bp_pc, bp_icount;  /* run goes on past it once */
    struct hart_watch watches[HART_MAX_WATCHPOINTS];
    int watch_count;            /* loads and stores on pages they overlap bypass the TLB */
    bool watch_hit;             /* the last instruction touched a watched range */
    uint64_t watch_hit_addr;
    enum hart_watch_type watch_hit_type;
    struct jcache_entry jcache[JCACHE_SIZE];
};

/* Create/destroy. `code` is the decoded-code cache shared by the harts of one machine. */
void hart_init(struct hart *h, uint64_t hartid, struct bus *bus, struct code_cache *code,
               struct hart_platform platform);
void hart_reset(struct hart *h, uint64_t pc);

/* Execute at most max_insns instructions (exactly that many unless it stops earlier).
 * Returns the number retired; *stop says why it returned. Pending-and-enabled interrupts are
 * taken before the next instruction; traps are taken inside. */
uint64_t hart_run(struct hart *h, uint64_t max_insns, enum hart_stop *stop);

/* Execution breakpoints on virtual pcs: hart_run stops before executing an instruction at
 * one (HART_STOP_BREAKPOINT); the next run from that same point goes on past it, so that
 * continuing from a breakpoint works. A hart that merely sits at a breakpoint's pc when a
 * run starts (its slice began there, or it waited there in wfi) still stops.
 * add returns 0, or -1 when the table is full; remove returns 0, or -1 if not set. */
int hart_breakpoint_add(struct hart *h, uint64_t vpc);
int hart_breakpoint_remove(struct hart *h, uint64_t vpc);

/* Watchpoints on virtual ranges: hart_run stops (HART_STOP_WATCH) right after an
 * instruction whose load (READ/ACCESS) or store (WRITE/ACCESS) touches the range.
 * add returns 0, or -1 when the table is full; remove returns 0, or -1 if not set. */
int hart_watch_add(struct hart *h, uint64_t addr, uint64_t len, enum hart_watch_type type);
int hart_watch_remove(struct hart *h, uint64_t addr, uint64_t len, enum hart_watch_type type);

/* Ask the hart to return from hart_run at the next instruction boundary. */
void hart_request_stop(struct hart *h);

/* Interrupt lines driven by devices (level-sensitive). They survive hart_reset. */
void hart_set_irq(struct hart *h, uint64_t mip_bits, bool level);
/* Set or clear software-writable mip bits (SSIP, STIP, SEIP) as M-mode firmware would. */
void hart_set_sw_irq(struct hart *h, uint64_t mip_bits, bool level);
/* True if an interrupt is pending and enabled in mie but the hart cannot take it now
 * (interrupts globally off for its privilege): a hart spinning like this is hung. */
bool hart_irq_blocked(const struct hart *h);
/* True if some interrupt is pending and enabled in mie (wfi would wake). */
bool hart_irq_pending(const struct hart *h);

/* CSR access as an instruction would do it, for debuggers and tests.
 * Return 0 or -1 (illegal: unimplemented, privilege, read-only). */
int hart_csr_read(struct hart *h, uint32_t csr, uint64_t *value);
int hart_csr_write(struct hart *h, uint32_t csr, uint64_t value);

/* Debugger/test access to virtual memory as the hart's current data mode sees it.
 * Returns 0 or the exception cause. No side effects on A/D bits or code cache beyond a
 * normal store. */
int hart_vread(struct hart *h, uint64_t vaddr, void *buf, uint64_t len);
/* The same for writing (permissions as for a read: a debugger may patch code). Decoded code
 * and LR reservations are invalidated as for any store. */
int hart_vwrite(struct hart *h, uint64_t vaddr, const void *buf, uint64_t len);

/* State stream (hart_state.c): all architectural state (registers, CSRs, counter offsets,
 * PMP, interrupt bits, wfi, LR reservation, a pending stop request) as section "hart".
 * Breakpoints are the debugger's and are neither saved nor replaced. hart_load validates
 * every value (it refuses the state of another hart id), then recomputes the data mode and
 * empties the TLB and jump cache; on error (-1, message in the reader) the hart is
 * unchanged. */
struct state_writer;
struct state_reader;
void hart_save(const struct hart *h, struct state_writer *w);
int hart_load(struct hart *h, struct state_reader *r);

/* Internal interfaces between the hart's files (trap.c, csr.c, mmu.c, exec.c). */
void hart_raise(struct hart *h, uint32_t cause, uint64_t tval); /* take exception at h->pc */
bool hart_take_interrupt(struct hart *h);                        /* true if one was taken */
void hart_mret(struct hart *h);
void hart_sret(struct hart *h);
void hart_update_dmode(struct hart *h);
void hart_tlb_flush(struct hart *h);
void hart_tlb_flush_data(struct hart *h); /* load/store translations of S and U only */
void hart_tlb_flush_writes(struct hart *h); /* every write translation */
void hart_tlb_flush_ppage(struct hart *h, uint64_t ppage, int access);

#endif
