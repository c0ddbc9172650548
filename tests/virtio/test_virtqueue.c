/* test_virtqueue.c — cmocka unit tests of the virtio device side under a hostile driver.
 *
 * Owns two groups (argv[1] picks one; ctest runs them as virtio.test_virtqueue and
 * virtio.test_transport):
 *   queue      devices/virtqueue.c: split rings built by hand in a host buffer used as guest
 *              RAM (struct guest_ram), with guard bytes on both sides. Normal chains (direct,
 *              indirect, readable then writable, 16-bit index wrap), chain_read/chain_write,
 *              push, interrupt suppression (EVENT_IDX used_event, NO_INTERRUPT), layout
 *              checks, and every rule a driver can break. A broken rule must give -1 and a
 *              message, change no byte of guest RAM (nor the guards), leave last_avail where
 *              it was, and the queue must serve the next good chain.
 *   transport  devices/virtio_mmio.c through the bus, with a virtio-rng (fake entropy)
 *              behind it, driven register by register like a driver: identity, feature
 *              negotiation, queue setup, notify, interrupt status/ack and the line level,
 *              DEVICE_NEEDS_RESET on a hostile queue until a reset, save/load; plus
 *              virtio-blk (memory backend) and virtio-net requests, good and bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "devices/virtqueue.h"
#include "vmm/bus.h"
#include "vmm/state.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define RAM_END (RAM_BASE + RAM_SIZE)
#define GUARD 4096
#define GUARD_BYTE 0xcd
#define FILL_BYTE 0x5a

/* where things live in guest RAM */
#define DESC (RAM_BASE + 0x0000)     /* up to 1024 descriptors */
#define AVAIL (RAM_BASE + 0x4000)
#define USED (RAM_BASE + 0x5000)     /* up to 0x7006 */
#define ITAB (RAM_BASE + 0x8000)     /* an indirect table (up to 1024 entries) */
#define ITAB2 (RAM_BASE + 0xc000)
#define DATA (RAM_BASE + 0x10000)    /* buffers */

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

/* ------------------------------------------------------------------ guest RAM fixture */

struct fx {
    uint8_t *mem;                    /* GUARD + RAM_SIZE + GUARD */
    uint8_t *snapshot;
    struct guest_ram ram;
    struct virtqueue q;
    struct virtq_chain *chain;
    char err[256];
    unsigned writes;                 /* calls of ram.written */
    unsigned bad_writes;             /* ... for ranges outside RAM */
};

static void on_written(void *ctx, uint64_t paddr, uint64_t len)
{
    struct fx *f = ctx;
    f->writes++;
    if (paddr < RAM_BASE || paddr - RAM_BASE > RAM_SIZE || len > RAM_END - paddr)
        f->bad_writes++;
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->mem = malloc(GUARD + RAM_SIZE + GUARD);
    f->snapshot = malloc(RAM_SIZE);
    f->chain = malloc(sizeof(*f->chain));
    assert_non_null(f->mem);
    assert_non_null(f->snapshot);
    assert_non_null(f->chain);
    memset(f->mem, GUARD_BYTE, GUARD + RAM_SIZE + GUARD);
    memset(f->mem + GUARD, 0, RAM_SIZE);
    memset(f->mem + GUARD + (DATA - RAM_BASE), FILL_BYTE, RAM_SIZE - (DATA - RAM_BASE));
    f->ram = (struct guest_ram){ .host = f->mem + GUARD, .base = RAM_BASE, .size = RAM_SIZE,
                                 .written = on_written, .ctx = f };
    *state = f;
    return 0;
}

static void check_guards(const struct fx *f)
{
    for (size_t i = 0; i < GUARD; i++) {
        assert_int_equal(f->mem[i], GUARD_BYTE);
        assert_int_equal(f->mem[GUARD + RAM_SIZE + i], GUARD_BYTE);
    }
    assert_int_equal(f->bad_writes, 0);
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    check_guards(f);
    free(f->mem);
    free(f->snapshot);
    free(f->chain);
    free(f);
    return 0;
}

static uint8_t *host(struct fx *f, uint64_t paddr)
{
    assert_true(paddr >= RAM_BASE && paddr < RAM_END);
    return f->ram.host + (paddr - RAM_BASE);
}

static void put16(struct fx *f, uint64_t paddr, uint16_t v) { memcpy(host(f, paddr), &v, 2); }
static void put32(struct fx *f, uint64_t paddr, uint32_t v) { memcpy(host(f, paddr), &v, 4); }
static void put64(struct fx *f, uint64_t paddr, uint64_t v) { memcpy(host(f, paddr), &v, 8); }
static uint16_t get16(struct fx *f, uint64_t paddr)
{
    uint16_t v;
    memcpy(&v, host(f, paddr), 2);
    return v;
}
static uint32_t get32(struct fx *f, uint64_t paddr)
{
    uint32_t v;
    memcpy(&v, host(f, paddr), 4);
    return v;
}

/* descriptor i of the table at `table` */
static void desc_at(struct fx *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                    uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16ull * i;
    put64(f, d, addr);
    put32(f, d + 8, len);
    put16(f, d + 12, flags);
    put16(f, d + 14, next);
}

static void desc(struct fx *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                 uint16_t next)
{
    desc_at(f, DESC, i, addr, len, flags, next);
}

/* Make descriptor `head` available (next ring entry, then idx + 1). */
static void avail_add(struct fx *f, uint16_t head)
{
    uint16_t idx = get16(f, AVAIL + 2);
    put16(f, AVAIL + 4 + 2ull * (idx % f->q.num), head);
    put16(f, AVAIL + 2, (uint16_t)(idx + 1));
}

static void queue_setup(struct fx *f, uint32_t num, bool indirect, bool event_idx)
{
    virtq_reset(&f->q);
    f->q.num = num;
    f->q.desc = DESC;
    f->q.avail = AVAIL;
    f->q.used = USED;
    f->q.indirect = indirect;
    f->q.event_idx = event_idx;
    assert_int_equal(virtq_check_layout(&f->q, &f->ram, VIRTQ_MAX_SIZE, f->err, sizeof(f->err)),
                     0);
    f->q.ready = true;
}

static int pop(struct fx *f)
{
    f->err[0] = 0;
    return virtq_pop(&f->q, &f->ram, f->chain, f->err, sizeof(f->err));
}

/* The chain waiting breaks a rule: -1, a message (containing `what` if given), nothing
 * written anywhere, the queue's position unchanged; then the queue still serves a good
 * chain put in place of the bad one. */
static void expect_pop_fails(struct fx *f, const char *what)
{
    struct virtqueue before = f->q;
    unsigned writes = f->writes;
    memcpy(f->snapshot, f->ram.host, RAM_SIZE);
    int rc = pop(f);
    if (rc != -1)
        fail_msg("virtq_pop returned %d, expected -1 (error '%s')", rc, f->err);
    assert_true(f->err[0] != 0);
    if (what && !strstr(f->err, what))
        fail_msg("message '%s' does not mention '%s'", f->err, what);
    assert_memory_equal(&before, &f->q, sizeof(before));
    assert_int_equal(f->writes, writes);
    assert_memory_equal(f->snapshot, f->ram.host, RAM_SIZE);
    check_guards(f);
    /* has_work agrees that something (bad) is waiting, or reports the impossible index */
    assert_int_not_equal(virtq_has_work(&f->q, &f->ram), 0);

    /* repair: the entry the device is at names descriptor 0, a plain writable buffer */
    uint16_t last = f->q.last_avail;
    desc(f, 0, DATA, 64, F_WRITE, 0);
    put16(f, AVAIL + 4 + 2ull * (last % f->q.num), 0);
    put16(f, AVAIL + 2, (uint16_t)(last + 1));
    assert_int_equal(pop(f), 1);
    assert_int_equal(f->chain->head, 0);
    assert_int_equal(f->chain->num_segments, 1);
    assert_int_equal(f->chain->writable_bytes, 64);
    assert_int_equal(f->q.last_avail, (uint16_t)(last + 1));
    assert_int_equal(virtq_push(&f->q, &f->ram, 0, 64, f->err, sizeof(f->err)), 0);
    assert_int_equal(pop(f), 0);
    check_guards(f);
}

/* ------------------------------------------------------------------ normal chains */

static void test_direct_chain(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    assert_int_equal(virtq_has_work(&f->q, &f->ram), 0);
    assert_int_equal(pop(f), 0);
    /* request: 16-byte header (R), 4 bytes (R), 100-byte buffer (W), status byte (W) */
    uint8_t hdr[16];
    for (int i = 0; i < 16; i++)
        hdr[i] = (uint8_t)(i + 1);
    memcpy(host(f, DATA), hdr, 16);
    memcpy(host(f, DATA + 0x100), "abcd", 4);
    desc(f, 3, DATA, 16, F_NEXT, 5);
    desc(f, 5, DATA + 0x100, 4, F_NEXT, 1);
    desc(f, 1, DATA + 0x200, 100, F_NEXT | F_WRITE, 7);
    desc(f, 7, DATA + 0x300, 1, F_WRITE, 0);
    avail_add(f, 3);
    assert_int_equal(virtq_has_work(&f->q, &f->ram), 1);
    assert_int_equal(pop(f), 1);
    struct virtq_chain *c = f->chain;
    assert_int_equal(c->head, 3);
    assert_int_equal(c->num_segments, 4);
    assert_int_equal(c->first_writable, 2);
    assert_int_equal(c->readable_bytes, 20);
    assert_int_equal(c->writable_bytes, 101);
    assert_int_equal(c->seg[1].addr, DATA + 0x100);
    assert_false(c->seg[1].device_writes);
    assert_true(c->seg[2].device_writes);
    assert_int_equal(f->q.last_avail, 1);
    assert_int_equal(virtq_has_work(&f->q, &f->ram), 0);

    /* reading across the readable segments, never into the writable ones */
    uint8_t buf[64];
    memset(buf, 0, sizeof(buf));
    assert_int_equal(virtq_chain_read(c, &f->ram, 0, buf, 64), 20);
    assert_memory_equal(buf, hdr, 16);
    assert_memory_equal(buf + 16, "abcd", 4);
    assert_int_equal(virtq_chain_read(c, &f->ram, 14, buf, 4), 4);
    assert_int_equal(buf[0], 15);
    assert_int_equal(buf[1], 16);
    assert_int_equal(buf[2], 'a');
    assert_int_equal(buf[3], 'b');
    assert_int_equal(virtq_chain_read(c, &f->ram, 20, buf, 4), 0);
    assert_int_equal(virtq_chain_read(c, &f->ram, 1000, buf, 4), 0);

    /* writing across the writable segments, bounded by them */
    uint8_t out[200];
    memset(out, 0x77, sizeof(out));
    unsigned writes = f->writes;
    assert_int_equal(virtq_chain_write(c, &f->ram, 98, out, 200), 3);
    assert_int_equal(host(f, DATA + 0x200)[97], FILL_BYTE);
    assert_int_equal(host(f, DATA + 0x200)[98], 0x77);
    assert_int_equal(host(f, DATA + 0x200)[99], 0x77);
    assert_int_equal(host(f, DATA + 0x200)[100], FILL_BYTE);
    assert_int_equal(host(f, DATA + 0x300)[0], 0x77);
    assert_int_equal(host(f, DATA + 0x300)[1], FILL_BYTE);
    assert_true(f->writes > writes);
    assert_int_equal(virtq_chain_write(c, &f->ram, 101, out, 1), 0);
    assert_int_equal(host(f, DATA)[0], 1); /* readable parts untouched */

    /* returning it */
    assert_int_equal(virtq_push(&f->q, &f->ram, 3, 101, f->err, sizeof(f->err)), 0);
    assert_int_equal(get16(f, USED + 2), 1);
    assert_int_equal(get32(f, USED + 4), 3);
    assert_int_equal(get32(f, USED + 8), 101);
    assert_int_equal(f->q.used_idx, 1);
}

static void test_indirect_chain(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 4, true, false);
    memcpy(host(f, DATA), "header..", 8);
    desc_at(f, ITAB, 0, DATA, 8, F_NEXT, 2);
    desc_at(f, ITAB, 2, DATA + 0x100, 32, F_NEXT | F_WRITE, 1);
    desc_at(f, ITAB, 1, DATA + 0x200, 8, F_WRITE, 0);
    /* the table's entries are linked by index within the table; WRITE on the indirect
     * descriptor itself is ignored */
    desc(f, 2, ITAB, 3 * 16, F_INDIRECT | F_WRITE, 0);
    avail_add(f, 2);
    assert_int_equal(pop(f), 1);
    struct virtq_chain *c = f->chain;
    assert_int_equal(c->head, 2);
    assert_int_equal(c->num_segments, 3);
    assert_int_equal(c->first_writable, 1);
    assert_int_equal(c->readable_bytes, 8);
    assert_int_equal(c->writable_bytes, 40);
    uint8_t buf[8];
    assert_int_equal(virtq_chain_read(c, &f->ram, 0, buf, 8), 8);
    assert_memory_equal(buf, "header..", 8);
    assert_int_equal(virtq_chain_write(c, &f->ram, 30, "0123", 4), 4);
    assert_memory_equal(host(f, DATA + 0x100 + 30), "01", 2);
    assert_memory_equal(host(f, DATA + 0x200), "23", 2);
    assert_int_equal(virtq_push(&f->q, &f->ram, 2, 4, f->err, sizeof(f->err)), 0);
    assert_int_equal(get32(f, USED + 4), 2);
}

/* Direct descriptors first, the last of them pointing at an indirect table. */
static void test_direct_then_indirect(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    desc(f, 0, DATA, 16, F_NEXT, 1);
    desc(f, 1, ITAB, 2 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA + 0x100, 10, F_NEXT, 1);
    desc_at(f, ITAB, 1, DATA + 0x200, 20, F_WRITE, 0);
    avail_add(f, 0);
    assert_int_equal(pop(f), 1);
    assert_int_equal(f->chain->num_segments, 3);
    assert_int_equal(f->chain->readable_bytes, 26);
    assert_int_equal(f->chain->writable_bytes, 20);
}

/* Ring positions wrap modulo the queue size and the 16-bit indexes wrap at 65536. */
static void test_index_wrap(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 4, false, true);
    f->q.last_avail = f->q.used_idx = 65533;
    put16(f, AVAIL + 2, 65533);
    for (unsigned i = 0; i < 4; i++)
        desc(f, i, DATA + 0x100 * i, 8, F_WRITE, 0);
    for (unsigned round = 0; round < 10; round++) {
        uint16_t head = (uint16_t)(round % 4);
        avail_add(f, head);
        assert_int_equal(pop(f), 1);
        assert_int_equal(f->chain->head, head);
        /* EVENT_IDX: the device asks to be notified of the very next buffer */
        assert_int_equal(get16(f, USED + 4 + 8 * 4), f->q.last_avail);
        assert_int_equal(virtq_push(&f->q, &f->ram, head, 8, f->err, sizeof(f->err)), 0);
        uint16_t idx = (uint16_t)(65533 + round);
        assert_int_equal(get32(f, USED + 4 + 8 * (idx % 4)), head);
        assert_int_equal(get16(f, USED + 2), (uint16_t)(idx + 1));
    }
    assert_int_equal(f->q.last_avail, (uint16_t)(65533 + 10));
    /* a full ring (num entries waiting) is fine */
    for (unsigned i = 0; i < 4; i++)
        avail_add(f, (uint16_t)i);
    assert_int_equal(virtq_has_work(&f->q, &f->ram), 1);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pop(f), 1);
    assert_int_equal(pop(f), 0);
}

static void test_not_ready(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    f->q.ready = false;
    desc(f, 0, DATA, 8, F_WRITE, 0);
    avail_add(f, 0);
    assert_int_equal(pop(f), 0);
    assert_int_equal(virtq_has_work(&f->q, &f->ram), 0);
    memcpy(f->snapshot, f->ram.host, RAM_SIZE);
    assert_int_equal(virtq_push(&f->q, &f->ram, 0, 8, f->err, sizeof(f->err)), -1);
    assert_true(f->err[0]);
    assert_false(virtq_should_interrupt(&f->q, &f->ram));
    assert_memory_equal(f->snapshot, f->ram.host, RAM_SIZE);
}

static void test_push_bad_head(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    memcpy(f->snapshot, f->ram.host, RAM_SIZE);
    assert_int_equal(virtq_push(&f->q, &f->ram, 8, 8, f->err, sizeof(f->err)), -1);
    assert_int_equal(virtq_push(&f->q, &f->ram, 0xffff, 8, f->err, sizeof(f->err)), -1);
    assert_true(f->err[0]);
    assert_int_equal(f->q.used_idx, 0);
    assert_memory_equal(f->snapshot, f->ram.host, RAM_SIZE);
}

/* ------------------------------------------------------------------ hostile chains */

static void test_avail_idx_too_far_ahead(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    desc(f, 0, DATA, 8, F_WRITE, 0);
    put16(f, AVAIL + 2, 9);                      /* 9 waiting in a ring of 8 */
    assert_int_equal(virtq_has_work(&f->q, &f->ram), -1);
    expect_pop_fails(f, "available index");
}

static void test_avail_idx_behind(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    f->q.last_avail = 100;
    put16(f, AVAIL + 2, 99);                     /* went backwards: 65535 "waiting" */
    assert_int_equal(virtq_has_work(&f->q, &f->ram), -1);
    expect_pop_fails(f, "available index");
    f->q.last_avail = 0;
    put16(f, AVAIL + 2, 0xffff);
    expect_pop_fails(f, "available index");
}

static void test_head_out_of_range(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    avail_add(f, 8);
    expect_pop_fails(f, "descriptor 8");
    avail_add(f, 0xffff);
    expect_pop_fails(f, NULL);
}

static void test_next_out_of_range(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    desc(f, 0, DATA, 8, F_NEXT, 8);
    avail_add(f, 0);
    expect_pop_fails(f, "links to 8");
    desc(f, 0, DATA, 8, F_NEXT, 1);
    desc(f, 1, DATA, 8, F_NEXT | F_WRITE, 0xffff);
    avail_add(f, 0);
    expect_pop_fails(f, NULL);
}

static void test_direct_loop(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    desc(f, 2, DATA, 8, F_NEXT, 2);              /* itself */
    avail_add(f, 2);
    expect_pop_fails(f, "loop");
    desc(f, 0, DATA, 8, F_NEXT, 1);              /* 0 -> 1 -> ... -> 7 -> 0 */
    for (unsigned i = 1; i < 8; i++)
        desc(f, i, DATA, 8, F_NEXT, (uint16_t)((i + 1) % 8));
    avail_add(f, 0);
    expect_pop_fails(f, "loop");
    /* a writable loop too: nothing may be written while walking it */
    for (unsigned i = 0; i < 8; i++)
        desc(f, i, DATA, 8, F_NEXT | F_WRITE, (uint16_t)((i + 3) % 8));
    avail_add(f, 5);
    expect_pop_fails(f, "loop");
}

/* The longest legal direct chain uses every descriptor once. */
static void test_chain_of_whole_table(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 16, false, false);
    for (unsigned i = 0; i < 16; i++)
        desc(f, i, DATA, 4, i < 15 ? F_NEXT : 0, (uint16_t)(i + 1));
    avail_add(f, 0);
    assert_int_equal(pop(f), 1);
    assert_int_equal(f->chain->num_segments, 16);
}

static void test_indirect_loop(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    desc(f, 0, ITAB, 4 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA, 8, F_NEXT, 1);
    desc_at(f, ITAB, 1, DATA, 8, F_NEXT, 2);
    desc_at(f, ITAB, 2, DATA, 8, F_NEXT, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "loop");
    desc(f, 0, ITAB, 4 * 16, F_INDIRECT, 0);    /* (the repair replaced it) */
    desc_at(f, ITAB, 0, DATA, 8, F_NEXT | F_WRITE, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "loop");
}

static void test_indirect_next_out_of_range(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    /* next 4 is a valid index of the ring but not of this table of 4 */
    desc(f, 0, ITAB, 4 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA, 8, F_NEXT, 4);
    avail_add(f, 0);
    expect_pop_fails(f, "links to 4");
}

static void test_nested_indirect(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    desc(f, 0, ITAB, 2 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA, 8, F_NEXT, 1);
    desc_at(f, ITAB, 1, ITAB2, 16, F_INDIRECT, 0);
    desc_at(f, ITAB2, 0, DATA, 8, 0, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "inside an indirect table");
    /* a table naming itself */
    desc_at(f, ITAB, 0, ITAB, 16, F_INDIRECT, 0);
    desc(f, 0, ITAB, 16, F_INDIRECT, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "inside an indirect table");
}

static void test_indirect_with_next(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    desc(f, 0, ITAB, 16, F_INDIRECT | F_NEXT, 1);
    desc(f, 1, DATA, 8, F_WRITE, 0);
    desc_at(f, ITAB, 0, DATA, 8, 0, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "NEXT");
}

static void test_indirect_not_negotiated(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    desc(f, 0, ITAB, 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA, 8, 0, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "INDIRECT_DESC");
}

static void test_bad_indirect_tables(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    for (unsigned i = 0; i < 64; i++)
        desc_at(f, ITAB, i, DATA, 8, 0, 0);
    static const struct { uint64_t addr; uint32_t len; } bad[] = {
        { ITAB + 8, 32 },                    /* misaligned */
        { ITAB + 1, 16 },
        { ITAB, 24 },                        /* not a whole number of descriptors */
        { ITAB, 1 },
        { ITAB, 0 },                         /* empty */
        { RAM_END - 16, 32 },                /* runs past the end of RAM */
        { RAM_END, 16 },                     /* just past the end */
        { RAM_BASE - 16, 32 },               /* starts below RAM */
        { 0, 16 },
        { 0xfffffffffffffff0ull, 32 },       /* address + length overflows */
        { ITAB, 1025 * 16 },                 /* more than VIRTQ_MAX_SEGMENTS entries */
        { ITAB, 0xfffffff0u },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        desc(f, 0, bad[i].addr, bad[i].len, F_INDIRECT, 0);
        avail_add(f, 0);
        expect_pop_fails(f, "indirect table");
    }
}

static void test_buffers_outside_ram(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    static const struct { uint64_t addr; uint32_t len; } bad[] = {
        { 0, 16 },
        { 0xffffffffffff0000ull, 16 },
        { RAM_END, 1 },                      /* just past the end */
        { RAM_END - 8, 16 },                 /* straddles the end */
        { RAM_END - 1, 2 },
        { RAM_BASE - 1, 2 },                 /* straddles the start */
        { RAM_BASE - 4096, 16 },
        { 0xfffffffffffffff0ull, 0x20 },     /* address + length wraps past 2^64 */
        { 0xffffffffffffffffull, 1 },
        /* offset from the RAM base + length wraps 2^64 (so a naive off + len <= size
         * check passes) */
        { 0xffffffff80001000ull, 0xffffffffu },
        { 0xffffffff80000001ull, 0xffffffffu },
        { RAM_BASE + 16, 0xffffffffu },      /* huge length */
        { RAM_BASE, RAM_SIZE + 1 },
        { 0x10001000, 0x100 },               /* MMIO */
    };
    for (int writable = 0; writable < 2; writable++) {
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            uint16_t fl = writable ? F_WRITE : 0;
            /* alone, and as the second buffer of a chain */
            desc(f, 0, bad[i].addr, bad[i].len, fl, 0);
            avail_add(f, 0);
            expect_pop_fails(f, "outside guest RAM");
            desc(f, 1, DATA, 16, F_NEXT, 2);
            desc(f, 2, bad[i].addr, bad[i].len, fl, 0);
            avail_add(f, 1);
            expect_pop_fails(f, "outside guest RAM");
            /* and inside an indirect table */
            f->q.indirect = true;
            desc(f, 3, ITAB, 32, F_INDIRECT, 0);
            desc_at(f, ITAB, 0, DATA, 16, F_NEXT, 1);
            desc_at(f, ITAB, 1, bad[i].addr, bad[i].len, fl, 0);
            avail_add(f, 3);
            expect_pop_fails(f, "outside guest RAM");
            f->q.indirect = false;
        }
    }
    /* the last bytes of RAM are fine */
    desc(f, 0, RAM_END - 16, 16, F_WRITE, 0);
    avail_add(f, 0);
    assert_int_equal(pop(f), 1);
    assert_int_equal(virtq_chain_write(f->chain, &f->ram, 0, "0123456789abcdefXYZ", 19), 16);
    assert_memory_equal(host(f, RAM_END - 16), "0123456789abcdef", 16);
}

static void test_readable_after_writable(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    desc(f, 0, DATA, 16, F_NEXT, 1);
    desc(f, 1, DATA + 0x100, 16, F_NEXT | F_WRITE, 2);
    desc(f, 2, DATA + 0x200, 1, 0, 0);           /* e.g. a read-only status byte */
    avail_add(f, 0);
    expect_pop_fails(f, "follows a device-writable");
    desc(f, 4, ITAB, 3 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 0, DATA, 16, F_NEXT | F_WRITE, 1);
    desc_at(f, ITAB, 1, DATA + 0x100, 16, F_NEXT | F_WRITE, 2);
    desc_at(f, ITAB, 2, DATA + 0x200, 16, F_NEXT, 0);
    avail_add(f, 4);
    expect_pop_fails(f, "follows a device-writable");
    /* writable direct descriptors, then an indirect table with a readable one */
    desc(f, 5, DATA, 16, F_WRITE | F_NEXT, 6);
    desc(f, 6, ITAB2, 16, F_INDIRECT, 0);
    desc_at(f, ITAB2, 0, DATA, 16, 0, 0);
    avail_add(f, 5);
    expect_pop_fails(f, "follows a device-writable");
}

/* More than VIRTQ_MAX_SEGMENTS buffers: a full indirect table after a direct descriptor. */
static void test_too_many_segments(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    for (unsigned i = 0; i < 1024; i++)
        desc_at(f, ITAB, i, DATA, 4, i < 1023 ? F_NEXT : 0, (uint16_t)(i + 1));
    desc(f, 0, ITAB, 1024 * 16, F_INDIRECT, 0);
    avail_add(f, 0);
    assert_int_equal(pop(f), 1);                 /* exactly the limit */
    assert_int_equal(f->chain->num_segments, 1024);
    desc(f, 1, DATA, 4, F_NEXT, 2);
    desc(f, 2, ITAB, 1024 * 16, F_INDIRECT, 0);
    avail_add(f, 1);
    expect_pop_fails(f, "longer than");
}

/* A chain's total length is bounded (256 MiB), even when every buffer is inside RAM. */
static void test_chain_too_large(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, true, false);
    /* 256 entries that each cover all of RAM (1 MiB): exactly the limit */
    for (unsigned i = 0; i < 257; i++)
        desc_at(f, ITAB, i, RAM_BASE, RAM_SIZE, (uint16_t)(i < 256 ? F_NEXT | F_WRITE : F_WRITE),
                (uint16_t)(i + 1));
    desc(f, 0, ITAB, 256 * 16, F_INDIRECT, 0);
    desc_at(f, ITAB, 255, RAM_BASE, RAM_SIZE, F_WRITE, 0);
    avail_add(f, 0);
    assert_int_equal(pop(f), 1);
    assert_int_equal(f->chain->writable_bytes, VIRTQ_MAX_CHAIN_BYTES);
    desc_at(f, ITAB, 255, RAM_BASE, RAM_SIZE, F_NEXT | F_WRITE, 256);
    desc(f, 0, ITAB, 257 * 16, F_INDIRECT, 0);
    avail_add(f, 0);
    expect_pop_fails(f, "larger than");
}

/* One buffer over 256 MiB inside a RAM that large (reserved, never touched). */
static void test_single_huge_buffer(void **state)
{
    (void)state;
    uint64_t size = (uint64_t)VIRTQ_MAX_CHAIN_BYTES + (16u << 20);
    uint8_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
                        MAP_NORESERVE, -1, 0);
    assert_true(mem != MAP_FAILED);
    struct guest_ram ram = { .host = mem, .base = RAM_BASE, .size = size };
    struct virtqueue q;
    virtq_reset(&q);
    q.num = 4;
    q.desc = DESC;
    q.avail = AVAIL;
    q.used = USED;
    char err[200];
    assert_int_equal(virtq_check_layout(&q, &ram, 64, err, sizeof(err)), 0);
    q.ready = true;
    struct virtq_chain *c = malloc(sizeof(*c));
    assert_non_null(c);
    uint64_t d0 = RAM_BASE + 0x100000;
    uint32_t lens[2] = { VIRTQ_MAX_CHAIN_BYTES, VIRTQ_MAX_CHAIN_BYTES + 1 };
    for (int i = 0; i < 2; i++) {
        memcpy(mem + 0, &d0, 8);
        memcpy(mem + 8, &lens[i], 4);
        uint16_t fl = F_WRITE, idx = (uint16_t)(i + 1), head = 0;
        memcpy(mem + 12, &fl, 2);
        memcpy(mem + (AVAIL - RAM_BASE) + 4 + 2 * i, &head, 2);
        memcpy(mem + (AVAIL - RAM_BASE) + 2, &idx, 2);
        int rc = virtq_pop(&q, &ram, c, err, sizeof(err));
        assert_int_equal(rc, i == 0 ? 1 : -1);
        if (i == 1) {
            assert_non_null(strstr(err, "larger than"));
            assert_int_equal(q.last_avail, 1);
        }
    }
    free(c);
    munmap(mem, size);
}

/* ------------------------------------------------------------------ layout */

static void test_layout(void **state)
{
    struct fx *f = *state;
    struct virtqueue q;
    virtq_reset(&q);
    q.desc = DESC;
    q.avail = AVAIL;
    q.used = USED;
    /* sizes */
    static const uint32_t bad_num[] = { 0, 3, 6, 100, 1023, 2048, 4096, 0x80000000u, 0xffffffffu };
    for (size_t i = 0; i < sizeof(bad_num) / sizeof(bad_num[0]); i++) {
        q.num = bad_num[i];
        f->err[0] = 0;
        assert_int_equal(virtq_check_layout(&q, &f->ram, VIRTQ_MAX_SIZE, f->err, sizeof(f->err)),
                         -1);
        assert_non_null(strstr(f->err, "queue size"));
    }
    for (uint32_t n = 1; n <= VIRTQ_MAX_SIZE; n *= 2) {
        q.num = n;
        assert_int_equal(virtq_check_layout(&q, &f->ram, VIRTQ_MAX_SIZE, f->err,
                                            sizeof(f->err)), 0);
    }
    q.num = 128;  /* above the device's own maximum */
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
    q.num = 64;
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), 0);

    /* alignment: desc 16, avail 2, used 4 */
    struct { uint64_t desc, avail, used; } mis[] = {
        { DESC + 8, AVAIL, USED }, { DESC + 1, AVAIL, USED }, { DESC, AVAIL + 1, USED },
        { DESC, AVAIL, USED + 2 }, { DESC, AVAIL, USED + 1 },
    };
    q.num = 8;
    for (size_t i = 0; i < sizeof(mis) / sizeof(mis[0]); i++) {
        q.desc = mis[i].desc;
        q.avail = mis[i].avail;
        q.used = mis[i].used;
        f->err[0] = 0;
        assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
        assert_non_null(strstr(f->err, "misaligned"));
    }
    q.desc = DESC + 16;
    q.avail = AVAIL + 2;
    q.used = USED + 4;
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), 0);

    /* outside RAM (each part alone), exact fits at the end of RAM accepted */
    uint64_t outside[] = { 0, RAM_BASE - 0x1000, RAM_END, RAM_END + 0x1000, 0xfffffffffffff000ull,
                           0x10001000 };
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        for (int part = 0; part < 3; part++) {
            q.desc = part == 0 ? outside[i] : DESC;
            q.avail = part == 1 ? outside[i] : AVAIL;
            q.used = part == 2 ? outside[i] : USED;
            f->err[0] = 0;
            assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
            assert_non_null(strstr(f->err, "outside guest RAM"));
        }
    }
    q.num = 8;
    q.desc = RAM_END - 8 * 16;         /* ends exactly at the end */
    q.avail = RAM_END - (6 + 2 * 8);
    q.used = RAM_END - 72;             /* 6 + 8 * 8 = 70 bytes, 4-aligned start */
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), 0);
    q.desc += 16;                      /* one descriptor past the end */
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
    q.desc -= 16;
    q.avail += 2;                      /* used_event past the end */
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
    q.avail -= 2;
    q.used += 4;                       /* avail_event past the end */
    assert_int_equal(virtq_check_layout(&q, &f->ram, 64, f->err, sizeof(f->err)), -1);
}

/* ------------------------------------------------------------------ interrupts */

static void push_one(struct fx *f, uint16_t head)
{
    assert_int_equal(virtq_push(&f->q, &f->ram, head, 0, f->err, sizeof(f->err)), 0);
}

static void test_no_interrupt_flag(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, false);
    push_one(f, 0);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    put16(f, AVAIL, 1);                          /* VIRTQ_AVAIL_F_NO_INTERRUPT */
    push_one(f, 1);
    assert_false(virtq_should_interrupt(&f->q, &f->ram));
    put16(f, AVAIL, 0xfffe);                     /* other bits mean nothing */
    push_one(f, 2);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
}

static void test_event_idx(void **state)
{
    struct fx *f = *state;
    queue_setup(f, 8, false, true);
    const uint64_t used_event = AVAIL + 4 + 2 * 8;
    /* the first time, always */
    push_one(f, 0);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    /* used_event = 1: interrupt once entry 1 is used (used idx passes from 1 to 2) */
    put16(f, used_event, 1);
    push_one(f, 1);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    /* used_event = 5: not at 3, 4, 5; at 6 */
    put16(f, used_event, 5);
    for (uint16_t idx = 3; idx <= 6; idx++) {
        push_one(f, 0);
        assert_int_equal(virtq_should_interrupt(&f->q, &f->ram), idx == 6);
    }
    /* no call repeats an interrupt for the same used index */
    assert_false(virtq_should_interrupt(&f->q, &f->ram));
    /* several at once crossing used_event */
    put16(f, used_event, 7);
    push_one(f, 0);
    push_one(f, 0);
    push_one(f, 0);                              /* 6 -> 9 */
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    /* used_event behind: the driver does not want one */
    put16(f, used_event, 3);
    push_one(f, 0);
    assert_false(virtq_should_interrupt(&f->q, &f->ram));
    /* the NO_INTERRUPT flag is ignored with EVENT_IDX */
    put16(f, AVAIL, 1);
    put16(f, used_event, f->q.used_idx);
    push_one(f, 0);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    /* across the 16-bit wrap */
    f->q.used_idx = f->q.signalled_used = 0xfffe;
    put16(f, used_event, 0xffff);
    push_one(f, 0);
    push_one(f, 0);                              /* 0xfffe -> 0 */
    assert_int_equal(f->q.used_idx, 0);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    put16(f, used_event, 0);
    push_one(f, 0);
    assert_true(virtq_should_interrupt(&f->q, &f->ram));
    put16(f, used_event, 0xffff);
    push_one(f, 0);
    assert_false(virtq_should_interrupt(&f->q, &f->ram));
}

/* ================================================================== transport */

#define MMIO 0x10001000ull

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008, R_VENDOR = 0x00c,
    R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014, R_DRV_FEATURES = 0x020,
    R_DRV_FEATURES_SEL = 0x024, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050, R_ISR = 0x060,
    R_ACK = 0x064, R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084, R_DRIVER_LO = 0x090,
    R_DRIVER_HI = 0x094, R_DEVICE_LO = 0x0a0, R_DEVICE_HI = 0x0a4, R_GENERATION = 0x0fc,
    R_CONFIG = 0x100,
};

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

struct tfx {
    struct fx m;                     /* guest RAM and ring helpers */
    struct bus bus;
    struct virtio_mmio *t;           /* the transport under test */
    struct virtio_rng rng;
    struct virtio_blk *blk;
    struct virtio_net *net;
    uint8_t *disk;
    uint64_t disk_size;
    bool level;
    unsigned level_changes;
    uint8_t entropy_next;
    unsigned entropy_calls;
    unsigned completions;
    uint8_t last_status;
    uint8_t frames[4][128];
    size_t frame_len[4];
    unsigned tx;
};

static void set_level(void *ctx, unsigned line, bool level)
{
    struct tfx *f = ctx;
    assert_int_equal(line, 1);
    f->level = level;
    f->level_changes++;
}

static void fake_entropy(void *ctx, uint8_t *buf, size_t len)
{
    struct tfx *f = ctx;
    f->entropy_calls++;
    for (size_t i = 0; i < len; i++)
        buf[i] = f->entropy_next++;
}

static int tfx_setup_common(void **state, struct tfx **out)
{
    struct tfx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    void *inner;
    fx_setup(&inner);
    f->m = *(struct fx *)inner;
    free(inner);
    f->m.ram.ctx = &f->m;
    bus_init(&f->bus);
    f->entropy_next = 1;
    *state = f;
    *out = f;
    return 0;
}

static void attach(struct tfx *f, struct virtio_mmio *t)
{
    f->t = t;
    irq_line_connect(&t->irq, set_level, f, 1);
    assert_int_equal(virtio_mmio_attach(t, &f->bus, MMIO), 0);
}

static int rng_setup(void **state)
{
    struct tfx *f;
    tfx_setup_common(state, &f);
    virtio_rng_init(&f->rng, f->m.ram, (struct virtio_rng_host){ .entropy = fake_entropy,
                                                                  .ctx = f });
    attach(f, &f->rng.transport);
    return 0;
}

static int tfx_teardown(void **state)
{
    struct tfx *f = *state;
    check_guards(&f->m);
    free(f->m.mem);
    free(f->m.snapshot);
    free(f->m.chain);
    free(f->blk);
    free(f->net);
    free(f->disk);
    free(f);
    return 0;
}

static uint32_t rd(struct tfx *f, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    assert_int_equal(bus_read(&f->bus, MMIO + off, 4, &v), 0);
    return (uint32_t)v;
}

static void wr(struct tfx *f, uint64_t off, uint32_t v)
{
    assert_int_equal(bus_write(&f->bus, MMIO + off, 4, v), 0);
}

static void set_features(struct tfx *f, uint64_t features)
{
    wr(f, R_DRV_FEATURES_SEL, 0);
    wr(f, R_DRV_FEATURES, (uint32_t)features);
    wr(f, R_DRV_FEATURES_SEL, 1);
    wr(f, R_DRV_FEATURES, (uint32_t)(features >> 32));
}

static uint64_t device_features(struct tfx *f)
{
    wr(f, R_DEV_FEATURES_SEL, 0);
    uint64_t lo = rd(f, R_DEV_FEATURES);
    wr(f, R_DEV_FEATURES_SEL, 1);
    return lo | (uint64_t)rd(f, R_DEV_FEATURES) << 32;
}

#define FEAT(b) (1ull << (b))
#define MODERN (FEAT(VIRTIO_F_VERSION_1) | FEAT(VIRTIO_F_RING_INDIRECT_DESC) | \
                FEAT(VIRTIO_F_RING_EVENT_IDX))

/* The queue parts of queue `qi` (one queue per 0x8000 of ring space; queue 0 uses the
 * fixture's DESC/AVAIL/USED). */
static uint64_t qbase(unsigned qi) { return (uint64_t)qi * 0x20000; }

static void setup_queue(struct tfx *f, unsigned qi, uint32_t num)
{
    wr(f, R_QUEUE_SEL, qi);
    assert_int_equal(rd(f, R_QUEUE_READY), 0);
    assert_true(rd(f, R_QUEUE_NUM_MAX) >= num);
    wr(f, R_QUEUE_NUM, num);
    uint64_t d = DESC + qbase(qi), a = AVAIL + qbase(qi), u = USED + qbase(qi);
    wr(f, R_DESC_LO, (uint32_t)d);
    wr(f, R_DESC_HI, (uint32_t)(d >> 32));
    wr(f, R_DRIVER_LO, (uint32_t)a);
    wr(f, R_DRIVER_HI, (uint32_t)(a >> 32));
    wr(f, R_DEVICE_LO, (uint32_t)u);
    wr(f, R_DEVICE_HI, (uint32_t)(u >> 32));
    wr(f, R_QUEUE_READY, 1);
    assert_int_equal(rd(f, R_QUEUE_READY), 1);
    /* the driver's copy of the rings starts empty */
    memset(host(&f->m, a), 0, 6 + 2 * num);
    memset(host(&f->m, u), 0, 6 + 8 * num);
}

/* A driver's initialisation: reset, ACK, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
static void driver_init(struct tfx *f, uint64_t features, unsigned queues, uint32_t num)
{
    wr(f, R_STATUS, 0);
    assert_int_equal(rd(f, R_STATUS), 0);
    wr(f, R_STATUS, S_ACK);
    wr(f, R_STATUS, S_ACK | S_DRIVER);
    assert_int_equal(device_features(f) & features, features);
    set_features(f, features);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
    for (unsigned i = 0; i < queues; i++)
        setup_queue(f, i, num);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* avail_add on queue qi */
static void qadd(struct tfx *f, unsigned qi, uint32_t num, uint16_t head)
{
    uint64_t a = AVAIL + qbase(qi);
    uint16_t idx = get16(&f->m, a + 2);
    put16(&f->m, a + 4 + 2ull * (idx % num), head);
    put16(&f->m, a + 2, (uint16_t)(idx + 1));
}

static void qdesc(struct tfx *f, unsigned qi, unsigned i, uint64_t addr, uint32_t len,
                  uint16_t flags, uint16_t next)
{
    desc_at(&f->m, DESC + qbase(qi), i, addr, len, flags, next);
}

static uint16_t used_idx(struct tfx *f, unsigned qi)
{
    return get16(&f->m, USED + qbase(qi) + 2);
}

static uint32_t used_len(struct tfx *f, unsigned qi, uint16_t entry, uint32_t num)
{
    return get32(&f->m, USED + qbase(qi) + 4 + 8ull * (entry % num) + 4);
}

static void test_rng_identity(void **state)
{
    struct tfx *f = *state;
    assert_int_equal(rd(f, R_MAGIC), 0x74726976);
    assert_int_equal(rd(f, R_VERSION), 2);
    assert_int_equal(rd(f, R_DEVICE_ID), VIRTIO_ID_RNG);
    assert_int_equal(rd(f, R_VENDOR), VIRTIO_VENDOR_REWIND);
    uint64_t feat = device_features(f);
    assert_int_equal(feat, MODERN);
    wr(f, R_DEV_FEATURES_SEL, 2);
    assert_int_equal(rd(f, R_DEV_FEATURES), 0);
    wr(f, R_DEV_FEATURES_SEL, 0xffffffff);
    assert_int_equal(rd(f, R_DEV_FEATURES), 0);
    assert_int_equal(rd(f, R_QUEUE_NUM_MAX), 64);
    wr(f, R_QUEUE_SEL, 1);                       /* no such queue */
    assert_int_equal(rd(f, R_QUEUE_NUM_MAX), 0);
    assert_int_equal(rd(f, R_QUEUE_READY), 0);
    wr(f, R_QUEUE_READY, 1);                     /* ignored */
    wr(f, R_QUEUE_NUM, 8);
    wr(f, R_QUEUE_SEL, 0xffffffff);
    assert_int_equal(rd(f, R_QUEUE_NUM_MAX), 0);
    wr(f, R_QUEUE_SEL, 0);
    assert_int_equal(rd(f, R_STATUS), 0);
    assert_int_equal(rd(f, R_ISR), 0);
    /* other access sizes read 0 and write nothing */
    uint64_t v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + R_MAGIC, 2, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(bus_read(&f->bus, MMIO + R_MAGIC, 8, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(bus_write(&f->bus, MMIO + R_STATUS, 1, S_ACK), 0);
    assert_int_equal(rd(f, R_STATUS), 0);
    /* no config space: reads 0, writes ignored */
    for (unsigned size = 1; size <= 8; size *= 2) {
        v = 1;
        assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG, size, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(bus_write(&f->bus, MMIO + R_CONFIG, size, ~0ull), 0);
    }
    v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + 0xffc, 4, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(rd(f, R_GENERATION), 0);
    assert_false(f->level);
    assert_int_equal(f->t->errors, 0);
}

static void test_feature_negotiation(void **state)
{
    struct tfx *f = *state;
    wr(f, R_STATUS, S_ACK | S_DRIVER);
    /* a feature that was never offered */
    set_features(f, MODERN | FEAT(40));
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER);
    set_features(f, MODERN | FEAT(0));
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER);
    /* legacy (no VERSION_1) */
    set_features(f, FEAT(VIRTIO_F_RING_INDIRECT_DESC));
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER);
    set_features(f, 0);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER);
    /* a selector beyond 1 writes nothing */
    set_features(f, FEAT(VIRTIO_F_VERSION_1));
    wr(f, R_DRV_FEATURES_SEL, 2);
    wr(f, R_DRV_FEATURES, 0xffffffff);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_true(virtio_mmio_has_feature(f->t, VIRTIO_F_VERSION_1));
    assert_false(virtio_mmio_has_feature(f->t, VIRTIO_F_RING_EVENT_IDX));
    assert_false(virtio_mmio_has_feature(f->t, 64));
    assert_false(virtio_mmio_has_feature(f->t, 1000));
    /* after FEATURES_OK the features are fixed */
    set_features(f, MODERN);
    assert_false(virtio_mmio_has_feature(f->t, VIRTIO_F_RING_EVENT_IDX));
    assert_false(f->t->queues[0].event_idx);
    assert_int_equal(f->t->errors, 0);
    /* a reset starts over */
    wr(f, R_STATUS, 0);
    assert_false(virtio_mmio_has_feature(f->t, VIRTIO_F_VERSION_1));
    wr(f, R_STATUS, S_ACK | S_DRIVER);
    set_features(f, MODERN);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK);
    assert_true(f->t->queues[0].event_idx);
    assert_true(f->t->queues[0].indirect);
}

/* Fill one 32-byte buffer through the rng and check what the guest sees. */
static void rng_good_request(struct tfx *f, uint16_t head)
{
    uint16_t before = used_idx(f, 0);
    uint8_t want[32];
    for (int i = 0; i < 32; i++)
        want[i] = (uint8_t)(f->entropy_next + i);
    memset(host(&f->m, DATA), FILL_BYTE, 64);
    qdesc(f, 0, head, DATA, 32, F_WRITE, 0);
    qadd(f, 0, 8, head);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_idx(f, 0), (uint16_t)(before + 1));
    assert_int_equal(get32(&f->m, USED + 4 + 8ull * (before % 8)), head);
    assert_int_equal(used_len(f, 0, before, 8), 32);
    assert_memory_equal(host(&f->m, DATA), want, 32);
    assert_int_equal(host(&f->m, DATA + 32)[0], FILL_BYTE);
}

static void test_rng_requests_and_interrupts(void **state)
{
    struct tfx *f = *state;
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 1, 8);
    assert_false(f->level);
    rng_good_request(f, 3);
    assert_int_equal(rd(f, R_ISR), VIRTIO_INT_USED_RING);
    assert_true(f->level);
    wr(f, R_ACK, VIRTIO_INT_CONFIG);             /* acking the other bit changes nothing */
    assert_true(f->level);
    wr(f, R_ACK, VIRTIO_INT_USED_RING);
    assert_int_equal(rd(f, R_ISR), 0);
    assert_false(f->level);
    assert_int_equal(f->level_changes, 2);
    /* a reset with an interrupt pending drops it */
    rng_good_request(f, 3);
    assert_true(f->level);
    wr(f, R_STATUS, 0);
    assert_int_equal(rd(f, R_ISR), 0);
    assert_false(f->level);
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 1, 8);
    rng_good_request(f, 3);
    wr(f, R_ACK, VIRTIO_INT_USED_RING);
    /* notify with nothing new: nothing happens */
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(rd(f, R_ISR), 0);
    /* more than the device gives per buffer: 4096 bytes, the rest untouched */
    qdesc(f, 0, 0, DATA, 3000, F_WRITE | F_NEXT, 1);
    qdesc(f, 0, 1, DATA + 3000, 3000, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_len(f, 0, 1, 8), VIRTIO_RNG_MAX_REQUEST);
    assert_int_equal(host(&f->m, DATA + 4096)[0], FILL_BYTE);
    assert_int_not_equal(host(&f->m, DATA + 4095)[0], FILL_BYTE);
    /* a chain with nothing writable gets nothing */
    qdesc(f, 0, 2, DATA + 0x2000, 16, 0, 0);
    qadd(f, 0, 8, 2);
    unsigned calls = f->entropy_calls;
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_len(f, 0, 2, 8), 0);
    assert_int_equal(f->entropy_calls, calls);
    /* notifications of absent queues are ignored */
    wr(f, R_QUEUE_NOTIFY, 1);
    wr(f, R_QUEUE_NOTIFY, 0xffffffff);
    assert_int_equal(f->t->errors, 0);
    /* queue layout cannot change while the queue is ready */
    wr(f, R_QUEUE_NUM, 4);
    wr(f, R_DESC_LO, 0);
    assert_int_equal(f->t->queues[0].num, 8);
    assert_int_equal(f->t->queues[0].desc, DESC);
    /* NO_INTERRUPT: used, but no interrupt */
    wr(f, R_ACK, 3);
    put16(&f->m, AVAIL, 1);
    rng_good_request(f, 4);
    assert_int_equal(rd(f, R_ISR), 0);
    assert_false(f->level);
}

static void test_rng_event_idx(void **state)
{
    struct tfx *f = *state;
    driver_init(f, MODERN, 1, 8);
    rng_good_request(f, 0);                      /* the first interrupt always comes */
    assert_int_equal(get16(&f->m, USED + 4 + 8 * 8), 1);  /* avail_event */
    wr(f, R_ACK, 1);
    put16(&f->m, AVAIL + 4 + 2 * 8, 5);          /* used_event: interrupt after entry 5 */
    for (int i = 1; i <= 6; i++) {   /* used idx 2..7; entry 5 is used when it becomes 6 */
        rng_good_request(f, (uint16_t)i);
        assert_int_equal(rd(f, R_ISR), i >= 5 ? 1u : 0u);
        assert_int_equal(f->level, i >= 5);
    }
}

static void test_notify_before_driver_ok(void **state)
{
    struct tfx *f = *state;
    wr(f, R_STATUS, S_ACK | S_DRIVER);
    set_features(f, FEAT(VIRTIO_F_VERSION_1));
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    setup_queue(f, 0, 8);
    qdesc(f, 0, 0, DATA, 16, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_idx(f, 0), 0);
    assert_int_equal(f->entropy_calls, 0);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_idx(f, 0), 1);
}

/* After DEVICE_NEEDS_RESET: the config interrupt, the device ignores its queues, the
 * status keeps the bit whatever the driver writes, and a reset brings it back. */
static void expect_needs_reset(struct tfx *f, bool driver_ok, uint64_t errors_before)
{
    uint32_t st = rd(f, R_STATUS);
    assert_true(st & S_NEEDS_RESET);
    assert_true(f->t->errors > errors_before);
    assert_true(virtio_mmio_error(f->t)[0] != 0);
    assert_non_null(strstr(virtio_mmio_error(f->t), f->t->ops->name));
    if (driver_ok) {
        assert_true(rd(f, R_ISR) & VIRTIO_INT_CONFIG);
        assert_true(f->level);
        assert_int_equal(rd(f, R_GENERATION), f->t->config_generation);
    } else {
        assert_int_equal(rd(f, R_ISR) & VIRTIO_INT_CONFIG, 0);
    }
    wr(f, R_STATUS, st & ~(uint32_t)S_NEEDS_RESET);
    assert_true(rd(f, R_STATUS) & S_NEEDS_RESET);
    wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    assert_true(rd(f, R_STATUS) & S_NEEDS_RESET);
    wr(f, R_ACK, 3);
    assert_false(f->level);
    /* reset */
    wr(f, R_STATUS, 0);
    assert_int_equal(rd(f, R_STATUS), 0);
    assert_int_equal(rd(f, R_ISR), 0);
    assert_int_equal(rd(f, R_QUEUE_READY), 0);
    assert_false(f->level);
}

static void test_rng_hostile_queue_needs_reset(void **state)
{
    struct tfx *f = *state;
    driver_init(f, MODERN, 1, 8);
    rng_good_request(f, 0);
    wr(f, R_ACK, 1);
    /* a descriptor loop */
    qdesc(f, 0, 1, DATA, 16, F_WRITE | F_NEXT, 2);
    qdesc(f, 0, 2, DATA + 16, 16, F_WRITE | F_NEXT, 1);
    qadd(f, 0, 8, 1);
    memcpy(f->m.snapshot, f->m.ram.host, RAM_SIZE);
    unsigned calls = f->entropy_calls;
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_memory_equal(f->m.snapshot, f->m.ram.host, RAM_SIZE);
    assert_true(rd(f, R_STATUS) & S_NEEDS_RESET);
    assert_non_null(strstr(virtio_mmio_error(f->t), "loops"));
    assert_int_equal(f->entropy_calls, calls);
    assert_int_equal(used_idx(f, 0), 1);
    /* the device now ignores the queue, even a good chain */
    qdesc(f, 0, 1, DATA, 16, F_WRITE, 0);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_int_equal(used_idx(f, 0), 1);
    assert_int_equal(f->entropy_calls, calls);
    uint32_t gen = rd(f, R_GENERATION);
    assert_int_equal(gen, 1);
    expect_needs_reset(f, true, 0);
    assert_int_equal(f->t->errors, 1);           /* one error, however often poked */
    /* works again */
    driver_init(f, MODERN, 1, 8);
    rng_good_request(f, 0);
    assert_int_equal(rd(f, R_ISR), 1);

    /* avail index far ahead, buffer outside RAM, head out of range */
    static const int kinds[] = { 0, 1, 2, 3 };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        uint64_t errors = f->t->errors;
        driver_init(f, MODERN, 1, 8);
        switch (kinds[k]) {
        case 0: put16(&f->m, AVAIL + 2, 100); break;
        case 1:
            qdesc(f, 0, 0, RAM_END - 8, 16, F_WRITE, 0);
            qadd(f, 0, 8, 0);
            break;
        case 2: qadd(f, 0, 8, 8); break;
        case 3:
            qdesc(f, 0, 0, 0xfffffffffffff000ull, 0x2000, F_WRITE, 0);
            qadd(f, 0, 8, 0);
            break;
        }
        wr(f, R_QUEUE_NOTIFY, 0);
        expect_needs_reset(f, true, errors);
        driver_init(f, MODERN, 1, 8);
        rng_good_request(f, 5);
    }
}

static void test_bad_queue_layouts(void **state)
{
    struct tfx *f = *state;
    static const struct { uint32_t num; uint64_t desc, avail, used; } bad[] = {
        { 0, DESC, AVAIL, USED },
        { 3, DESC, AVAIL, USED },
        { 128, DESC, AVAIL, USED },              /* above QueueNumMax (64) */
        { 8, DESC + 8, AVAIL, USED },
        { 8, DESC, AVAIL + 1, USED },
        { 8, DESC, AVAIL, USED + 2 },
        { 8, 0, AVAIL, USED },
        { 8, DESC, RAM_END, USED },
        { 8, DESC, AVAIL, RAM_END - 8 },
        { 8, DESC, AVAIL, 0xfffffffffffff000ull },
        { 8, 0x100000000ull + DESC, AVAIL, USED },  /* high half */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint64_t errors = f->t->errors;
        wr(f, R_STATUS, 0);
        wr(f, R_STATUS, S_ACK | S_DRIVER);
        set_features(f, MODERN);
        wr(f, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
        wr(f, R_QUEUE_SEL, 0);
        wr(f, R_QUEUE_NUM, bad[i].num);
        wr(f, R_DESC_LO, (uint32_t)bad[i].desc);
        wr(f, R_DESC_HI, (uint32_t)(bad[i].desc >> 32));
        wr(f, R_DRIVER_LO, (uint32_t)bad[i].avail);
        wr(f, R_DRIVER_HI, (uint32_t)(bad[i].avail >> 32));
        wr(f, R_DEVICE_LO, (uint32_t)bad[i].used);
        wr(f, R_DEVICE_HI, (uint32_t)(bad[i].used >> 32));
        memcpy(f->m.snapshot, f->m.ram.host, RAM_SIZE);
        wr(f, R_QUEUE_READY, 1);
        assert_int_equal(rd(f, R_QUEUE_READY), 0);
        assert_memory_equal(f->m.snapshot, f->m.ram.host, RAM_SIZE);
        /* before DRIVER_OK: NEEDS_RESET without an interrupt */
        expect_needs_reset(f, false, errors);
        driver_init(f, MODERN, 1, 8);
        rng_good_request(f, 1);
    }
    /* the same after DRIVER_OK (a queue enabled late): with the interrupt */
    uint64_t errors = f->t->errors;
    driver_init(f, MODERN, 1, 8);
    wr(f, R_QUEUE_READY, 0);
    assert_int_equal(rd(f, R_QUEUE_READY), 0);
    wr(f, R_DEVICE_LO, (uint32_t)(RAM_END - 4));
    wr(f, R_QUEUE_READY, 1);
    assert_int_equal(rd(f, R_QUEUE_READY), 0);
    expect_needs_reset(f, true, errors);
}

/* ------------------------------------------------------------------ save / load */

static void save(struct virtio_mmio *t, struct state_writer *w)
{
    state_writer_init(w);
    virtio_mmio_save(t, w);
    assert_int_equal(state_writer_status(w), 0);
}

static int load_bytes(struct virtio_mmio *t, const uint8_t *buf, size_t len, char *why,
                      size_t whylen)
{
    struct state_reader r;
    state_reader_init(&r, buf, len);
    int rc = virtio_mmio_load(t, &r);
    if (why)
        snprintf(why, whylen, "%s", state_reader_error(&r) ? state_reader_error(&r) : "");
    return rc;
}

/* Offsets inside the "virtio-mmio" section (see virtio_mmio_save): name length (1), name
 * (11), version (4), body length (8), then the fields. */
#define ST_ID 24
#define ST_STATUS 28
#define ST_FEATURES 52
#define ST_ISR 60
#define ST_LEVEL 76

static void test_save_load(void **state)
{
    struct tfx *f = *state;
    driver_init(f, MODERN, 1, 8);
    rng_good_request(f, 0);
    rng_good_request(f, 1);                      /* interrupt pending */
    assert_true(f->level);
    struct state_writer w;
    save(f->t, &w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);

    /* into a fresh device on the same RAM */
    struct virtio_rng *other = calloc(1, sizeof(*other));
    assert_non_null(other);
    virtio_rng_init(other, f->m.ram, (struct virtio_rng_host){ .entropy = fake_entropy,
                                                                .ctx = f });
    bool level_before = f->level;
    unsigned changes = f->level_changes;
    irq_line_connect(&other->transport.irq, set_level, f, 1);
    char why[256];
    assert_int_equal(load_bytes(&other->transport, data, len, why, sizeof(why)), 0);
    assert_int_equal(f->level_changes, changes);  /* the receiver is not told */
    assert_int_equal(f->level, level_before);
    assert_true(other->transport.irq.level);
    assert_int_equal(other->bytes_served, f->rng.bytes_served);
    struct state_writer w2;
    save(&other->transport, &w2);
    size_t len2;
    const uint8_t *data2 = state_writer_data(&w2, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(data2, data, len);

    /* the loaded device carries on where the first one was */
    struct bus bus2;
    bus_init(&bus2);
    assert_int_equal(virtio_mmio_attach(&other->transport, &bus2, MMIO), 0);
    struct bus saved_bus = f->bus;
    struct virtio_mmio *saved_t = f->t;
    f->bus = bus2;
    f->t = &other->transport;
    assert_int_equal(rd(f, R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    assert_int_equal(rd(f, R_ISR), 1);
    assert_int_equal(rd(f, R_QUEUE_READY), 1);
    rng_good_request(f, 2);
    assert_int_equal(used_idx(f, 0), 3);
    f->bus = saved_bus;
    f->t = saved_t;

    /* refused: each leaves the device as it was */
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    struct state_writer before;
    save(&other->transport, &before);
    size_t blen;
    const uint8_t *bdata = state_writer_data(&before, &blen);
    struct { size_t off; uint32_t v; int width; const char *what; } patches[] = {
        { ST_ID, VIRTIO_ID_BLOCK, 4, "device id" },
        { ST_FEATURES + 4, 1u << 8, 4, "never offered" },   /* feature 40 */
        { ST_ISR, 0, 4, "interrupt" },                      /* level 1, status 0 */
        { ST_ISR, 4, 4, "interrupt" },                      /* no such bit */
        { ST_LEVEL, 0, 1, "interrupt" },
        { ST_LEVEL, 2, 1, NULL },                           /* not a bool */
    };
    for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        memcpy(bad, data, len);
        memcpy(bad + patches[i].off, &patches[i].v, (size_t)patches[i].width);
        assert_int_equal(load_bytes(&other->transport, bad, len, why, sizeof(why)), -1);
        if (patches[i].what && !strstr(why, patches[i].what))
            fail_msg("patch %zu: '%s' does not mention '%s'", i, why, patches[i].what);
        struct state_writer after;
        save(&other->transport, &after);
        size_t alen;
        const uint8_t *adata = state_writer_data(&after, &alen);
        assert_int_equal(alen, blen);
        assert_memory_equal(adata, bdata, blen);
        state_writer_free(&after);
    }
    /* every truncation */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(load_bytes(&other->transport, data, cut, NULL, 0), -1);
    /* a ready queue whose rings are not in this machine's RAM */
    struct guest_ram small = f->m.ram;
    small.size = 0x4000;                         /* ends before AVAIL */
    struct virtio_rng *third = calloc(1, sizeof(*third));
    assert_non_null(third);
    virtio_rng_init(third, small, (struct virtio_rng_host){ .entropy = fake_entropy, .ctx = f });
    assert_int_equal(load_bytes(&third->transport, data, len, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "outside guest RAM"));
    assert_int_equal(third->transport.status, 0);
    assert_false(third->transport.queues[0].ready);
    /* NEEDS_RESET survives a save and load */
    put16(&f->m, AVAIL + 2, 1000);
    wr(f, R_QUEUE_NOTIFY, 0);
    assert_true(rd(f, R_STATUS) & S_NEEDS_RESET);
    struct state_writer w3;
    save(f->t, &w3);
    size_t len3;
    const uint8_t *data3 = state_writer_data(&w3, &len3);
    assert_int_equal(load_bytes(&other->transport, data3, len3, NULL, 0), 0);
    assert_true(other->transport.status & S_NEEDS_RESET);
    assert_int_equal(other->transport.errors, f->t->errors);

    free(third);
    free(bad);
    free(other);
    state_writer_free(&w);
    state_writer_free(&w2);
    state_writer_free(&w3);
    state_writer_free(&before);
}

/* ------------------------------------------------------------------ virtio-blk */

#define DISK_SECTORS 64

static int mem_read(void *ctx, uint64_t off, void *buf, uint64_t len)
{
    struct tfx *f = ctx;
    if (off > f->disk_size || len > f->disk_size - off)
        fail_msg("backend read past the disk: %llu+%llu", (unsigned long long)off,
                 (unsigned long long)len);
    memcpy(buf, f->disk + off, len);
    return 0;
}

static int mem_write(void *ctx, uint64_t off, const void *buf, uint64_t len)
{
    struct tfx *f = ctx;
    if (off > f->disk_size || len > f->disk_size - off)
        fail_msg("backend write past the disk: %llu+%llu", (unsigned long long)off,
                 (unsigned long long)len);
    memcpy(f->disk + off, buf, len);
    return 0;
}

static int mem_zero(void *ctx, uint64_t off, uint64_t len)
{
    struct tfx *f = ctx;
    if (off > f->disk_size || len > f->disk_size - off)
        fail_msg("backend zero past the disk: %llu+%llu", (unsigned long long)off,
                 (unsigned long long)len);
    memset(f->disk + off, 0, len);
    return 0;
}

static int mem_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

static void blk_completed(void *ctx, uint32_t type, uint64_t sector, uint64_t bytes,
                          uint8_t status, uint64_t hash)
{
    (void)type, (void)sector, (void)bytes, (void)hash;
    struct tfx *f = ctx;
    f->completions++;
    f->last_status = status;
}

static int blk_setup_ro(void **state, bool readonly)
{
    struct tfx *f;
    tfx_setup_common(state, &f);
    f->disk_size = DISK_SECTORS * 512;
    f->disk = malloc(f->disk_size);
    assert_non_null(f->disk);
    for (uint64_t i = 0; i < f->disk_size; i++)
        f->disk[i] = (uint8_t)(i / 512 * 7 + i);
    f->blk = calloc(1, sizeof(*f->blk));
    assert_non_null(f->blk);
    struct virtio_blk_backend be = { .size = f->disk_size, .readonly = readonly,
                                     .read = mem_read, .write = mem_write, .flush = mem_flush,
                                     .zero = mem_zero, .completed = blk_completed, .ctx = f };
    virtio_blk_init(f->blk, f->m.ram, be, "serial-number-0123456789");
    attach(f, &f->blk->transport);
    return 0;
}

static int blk_setup(void **state) { return blk_setup_ro(state, false); }
static int blk_ro_setup(void **state) { return blk_setup_ro(state, true); }

#define HDR (DATA + 0x0)
#define BUF (DATA + 0x1000)
#define STATUS (DATA + 0xf000)

/* One request: header, optional out data (readable), in room (writable), status byte.
 * Returns the status byte (0xee if the device did not write it). */
static uint8_t blk_request(struct tfx *f, uint32_t type, uint64_t sector, uint32_t out_len,
                           uint32_t in_len)
{
    put32(&f->m, HDR, type);
    put32(&f->m, HDR + 4, 0);
    put64(&f->m, HDR + 8, sector);
    host(&f->m, STATUS)[0] = 0xee;
    unsigned n = 0;
    qdesc(f, 0, n, HDR, 16, F_NEXT, (uint16_t)(n + 1));
    n++;
    if (out_len) {
        qdesc(f, 0, n, BUF, out_len, F_NEXT, (uint16_t)(n + 1));
        n++;
    }
    if (in_len) {
        qdesc(f, 0, n, BUF, in_len, F_NEXT | F_WRITE, (uint16_t)(n + 1));
        n++;
    }
    qdesc(f, 0, n, STATUS, 1, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    wr(f, R_QUEUE_NOTIFY, 0);
    return host(&f->m, STATUS)[0];
}

static void test_blk_requests(void **state)
{
    struct tfx *f = *state;
    assert_int_equal(rd(f, R_DEVICE_ID), VIRTIO_ID_BLOCK);
    uint64_t cap = 0;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG, 8, &cap), 0);
    assert_int_equal(cap, DISK_SECTORS);
    uint64_t v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 60, 4, &v), 0);  /* past the end */
    assert_int_equal(v, 0);
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 58, 4, &v), 0);  /* straddling */
    assert_int_equal(v, 0);
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 0xefc, 4, &v), 0);
    assert_int_equal(v, 0);
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 1, 8);

    /* read sector 3 */
    memset(host(&f->m, BUF), FILL_BYTE, 1024);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, 3, 0, 512), VIRTIO_BLK_S_OK);
    assert_memory_equal(host(&f->m, BUF), f->disk + 3 * 512, 512);
    assert_int_equal(host(&f->m, BUF + 512)[0], FILL_BYTE);
    assert_int_equal(used_len(f, 0, 0, 8), 513);
    /* write sector 5 */
    memset(host(&f->m, BUF), 0x42, 512);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_OUT, 5, 512, 0), VIRTIO_BLK_S_OK);
    assert_int_equal(f->disk[5 * 512], 0x42);
    assert_int_equal(f->disk[6 * 512 - 1], 0x42);
    assert_int_equal(f->disk[6 * 512], (uint8_t)(6 * 512 + 6 * 7));
    /* the last sector, then beyond capacity (IOERR, not a device error) */
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 0, 512), VIRTIO_BLK_S_OK);
    static const struct { uint64_t sector; uint32_t len; } beyond[] = {
        { DISK_SECTORS, 512 }, { DISK_SECTORS - 1, 1024 }, { 1ull << 55, 512 },
        { 0xffffffffffffffffull, 512 }, { 0x0080000000000000ull, 512 }, { 0, 513 },
        { 0, 511 }, { 0, DISK_SECTORS * 512 + 512 },
    };
    for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
        memset(host(&f->m, BUF), FILL_BYTE, 0x3000);
        assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, beyond[i].sector, 0, beyond[i].len),
                         VIRTIO_BLK_S_IOERR);
        assert_int_equal(host(&f->m, BUF)[0], FILL_BYTE);
        memcpy(f->m.snapshot, f->disk, f->disk_size);
        assert_int_equal(blk_request(f, VIRTIO_BLK_T_OUT, beyond[i].sector, beyond[i].len, 0),
                         VIRTIO_BLK_S_IOERR);
        assert_memory_equal(f->m.snapshot, f->disk, f->disk_size);
    }
    assert_int_equal(rd(f, R_STATUS) & S_NEEDS_RESET, 0);
    /* the whole disk in one request */
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, 0, 0, DISK_SECTORS * 512), VIRTIO_BLK_S_OK);
    assert_memory_equal(host(&f->m, BUF), f->disk, DISK_SECTORS * 512);
    /* get-id: 20 bytes at most */
    memset(host(&f->m, BUF), FILL_BYTE, 64);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_GET_ID, 0, 0, 64), VIRTIO_BLK_S_OK);
    assert_memory_equal(host(&f->m, BUF), "serial-number-012345", 20);
    assert_int_equal(host(&f->m, BUF + 20)[0], FILL_BYTE);
    assert_int_equal(used_len(f, 0, (uint16_t)(used_idx(f, 0) - 1), 8), 21);
    /* ... in a smaller buffer: only what fits */
    memset(host(&f->m, BUF), FILL_BYTE, 64);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_GET_ID, 0, 0, 8), VIRTIO_BLK_S_OK);
    assert_memory_equal(host(&f->m, BUF), "serial-n", 8);
    assert_int_equal(host(&f->m, BUF + 8)[0], FILL_BYTE);
    assert_int_equal(used_len(f, 0, (uint16_t)(used_idx(f, 0) - 1), 8), 9);
    /* unknown type, flush */
    assert_int_equal(blk_request(f, 0x1234, 0, 0, 0), VIRTIO_BLK_S_UNSUPP);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_FLUSH, 0, 0, 0), VIRTIO_BLK_S_OK);
    /* write-zeroes / discard: good range, ranges beyond the disk, bad payloads */
    put64(&f->m, BUF, 10);
    put32(&f->m, BUF + 8, 2);
    put32(&f->m, BUF + 12, 0);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0), VIRTIO_BLK_S_OK);
    assert_int_equal(f->disk[10 * 512 + 1], 0);
    assert_int_equal(f->disk[12 * 512 + 1], (uint8_t)(12 * 512 + 1 + 12 * 7));
    memcpy(f->m.snapshot, f->disk, f->disk_size);
    static const struct { uint64_t sector; uint32_t count, flags; } zbad[] = {
        { DISK_SECTORS - 1, 2, 0 }, { DISK_SECTORS, 1, 0 }, { 0xffffffffffffffffull, 1, 0 },
        { 0, 0xffffffffu, 0 }, { 0x7fffffffffffff, 0x1000, 0 }, { 0, 1, 2 },
    };
    for (size_t i = 0; i < sizeof(zbad) / sizeof(zbad[0]); i++) {
        put64(&f->m, BUF, zbad[i].sector);
        put32(&f->m, BUF + 8, zbad[i].count);
        put32(&f->m, BUF + 12, zbad[i].flags);
        assert_int_equal(blk_request(f, VIRTIO_BLK_T_DISCARD, 0, 16, 0), VIRTIO_BLK_S_IOERR);
        assert_int_equal(blk_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0), VIRTIO_BLK_S_IOERR);
    }
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_DISCARD, 0, 15, 0), VIRTIO_BLK_S_IOERR);
    /* 65 good ranges: more than max_discard_seg (64) */
    for (unsigned i = 0; i < 65; i++) {
        put64(&f->m, BUF + 16 * i, 20 + i % 4);
        put32(&f->m, BUF + 16 * i + 8, 1);
        put32(&f->m, BUF + 16 * i + 12, 0);
    }
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_DISCARD, 0, 65 * 16, 0), VIRTIO_BLK_S_IOERR);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 65 * 16, 0), VIRTIO_BLK_S_IOERR);
    assert_memory_equal(f->m.snapshot, f->disk, f->disk_size);
    assert_int_equal(rd(f, R_STATUS) & S_NEEDS_RESET, 0);
    assert_int_equal(f->t->errors, 0);
}

static void test_blk_readonly(void **state)
{
    struct tfx *f = *state;
    assert_true(device_features(f) & FEAT(5));   /* VIRTIO_BLK_F_RO */
    assert_false(device_features(f) & FEAT(13)); /* no DISCARD */
    driver_init(f, FEAT(VIRTIO_F_VERSION_1) | FEAT(5), 1, 8);
    memcpy(f->m.snapshot, f->disk, f->disk_size);
    memset(host(&f->m, BUF), 0x42, 512);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_OUT, 0, 512, 0), VIRTIO_BLK_S_IOERR);
    put64(&f->m, BUF, 0);
    put32(&f->m, BUF + 8, 1);
    put32(&f->m, BUF + 12, 0);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 0), VIRTIO_BLK_S_IOERR);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_DISCARD, 0, 16, 0), VIRTIO_BLK_S_IOERR);
    assert_memory_equal(f->m.snapshot, f->disk, f->disk_size);
    assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, 0, 0, 512), VIRTIO_BLK_S_OK);
    assert_int_equal(f->t->errors, 0);
}

/* Requests a device cannot answer: NEEDS_RESET, nothing written, then a reset heals it. */
static void test_blk_malformed(void **state)
{
    struct tfx *f = *state;
    for (int kind = 0; kind < 5; kind++) {
        uint64_t errors = f->t->errors;
        /* no EVENT_IDX, so that taking a chain writes nothing (no avail_event) */
        driver_init(f, FEAT(VIRTIO_F_VERSION_1), 1, 8);
        put32(&f->m, HDR, VIRTIO_BLK_T_IN);
        put64(&f->m, HDR + 8, 0);
        host(&f->m, STATUS)[0] = 0xee;
        memset(host(&f->m, BUF), FILL_BYTE, 1024);
        switch (kind) {
        case 0: /* status byte read-only, after a writable data buffer */
            qdesc(f, 0, 0, HDR, 16, F_NEXT, 1);
            qdesc(f, 0, 1, BUF, 512, F_NEXT | F_WRITE, 2);
            qdesc(f, 0, 2, STATUS, 1, 0, 0);
            break;
        case 1: /* no writable byte at all */
            qdesc(f, 0, 0, HDR, 16, F_NEXT, 1);
            qdesc(f, 0, 1, STATUS, 1, 0, 0);
            break;
        case 2: /* header too short */
            qdesc(f, 0, 0, HDR, 8, F_NEXT, 1);
            qdesc(f, 0, 1, STATUS, 1, F_WRITE, 0);
            break;
        case 3: /* no header */
            qdesc(f, 0, 0, BUF, 512, F_NEXT | F_WRITE, 1);
            qdesc(f, 0, 1, STATUS, 1, F_WRITE, 0);
            break;
        case 4: /* data buffer past the end of RAM */
            qdesc(f, 0, 0, HDR, 16, F_NEXT, 1);
            qdesc(f, 0, 1, RAM_END - 256, 512, F_NEXT | F_WRITE, 2);
            qdesc(f, 0, 2, STATUS, 1, F_WRITE, 0);
            break;
        }
        qadd(f, 0, 8, 0);
        unsigned completions = f->completions;
        memcpy(f->m.snapshot, f->m.ram.host, RAM_SIZE);
        wr(f, R_QUEUE_NOTIFY, 0);
        assert_int_equal(host(&f->m, STATUS)[0], 0xee);
        assert_int_equal(used_idx(f, 0), 0);
        assert_int_equal(f->completions, completions);
        assert_memory_equal(f->m.snapshot, f->m.ram.host, RAM_SIZE);
        expect_needs_reset(f, true, errors);
        driver_init(f, MODERN, 1, 8);
        assert_int_equal(blk_request(f, VIRTIO_BLK_T_IN, 1, 0, 512), VIRTIO_BLK_S_OK);
        assert_memory_equal(host(&f->m, BUF), f->disk + 512, 512);
    }
}

/* ------------------------------------------------------------------ virtio-net */

static void net_tx(void *ctx, const uint8_t *frame, size_t len)
{
    struct tfx *f = ctx;
    if (f->tx < 4) {
        f->frame_len[f->tx] = len;
        memcpy(f->frames[f->tx], frame, len < 128 ? len : 128);
    }
    f->tx++;
}

static int net_setup(void **state)
{
    struct tfx *f;
    tfx_setup_common(state, &f);
    f->net = calloc(1, sizeof(*f->net));
    assert_non_null(f->net);
    static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };
    virtio_net_init(f->net, f->m.ram, mac, (struct virtio_net_host){ .transmit = net_tx,
                                                                      .ctx = f });
    attach(f, &f->net->transport);
    return 0;
}

static void test_net(void **state)
{
    struct tfx *f = *state;
    assert_int_equal(rd(f, R_DEVICE_ID), VIRTIO_ID_NET);
    uint64_t mac = 0;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG, 4, &mac), 0);
    assert_int_equal(mac, 0x12005452u);   /* 52:54:00:12 */
    uint64_t v = 0;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 6, 2, &v), 0);
    assert_int_equal(v, 1);                  /* link up */
    /* accesses running past the 8-byte config space read 0 */
    v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 4, 8, &v), 0);
    assert_int_equal(v, 0);
    v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 6, 4, &v), 0);
    assert_int_equal(v, 0);
    v = 1;
    assert_int_equal(bus_read(&f->bus, MMIO + R_CONFIG + 7, 2, &v), 0);
    assert_int_equal(v, 0);
    driver_init(f, FEAT(VIRTIO_F_VERSION_1) | FEAT(5), 2, 8);
    assert_false(virtio_net_can_receive(f->net));
    /* transmit: a 12-byte header and a 60-byte frame */
    memset(host(&f->m, DATA), 0, 12);
    for (int i = 0; i < 60; i++)
        host(&f->m, DATA + 12)[i] = (uint8_t)i;
    qdesc(f, 1, 0, DATA, 12, F_NEXT, 1);
    qdesc(f, 1, 1, DATA + 12, 60, 0, 0);
    qadd(f, 1, 8, 0);
    wr(f, R_QUEUE_NOTIFY, 1);
    assert_int_equal(f->tx, 1);
    assert_int_equal(f->frame_len[0], 60);
    assert_int_equal(f->frames[0][59], 59);
    assert_int_equal(used_idx(f, 1), 1);
    /* header only, writable only: dropped but returned */
    qdesc(f, 1, 2, DATA, 12, 0, 0);
    qadd(f, 1, 8, 2);
    qdesc(f, 1, 3, DATA + 0x100, 100, F_WRITE, 0);
    qadd(f, 1, 8, 3);
    memcpy(f->m.snapshot, f->m.ram.host, RAM_SIZE);
    wr(f, R_QUEUE_NOTIFY, 1);
    assert_int_equal(f->tx, 1);
    assert_int_equal(used_idx(f, 1), 3);
    assert_memory_equal(host(&f->m, DATA + 0x100), f->m.snapshot + (DATA + 0x100 - RAM_BASE),
                        100);
    /* receive into a posted buffer */
    memset(host(&f->m, DATA + 0x1000), FILL_BYTE, 256);
    qdesc(f, 0, 0, DATA + 0x1000, 100, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    assert_true(virtio_net_can_receive(f->net));
    uint8_t frame[80];
    memset(frame, 0x33, sizeof(frame));
    assert_int_equal(virtio_net_receive(f->net, frame, 80), 0);
    assert_int_equal(used_len(f, 0, 0, 8), 92);
    assert_int_equal(host(&f->m, DATA + 0x1000 + 10)[0], 1);       /* num_buffers */
    assert_int_equal(host(&f->m, DATA + 0x1000 + 12)[0], 0x33);
    assert_int_equal(host(&f->m, DATA + 0x1000 + 92)[0], FILL_BYTE);
    /* a frame too large for the buffer: dropped, buffer back empty */
    qdesc(f, 0, 1, DATA + 0x1000, 50, F_WRITE, 0);
    qadd(f, 0, 8, 1);
    memset(host(&f->m, DATA + 0x1000), FILL_BYTE, 256);
    assert_int_equal(virtio_net_receive(f->net, frame, 80), -1);
    assert_int_equal(used_len(f, 0, 1, 8), 0);
    assert_int_equal(host(&f->m, DATA + 0x1000)[0], FILL_BYTE);
    assert_int_equal(virtio_net_receive(f->net, frame, 80), -1);   /* no buffer */
    /* room for the frame but not for the header too: dropped as well */
    qdesc(f, 0, 2, DATA + 0x1000, 85, F_WRITE, 0);
    qadd(f, 0, 8, 2);
    memset(host(&f->m, DATA + 0x1000), FILL_BYTE, 256);
    assert_int_equal(virtio_net_receive(f->net, frame, 80), -1);
    assert_int_equal(used_len(f, 0, 2, 8), 0);
    assert_int_equal(host(&f->m, DATA + 0x1000)[0], FILL_BYTE);
    /* exactly header + frame fits */
    qdesc(f, 0, 3, DATA + 0x1000, 92, F_WRITE, 0);
    qadd(f, 0, 8, 3);
    assert_int_equal(virtio_net_receive(f->net, frame, 80), 0);
    assert_int_equal(used_len(f, 0, 3, 8), 92);
    assert_int_equal(f->t->errors, 0);
    /* hostile receive ring: the impossible index is found while polling */
    put16(&f->m, AVAIL + qbase(0) + 2, 500);
    assert_false(virtio_net_can_receive(f->net));
    assert_int_equal(f->t->errors, 1);
    assert_true(rd(f, R_STATUS) & S_NEEDS_RESET);
    /* a stopped device takes no frame, even into a good buffer */
    qdesc(f, 0, 4, DATA + 0x1000, 200, F_WRITE, 0);
    put16(&f->m, AVAIL + qbase(0) + 2, 4);
    qadd(f, 0, 8, 4);
    memcpy(f->m.snapshot, f->m.ram.host, RAM_SIZE);
    assert_false(virtio_net_can_receive(f->net));
    assert_int_equal(virtio_net_receive(f->net, frame, 80), -1);
    assert_memory_equal(f->m.snapshot, f->m.ram.host, RAM_SIZE);
    assert_int_equal(f->t->errors, 1);
    expect_needs_reset(f, true, 0);
    assert_false(virtio_net_can_receive(f->net));
    /* hostile transmit ring */
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 2, 8);
    qdesc(f, 1, 0, DATA, 12, F_NEXT, 0);
    qadd(f, 1, 8, 0);
    wr(f, R_QUEUE_NOTIFY, 1);
    expect_needs_reset(f, true, 1);
    assert_int_equal(f->tx, 1);
    /* a receive buffer outside RAM, found when a frame arrives */
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 2, 8);
    qdesc(f, 0, 0, RAM_END - 16, 100, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    assert_true(virtio_net_can_receive(f->net));
    assert_int_equal(virtio_net_receive(f->net, frame, 80), -1);
    expect_needs_reset(f, true, 2);
    driver_init(f, FEAT(VIRTIO_F_VERSION_1), 2, 8);
    qdesc(f, 0, 0, DATA + 0x1000, 100, F_WRITE, 0);
    qadd(f, 0, 8, 0);
    assert_int_equal(virtio_net_receive(f->net, frame, 80), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest queue[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_direct_chain),
        T(test_indirect_chain),
        T(test_direct_then_indirect),
        T(test_index_wrap),
        T(test_not_ready),
        T(test_push_bad_head),
        T(test_avail_idx_too_far_ahead),
        T(test_avail_idx_behind),
        T(test_head_out_of_range),
        T(test_next_out_of_range),
        T(test_direct_loop),
        T(test_chain_of_whole_table),
        T(test_indirect_loop),
        T(test_indirect_next_out_of_range),
        T(test_nested_indirect),
        T(test_indirect_with_next),
        T(test_indirect_not_negotiated),
        T(test_bad_indirect_tables),
        T(test_buffers_outside_ram),
        T(test_readable_after_writable),
        T(test_too_many_segments),
        T(test_chain_too_large),
        T(test_layout),
        T(test_no_interrupt_flag),
        T(test_event_idx),
#undef T
        cmocka_unit_test(test_single_huge_buffer),
    };
    const struct CMUnitTest transport[] = {
#define R(name) cmocka_unit_test_setup_teardown(name, rng_setup, tfx_teardown)
        R(test_rng_identity),
        R(test_feature_negotiation),
        R(test_rng_requests_and_interrupts),
        R(test_rng_event_idx),
        R(test_notify_before_driver_ok),
        R(test_rng_hostile_queue_needs_reset),
        R(test_bad_queue_layouts),
        R(test_save_load),
#undef R
        cmocka_unit_test_setup_teardown(test_blk_requests, blk_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_blk_readonly, blk_ro_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_blk_malformed, blk_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_net, net_setup, tfx_teardown),
    };
    const char *group = argc > 1 ? argv[1] : "all";
    int failed = 0;
    if (!strcmp(group, "queue") || !strcmp(group, "all"))
        failed += cmocka_run_group_tests_name("virtqueue", queue, NULL, NULL);
    if (!strcmp(group, "transport") || !strcmp(group, "all"))
        failed += cmocka_run_group_tests_name("virtio-mmio", transport, NULL, NULL);
    return failed ? 1 : 0;
}
