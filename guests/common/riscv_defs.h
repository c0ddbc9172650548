/* guests/common/riscv_defs.h — architectural constants (CSR bits, causes, PTE bits)
 * shared by the C and assembly guests.  Values are from the RISC-V privileged spec. */
#ifndef GUESTS_RISCV_DEFS_H
#define GUESTS_RISCV_DEFS_H

#ifdef __ASSEMBLER__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

/* privilege levels */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus / sstatus */
#define MSTATUS_SIE   _UL(0x2)
#define MSTATUS_MIE   _UL(0x8)
#define MSTATUS_SPIE  _UL(0x20)
#define MSTATUS_UBE   _UL(0x40)
#define MSTATUS_MPIE  _UL(0x80)
#define MSTATUS_SPP   _UL(0x100)
#define MSTATUS_MPP   _UL(0x1800)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_FS    _UL(0x6000)
#define MSTATUS_FS_INITIAL _UL(0x2000)
#define MSTATUS_FS_DIRTY   _UL(0x6000)
#define MSTATUS_MPRV  _UL(0x20000)
#define MSTATUS_SUM   _UL(0x40000)
#define MSTATUS_MXR   _UL(0x80000)
#define MSTATUS_TVM   _UL(0x100000)
#define MSTATUS_TW    _UL(0x200000)
#define MSTATUS_TSR   _UL(0x400000)
#define MSTATUS_UXL   _UL(0x300000000)
#define MSTATUS_SXL   _UL(0xC00000000)
#define MSTATUS_SD    _UL(0x8000000000000000)

/* mip / mie bits */
#define MIP_SSIP _UL(0x2)
#define MIP_MSIP _UL(0x8)
#define MIP_STIP _UL(0x20)
#define MIP_MTIP _UL(0x80)
#define MIP_SEIP _UL(0x200)
#define MIP_MEIP _UL(0x800)

/* exception causes */
#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT          3
#define CAUSE_MISALIGNED_LOAD     4
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_MISALIGNED_STORE    6
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8
#define CAUSE_SUPERVISOR_ECALL    9
#define CAUSE_MACHINE_ECALL       11
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15
#define CAUSE_INTERRUPT           _UL(0x8000000000000000)
#define IRQ_S_SOFT 1
#define IRQ_M_SOFT 3

/* satp */
#define SATP_MODE_BARE _UL(0)
#define SATP_MODE_SV39 _UL(8)
#define SATP_MODE_SV48 _UL(9)
#define SATP_MODE_SHIFT 60

/* page-table entry bits */
#define PTE_V _UL(0x001)
#define PTE_R _UL(0x002)
#define PTE_W _UL(0x004)
#define PTE_X _UL(0x008)
#define PTE_U _UL(0x010)
#define PTE_G _UL(0x020)
#define PTE_A _UL(0x040)
#define PTE_D _UL(0x080)
#define PTE_PPN_SHIFT 10

/* pmpcfg fields */
#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_NAPOT 0x18

/* fflags */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

/* rounding modes */
#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

/* a7 value with which lower-mode code returns to run_in()'s caller via ecall */
#define RUN_IN_EXIT_MAGIC 0x52455749 /* "REWI" */

#endif
