/* sched.h — tasks, the timer tick, interrupt dispatch and the round-robin
 * scheduler: every tick of the CLINT timer switches to the next task. */
#ifndef DEMO_SCHED_H
#define DEMO_SCHED_H

#include <stdint.h>

#include "hw.h"

#define TICK_MTIME      (TIMEBASE_HZ / 1000)    /* the tick: 1 ms of mtime */
#define MAX_TASKS       4
#define TASK_STACK_SIZE (16 * 1024)

/* The registers of an interrupted context, as start.S saves them on its stack. */
struct trap_frame {
    uint64_t mepc;              /* where it was interrupted */
    uint64_t x[32];             /* x[1]..x[31]; x[0] is unused */
    uint64_t mstatus;
};

struct task {
    const char *name;
    struct trap_frame *frame;   /* saved context while the task is not running */
    uint64_t slices;            /* times it was given the processor */
    uint8_t stack[TASK_STACK_SIZE] __attribute__((aligned(16)));
};

extern struct task tasks[MAX_TASKS];
extern unsigned task_count;
extern unsigned current_task;           /* index into tasks[] of the running task */
extern volatile uint64_t ticks;         /* timer interrupts so far */
extern unsigned irq_depth;              /* > 0 while an interrupt or exception is handled */
extern uint64_t ticks_dropped, keys_received, keys_dropped;

/* Create a task that runs fn(arg) from the first tick on; returns its id. */
unsigned task_create(const char *name, void (*fn)(void *), void *arg);
const char *task_name(unsigned id);

/* Enable the timer and UART interrupts and run the first task.  Never returns. */
void sched_start(void) __attribute__((noreturn));

/* Called by start.S for every trap, with the saved registers; returns the
 * context to resume (another task's after a tick). */
struct trap_frame *trap_handler(struct trap_frame *f);

#endif
