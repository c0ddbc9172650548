/* test_plic.c — unit tests of devices/plic.c, driven through the bus. Expected behaviour is
 * from the RISC-V PLIC specification (v1.0.0) and the SiFive PLIC memory map: 3-bit
 * priorities, read-only pending bits, per-context enables and thresholds, claim/complete
 * with level-triggered gateways, ties to the lowest id, source 0 reserved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "devices/plic.h"

#define B PLIC_BASE
#define PRIO(src) (B + 4ull * (src))
#define PENDING(w) (B + 0x1000 + 4ull * (w))
#define ENABLE(ctx, w) (B + 0x2000 + 0x80ull * (ctx) + 4ull * (w))
#define THRESHOLD(ctx) (B + 0x200000 + 0x1000ull * (ctx))
#define CLAIM(ctx) (B + 0x200004 + 0x1000ull * (ctx))

struct fixture {
    struct bus bus;
    struct plic plic;
    bool out[PLIC_MAX_CONTEXTS];
    unsigned changes;
};

static void record_output(void *ctx, unsigned line, bool level)
{
    struct fixture *f = ctx;
    f->out[line] = level;
    f->changes++;
}

static struct fixture *fixture_new(unsigned harts)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    bus_init(&f->bus);
    assert_int_equal(plic_init(&f->plic, harts), 0);
    for (unsigned c = 0; c < 2 * harts; c++)
        irq_line_connect(&f->plic.context_out[c], record_output, f, c);
    assert_int_equal(plic_attach(&f->plic, &f->bus, PLIC_BASE), 0);
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

static uint32_t rd(struct fixture *f, uint64_t addr)
{
    uint64_t v = 0xdeadbeef;
    assert_int_equal(bus_read(&f->bus, addr, 4, &v), 0);
    assert_true(v <= 0xffffffffull);
    return (uint32_t)v;
}

static void wr(struct fixture *f, uint64_t addr, uint32_t v)
{
    assert_int_equal(bus_write(&f->bus, addr, 4, v), 0);
}

/* Enable src for ctx with priority prio. */
static void route(struct fixture *f, unsigned ctx, unsigned src, uint32_t prio)
{
    wr(f, PRIO(src), prio);
    unsigned w = src / 32;
    wr(f, ENABLE(ctx, w), rd(f, ENABLE(ctx, w)) | (1u << (src % 32)));
}

static void test_reset_state(void **state)
{
    struct fixture *f = *state;
    for (unsigned s = 0; s < PLIC_NUM_SOURCES; s++)
        assert_int_equal(rd(f, PRIO(s)), 0);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(1)), 0);
    for (unsigned c = 0; c < 4; c++) {
        assert_int_equal(rd(f, ENABLE(c, 0)), 0);
        assert_int_equal(rd(f, THRESHOLD(c)), 0);
        assert_int_equal(rd(f, CLAIM(c)), 0);
        assert_false(f->out[c]);
    }
}

static void test_plic_init_rejects_bad_hart_counts(void **state)
{
    (void)state;
    struct plic p;
    assert_int_equal(plic_init(&p, 0), -1);
    assert_int_equal(plic_init(&p, PLIC_MAX_HARTS + 1), -1);
    assert_int_equal(plic_init(&p, PLIC_MAX_HARTS), 0);
    assert_int_equal(p.num_contexts, 16u);
}

static void test_priority_is_three_bits_and_source0_hardwired(void **state)
{
    struct fixture *f = *state;
    wr(f, PRIO(5), 0xffffffff);
    assert_int_equal(rd(f, PRIO(5)), 7);
    wr(f, PRIO(5), 0x0a);
    assert_int_equal(rd(f, PRIO(5)), 2);
    wr(f, PRIO(0), 7);
    assert_int_equal(rd(f, PRIO(0)), 0);
    wr(f, PRIO(63), 3);
    assert_int_equal(rd(f, PRIO(63)), 3);
    /* Sources beyond 63 do not exist: read 0, writes ignored. */
    wr(f, PRIO(64), 3);
    assert_int_equal(rd(f, PRIO(64)), 0);
    assert_int_equal(rd(f, PRIO(1023)), 0);
}

static void test_pending_follows_level_and_is_read_only(void **state)
{
    struct fixture *f = *state;
    plic_set_input(&f->plic, 3, true);
    plic_set_input(&f->plic, 40, true);
    assert_int_equal(rd(f, PENDING(0)), 1u << 3);
    assert_int_equal(rd(f, PENDING(1)), 1u << 8);
    wr(f, PENDING(0), 0);
    wr(f, PENDING(1), 0xffffffff);
    assert_int_equal(rd(f, PENDING(0)), 1u << 3);
    assert_int_equal(rd(f, PENDING(1)), 1u << 8);
    plic_set_input(&f->plic, 3, false);
    assert_int_equal(rd(f, PENDING(0)), 0);
    /* Source 0 and sources past 63 are not inputs. */
    plic_set_input(&f->plic, 0, true);
    plic_set_input(&f->plic, 64, true);
    plic_set_input(&f->plic, 1000, true);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(1)), 1u << 8);
    assert_int_equal(rd(f, PENDING(2)), 0);
}

static void test_enable_bit0_hardwired_and_upper_word(void **state)
{
    struct fixture *f = *state;
    wr(f, ENABLE(1, 0), 0xffffffff);
    assert_int_equal(rd(f, ENABLE(1, 0)), 0xfffffffe);
    wr(f, ENABLE(1, 1), 0x80000001);
    assert_int_equal(rd(f, ENABLE(1, 1)), 0x80000001);
    /* Words past source 63 do not exist. */
    wr(f, ENABLE(1, 2), 0xffffffff);
    assert_int_equal(rd(f, ENABLE(1, 2)), 0);
    /* Contexts are independent. */
    assert_int_equal(rd(f, ENABLE(0, 0)), 0);
    assert_int_equal(rd(f, ENABLE(2, 1)), 0);
}

static void test_claim_highest_priority_then_lowest_id(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 4, 2);
    route(f, 0, 9, 5);
    route(f, 0, 7, 5);
    route(f, 0, 33, 5);
    plic_set_input(&f->plic, 4, true);
    plic_set_input(&f->plic, 9, true);
    plic_set_input(&f->plic, 7, true);
    plic_set_input(&f->plic, 33, true);
    assert_true(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 7);   /* priority 5, lowest id among 7, 9, 33 */
    assert_int_equal(rd(f, CLAIM(0)), 9);
    assert_int_equal(rd(f, CLAIM(0)), 33);
    assert_int_equal(rd(f, CLAIM(0)), 4);   /* priority 2 last */
    assert_false(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 0);   /* nothing left */
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, PENDING(1)), 0);
}

static void test_threshold(void **state)
{
    struct fixture *f = *state;
    route(f, 1, 6, 3);
    plic_set_input(&f->plic, 6, true);
    assert_true(f->out[1]);
    wr(f, THRESHOLD(1), 3);               /* priority must exceed the threshold */
    assert_false(f->out[1]);
    assert_int_equal(rd(f, CLAIM(1)), 0);
    assert_int_equal(rd(f, PENDING(0)), 1u << 6); /* still pending */
    wr(f, THRESHOLD(1), 2);
    assert_true(f->out[1]);
    wr(f, THRESHOLD(1), 0xff);            /* 3 bits */
    assert_int_equal(rd(f, THRESHOLD(1)), 7);
    assert_false(f->out[1]);
    wr(f, PRIO(6), 7);                    /* 7 > 7 is false too */
    assert_false(f->out[1]);
    wr(f, THRESHOLD(1), 0);
    assert_true(f->out[1]);
    assert_int_equal(rd(f, CLAIM(1)), 6);
}

static void test_priority_zero_never_interrupts(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 2, 0);
    plic_set_input(&f->plic, 2, true);
    assert_int_equal(rd(f, PENDING(0)), 1u << 2);
    assert_false(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 0);
}

static void test_disabled_source_not_claimed(void **state)
{
    struct fixture *f = *state;
    wr(f, PRIO(12), 4);
    route(f, 0, 13, 1);
    plic_set_input(&f->plic, 12, true);
    assert_false(f->out[0]);
    plic_set_input(&f->plic, 13, true);
    assert_true(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 13);  /* 12 has the higher priority but is disabled */
    assert_int_equal(rd(f, CLAIM(0)), 0);
    assert_int_equal(rd(f, PENDING(0)), 1u << 12);
    /* Enabling it makes it claimable at once. */
    wr(f, ENABLE(0, 0), (1u << 12) | (1u << 13));
    assert_true(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 12);
}

static void test_complete_and_level_reassertion(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 10, 1);
    plic_set_input(&f->plic, 10, true);
    assert_int_equal(rd(f, CLAIM(0)), 10);
    assert_false(f->out[0]);
    /* In service: the input staying (or going) high is not forwarded again. */
    plic_set_input(&f->plic, 10, false);
    plic_set_input(&f->plic, 10, true);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_false(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    /* Completing while the input is still high makes it pending again. */
    wr(f, CLAIM(0), 10);
    assert_int_equal(rd(f, PENDING(0)), 1u << 10);
    assert_true(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 10);
    /* The device deasserts before the completion: nothing new. */
    plic_set_input(&f->plic, 10, false);
    wr(f, CLAIM(0), 10);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_false(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 0);
}

static void test_complete_of_id_not_enabled_is_ignored(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 20, 1);
    plic_set_input(&f->plic, 20, true);
    assert_int_equal(rd(f, CLAIM(0)), 20);
    /* Context 1 does not have source 20 enabled: its completion is ignored. */
    wr(f, CLAIM(1), 20);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_false(f->out[0]);
    /* Nor does disabling it and completing through context 0. */
    wr(f, ENABLE(0, 0), 0);
    wr(f, CLAIM(0), 20);
    wr(f, ENABLE(0, 0), 1u << 20);
    assert_int_equal(rd(f, PENDING(0)), 0);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    /* Ids 0 and past 63 are not sources. */
    wr(f, CLAIM(0), 0);
    wr(f, CLAIM(0), 64);
    wr(f, CLAIM(0), 0xffffffff);
    assert_int_equal(rd(f, PENDING(0)), 0);
    /* The real completion works. */
    wr(f, CLAIM(0), 20);
    assert_int_equal(rd(f, PENDING(0)), 1u << 20);
    assert_true(f->out[0]);
}

static void test_claim_is_shared_between_contexts(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 1, 1);       /* hart 0 M-mode */
    route(f, 3, 1, 1);       /* hart 1 S-mode */
    plic_set_input(&f->plic, 1, true);
    assert_true(f->out[0]);
    assert_true(f->out[3]);
    assert_false(f->out[1]);
    assert_false(f->out[2]);
    assert_int_equal(rd(f, CLAIM(3)), 1);
    /* Claimed by one context, it is gone for the other. */
    assert_false(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 0);
    /* Completion through any context that has it enabled. */
    wr(f, CLAIM(0), 1);
    assert_true(f->out[0]);
    assert_true(f->out[3]);
}

static void test_absent_contexts(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(1);   /* contexts 0 and 1 only */
    route(f, 0, 5, 1);
    plic_set_input(&f->plic, 5, true);
    wr(f, ENABLE(2, 0), 1u << 5);
    assert_int_equal(rd(f, ENABLE(2, 0)), 0);
    wr(f, THRESHOLD(2), 3);
    assert_int_equal(rd(f, THRESHOLD(2)), 0);
    assert_int_equal(rd(f, CLAIM(2)), 0);
    assert_int_equal(rd(f, CLAIM(15)), 0);
    assert_int_equal(rd(f, CLAIM(1023)), 0);
    wr(f, CLAIM(2), 5);
    /* Source 5 was neither claimed nor disturbed by those accesses. */
    assert_int_equal(rd(f, PENDING(0)), 1u << 5);
    assert_true(f->out[0]);
    /* Reserved words inside a context and between regions read 0. */
    assert_int_equal(rd(f, THRESHOLD(0) + 8), 0);
    assert_int_equal(rd(f, B + 0x1080), 0);
    assert_int_equal(rd(f, B + 0x1f0000), 0);
    assert_int_equal(rd(f, B + 0x5ffffc), 0);
    assert_int_equal(rd(f, CLAIM(0)), 5);
    free(f);
}

static void test_access_sizes_and_alignment(void **state)
{
    struct fixture *f = *state;
    uint64_t v;
    assert_int_not_equal(bus_read(&f->bus, PRIO(1), 1, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, PRIO(1), 2, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, PRIO(1), 8, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, PRIO(1) + 2, 4, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, PRIO(1), 1, 7), 0);
    assert_int_not_equal(bus_write(&f->bus, PRIO(1), 8, 7), 0);
    assert_int_not_equal(bus_write(&f->bus, PRIO(1) + 1, 4, 7), 0);
    assert_int_equal(rd(f, PRIO(1)), 0);
    /* A faulting read of a claim register must not claim. */
    route(f, 0, 2, 1);
    plic_set_input(&f->plic, 2, true);
    assert_int_not_equal(bus_read(&f->bus, CLAIM(0), 8, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, CLAIM(0), 2, &v), 0);
    assert_true(f->out[0]);
    assert_int_equal(rd(f, CLAIM(0)), 2);
}

static void test_output_changes_only_on_level_change(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 3, 1);
    route(f, 0, 4, 1);
    unsigned before = f->changes;
    plic_set_input(&f->plic, 3, true);
    plic_set_input(&f->plic, 4, true);      /* already high: no second edge */
    assert_int_equal(f->changes, before + 1);
    assert_int_equal(rd(f, CLAIM(0)), 3);
    assert_true(f->out[0]);                 /* 4 still pending */
    assert_int_equal(f->changes, before + 1);
    assert_int_equal(rd(f, CLAIM(0)), 4);
    assert_false(f->out[0]);
    assert_int_equal(f->changes, before + 2);
}

static void test_two_instances_are_independent(void **state)
{
    struct fixture *a = *state;
    struct fixture *b = fixture_new(1);
    route(a, 0, 8, 2);
    route(b, 0, 8, 2);
    plic_set_input(&a->plic, 8, true);
    assert_true(a->out[0]);
    assert_false(b->out[0]);
    assert_int_equal(rd(b, PENDING(0)), 0);
    assert_int_equal(rd(b, CLAIM(0)), 0);
    assert_int_equal(rd(a, CLAIM(0)), 8);
    free(b);
}

static void test_reset_keeps_inputs_clears_service(void **state)
{
    struct fixture *f = *state;
    route(f, 0, 9, 1);
    plic_set_input(&f->plic, 9, true);
    assert_int_equal(rd(f, CLAIM(0)), 9);
    plic_reset(&f->plic);
    assert_int_equal(rd(f, PRIO(9)), 0);
    assert_int_equal(rd(f, ENABLE(0, 0)), 0);
    assert_int_equal(rd(f, PENDING(0)), 1u << 9);   /* the line is still high */
    assert_false(f->out[0]);
    route(f, 0, 9, 1);
    assert_true(f->out[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
        cmocka_unit_test(test_plic_init_rejects_bad_hart_counts),
        cmocka_unit_test_setup_teardown(test_priority_is_three_bits_and_source0_hardwired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_follows_level_and_is_read_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enable_bit0_hardwired_and_upper_word, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_highest_priority_then_lowest_id, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_priority_zero_never_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disabled_source_not_claimed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_and_level_reassertion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_of_id_not_enabled_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_claim_is_shared_between_contexts, setup, teardown),
        cmocka_unit_test(test_absent_contexts),
        cmocka_unit_test_setup_teardown(test_access_sizes_and_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_changes_only_on_level_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_instances_are_independent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_keeps_inputs_clears_service, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
