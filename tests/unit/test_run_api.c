/* test_run_api.c — the hart's run API: exactly N instructions, the same result however the
 * budget is sliced, breakpoints (stop before, resume over), wfi and stop requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/bus.h"
#include "vmm/cpu/code_cache.h"
#include "vmm/cpu/hart.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)

struct machine {
    uint8_t *ram;
    struct bus bus;
    struct code_cache *cc;
    struct hart *h;
};

static struct machine *machine_new(const uint32_t *code, size_t words)
{
    struct machine *m = calloc(1, sizeof(*m));
    m->ram = calloc(1, RAM_SIZE);
    memcpy(m->ram, code, words * 4);
    bus_init(&m->bus);
    assert_int_equal(bus_add_ram(&m->bus, "ram", RAM_BASE, RAM_SIZE, m->ram), 0);
    m->cc = code_cache_create(RAM_BASE, RAM_SIZE);
    m->h = calloc(1, sizeof(*m->h));
    hart_init(m->h, 0, &m->bus, m->cc, (struct hart_platform){ 0 });
    hart_reset(m->h, RAM_BASE);
    return m;
}

static void machine_free(struct machine *m)
{
    code_cache_destroy(m->cc);
    free(m->h);
    free(m->ram);
    free(m);
}

/* loop: addi a0,a0,1 ; addi a1,a1,2 ; j loop */
static const uint32_t loop_prog[] = { 0x00150513, 0x00258593, 0xff9ff06f };

static void exact_count(void **state)
{
    (void)state;
    struct machine *m = machine_new(loop_prog, 3);
    enum hart_stop stop;
    assert_int_equal(hart_run(m->h, 7, &stop), 7);
    assert_int_equal(stop, HART_STOP_BUDGET);
    assert_int_equal(m->h->icount, 7);
    /* addi, addi, j, addi, addi, j, addi: a0 = 3, a1 = 4, next is the second addi */
    assert_int_equal(m->h->x[10], 3);
    assert_int_equal(m->h->x[11], 4);
    assert_int_equal(m->h->pc, RAM_BASE + 4);
    machine_free(m);
}

static void slicing_does_not_matter(void **state)
{
    (void)state;
    struct machine *whole = machine_new(loop_prog, 3);
    enum hart_stop stop;
    assert_int_equal(hart_run(whole->h, 100003, &stop), 100003);
    srand(12345);
    for (int trial = 0; trial < 5; trial++) {
        struct machine *m = machine_new(loop_prog, 3);
        uint64_t total = 0;
        while (total < 100003) {
            uint64_t n = 1 + (uint64_t)(rand() % 7);
            if (total + n > 100003)
                n = 100003 - total;
            assert_int_equal(hart_run(m->h, n, &stop), n);
            total += n;
        }
        assert_int_equal(m->h->icount, whole->h->icount);
        assert_int_equal(m->h->pc, whole->h->pc);
        assert_memory_equal(m->h->x, whole->h->x, sizeof(m->h->x));
        machine_free(m);
    }
    machine_free(whole);
}

static void breakpoints(void **state)
{
    (void)state;
    struct machine *m = machine_new(loop_prog, 3);
    enum hart_stop stop;
    assert_int_equal(hart_breakpoint_add(m->h, RAM_BASE + 4), 0);
    /* Stops before the second instruction, which has not run. */
    assert_int_equal(hart_run(m->h, 100, &stop), 1);
    assert_int_equal(stop, HART_STOP_BREAKPOINT);
    assert_int_equal(m->h->pc, RAM_BASE + 4);
    assert_int_equal(m->h->x[11], 0);
    /* Continuing executes the instruction at the breakpoint, then stops on the next visit. */
    assert_int_equal(hart_run(m->h, 100, &stop), 3);
    assert_int_equal(stop, HART_STOP_BREAKPOINT);
    assert_int_equal(m->h->x[11], 2);
    assert_int_equal(m->h->x[10], 2);
    /* Removed: runs the full budget. */
    assert_int_equal(hart_breakpoint_remove(m->h, RAM_BASE + 4), 0);
    assert_int_equal(hart_breakpoint_remove(m->h, RAM_BASE + 4), -1);
    assert_int_equal(hart_run(m->h, 100, &stop), 100);
    assert_int_equal(stop, HART_STOP_BUDGET);
    machine_free(m);
}

static void wfi_and_wakeup(void **state)
{
    (void)state;
    /* wfi ; addi a0,a0,1 ; j . */
    static const uint32_t prog[] = { 0x10500073, 0x00150513, 0x0000006f };
    struct machine *m = machine_new(prog, 3);
    enum hart_stop stop;
    assert_int_equal(hart_run(m->h, 50, &stop), 1);
    assert_int_equal(stop, HART_STOP_WFI);
    assert_int_equal(hart_run(m->h, 50, &stop), 0); /* still nothing pending */
    assert_int_equal(stop, HART_STOP_WFI);
    /* A pending interrupt that is enabled in mie but globally disabled (MIE=0) wakes the hart
     * without being taken. */
    m->h->mie = MIP_MTIP;
    hart_set_irq(m->h, MIP_MTIP, true);
    assert_int_equal(hart_run(m->h, 10, &stop), 10);
    assert_int_equal(m->h->x[10], 1);
    assert_int_equal(m->h->mcause, 0);
    machine_free(m);
}

static void stop_request(void **state)
{
    (void)state;
    struct machine *m = machine_new(loop_prog, 3);
    enum hart_stop stop;
    hart_request_stop(m->h);
    assert_int_equal(hart_run(m->h, 10, &stop), 0);
    assert_int_equal(stop, HART_STOP_REQUEST);
    assert_int_equal(hart_run(m->h, 10, &stop), 10); /* the request is consumed */
    machine_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_count),
        cmocka_unit_test(slicing_does_not_matter),
        cmocka_unit_test(breakpoints),
        cmocka_unit_test(wfi_and_wakeup),
        cmocka_unit_test(stop_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
