/* console.h — the 16550A UART: polled output (kprintf), receive interrupts. */
#ifndef DEMO_CONSOLE_H
#define DEMO_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

void console_init(void);
/* Enable the "received data available" interrupt (routed by the PLIC as IRQ 10). */
void console_enable_rx_irq(void);
/* Next received byte, or -1 if the receive FIFO is empty. */
int console_getc(void);

/* printf subset: %c %s %d %u %x %p %%, flags '0' and '-', a width, and the
 * length modifiers l and ll.  A whole call is printed with interrupts masked,
 * so lines from tasks and interrupt handlers never interleave. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* The same formats into buf (always NUL-terminated when size > 0); returns buf. */
char *ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
