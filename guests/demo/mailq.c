/* mailq.c — the message pool (a free list) and the mail queue (a circular
 * doubly-linked list with a sentinel), plus the consistency checks the logger
 * runs before it takes each message.
 *
 * Who touches the queue: the timer and UART interrupt handlers append (tick
 * and key messages), the sensor tasks append their readings and take back the
 * ones the logger has not consumed yet, the logger pops from the head.  None
 * of the list functions masks interrupts: that is the caller's job. */
#include "mailq.h"

#include "console.h"
#include "hw.h"
#include "panic.h"
#include "sched.h"

struct mailq mailq;
struct msg msg_pool[MSG_POOL_SIZE];
unsigned msg_free_count;
struct msg **bad_link;

static struct msg *msg_free_list;

static bool msg_in_pool(const struct msg *m)
{
    uintptr_t at = (uintptr_t)m, base = (uintptr_t)msg_pool;
    return at >= base && at < base + sizeof(msg_pool) && (at - base) % sizeof(struct msg) == 0;
}

static const char *state_name(uint32_t state)
{
    switch (state) {
    case MSG_FREE: return "free";
    case MSG_OWNED: return "owned";
    case MSG_QUEUED: return "queued";
    case MSG_HEAD: return "head";
    default: return "bad state";
    }
}

const char *msg_name(const struct msg *m, char *buf, unsigned size)
{
    if (m == &mailq.head)
        return ksnprintf(buf, size, "mailq.head");
    if (m == MSG_POISON)
        return ksnprintf(buf, size, "MSG_POISON");
    if (!m)
        return ksnprintf(buf, size, "NULL");
    if (!msg_in_pool(m))
        return ksnprintf(buf, size, "(struct msg *)%p", (const void *)m);
    return ksnprintf(buf, size, "msg_pool[%u]", (unsigned)(m - msg_pool));
}

const char *msg_describe(const struct msg *m, char *buf, unsigned size)
{
    char name[32];
    msg_name(m, name, sizeof(name));
    if (!msg_in_pool(m))
        return ksnprintf(buf, size, "%s", name);
    const char *state = state_name(m->state);
    switch (m->kind) {
    case MSG_TICK:
        return ksnprintf(buf, size, "%s (tick #%lu, %s)", name, m->seq, state);
    case MSG_READING:
        return ksnprintf(buf, size, "%s (%s reading #%lu, %s)", name, task_name(m->origin),
                         m->seq, state);
    case MSG_KEY:
        return ksnprintf(buf, size, "%s (key #%lu '%c', %s)", name, m->seq,
                         m->value >= 32 && m->value < 127 ? (char)m->value : '?', state);
    default:
        return ksnprintf(buf, size, "%s (%s)", name, state);
    }
}

/* ---- the pool ---- */

void msg_pool_init(void)
{
    msg_free_list = NULL;
    msg_free_count = 0;
    for (unsigned i = MSG_POOL_SIZE; i-- > 0;) {
        struct msg *m = &msg_pool[i];
        m->state = MSG_FREE;
        m->prev = MSG_POISON;
        m->next = msg_free_list;
        msg_free_list = m;
        msg_free_count++;
    }
}

/* Panic about the link at `link`, which is `m->next` (or the free list's head
 * when m is NULL) and holds a pointer that cannot be right. */
static void __attribute__((noreturn))
bad_next_panic(const char *what, struct msg **link, const struct msg *m, const char *why)
{
    char owner[32], target[64], about[80];
    bad_link = link;
    panic("%s corrupted: %s%s = %s, %s\n*** %s", what,
          m ? msg_name(m, owner, sizeof(owner)) : "msg_free_list", m ? ".next" : "",
          msg_describe(*link, target, sizeof(target)), why,
          m ? msg_describe(m, about, sizeof(about)) : "");
}

struct msg *msg_alloc(void)
{
    bool irqs = irq_save();
    struct msg *m = msg_free_list;
    if (m) {
        if (!msg_in_pool(m) || m->state != MSG_FREE)
            bad_next_panic("free list", &msg_free_list, NULL, "which is not a free message");
        if (m->next && (!msg_in_pool(m->next) || m->next->state != MSG_FREE))
            bad_next_panic("free list", &m->next, m, "which is not a free message");
        msg_free_list = m->next;
        msg_free_count--;
        m->next = m->prev = MSG_POISON;
        m->state = MSG_OWNED;
    }
    irq_restore(irqs);
    return m;
}

void msg_free(struct msg *m)
{
    bool irqs = irq_save();
    if (!msg_in_pool(m) || m->state != MSG_OWNED) {
        char d[80];
        panic("msg_free(%p): %s is not a message owned by the caller", (void *)m,
              msg_describe(m, d, sizeof(d)));
    }
    m->state = MSG_FREE;
    m->prev = MSG_POISON;
    m->next = msg_free_list;
    msg_free_list = m;
    msg_free_count++;
    irq_restore(irqs);
}

void msg_pool_check(void)
{
    unsigned count = 0;
    struct msg **link = &msg_free_list;
    const struct msg *owner = NULL;
    while (*link) {
        struct msg *m = *link;
        if (!msg_in_pool(m) || m->state != MSG_FREE)
            bad_next_panic("free list", link, owner, "which is not a free message");
        if (++count > MSG_POOL_SIZE)
            bad_next_panic("free list", link, owner, "and the list runs in a circle");
        owner = m;
        link = &m->next;
    }
    if (count != msg_free_count)
        panic("free list corrupted: %u messages on it, %u freed", count, msg_free_count);
}

/* ---- the queue ---- */

void mailq_init(struct mailq *q)
{
    q->head.state = MSG_HEAD;
    q->head.next = q->head.prev = &q->head;
    q->removed = 0;
    q->latency_max = 0;
    for (unsigned i = 0; i < LATENCY_BUCKETS; i++)
        q->latency_hist[i] = 0;
}

/* Link m behind the newest message. */
void mailq_append(struct mailq *q, struct msg *m)
{
    struct msg *last = q->head.prev;

    m->state = MSG_QUEUED;
    m->stamp = mtime_now();
    m->prev = last;
    m->next = &q->head;
    last->next = m;
    q->head.prev = m;
}

/* Statistics for the monitor: how long messages waited in the queue. */
static void mailq_account(struct mailq *q, const struct msg *m)
{
    uint64_t waited = mtime_now() - m->stamp;
    unsigned bucket = 0;
    while ((waited >> bucket) > 1 && bucket < LATENCY_BUCKETS - 1)
        bucket++;
    q->latency_hist[bucket]++;
    if (waited > q->latency_max)
        q->latency_max = waited;
    q->removed++;
}

/* Take m out of the queue: its neighbours are linked to each other. */
void mailq_unlink(struct mailq *q, struct msg *m)
{
    struct msg *prev = m->prev;
    struct msg *next = m->next;

    next->prev = prev;
    mailq_account(q, m);
    prev->next = next;
    m->next = m->prev = MSG_POISON;
    m->state = MSG_OWNED;
}

struct msg *mailq_pop(struct mailq *q)
{
    struct msg *m = q->head.next;
    if (m == &q->head)
        return NULL;
    mailq_unlink(q, m);
    return m;
}

unsigned mailq_length(const struct mailq *q)
{
    unsigned n = 0;
    for (const struct msg *m = q->head.next; m != &q->head && n <= MSG_POOL_SIZE; m = m->next) {
        if (!msg_in_pool(m))
            break;
        n++;
    }
    return n;
}

/* m->next == next but next->prev != m.  One of the two links is wrong: if
 * walking back from next->prev reaches m, the messages on the way are linked
 * behind m but skipped by m->next, so m->next was overwritten; otherwise
 * next->prev was. */
static void __attribute__((noreturn)) broken_pair_panic(struct msg *m, struct msg *next)
{
    char nm[32], nn[32], nb[32], dm[80], dn[80];
    struct msg *back = next->prev;
    unsigned skipped = 0;
    for (const struct msg *p = back; skipped <= MSG_POOL_SIZE; p = p->prev, skipped++) {
        if (p == m) {
            bad_link = &m->next;
            panic("mail queue corrupted: %s.next = %s skips %u queued message%s "
                  "(%s.prev leads back to %s through them)\n*** %s",
                  msg_name(m, nm, sizeof(nm)), msg_name(next, nn, sizeof(nn)), skipped,
                  skipped == 1 ? "" : "s", nn, nm, msg_describe(m, dm, sizeof(dm)));
        }
        if (p == &mailq.head || !msg_in_pool(p))
            break;
    }
    bad_link = &next->prev;
    panic("mail queue corrupted: %s.prev = %s, but the message before it is %s\n*** %s",
          msg_name(next, nn, sizeof(nn)), msg_name(back, nb, sizeof(nb)),
          msg_name(m, nm, sizeof(nm)), msg_describe(next, dn, sizeof(dn)));
}

void mailq_check(const struct mailq *q)
{
    struct msg *head = (struct msg *)&q->head;
    struct msg *m = head;
    unsigned count = 0;
    do {
        struct msg *next = m->next;
        if (next != head && !msg_in_pool(next))
            bad_next_panic("mail queue", &m->next, m, "which is not a message");
        if (next != head && next->state != MSG_QUEUED)
            bad_next_panic("mail queue", &m->next, m, "which is not a queued message");
        if (next->prev != m)
            broken_pair_panic(m, next);
        if (++count > MSG_POOL_SIZE + 1)
            bad_next_panic("mail queue", &m->next, m, "and the queue runs in a circle");
        m = next;
    } while (m != head);
}
