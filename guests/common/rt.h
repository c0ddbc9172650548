/* guests/common/rt.h — the guests' freestanding C runtime: HTIF console and exit,
 * a small printf, self-check macros, CSR access, and the trap framework
 * (expect a trap, record what it was, run code in S- or U-mode). */
#ifndef GUESTS_RT_H
#define GUESTS_RT_H

#include <stdint.h>
#include <stddef.h>
#include <stdarg.h>
#include "riscv_defs.h"

/* ---- freestanding libc subset (rt.c) ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- HTIF console / exit ---- */
void rt_putc(char c);
void rt_puts(const char *s);                 /* no newline added */
void rt_printf(const char *fmt, ...);        /* %s %c %d %u %x %p, l/ll modifiers, width/0 */
_Noreturn void rt_exit(uint64_t code);       /* HTIF exit; status seen by the host = code & 0xff */
_Noreturn void rt_finish(long main_result);  /* called by crt after main returns */

/* Every guest defines its name (used in PASS/FAIL lines). */
extern const char test_name[];
#define TEST_NAME(s) const char test_name[] = s

/* ---- self-checks ----
 * A failed check prints "FAIL <test> line L: <what>: got G expected E" and exits
 * with a code derived from the line number (never 0; see rt_fail_code). */
_Noreturn void rt_fail(unsigned long id, const char *what, uint64_t got, uint64_t expected);
unsigned long rt_fail_code(unsigned long id);
extern unsigned long rt_checks;               /* number of checks that ran */

#define CHECK_EQ(got, expected, what) do {                              \
        uint64_t got_ = (uint64_t)(got), exp_ = (uint64_t)(expected);   \
        rt_checks++;                                                    \
        if (got_ != exp_) rt_fail(__LINE__, (what), got_, exp_);        \
    } while (0)
#define CHECK(cond, what) CHECK_EQ(!!(cond), 1, (what))

/* ---- CSRs ---- */
#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint64_t v_; __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "r"((uint64_t)(val)) : "memory"); v_; })

/* plain memory accesses the compiler cannot reason about (any address) */
static inline uint64_t load64(uintptr_t a) { uint64_t v; __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint64_t load32u(uintptr_t a) { uint64_t v; __asm__ volatile("lwu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline uint64_t load8u(uintptr_t a) { uint64_t v; __asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static inline void store64(uintptr_t a, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static inline void store32(uintptr_t a, uint64_t v) { __asm__ volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static inline void store8(uintptr_t a, uint64_t v) { __asm__ volatile("sb %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }

/* ---- traps ----
 * Unexpected traps are fatal (printed, exit code 0xEE).  A test arms the
 * framework with expect_trap(); the next trap (M or S handler) is recorded in
 * last_trap and the trapping code resumes:
 *   - ecall: after the ecall;
 *   - instruction misaligned / access / page fault: at the trapping code's ra
 *     (so "jalr ra, bad_target" simply returns to the caller);
 *   - anything else: after the faulting instruction (2 or 4 bytes).
 * Interrupts are recorded in last_irq (software interrupts are cleared). */
struct trap_frame { uint64_t x[32]; };

struct trap_record {
    uint64_t count;     /* traps recorded since expect_trap() */
    uint64_t cause;
    uint64_t tval;
    uint64_t epc;
    uint64_t handler;   /* PRV_M or PRV_S: which handler took it */
    uint64_t from;      /* privilege the trap came from (MPP / SPP) */
    uint64_t status;    /* mstatus or sstatus as seen by the handler */
    uint64_t insn;      /* the instruction bits at epc when readable, else 0 */
};
extern volatile struct trap_record last_trap;
extern volatile struct trap_record last_irq;     /* interrupts (any handler) */
extern volatile uint64_t irq_count;
extern volatile uint64_t vector_slot;            /* slot of the last vectored interrupt */

void expect_trap(void);          /* arm for exactly one trap */
void expect_no_trap(void);       /* disarm */
#define CHECK_TRAP(cause_, tval_, what) do {                               \
        CHECK_EQ(last_trap.count, 1, what " (trap count)");                \
        CHECK_EQ(last_trap.cause, (cause_), what " (cause)");              \
        CHECK_EQ(last_trap.tval, (tval_), what " (tval)");                 \
    } while (0)
#define CHECK_NO_TRAP(what) CHECK_EQ(last_trap.count, 0, what " (unexpected trap)")

/* The trap entries keep their stack pointers in mscratch/sscratch; a test that
 * uses those CSRs as scratch registers must call this afterwards. */
void rt_reset_scratch(void);

/* Run fn(arg) in privilege `mode` (PRV_S or PRV_U) with a private stack, entered
 * with mret.  va_offset is added to the function, stack and return-trampoline
 * addresses (U-mode code runs through an alias mapping when paging is on).
 * fn returns through run_in_trampoline (ecall with a7 = RUN_IN_EXIT_MAGIC), and
 * run_in returns fn's value.  mstatus.MPIE is as the caller left it; the
 * argument registers other than a0 and all temporaries are zeroed. */
long run_in(int mode, long (*fn)(long), long arg, uintptr_t va_offset);
long run_in_raw(uint64_t mode, uint64_t pc, uint64_t arg, uint64_t sp, uint64_t ra);
void run_in_trampoline(void);
_Noreturn void run_in_return(long value);
uint64_t m_load_half_as_prev(uintptr_t va);
extern char mtvec_table[], stvec_table[], mtrap_entry[], strap_entry[];

/* hooks a test may install to handle traps itself; return nonzero if handled */
extern int (*m_trap_hook)(struct trap_frame *tf, uint64_t cause);
extern int (*s_trap_hook)(struct trap_frame *tf, uint64_t cause);

/* illegal-instruction mtval/stval must hold the instruction bits (rewind and
 * QEMU both provide them; the spec would also allow 0, Linux relies on bits) */
#define CHECK_ILLEGAL_TVAL(tval, insn, what) CHECK_EQ((tval), (insn), what)

/* True when the qemu.* ctest stored its marker at 0x87fff000 (see
 * tests/guests/CMakeLists.txt): lets a test relax a check where QEMU 7.2
 * departs from the spec.  Always false on rewind (RAM starts zeroed). */
int on_qemu(void);

#endif
