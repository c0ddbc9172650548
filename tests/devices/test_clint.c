/* test_clint.c — unit tests of devices/clint.c, driven through the bus. Expected behaviour is
 * from the SiFive CLINT documentation (FU540 manual, ch. 9) and the RISC-V privileged spec
 * (3.2.1: MTIP is set while mtime >= mtimecmp, cleared by writing mtimecmp; mtimecmp and
 * mtime are 64-bit and writable as 32-bit halves on RV32-style accesses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "devices/clint.h"

#define B CLINT_BASE
#define MSIP(h) (B + 4ull * (h))
#define MTIMECMP(h) (B + 0x4000 + 8ull * (h))
#define MTIME (B + 0xbff8)

struct fixture {
    struct bus bus;
    struct clint clint;
    uint64_t now;
    unsigned mtime_calls, set_calls;
    bool mtip[CLINT_MAX_HARTS], msip[CLINT_MAX_HARTS];
};

static uint64_t host_mtime(void *ctx)
{
    struct fixture *f = ctx;
    f->mtime_calls++;
    return f->now;
}

static void host_set_mtime(void *ctx, uint64_t v)
{
    struct fixture *f = ctx;
    f->set_calls++;
    f->now = v;
}

static void set_mtip(void *ctx, unsigned line, bool level)
{
    ((struct fixture *)ctx)->mtip[line] = level;
}

static void set_msip(void *ctx, unsigned line, bool level)
{
    ((struct fixture *)ctx)->msip[line] = level;
}

static struct fixture *fixture_new(unsigned harts)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    bus_init(&f->bus);
    struct clint_host host = { .mtime = host_mtime, .set_mtime = host_set_mtime, .ctx = f };
    assert_int_equal(clint_init(&f->clint, harts, host), 0);
    for (unsigned h = 0; h < harts; h++) {
        irq_line_connect(&f->clint.mtip[h], set_mtip, f, h);
        irq_line_connect(&f->clint.msip[h], set_msip, f, h);
    }
    assert_int_equal(clint_attach(&f->clint, &f->bus, CLINT_BASE), 0);
    return f;
}

static int setup(void **state)
{
    *state = fixture_new(2);
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static uint64_t rd(struct fixture *f, uint64_t addr, unsigned size)
{
    uint64_t v = 0xdeadbeefdeadbeefull;
    assert_int_equal(bus_read(&f->bus, addr, size, &v), 0);
    return v;
}

static void wr(struct fixture *f, uint64_t addr, unsigned size, uint64_t v)
{
    assert_int_equal(bus_write(&f->bus, addr, size, v), 0);
}

static void test_init_rejects_bad_configs(void **state)
{
    (void)state;
    struct clint c;
    struct clint_host host = { .mtime = host_mtime };
    assert_int_equal(clint_init(&c, 0, host), -1);
    assert_int_equal(clint_init(&c, CLINT_MAX_HARTS + 1, host), -1);
    assert_int_equal(clint_init(&c, 1, (struct clint_host){ 0 }), -1);
    assert_int_equal(clint_init(&c, CLINT_MAX_HARTS, host), 0);
}

static void test_reset_values(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(rd(f, MTIMECMP(0), 8), UINT64_MAX);
    assert_int_equal(rd(f, MTIMECMP(1), 4), 0xffffffffu);
    assert_int_equal(rd(f, MTIMECMP(1) + 4, 4), 0xffffffffu);
    assert_int_equal(rd(f, MSIP(0), 4), 0);
    assert_int_equal(rd(f, MSIP(1), 4), 0);
    clint_update(&f->clint);
    assert_false(f->mtip[0]);
    assert_false(f->msip[0]);
    assert_int_equal(clint_next_deadline(&f->clint), UINT64_MAX);
}

static void test_mtime_reads_host_clock(void **state)
{
    struct fixture *f = *state;
    f->now = 0x123456789abcdef0ull;
    assert_int_equal(rd(f, MTIME, 8), 0x123456789abcdef0ull);
    assert_int_equal(rd(f, MTIME, 4), 0x9abcdef0u);
    assert_int_equal(rd(f, MTIME + 4, 4), 0x12345678u);
    f->now++;
    assert_int_equal(rd(f, MTIME, 8), 0x123456789abcdef1ull);
}

static void test_mtime_writes_go_to_host(void **state)
{
    struct fixture *f = *state;
    f->now = 0x1111111122222222ull;
    wr(f, MTIME, 8, 0x500);
    assert_int_equal(f->set_calls, 1);
    assert_int_equal(f->now, 0x500);
    f->now = 0x1111111122222222ull;
    wr(f, MTIME + 4, 4, 0xabcd);           /* high half only */
    assert_int_equal(f->now, 0x0000abcd22222222ull);
    wr(f, MTIME, 4, 0x7);                  /* low half only */
    assert_int_equal(f->now, 0x0000abcd00000007ull);
    /* Setting mtime past a deadline raises MTIP at once. */
    wr(f, MTIMECMP(1), 8, 0x0000abcd00001000ull);
    assert_false(f->mtip[1]);
    wr(f, MTIME, 4, 0x1000);
    assert_true(f->mtip[1]);
    assert_false(f->mtip[0]);
}

static void test_mtimecmp_equal_to_mtime_fires(void **state)
{
    struct fixture *f = *state;
    f->now = 1000;
    wr(f, MTIMECMP(0), 8, 1001);
    assert_false(f->mtip[0]);
    wr(f, MTIMECMP(0), 8, 1000);
    assert_true(f->mtip[0]);
    wr(f, MTIMECMP(0), 8, 999);
    assert_true(f->mtip[0]);
    assert_false(f->mtip[1]);
}

static void test_mtimecmp_write_lowers_and_raises_immediately(void **state)
{
    struct fixture *f = *state;
    f->now = 5000;
    wr(f, MTIMECMP(1), 8, 100);
    assert_true(f->mtip[1]);
    wr(f, MTIMECMP(1), 8, 6000);            /* the way a handler acknowledges the timer */
    assert_false(f->mtip[1]);
    wr(f, MTIMECMP(1), 8, 0);
    assert_true(f->mtip[1]);
    wr(f, MTIMECMP(1), 8, UINT64_MAX);
    assert_false(f->mtip[1]);
}

static void test_half_writes(void **state)
{
    struct fixture *f = *state;
    f->now = 0x0000000200000000ull;
    /* The RV32 sequence: high half to all ones first, then low, then high. */
    wr(f, MTIMECMP(0) + 4, 4, 0xffffffff);
    wr(f, MTIMECMP(0), 4, 0x80);
    assert_int_equal(rd(f, MTIMECMP(0), 8), 0xffffffff00000080ull);
    assert_false(f->mtip[0]);
    wr(f, MTIMECMP(0) + 4, 4, 0x2);
    assert_int_equal(rd(f, MTIMECMP(0), 8), 0x0000000200000080ull);
    assert_false(f->mtip[0]);               /* 0x2_0000_0000 < 0x2_0000_0080 */
    assert_int_equal(rd(f, MTIMECMP(0), 4), 0x80);
    assert_int_equal(rd(f, MTIMECMP(0) + 4, 4), 0x2);
    /* Writing only the high half moves the deadline below mtime: fires at once. */
    wr(f, MTIMECMP(0) + 4, 4, 0x1);
    assert_true(f->mtip[0]);
    /* A 64-bit write replaces both halves; the other hart is untouched. */
    wr(f, MTIMECMP(0), 8, 0x0000000300000000ull);
    assert_false(f->mtip[0]);
    assert_int_equal(rd(f, MTIMECMP(1), 8), UINT64_MAX);
}

static void test_update_follows_time(void **state)
{
    struct fixture *f = *state;
    f->now = 0;
    wr(f, MTIMECMP(0), 8, 300);
    wr(f, MTIMECMP(1), 8, 200);
    assert_int_equal(clint_next_deadline(&f->clint), 200);
    f->now = 199;
    clint_update(&f->clint);
    assert_false(f->mtip[1]);
    f->now = 200;
    assert_false(f->mtip[1]);               /* the CLINT does not see time pass... */
    clint_update(&f->clint);                /* ...until asked */
    assert_true(f->mtip[1]);
    assert_false(f->mtip[0]);
    assert_int_equal(clint_next_deadline(&f->clint), 300);
    f->now = 1000;
    clint_update(&f->clint);
    assert_true(f->mtip[0]);
    assert_int_equal(clint_next_deadline(&f->clint), UINT64_MAX);
    /* Time going backwards (the guest wrote mtime) lowers MTIP again. */
    f->now = 250;
    clint_update(&f->clint);
    assert_false(f->mtip[0]);
    assert_true(f->mtip[1]);
    assert_int_equal(clint_next_deadline(&f->clint), 300);
}

static void test_next_deadline_ignores_absent_harts(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(1);
    f->now = 0;
    wr(f, MTIMECMP(0), 8, 77);
    /* Hart 1 does not exist: its mtimecmp reads 0 and writes are ignored. */
    wr(f, MTIMECMP(1), 8, 5);
    assert_int_equal(rd(f, MTIMECMP(1), 8), 0);
    assert_int_equal(clint_next_deadline(&f->clint), 77);
    assert_int_equal(rd(f, MTIMECMP(7), 8), 0);
    wr(f, MSIP(3), 4, 1);
    assert_int_equal(rd(f, MSIP(3), 4), 0);
    assert_false(f->msip[3]);
    free(f);
}

static void test_msip_bit0_only(void **state)
{
    struct fixture *f = *state;
    wr(f, MSIP(1), 4, 0xffffffff);
    assert_int_equal(rd(f, MSIP(1), 4), 1);
    assert_true(f->msip[1]);
    assert_false(f->msip[0]);
    wr(f, MSIP(1), 4, 0xfffffffe);
    assert_int_equal(rd(f, MSIP(1), 4), 0);
    assert_false(f->msip[1]);
    wr(f, MSIP(0), 4, 1);
    assert_true(f->msip[0]);
    wr(f, MSIP(0), 4, 0);
    assert_false(f->msip[0]);
}

static void test_access_faults(void **state)
{
    struct fixture *f = *state;
    uint64_t v;
    /* msip: 32-bit only. */
    assert_int_not_equal(bus_read(&f->bus, MSIP(0), 1, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, MSIP(0), 2, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, MSIP(0), 8, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, MSIP(0), 1, 1), 0);
    assert_int_not_equal(bus_write(&f->bus, MSIP(0) + 2, 4, 1), 0);
    assert_false(f->msip[0]);
    /* mtimecmp / mtime: 32 or 64 bits, naturally aligned. */
    assert_int_not_equal(bus_read(&f->bus, MTIMECMP(0), 2, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, MTIMECMP(0) + 4, 8, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, MTIMECMP(0), 1, 0), 0);
    assert_int_not_equal(bus_write(&f->bus, MTIMECMP(0) + 2, 4, 0), 0);
    assert_int_equal(rd(f, MTIMECMP(0), 8), UINT64_MAX);
    assert_int_not_equal(bus_read(&f->bus, MTIME, 1, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, MTIME + 4, 8, 0), 0);
    assert_int_equal(f->set_calls, 0);
    /* Reserved space reads 0. */
    assert_int_equal(rd(f, B + 0xc000, 4), 0);
    assert_int_equal(rd(f, B + 0xfff8, 8), 0);
}

static void test_reset_restores_mtimecmp(void **state)
{
    struct fixture *f = *state;
    f->now = 10;
    wr(f, MTIMECMP(0), 8, 5);
    wr(f, MSIP(0), 4, 1);
    assert_true(f->mtip[0]);
    assert_true(f->msip[0]);
    clint_reset(&f->clint);
    assert_false(f->mtip[0]);
    assert_false(f->msip[0]);
    assert_int_equal(rd(f, MTIMECMP(0), 8), UINT64_MAX);
    assert_int_equal(rd(f, MSIP(0), 4), 0);
}

static void test_two_instances_are_independent(void **state)
{
    struct fixture *a = *state;
    struct fixture *b = fixture_new(2);
    a->now = 100;
    b->now = 50;
    wr(a, MTIMECMP(0), 8, 80);
    wr(b, MTIMECMP(0), 8, 80);
    assert_true(a->mtip[0]);
    assert_false(b->mtip[0]);
    assert_int_equal(rd(b, MTIME, 8), 50);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_rejects_bad_configs),
        cmocka_unit_test_setup_teardown(test_reset_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_reads_host_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtime_writes_go_to_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_equal_to_mtime_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mtimecmp_write_lowers_and_raises_immediately, setup, teardown),
        cmocka_unit_test_setup_teardown(test_half_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_follows_time, setup, teardown),
        cmocka_unit_test(test_next_deadline_ignores_absent_harts),
        cmocka_unit_test_setup_teardown(test_msip_bit0_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_access_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_restores_mtimecmp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_instances_are_independent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
