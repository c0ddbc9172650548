/* test_gdb_run.c — run control: c/s/C/S, vCont? and vCont actions, stop replies with their
 * reasons, exit replies, the 0x03 interrupt while running, disconnects while running, and
 * reverse execution (accepted only when the target offers it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "gdb_fixture.h"

static void test_continue_and_step(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "c"), "T05thread:1;");
    assert_int_equal(h->fake.run_starts, 1);
    assert_int_equal(h->fake.run_calls, 4);    /* 3 x RUNNING, then stopped */
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_int_equal(h->fake.last_thread, 1);
    assert_false(h->fake.last_interrupt);
    h->fake.stop_after = 0;
    assert_string_equal(h_cmd(h, "s"), "T05thread:1;");
    assert_int_equal(h->fake.run_starts, 2);
    assert_int_equal(h->fake.last_kind, GDB_RESUME_STEP);
    /* Hc selects the thread to resume. */
    assert_string_equal(h_cmd(h, "Hc2"), "OK");
    assert_string_equal(h_cmd(h, "s"), "T05thread:2;");
    assert_int_equal(h->fake.last_thread, 2);
    assert_string_equal(h_cmd(h, "qC"), "QC2");   /* Hg follows the stop */
    assert_string_equal(h_cmd(h, "C05"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_string_equal(h_cmd(h, "S0b"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_STEP);
    int starts = h->fake.run_starts;
    /* Resume-at-address and malformed signals are refused without running. */
    assert_string_equal(h_cmd(h, "c80000000"), "E01");
    assert_string_equal(h_cmd(h, "s80000000"), "E01");
    assert_string_equal(h_cmd(h, "C05;80000000"), "E01");
    assert_string_equal(h_cmd(h, "C"), "E01");
    assert_string_equal(h_cmd(h, "Cxx"), "E01");
    assert_string_equal(h_cmd(h, "C100"), "E01");
    assert_int_equal(h->fake.run_starts, starts);
    assert_string_equal(h_cmd(h, "?"), "T05thread:2;");
}

static void test_vcont(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    assert_string_equal(h_cmd(h, "vCont?"), "vCont;c;C;s;S;t");
    assert_string_equal(h_cmd(h, "vCont;c"), "T05thread:1;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_int_equal(h->fake.last_thread, 1);
    /* Step one thread, continue the others: a step. */
    assert_string_equal(h_cmd(h, "vCont;s:2;c"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_STEP);
    assert_int_equal(h->fake.last_thread, 2);
    assert_string_equal(h_cmd(h, "vCont;s:1"), "T05thread:1;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_STEP);
    assert_int_equal(h->fake.last_thread, 1);
    assert_string_equal(h_cmd(h, "vCont;c:2"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_int_equal(h->fake.last_thread, 2);
    /* The first action that matches a thread wins. */
    assert_string_equal(h_cmd(h, "vCont;c:1;s:1"), "T05thread:1;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_string_equal(h_cmd(h, "vCont;c;s:1"), "T05thread:1;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    /* Signals are accepted and not delivered; -1 means all threads; t keeps one stopped. */
    assert_string_equal(h_cmd(h, "vCont;S05:2;C0b"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_STEP);
    assert_string_equal(h_cmd(h, "vCont;c:-1"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_CONTINUE);
    assert_string_equal(h_cmd(h, "vCont;t:2;c"), "T05thread:1;");
    assert_int_equal(h->fake.last_thread, 1);
    int starts = h->fake.run_starts;
    /* Nothing to resume, unknown actions, malformed. */
    assert_string_equal(h_cmd(h, "vCont;t:1;t:2"), "E01");
    assert_string_equal(h_cmd(h, "vCont;t"), "E01");
    assert_string_equal(h_cmd(h, "vCont;s:3"), "E01");
    assert_string_equal(h_cmd(h, "vCont;r1000,2000:1"), "E01");
    assert_string_equal(h_cmd(h, "vCont;x"), "E01");
    assert_string_equal(h_cmd(h, "vCont"), "E01");
    assert_string_equal(h_cmd(h, "vCont;"), "E01");
    assert_string_equal(h_cmd(h, "vCont;c:"), "E01");
    assert_string_equal(h_cmd(h, "vCont;c:zz"), "E01");
    assert_string_equal(h_cmd(h, "vCont;C"), "E01");
    assert_string_equal(h_cmd(h, "vCont;C123"), "E01");
    assert_string_equal(h_cmd(h, "vCont;c;;"), "E01");
    assert_string_equal(h_cmd(h, "vCont;cx"), "E01");
    assert_string_equal(h_cmd(h, "vContx"), "");
    assert_int_equal(h->fake.run_starts, starts);
    /* Many actions: more than the library keeps. */
    char many[1024] = "vCont";
    for (int i = 0; i < 100; i++)
        strcat(many, ";t:2");
    assert_string_equal(h_cmd(h, many), "E01");
}

static void expect_stop(struct gdb_harness *h, struct gdb_stop st, const char *reply)
{
    h->fake.next_stop = st;
    assert_string_equal(h_cmd(h, "vCont;c"), reply);
    assert_string_equal(h_cmd(h, "?"), reply);
}

static void test_stop_reasons(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    assert_non_null(strstr(h_cmd(h, "qSupported:swbreak+;hwbreak+"), "swbreak+"));
    struct gdb_stop st = { .kind = GDB_STOP_SIGNAL, .signal = 5, .thread = 1 };
    st.reason = GDB_REASON_SWBREAK;
    expect_stop(h, st, "T05thread:1;swbreak:;");
    st.reason = GDB_REASON_HWBREAK;
    expect_stop(h, st, "T05thread:1;hwbreak:;");
    st.reason = GDB_REASON_WATCH;
    st.watch_addr = 0x80001008;
    st.thread = 2;
    expect_stop(h, st, "T05thread:2;watch:80001008;");
    assert_string_equal(h_cmd(h, "qC"), "QC2");
    st.reason = GDB_REASON_RWATCH;
    st.watch_addr = 0;
    expect_stop(h, st, "T05thread:2;rwatch:0;");
    st.reason = GDB_REASON_AWATCH;
    st.watch_addr = 0xffffffffffffffffull;
    expect_stop(h, st, "T05thread:2;awatch:ffffffffffffffff;");
    st.reason = GDB_REASON_REPLAYLOG_BEGIN;
    st.thread = 1;
    expect_stop(h, st, "T05thread:1;replaylog:begin;");
    st.reason = GDB_REASON_REPLAYLOG_END;
    expect_stop(h, st, "T05thread:1;replaylog:end;");
    st.reason = GDB_REASON_NONE;
    st.signal = 11;
    expect_stop(h, st, "T0bthread:1;");
    /* Out-of-range values from the target are kept in range. */
    st.signal = 0x1234;
    st.thread = 0;
    st.reason = (enum gdb_stop_reason)99;
    expect_stop(h, st, "T34thread:1;");
    /* A gdb that did not announce swbreak+/hwbreak+ does not get those reasons. */
    assert_non_null(strstr(h_cmd(h, "qSupported:multiprocess+"), "swbreak+"));
    st = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .signal = 5, .thread = 1,
                            .reason = GDB_REASON_SWBREAK };
    expect_stop(h, st, "T05thread:1;");
    st.reason = GDB_REASON_HWBREAK;
    expect_stop(h, st, "T05thread:1;");
}

static void test_exit_replies(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    struct gdb_stop st = { .kind = GDB_STOP_EXITED, .exit_code = 3 };
    expect_stop(h, st, "W03");
    st.exit_code = 0x1ff;
    expect_stop(h, st, "Wff");
    st = (struct gdb_stop){ .kind = GDB_STOP_TERMINATED, .signal = 9 };
    expect_stop(h, st, "X09");
    st.kind = (enum gdb_stop_kind)42;   /* nonsense kind: reported as a signal stop */
    st.signal = 5;
    expect_stop(h, st, "T05thread:1;");
}

static void test_interrupt_while_running(void **state)
{
    struct gdb_harness *h = *state;
    h->fake.stop_after = -1;        /* runs until interrupted */
    h->fake.run_sleep_us = 1000;
    h_send_str(h, "$c#63");
    h_expect(h, "+");
    h_expect_silence(h, 50);
    assert_true(h->fake.run_calls > 1);
    assert_int_equal(h->fake.interrupted_calls, 0);
    h_send_str(h, "\x03");
    assert_string_equal(h_read_packet(h), "T02thread:1;");
    h_send_str(h, "+");
    assert_int_equal(h->fake.interrupted_calls, 1);
    assert_int_equal(h->fake.run_starts, 1);
    /* Acks and noise while running are ignored; a 0x03 sent with the packet counts. */
    h_send_str(h, "$vCont;c:2#14+-junk\x03");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "T02thread:2;");
    h_send_str(h, "+");
    /* A packet sent while running is served after the stop. */
    h->fake.stop_after = 20;
    h_send_str(h, "$c#63");
    h_expect(h, "+");
    h_send_str(h, "$qC#b4");
    assert_string_equal(h_read_packet(h), "T05thread:2;");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC2");
    h_send_str(h, "++");
    /* A 0x03 while stopped is ignored. */
    h_send_str(h, "\x03");
    assert_string_equal(h_cmd(h, "qC"), "QC2");
    assert_int_equal(harness_finish(h), 0);
}

static void test_disconnect_while_running(void **state)
{
    struct gdb_harness *h = *state;
    h->fake.stop_after = -1;
    h->fake.run_sleep_us = 1000;
    h_noack(h);
    h_send_packet(h, "c", 1);
    h_expect_silence(h, 30);
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.interrupted_calls, 1);   /* brought to rest */
    assert_true(h->fake.last_interrupt);
}

static void test_reverse_refused(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "bc"), "");
    assert_string_equal(h_cmd(h, "bs"), "");
    assert_int_equal(h->fake.run_calls, 0);
    assert_null(strstr(h_cmd(h, "qSupported"), "Reverse"));
}

static void test_reverse(void **state)
{
    struct gdb_harness *h = *state;
    h->fake.next_stop = (struct gdb_stop){ .kind = GDB_STOP_SIGNAL, .signal = 5,
                                           .reason = GDB_REASON_REPLAYLOG_BEGIN };
    assert_string_equal(h_cmd(h, "bc"), "T05thread:1;replaylog:begin;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_REVERSE_CONTINUE);
    h->fake.next_stop.reason = GDB_REASON_NONE;
    assert_string_equal(h_cmd(h, "Hc2"), "OK");
    assert_string_equal(h_cmd(h, "bs"), "T05thread:2;");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_REVERSE_STEP);
    assert_int_equal(h->fake.last_thread, 2);
    assert_string_equal(h_cmd(h, "bsx"), "");
    assert_string_equal(h_cmd(h, "bx"), "");
    /* Interrupting a reverse continue. */
    h->fake.stop_after = -1;
    h_send_str(h, "$bc#c5\x03");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "T02thread:2;");
    h_send_str(h, "+");
    assert_int_equal(h->fake.last_kind, GDB_RESUME_REVERSE_CONTINUE);
}

static void test_no_run_callback(void **state)
{
    struct gdb_harness *h = harness_new(true);
    h->ops.run = NULL;
    harness_start(h);
    *state = h;
    assert_string_equal(h_cmd(h, "c"), "E01");
    assert_string_equal(h_cmd(h, "vCont;s:1"), "E01");
    assert_string_equal(h_cmd(h, "bc"), "E01");
    assert_string_equal(h_cmd(h, "?"), "T05thread:1;");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, harness_setup, harness_teardown)
        T(test_continue_and_step),
        T(test_vcont),
        T(test_stop_reasons),
        T(test_exit_replies),
        T(test_interrupt_while_running),
        T(test_disconnect_while_running),
        T(test_reverse_refused),
        cmocka_unit_test_setup_teardown(test_reverse, harness_setup_reverse, harness_teardown),
        cmocka_unit_test_setup_teardown(test_no_run_callback, NULL, harness_teardown),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
