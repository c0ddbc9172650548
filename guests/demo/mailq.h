/* mailq.h — messages, the pool they come from, and the mail queue: the one
 * doubly-linked list that interrupt handlers and tasks share. */
#ifndef DEMO_MAILQ_H
#define DEMO_MAILQ_H

#include <stdbool.h>
#include <stdint.h>

enum msg_kind {
    MSG_TICK = 1,       /* posted by the timer interrupt every tick */
    MSG_READING,        /* posted by a sensor task */
    MSG_KEY,            /* posted by the UART interrupt for each byte typed */
};

/* What a message is doing.  The values spell their names in a memory dump. */
enum msg_state {
    MSG_FREE   = 0x65657266,    /* "free": on the free list */
    MSG_OWNED  = 0x6e776f21,    /* "!own": held by a task or a handler, in no list */
    MSG_QUEUED = 0x64657571,    /* "qued": in the mail queue */
    MSG_HEAD   = 0x64616568,    /* "head": the queue's sentinel */
};

#define ORIGIN_IRQ 0xffff       /* msg.origin of messages posted by interrupt handlers */

struct msg {
    struct msg *next;           /* queue: toward the newest; free list: the next free message */
    struct msg *prev;           /* queue: toward the oldest */
    enum msg_state state;       /* 4 bytes; gdb prints its name */
    uint16_t kind;              /* enum msg_kind */
    uint16_t origin;            /* id of the sending task, or ORIGIN_IRQ */
    uint64_t seq;               /* tick number, reading number, or key number */
    uint64_t stamp;             /* mtime when it was queued */
    uint64_t value;             /* the reading, or the key's character */
};

/* Links of messages that are in no list point here: not memory, so a use faults. */
#define MSG_POISON ((struct msg *)0xdead00000000ul)

#define MSG_POOL_SIZE   64
#define LATENCY_BUCKETS 16

struct mailq {
    struct msg head;            /* sentinel: head.next is the oldest message, head.prev the newest */
    uint64_t removed;           /* messages taken off the queue so far */
    uint64_t latency_max;       /* longest time a message waited, in mtime ticks */
    uint64_t latency_hist[LATENCY_BUCKETS]; /* waits, by power of two of mtime ticks */
};

extern struct mailq mailq;
extern struct msg msg_pool[MSG_POOL_SIZE];
extern unsigned msg_free_count;

/* Set by the consistency checks just before they panic: the link they found
 * wrong.  In gdb: `watch -l *bad_link`, then `reverse-continue`. */
extern struct msg **bad_link;

void msg_pool_init(void);
/* A message in state MSG_OWNED, or NULL when the pool is empty.  Masks interrupts itself. */
struct msg *msg_alloc(void);
/* Give a message back to the pool.  Masks interrupts itself. */
void msg_free(struct msg *m);

void mailq_init(struct mailq *q);

/* The queue operations.  The interrupt handlers append to the queue, so a task
 * must keep interrupts masked (irq_save .. irq_restore) around every one. */
void mailq_append(struct mailq *q, struct msg *m);
struct msg *mailq_pop(struct mailq *q);
void mailq_unlink(struct mailq *q, struct msg *m);
/* Number of queued messages (stops counting at MSG_POOL_SIZE + 1). */
unsigned mailq_length(const struct mailq *q);

/* Consistency checks (call with interrupts masked): every link of the queue
 * and of the free list.  On a broken link they set bad_link and panic. */
void mailq_check(const struct mailq *q);
void msg_pool_check(void);

/* For panic messages, into buf: the message as a gdb expression ("msg_pool[3]",
 * "mailq.head", "MSG_POISON"), or that and what it holds ("msg_pool[3] (tick #12, queued)"). */
const char *msg_name(const struct msg *m, char *buf, unsigned size);
const char *msg_describe(const struct msg *m, char *buf, unsigned size);

#endif
