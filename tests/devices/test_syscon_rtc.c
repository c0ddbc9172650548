/* test_syscon_rtc.c — unit tests of devices/syscon.c (the sifive,test0 finisher, with the
 * codes of QEMU's hw/misc/sifive_test.c and Linux's syscon-poweroff/-reboot) and of
 * devices/goldfish_rtc.c (the goldfish RTC as documented in Android's goldfish device
 * specification and driven by Linux's rtc-goldfish.c: TIME_LOW latches TIME_HIGH, writing
 * ALARM_LOW arms the alarm, the interrupt needs IRQ_ENABLED and is cleared by
 * CLEAR_INTERRUPT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "devices/goldfish_rtc.h"
#include "devices/syscon.h"

/* ---- syscon ---- */

struct syscon_fixture {
    struct bus bus;
    struct syscon syscon;
    unsigned poweroffs, reboots;
    int exit_code;
};

static void host_poweroff(void *ctx, int code)
{
    struct syscon_fixture *f = ctx;
    f->poweroffs++;
    f->exit_code = code;
}

static void host_reboot(void *ctx)
{
    ((struct syscon_fixture *)ctx)->reboots++;
}

static int syscon_setup(void **state)
{
    struct syscon_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->exit_code = -12345;
    bus_init(&f->bus);
    syscon_init(&f->syscon, (struct syscon_host){ .poweroff = host_poweroff,
                                                  .reboot = host_reboot, .ctx = f });
    assert_int_equal(syscon_attach(&f->syscon, &f->bus, SYSCON_BASE), 0);
    *state = f;
    return 0;
}

static int free_state(void **state)
{
    free(*state);
    return 0;
}

static void test_syscon_pass(void **state)
{
    struct syscon_fixture *f = *state;
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x5555), 0);
    assert_int_equal(f->poweroffs, 1);
    assert_int_equal(f->exit_code, 0);
    assert_int_equal(f->reboots, 0);
}

static void test_syscon_fail_with_code(void **state)
{
    struct syscon_fixture *f = *state;
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x3333 | (42u << 16)), 0);
    assert_int_equal(f->poweroffs, 1);
    assert_int_equal(f->exit_code, 42);
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x3333 | (0xffffu << 16)), 0);
    assert_int_equal(f->exit_code, 0xffff);
}

static void test_syscon_reboot(void **state)
{
    struct syscon_fixture *f = *state;
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x7777), 0);
    assert_int_equal(f->reboots, 1);
    assert_int_equal(f->poweroffs, 0);
}

static void test_syscon_other_values_ignored(void **state)
{
    struct syscon_fixture *f = *state;
    uint64_t v = 99;
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x1234), 0);
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x5556), 0);
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 4, 0x0), 0);
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE + 4, 4, 0x5555), 0);   /* other offset */
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE + 0xffc, 4, 0x7777), 0);
    assert_int_equal(f->poweroffs, 0);
    assert_int_equal(f->reboots, 0);
    assert_int_equal(bus_read(&f->bus, SYSCON_BASE, 4, &v), 0);
    assert_int_equal(v, 0);
}

static void test_syscon_access_sizes(void **state)
{
    struct syscon_fixture *f = *state;
    uint64_t v;
    assert_int_not_equal(bus_write(&f->bus, SYSCON_BASE, 1, 0x55), 0);
    assert_int_not_equal(bus_write(&f->bus, SYSCON_BASE, 8, 0x5555), 0);
    assert_int_not_equal(bus_read(&f->bus, SYSCON_BASE, 1, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, SYSCON_BASE + 2, 4, 0x5555), 0);
    assert_int_equal(f->poweroffs, 0);
    /* A 16-bit store of the pass code is accepted, as QEMU's sifive_test does. */
    assert_int_equal(bus_write(&f->bus, SYSCON_BASE, 2, 0x5555), 0);
    assert_int_equal(f->poweroffs, 1);
    assert_int_equal(f->exit_code, 0);
}

static void test_syscon_without_callbacks(void **state)
{
    (void)state;
    struct bus bus;
    struct syscon s;
    bus_init(&bus);
    syscon_init(&s, (struct syscon_host){ 0 });
    assert_int_equal(syscon_attach(&s, &bus, SYSCON_BASE), 0);
    assert_int_equal(bus_write(&bus, SYSCON_BASE, 4, 0x5555), 0);
    assert_int_equal(bus_write(&bus, SYSCON_BASE, 4, 0x7777), 0);
}

/* ---- goldfish RTC ---- */

#define R GOLDFISH_RTC_BASE
enum { TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c,
       IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c };

struct rtc_fixture {
    struct bus bus;
    struct goldfish_rtc rtc;
    uint64_t now;
    bool irq;
};

static uint64_t host_now(void *ctx)
{
    return ((struct rtc_fixture *)ctx)->now;
}

static void set_irq(void *ctx, unsigned line, bool level)
{
    assert_int_equal(line, GOLDFISH_RTC_IRQ);
    ((struct rtc_fixture *)ctx)->irq = level;
}

static int rtc_setup(void **state)
{
    struct rtc_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    bus_init(&f->bus);
    assert_int_equal(goldfish_rtc_init(&f->rtc, (struct goldfish_rtc_host){ .now_ns = host_now,
                                                                            .ctx = f }), 0);
    irq_line_connect(&f->rtc.irq, set_irq, f, GOLDFISH_RTC_IRQ);
    assert_int_equal(goldfish_rtc_attach(&f->rtc, &f->bus, GOLDFISH_RTC_BASE), 0);
    *state = f;
    return 0;
}

static uint32_t rrd(struct rtc_fixture *f, unsigned reg)
{
    uint64_t v = 0xdeadbeefdeadull;
    assert_int_equal(bus_read(&f->bus, R + reg, 4, &v), 0);
    assert_true(v <= 0xffffffffull);
    return (uint32_t)v;
}

static void rwr(struct rtc_fixture *f, unsigned reg, uint32_t v)
{
    assert_int_equal(bus_write(&f->bus, R + reg, 4, v), 0);
}

static uint64_t read_time(struct rtc_fixture *f)
{
    uint64_t lo = rrd(f, TIME_LOW);
    return lo | ((uint64_t)rrd(f, TIME_HIGH) << 32);
}

static void set_alarm(struct rtc_fixture *f, uint64_t t)
{
    rwr(f, ALARM_HIGH, (uint32_t)(t >> 32));
    rwr(f, ALARM_LOW, (uint32_t)t);
}

static void test_rtc_init_needs_clock(void **state)
{
    (void)state;
    struct goldfish_rtc r;
    assert_int_equal(goldfish_rtc_init(&r, (struct goldfish_rtc_host){ 0 }), -1);
}

static void test_rtc_time_low_latches_high(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 0x00000001ffffffffull;
    assert_int_equal(rrd(f, TIME_HIGH), 0);          /* nothing latched yet */
    assert_int_equal(rrd(f, TIME_LOW), 0xffffffffu);
    f->now = 0x0000000200000003ull;                  /* the low half carries */
    assert_int_equal(rrd(f, TIME_HIGH), 1);          /* still the latched half */
    assert_int_equal(rrd(f, TIME_HIGH), 1);
    assert_int_equal(rrd(f, TIME_LOW), 3);
    assert_int_equal(rrd(f, TIME_HIGH), 2);
}

static void test_rtc_set_time_keeps_offset(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 1000;
    /* Linux's rtc-goldfish writes TIME_HIGH then TIME_LOW. */
    uint64_t want = 1700000000ull * 1000000000ull;
    rwr(f, TIME_HIGH, (uint32_t)(want >> 32));
    rwr(f, TIME_LOW, (uint32_t)want);
    assert_int_equal(read_time(f), want);
    f->now += 5000;                                  /* the clock keeps running */
    assert_int_equal(read_time(f), want + 5000);
    /* Setting only the low half keeps the high half. */
    rwr(f, TIME_LOW, 7);
    assert_int_equal(read_time(f), (want & ~0xffffffffull) | 7);
    f->now += 1;
    assert_int_equal(read_time(f), ((want & ~0xffffffffull) | 7) + 1);
}

static void test_rtc_alarm_fires_at_time(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 100;
    uint64_t ns = 0;
    assert_false(goldfish_rtc_next_alarm(&f->rtc, &ns));
    set_alarm(f, 0x100000500ull);
    rwr(f, IRQ_ENABLED, 1);
    assert_int_equal(rrd(f, ALARM_STATUS), 1);
    assert_int_equal(rrd(f, ALARM_LOW), 0x500);
    assert_int_equal(rrd(f, ALARM_HIGH), 1);
    assert_int_equal(rrd(f, IRQ_ENABLED), 1);
    assert_true(goldfish_rtc_next_alarm(&f->rtc, &ns));
    assert_int_equal(ns, 0x100000500ull);
    f->now = 0x1000004ffull;
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);
    f->now = 0x100000500ull;
    assert_false(f->irq);                            /* not before update */
    goldfish_rtc_update(&f->rtc);
    assert_true(f->irq);
    assert_int_equal(rrd(f, ALARM_STATUS), 0);
    assert_false(goldfish_rtc_next_alarm(&f->rtc, &ns));
    rwr(f, CLEAR_INTERRUPT, 1);
    assert_false(f->irq);
    f->now += 1000000;
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);                            /* one shot */
}

static void test_rtc_alarm_high_alone_does_not_arm(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 10;
    rwr(f, IRQ_ENABLED, 1);
    rwr(f, ALARM_HIGH, 0);
    assert_int_equal(rrd(f, ALARM_STATUS), 0);
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);
}

static void test_rtc_alarm_in_past_fires_at_once(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 5000;
    rwr(f, IRQ_ENABLED, 1);
    set_alarm(f, 4000);
    assert_true(f->irq);
    assert_int_equal(rrd(f, ALARM_STATUS), 0);
}

static void test_rtc_irq_needs_enable(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 0;
    set_alarm(f, 50);
    f->now = 60;
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);                            /* fired, but masked */
    assert_int_equal(rrd(f, ALARM_STATUS), 0);
    rwr(f, IRQ_ENABLED, 3);                          /* bit 0 only */
    assert_int_equal(rrd(f, IRQ_ENABLED), 1);
    assert_true(f->irq);
    rwr(f, IRQ_ENABLED, 0);
    assert_false(f->irq);
}

static void test_rtc_clear_alarm(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 0;
    rwr(f, IRQ_ENABLED, 1);
    set_alarm(f, 50);
    rwr(f, CLEAR_ALARM, 1);
    assert_int_equal(rrd(f, ALARM_STATUS), 0);
    uint64_t ns;
    assert_false(goldfish_rtc_next_alarm(&f->rtc, &ns));
    f->now = 100;
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);
}

static void test_rtc_alarm_in_guest_timebase(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 1000;
    rwr(f, TIME_HIGH, 0);
    rwr(f, TIME_LOW, 1000000);                      /* guest clock 999000 ns ahead */
    rwr(f, IRQ_ENABLED, 1);
    set_alarm(f, 1000500);
    uint64_t ns = 0;
    assert_true(goldfish_rtc_next_alarm(&f->rtc, &ns));
    assert_int_equal(ns, 1500);                      /* host time of the alarm */
    f->now = 1499;
    goldfish_rtc_update(&f->rtc);
    assert_false(f->irq);
    f->now = 1500;
    goldfish_rtc_update(&f->rtc);
    assert_true(f->irq);
}

static void test_rtc_access_faults_and_reserved(void **state)
{
    struct rtc_fixture *f = *state;
    uint64_t v;
    f->now = 0x0000000500000006ull;
    assert_int_not_equal(bus_read(&f->bus, R + TIME_LOW, 8, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, R + TIME_LOW, 1, &v), 0);
    assert_int_not_equal(bus_read(&f->bus, R + TIME_LOW + 2, 4, &v), 0);
    assert_int_not_equal(bus_write(&f->bus, R + ALARM_LOW, 2, 1), 0);
    assert_int_equal(rrd(f, ALARM_STATUS), 0);       /* the faulting write did not arm */
    assert_int_equal(rrd(f, TIME_HIGH), 0);          /* the faulting read did not latch */
    assert_int_equal(rrd(f, 0x20), 0);
    assert_int_equal(rrd(f, 0xffc), 0);
    rwr(f, 0x20, 1);
}

static void test_rtc_reset_keeps_clock(void **state)
{
    struct rtc_fixture *f = *state;
    f->now = 0;
    rwr(f, TIME_LOW, 777);
    rwr(f, IRQ_ENABLED, 1);
    set_alarm(f, 0);
    assert_true(f->irq);
    goldfish_rtc_reset(&f->rtc);
    assert_false(f->irq);
    assert_int_equal(rrd(f, IRQ_ENABLED), 0);
    assert_int_equal(read_time(f), 777);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_syscon_pass, syscon_setup, free_state),
        cmocka_unit_test_setup_teardown(test_syscon_fail_with_code, syscon_setup, free_state),
        cmocka_unit_test_setup_teardown(test_syscon_reboot, syscon_setup, free_state),
        cmocka_unit_test_setup_teardown(test_syscon_other_values_ignored, syscon_setup, free_state),
        cmocka_unit_test_setup_teardown(test_syscon_access_sizes, syscon_setup, free_state),
        cmocka_unit_test(test_syscon_without_callbacks),
        cmocka_unit_test(test_rtc_init_needs_clock),
        cmocka_unit_test_setup_teardown(test_rtc_time_low_latches_high, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_set_time_keeps_offset, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_alarm_fires_at_time, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_alarm_high_alone_does_not_arm, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_alarm_in_past_fires_at_once, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_irq_needs_enable, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_clear_alarm, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_alarm_in_guest_timebase, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_access_faults_and_reserved, rtc_setup, free_state),
        cmocka_unit_test_setup_teardown(test_rtc_reset_keeps_clock, rtc_setup, free_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
