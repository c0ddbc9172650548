/* guests/common/rt.c — HTIF console/exit, rt_printf, check failures, and the C
 * side of the trap framework (m_trap_c, s_trap_c, vectored handlers, run_in). */
#include "rt.h"

extern volatile uint64_t tohost, fromhost;
extern char __mtrap_stack_top[], __strap_stack_top[];   /* link.ld */

unsigned long rt_checks;
volatile struct trap_record last_trap;
volatile struct trap_record last_irq;
volatile uint64_t irq_count;
volatile uint64_t vector_slot;
int (*m_trap_hook)(struct trap_frame *tf, uint64_t cause);
int (*s_trap_hook)(struct trap_frame *tf, uint64_t cause);
static volatile int trap_armed;

/* ------------------------------------------------------------------ HTIF */

void rt_putc(char c)
{
    /* device 1 (console), command 1 (write byte); the host answers in fromhost */
    tohost = (1UL << 56) | (1UL << 48) | (uint8_t)c;
    while (fromhost == 0)
        ;
    fromhost = 0;
}

void rt_puts(const char *s)
{
    while (*s)
        rt_putc(*s++);
}

_Noreturn void rt_exit(uint64_t code)
{
    for (;;)
        tohost = (code << 1) | 1;
}

/* ------------------------------------------------------------------ printf */

static void put_num(uint64_t v, unsigned base, int neg, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    if (neg)
        buf[n++] = '-';
    while (n < width--)
        rt_putc(pad);
    while (n)
        rt_putc(buf[--n]);
}

static void rt_vprintf(const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            rt_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            rt_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            rt_putc((char)va_arg(ap, int));
            break;
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_num(v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, width, pad);
            break;
        }
        case 'u':
            put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, 0, width, pad);
            break;
        case 'x':
            put_num(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, 0, width, pad);
            break;
        case 'p':
            rt_puts("0x");
            put_num((uintptr_t)va_arg(ap, void *), 16, 0, 0, ' ');
            break;
        case '%':
            rt_putc('%');
            break;
        default:
            rt_putc('%');
            rt_putc(*fmt);
            break;
        }
    }
}

void rt_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rt_vprintf(fmt, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------ verdicts */

unsigned long rt_fail_code(unsigned long id)
{
    /* 1..255, so the 8-bit exit status is never 0 for a failure */
    return ((id - 1) % 255) + 1;
}

_Noreturn void rt_fail(unsigned long id, const char *what, uint64_t got, uint64_t expected)
{
    rt_printf("FAIL %s check %lu: %s: got 0x%lx expected 0x%lx (exit code %lu)\n",
              test_name, id, what, got, expected, rt_fail_code(id));
    rt_exit(rt_fail_code(id));
}

_Noreturn void rt_finish(long main_result)
{
    if (main_result != 0) {
        rt_printf("FAIL %s: main returned %ld\n", test_name, main_result);
        rt_exit(rt_fail_code((unsigned long)main_result));
    }
    if (rt_checks)
        rt_printf("PASS %s (%lu checks)\n", test_name, rt_checks);
    else
        rt_printf("PASS %s\n", test_name);
    rt_exit(0);
}

/* ------------------------------------------------------------------ traps */

void expect_trap(void)
{
    last_trap.count = 0;
    last_trap.cause = last_trap.tval = last_trap.epc = 0;
    last_trap.handler = last_trap.from = last_trap.status = last_trap.insn = 0;
    trap_armed = 1;
}

void expect_no_trap(void)
{
    trap_armed = 0;
    last_trap.count = 0;
}

static int is_fetch_fault(uint64_t cause)
{
    return cause == CAUSE_MISALIGNED_FETCH || cause == CAUSE_FETCH_ACCESS ||
           cause == CAUSE_FETCH_PAGE_FAULT;
}

static int is_ecall(uint64_t cause)
{
    return cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL ||
           cause == CAUSE_MACHINE_ECALL;
}

_Noreturn static void unexpected(const char *level, uint64_t cause, uint64_t epc, uint64_t tval)
{
    rt_printf("FAIL %s: unexpected trap in %s handler: cause 0x%lx epc 0x%lx tval 0x%lx (exit code 238)\n",
              test_name, level, cause, epc, tval);
    rt_exit(0xEE);
}

/* where to resume after a recorded exception */
static uint64_t resume_pc(struct trap_frame *tf, uint64_t cause, uint64_t epc, uint64_t insn)
{
    if (is_fetch_fault(cause))
        return tf->x[1];
    if (is_ecall(cause))
        return epc + 4;
    return epc + ((insn & 3) == 3 ? 4 : 2);
}

void m_trap_c(struct trap_frame *tf)
{
    uint64_t cause = csr_read(mcause);
    uint64_t epc = csr_read(mepc);
    uint64_t tval = csr_read(mtval);
    uint64_t status = csr_read(mstatus);

    if ((cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL) &&
        tf->x[17] == RUN_IN_EXIT_MAGIC)
        run_in_return((long)tf->x[10]);

    if (m_trap_hook && m_trap_hook(tf, cause))
        return;

    if (cause & CAUSE_INTERRUPT) {
        last_irq.count++;
        last_irq.cause = cause;
        last_irq.epc = epc;
        last_irq.handler = PRV_M;
        last_irq.from = (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
        last_irq.status = status;
        irq_count++;
        if ((cause & 0xff) == IRQ_S_SOFT)
            csr_clear(mip, MIP_SSIP);
        else
            unexpected("M (interrupt)", cause, epc, tval);
        return;
    }
    if (!trap_armed)
        unexpected("M", cause, epc, tval);
    trap_armed = 0;

    uint64_t insn = 0;
    if (!is_fetch_fault(cause)) {
        insn = m_load_half_as_prev(epc);
        if ((insn & 3) == 3)
            insn |= m_load_half_as_prev(epc + 2) << 16;
    }
    last_trap.count++;
    last_trap.cause = cause;
    last_trap.tval = tval;
    last_trap.epc = epc;
    last_trap.handler = PRV_M;
    last_trap.from = (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    last_trap.status = status;
    last_trap.insn = insn;
    csr_write(mepc, resume_pc(tf, cause, epc, insn));
}

static uint64_t s_load_half(uintptr_t va)
{
    uint64_t v;
    /* the trapping code may be U-mode code on a U page: allow the read */
    __asm__ volatile("csrs sstatus, %1\n\tlhu %0, 0(%2)\n\tcsrc sstatus, %1"
                     : "=&r"(v) : "r"(MSTATUS_SUM), "r"(va) : "memory");
    return v;
}

void s_trap_c(struct trap_frame *tf)
{
    uint64_t cause = csr_read(scause);
    uint64_t epc = csr_read(sepc);
    uint64_t tval = csr_read(stval);
    uint64_t status = csr_read(sstatus);

    if (cause == CAUSE_USER_ECALL && tf->x[17] == RUN_IN_EXIT_MAGIC) {
        /* delegated "return from run_in": forward it to M with an S ecall;
         * this handler's frame is abandoned, so give the S trap stack back */
        csr_write(sscratch, (uintptr_t)__strap_stack_top);
        register uint64_t a0 __asm__("a0") = tf->x[10];
        register uint64_t a7 __asm__("a7") = RUN_IN_EXIT_MAGIC;
        __asm__ volatile("ecall" :: "r"(a0), "r"(a7) : "memory");
        for (;;)
            ;
    }

    if (s_trap_hook && s_trap_hook(tf, cause))
        return;

    if (cause & CAUSE_INTERRUPT) {
        last_irq.count++;
        last_irq.cause = cause;
        last_irq.epc = epc;
        last_irq.handler = PRV_S;
        last_irq.from = (status & MSTATUS_SPP) ? PRV_S : PRV_U;
        last_irq.status = status;
        irq_count++;
        if ((cause & 0xff) == IRQ_S_SOFT)
            csr_clear(sip, MIP_SSIP);
        else
            unexpected("S (interrupt)", cause, epc, tval);
        return;
    }
    if (!trap_armed)
        unexpected("S", cause, epc, tval);
    trap_armed = 0;

    uint64_t insn = 0;
    if (!is_fetch_fault(cause)) {
        insn = s_load_half(epc);
        if ((insn & 3) == 3)
            insn |= s_load_half(epc + 2) << 16;
    }
    last_trap.count++;
    last_trap.cause = cause;
    last_trap.tval = tval;
    last_trap.epc = epc;
    last_trap.handler = PRV_S;
    last_trap.from = (status & MSTATUS_SPP) ? PRV_S : PRV_U;
    last_trap.status = status;
    last_trap.insn = insn;
    csr_write(sepc, resume_pc(tf, cause, epc, insn));
}

/* vectored interrupt slots (slot 0 = exceptions goes to the direct entries) */
static void record_vectored(uint64_t slot, uint64_t cause, uint64_t epc, uint64_t handler,
                            uint64_t from, uint64_t status)
{
    vector_slot = slot;
    last_irq.count++;
    last_irq.cause = cause;
    last_irq.epc = epc;
    last_irq.handler = handler;
    last_irq.from = from;
    last_irq.status = status;
    irq_count++;
}

void m_vector_c(struct trap_frame *tf, uint64_t slot)
{
    (void)tf;
    uint64_t cause = csr_read(mcause), status = csr_read(mstatus);
    record_vectored(slot, cause, csr_read(mepc), PRV_M,
                    (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT, status);
    if (cause == (CAUSE_INTERRUPT | IRQ_S_SOFT))
        csr_clear(mip, MIP_SSIP);
    else
        unexpected("M (vectored)", cause, csr_read(mepc), slot);
}

void s_vector_c(struct trap_frame *tf, uint64_t slot)
{
    (void)tf;
    uint64_t cause = csr_read(scause), status = csr_read(sstatus);
    record_vectored(slot, cause, csr_read(sepc), PRV_S,
                    (status & MSTATUS_SPP) ? PRV_S : PRV_U, status);
    if (cause == (CAUSE_INTERRUPT | IRQ_S_SOFT))
        csr_clear(sip, MIP_SSIP);
    else
        unexpected("S (vectored)", cause, csr_read(sepc), slot);
}

/* ------------------------------------------------------------------ run_in */

void rt_reset_scratch(void)
{
    csr_write(mscratch, (uintptr_t)__mtrap_stack_top);
    csr_write(sscratch, (uintptr_t)__strap_stack_top);
}

static uint64_t lower_stack[2][2048] __attribute__((aligned(16)));

long run_in(int mode, long (*fn)(long), long arg, uintptr_t va_offset)
{
    uintptr_t sp = (uintptr_t)&lower_stack[mode == PRV_U][2048] + va_offset;
    return run_in_raw((uint64_t)mode, (uintptr_t)fn + va_offset, (uint64_t)arg, sp,
                      (uintptr_t)run_in_trampoline + va_offset);
}

/* ------------------------------------------------------------------ qemu */

#define QEMU_MARKER_ADDR 0x87fff000UL
#define QEMU_MARKER_VALUE 0x51454d5551524b53UL /* "QEMUQRKS" */

int on_qemu(void)
{
    return *(volatile uint64_t *)QEMU_MARKER_ADDR == QEMU_MARKER_VALUE;
}

/* ------------------------------------------------------------------ libc bits */
/* gcc may emit calls to these even in freestanding code. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    if (p < q) {
        while (n--)
            *p++ = *q++;
    } else {
        while (n--)
            p[n] = q[n];
    }
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

/* called by the CHECK_* macros of asm_test.h */
_Noreturn void asm_check_failed(unsigned long id, uint64_t got, uint64_t expected, const char *desc)
{
    rt_fail(id, desc, got, expected);
}

