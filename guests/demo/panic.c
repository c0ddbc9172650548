/* panic.c — the end of a run: the panic report (what broke, where, when, a
 * frame-pointer backtrace) and power-off through the syscon (sifive,test0),
 * which makes rewind and QEMU exit with the code given. */
#include "panic.h"

#include <stdarg.h>
#include <stdbool.h>

#include "console.h"
#include "hw.h"
#include "mailq.h"
#include "sched.h"

extern char __image_start[], __image_end[];

static bool panicking;

void power_off(unsigned code)
{
    irq_save();
    mmio_write32(SYSCON_BASE, code == 0 ? SYSCON_PASS : SYSCON_FAIL | code << 16);
    for (;;)
        wait_for_interrupt();
}

/* A frame pointer we may follow: inside the kernel image (all stacks are) and aligned. */
static bool frame_pointer_ok(uintptr_t fp)
{
    return fp >= (uintptr_t)__image_start + 16 && fp <= (uintptr_t)__image_end && !(fp & 7);
}

/* With -fno-omit-frame-pointer, s0 is the frame's CFA, the return address is
 * saved at s0 - 8 and the caller's s0 at s0 - 16.  Printed is ra - 2: inside
 * the call instruction, so addr2line names the calling line even when the
 * callee never returns (ra may then already be in the next function). */
static void backtrace_from(uintptr_t fp)
{
    kprintf("*** backtrace, call sites (addr2line -f -i -e build/guests/demo/demo.elf ADDR...):\n");
    for (unsigned depth = 0; depth < 16 && frame_pointer_ok(fp); depth++) {
        uintptr_t ra = ((const uintptr_t *)fp)[-1];
        uintptr_t caller_fp = ((const uintptr_t *)fp)[-2];
        if (!ra)
            break;
        kprintf("***   #%u 0x%lx\n", depth, ra - 2);
        if (caller_fp <= fp)
            break;
        fp = caller_fp;
    }
}

static void panic_report_context(void)
{
    uint64_t now = mtime_now();
    kprintf("*** in %s%s, tick %lu, mtime %lu (%lu.%06lu s), instret %lu\n",
            irq_depth ? "an interrupt handler, task " : "task ", task_name(current_task), ticks,
            now, now / TIMEBASE_HZ, now % TIMEBASE_HZ / 10, instret_now());
}

void panic(const char *fmt, ...)
{
    irq_save();
    if (panicking)
        power_off(2);
    panicking = true;

    kprintf("\n*** PANIC: ");
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    if (bad_link)
        kprintf("*** the corrupted link is at %p (in gdb: watch -l *bad_link)\n", (void *)bad_link);
    panic_report_context();
    backtrace_from((uintptr_t)__builtin_frame_address(0));
    kprintf("*** powering off (failure code 1)\n");
    power_off(1);
}

static const char *exception_name(uint64_t cause)
{
    static const char *const names[] = {
        "instruction address misaligned", "instruction access fault", "illegal instruction",
        "breakpoint", "load address misaligned", "load access fault",
        "store address misaligned", "store access fault", "ecall from U-mode",
        "ecall from S-mode", "reserved", "ecall from M-mode", "instruction page fault",
        "load page fault", "reserved", "store page fault",
    };
    if (cause & MCAUSE_INTERRUPT)
        return "unexpected interrupt";
    return cause < sizeof(names) / sizeof(names[0]) ? names[cause] : "unknown exception";
}

void panic_exception(const struct trap_frame *f, uint64_t cause, uint64_t tval)
{
    irq_save();
    if (panicking)
        power_off(2);
    panicking = true;

    kprintf("\n*** PANIC: %s (mcause 0x%lx) at pc 0x%lx, mtval 0x%lx%s\n", exception_name(cause),
            cause, f->mepc, tval,
            tval >> 32 == (uintptr_t)MSG_POISON >> 32 ? " (MSG_POISON: a message in no list)" : "");
    kprintf("*** ra 0x%lx sp 0x%lx s0 0x%lx a0 0x%lx a1 0x%lx\n", f->x[1], f->x[2], f->x[8],
            f->x[10], f->x[11]);
    irq_depth--;        /* report the interrupted context, not the trap */
    panic_report_context();
    kprintf("*** interrupted code: pc 0x%lx\n", f->mepc);
    backtrace_from(f->x[8]);
    kprintf("*** powering off (failure code 1)\n");
    power_off(1);
}

/* start.S calls this if a task's function returns. */
void task_exited(void)
{
    panic("task %s returned", task_name(current_task));
}
