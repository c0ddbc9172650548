/* irq.h — an interrupt line between a device and whatever receives it (a PLIC input, a hart's
 * mip bit). Level-sensitive; the receiver is told only when the level changes. */
#ifndef REWIND_IRQ_H
#define REWIND_IRQ_H

#include <stdbool.h>

struct irq_line {
    void (*set_level)(void *ctx, unsigned line, bool level);
    void *ctx;
    unsigned line;
    bool level;   /* the level last driven */
};

static inline void irq_line_connect(struct irq_line *l, void (*set_level)(void *, unsigned, bool),
                                    void *ctx, unsigned line)
{
    l->set_level = set_level;
    l->ctx = ctx;
    l->line = line;
    l->level = false;
}

static inline void irq_line_set(struct irq_line *l, bool level)
{
    if (l->level == level)
        return;
    l->level = level;
    if (l->set_level)
        l->set_level(l->ctx, l->line, level);
}

#endif
