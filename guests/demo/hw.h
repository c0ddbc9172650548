/* hw.h — the virt board as the demo kernel sees it: MMIO addresses of the
 * devices it drives (syscon, CLINT, PLIC, UART), CSR access, interrupt masking
 * and the time base.  Same map on rewind and on QEMU's `virt`. */
#ifndef DEMO_HW_H
#define DEMO_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RAM_BASE            0x80000000ul

#define SYSCON_BASE         0x00100000ul    /* sifive,test0 */
#define SYSCON_PASS         0x5555u         /* power off, success */
#define SYSCON_FAIL         0x3333u         /* power off, failure code in bits 31..16 */

#define CLINT_BASE          0x02000000ul
#define CLINT_MTIMECMP(h)   (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME         (CLINT_BASE + 0xbff8)
#define TIMEBASE_HZ         10000000ul      /* mtime ticks per second */

#define PLIC_BASE           0x0c000000ul
#define PLIC_PRIORITY(irq)  (PLIC_BASE + 4 * (irq))
#define PLIC_ENABLE(ctx)    (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define PLIC_CTX_HART0_M    0               /* context 2h is hart h in M-mode */

#define UART_BASE           0x10000000ul
#define UART_IRQ            10

/* mstatus, mie, mcause bits. */
#define MSTATUS_MIE         (1ul << 3)
#define MSTATUS_MPIE        (1ul << 7)
#define MSTATUS_MPP_M       (3ul << 11)
#define MIE_MTIE            (1ul << 7)
#define MIE_MEIE            (1ul << 11)
#define MCAUSE_INTERRUPT    (1ul << 63)
#define IRQ_M_TIMER         7
#define IRQ_M_EXTERNAL      11

#define csr_read(csr) ({                                        \
        uint64_t v_;                                            \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_));          \
        v_; })
#define csr_write(csr, val) \
        __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) \
        __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")

static inline uint8_t mmio_read8(uintptr_t addr)
{
    return *(volatile uint8_t *)addr;
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
    *(volatile uint8_t *)addr = v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
    return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
    *(volatile uint32_t *)addr = v;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
    return *(volatile uint64_t *)addr;
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
    *(volatile uint64_t *)addr = v;
}

/* Guest time in mtime ticks (10 MHz). */
static inline uint64_t mtime_now(void)
{
    return mmio_read64(CLINT_MTIME);
}

/* Instructions retired so far (on rewind: the icount the trace is indexed by). */
static inline uint64_t instret_now(void)
{
    return csr_read(minstret);
}

/* Mask machine interrupts; returns whether they were enabled, for irq_restore. */
static inline bool irq_save(void)
{
    uint64_t old;
    __asm__ volatile("csrrci %0, mstatus, %1" : "=r"(old) : "i"(MSTATUS_MIE) : "memory");
    return (old & MSTATUS_MIE) != 0;
}

static inline void irq_restore(bool enabled)
{
    if (enabled)
        __asm__ volatile("csrsi mstatus, %0" :: "i"(MSTATUS_MIE) : "memory");
}

/* Sleep until an interrupt is pending (returns at once if one already is). */
static inline void wait_for_interrupt(void)
{
    __asm__ volatile("wfi" ::: "memory");
}

#endif
