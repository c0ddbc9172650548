/* panic.h — stopping the machine: panic messages, power off through syscon. */
#ifndef DEMO_PANIC_H
#define DEMO_PANIC_H

#include <stdint.h>

struct trap_frame;

/* Print "*** PANIC: <message>", the corrupted link if a check found one, where
 * and when it happened and a backtrace, then power off with failure code 1. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* An exception the kernel does not expect (a bad pointer, an illegal instruction). */
void panic_exception(const struct trap_frame *f, uint64_t cause, uint64_t tval)
    __attribute__((noreturn));

/* Power off through the syscon: 0x5555 on success, else 0x3333 | code << 16. */
void power_off(unsigned code) __attribute__((noreturn));

#endif
