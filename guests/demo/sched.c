/* sched.c — tasks, traps and the timer.  start.S saves an interrupted context
 * on its own stack and calls trap_handler; a timer interrupt posts a tick
 * message and switches to the next task round-robin, a PLIC interrupt from the
 * UART posts one key message per byte received, anything else is a panic. */
#include "sched.h"

#include "console.h"
#include "mailq.h"
#include "panic.h"

struct task tasks[MAX_TASKS];
unsigned task_count;
unsigned current_task;
volatile uint64_t ticks;
unsigned irq_depth;
uint64_t ticks_dropped, keys_received, keys_dropped;

static uint64_t next_deadline;

/* start.S: the first instruction of every task, and the way into the first one. */
extern void task_trampoline(void);
extern void trap_return_to(struct trap_frame *f) __attribute__((noreturn));

unsigned task_create(const char *name, void (*fn)(void *), void *arg)
{
    if (task_count == MAX_TASKS)
        panic("task_create(%s): no room for more than %u tasks", name, MAX_TASKS);
    unsigned id = task_count++;
    struct task *t = &tasks[id];
    t->name = name;
    /* The task starts as if it had been interrupted at task_trampoline, with
     * a0 = arg, a1 = fn, and interrupts enabled once mret restores mstatus. */
    struct trap_frame *f = (struct trap_frame *)(t->stack + TASK_STACK_SIZE) - 1;
    for (unsigned i = 0; i < 32; i++)
        f->x[i] = 0;
    f->mepc = (uintptr_t)task_trampoline;
    f->mstatus = MSTATUS_MPP_M | MSTATUS_MPIE;
    f->x[10] = (uintptr_t)arg;
    f->x[11] = (uintptr_t)fn;
    t->frame = f;
    return id;
}

const char *task_name(unsigned id)
{
    return id < task_count ? tasks[id].name : "?";
}

/* ---- interrupt handlers ---- */

static void timer_interrupt(void)
{
    next_deadline += TICK_MTIME;
    mmio_write64(CLINT_MTIMECMP(0), next_deadline);
    uint64_t tick = ++ticks;

    struct msg *m = msg_alloc();
    if (!m) {
        ticks_dropped++;
        return;
    }
    m->kind = MSG_TICK;
    m->origin = ORIGIN_IRQ;
    m->seq = tick;
    m->value = current_task;
    mailq_append(&mailq, m);
}

static void uart_interrupt(void)
{
    int c;
    while ((c = console_getc()) >= 0) {
        keys_received++;
        struct msg *m = msg_alloc();
        if (!m) {
            keys_dropped++;
            continue;
        }
        m->kind = MSG_KEY;
        m->origin = ORIGIN_IRQ;
        m->seq = keys_received;
        m->value = (uint64_t)c;
        mailq_append(&mailq, m);
    }
}

static void external_interrupt(void)
{
    uint32_t irq;
    while ((irq = mmio_read32(PLIC_CLAIM(PLIC_CTX_HART0_M))) != 0) {
        if (irq == UART_IRQ)
            uart_interrupt();
        mmio_write32(PLIC_CLAIM(PLIC_CTX_HART0_M), irq);
    }
}

/* Round robin: the interrupted task is saved, the next one resumes. */
static struct trap_frame *schedule(struct trap_frame *f)
{
    tasks[current_task].frame = f;
    current_task = (current_task + 1) % task_count;
    tasks[current_task].slices++;
    return tasks[current_task].frame;
}

struct trap_frame *trap_handler(struct trap_frame *f)
{
    uint64_t cause = csr_read(mcause);
    irq_depth++;
    if (cause == (MCAUSE_INTERRUPT | IRQ_M_TIMER)) {
        timer_interrupt();
        f = schedule(f);
    } else if (cause == (MCAUSE_INTERRUPT | IRQ_M_EXTERNAL)) {
        external_interrupt();
    } else {
        panic_exception(f, cause, csr_read(mtval));
    }
    irq_depth--;
    return f;
}

void sched_start(void)
{
    if (task_count == 0)
        panic("sched_start: no tasks");

    /* The UART's receive interrupt through the PLIC, to hart 0 in M-mode. */
    mmio_write32(PLIC_PRIORITY(UART_IRQ), 1);
    mmio_write32(PLIC_ENABLE(PLIC_CTX_HART0_M), 1u << UART_IRQ);
    mmio_write32(PLIC_THRESHOLD(PLIC_CTX_HART0_M), 0);
    console_enable_rx_irq();

    /* The first tick, one period from now. */
    next_deadline = mtime_now() + TICK_MTIME;
    mmio_write64(CLINT_MTIMECMP(0), next_deadline);
    csr_write(mie, MIE_MTIE | MIE_MEIE);

    current_task = 0;
    tasks[0].slices = 1;
    trap_return_to(tasks[0].frame);
}
