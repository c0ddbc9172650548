/* test_gdb_framing.c — the packet layer: acks, NAK and retransmission in both directions,
 * no-ack mode, run-length decoding, the PacketSize limit, line noise between packets, and
 * empty replies to unknown packets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "gdb_fixture.h"

static void test_ack_and_reply(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$?#3f");
    h_expect(h, "+");
    h_expect(h, "$T05thread:1;#");   /* raw frame; checksum checked below */
    h_expect(h, "d7");
    h_send_str(h, "+");
    assert_string_equal(h_cmd(h, "?"), "T05thread:1;");
    assert_int_equal(harness_finish(h), 0);
}

static void test_bad_checksum_nak_then_retransmit(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$?#00");
    h_expect(h, "-");
    h_send_str(h, "$?#zz");            /* non-hex checksum */
    h_expect(h, "-");
    h_send_str(h, "$?#3f");            /* the retransmission */
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "T05thread:1;");
    h_send_str(h, "+");
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    assert_int_equal(harness_finish(h), 0);
}

static void test_truncated_checksum_then_packet(void **state)
{
    struct gdb_harness *h = *state;
    /* "$?#3" then a new frame: the first is NAKed, the second served. */
    h_send_str(h, "$?#3$?#3f");
    h_expect(h, "-+");
    assert_string_equal(h_read_packet(h), "T05thread:1;");
    h_send_str(h, "+");
    assert_int_equal(harness_finish(h), 0);
}

static void test_reply_retransmitted_on_nak(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$qC#b4");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC1");
    h_send_str(h, "-");
    assert_string_equal(h_read_packet(h), "QC1");
    h_send_str(h, "-");
    assert_string_equal(h_read_packet(h), "QC1");
    h_send_str(h, "+");
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    assert_int_equal(harness_finish(h), 0);
}

static void test_next_packet_counts_as_ack(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$qC#b4");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC1");
    /* no '+': the next packet implies it */
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    assert_int_equal(harness_finish(h), 0);
}

static void test_too_many_naks_is_an_error(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$qC#b4");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC1");
    for (int i = 0; i < 64; i++) {
        h_send_str(h, "-");
        assert_string_equal(h_read_packet(h), "QC1");
    }
    h_send_str(h, "-");
    h_expect_eof(h);
    assert_int_equal(harness_finish(h), -1);
    assert_non_null(strstr(h->err, "rejected"));
}

static void test_noack_mode(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$QStartNoAckMode#b0");
    h_expect(h, "+$OK#9a");
    h_send_str(h, "+");                /* gdb acks the OK; the stub must not wait for it */
    h->noack = true;
    h_send_str(h, "$?#3f");
    h_expect(h, "$T05thread:1;#d7");   /* no '+' first */
    /* Bad checksums are not NAKed (nobody would retransmit): the packet is served. */
    h_send_str(h, "$qC#00");
    h_expect(h, "$QC1#c5");
    /* Stray acks are ignored. */
    h_send_str(h, "+-+");
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    h_expect_silence(h, 20);
    assert_int_equal(harness_finish(h), 0);
}

static void test_rle_input(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    /* "1*," = '1' and 44-29 = 15 more: sixteen '1's. */
    assert_string_equal(h_cmd(h, "M1000,8:1*,"), "OK");
    assert_string_equal(h_cmd(h, "m1000,8"), "1111111111111111");
    /* "a* b0* c" = "aaaab0000c": 10 digits, not the 8 that 4 bytes need. */
    assert_string_equal(h_cmd(h, "M1000,4:a* b0* c"), "E01");
    assert_string_equal(h_cmd(h, "m1000,1"), "11");
}

static void test_rle_input_exact(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    /* "a* b0* c" = "aaaab0000c": 10 digits = 5 bytes. */
    assert_string_equal(h_cmd(h, "M1000,5:a* b0* c"), "OK");
    assert_string_equal(h_cmd(h, "m1000,5"), "aaaab0000c");
    assert_string_equal(h_cmd(h, "m1000,2"), "aaaa");
    /* Runs anywhere in the packet: "m1* ,2" = "m1111,2". */
    assert_string_equal(h_cmd(h, "m1* ,2"), "1112");
    assert_string_equal(h_cmd(h, "qSymbol::"), "");
}

static void test_rle_malformed(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    assert_string_equal(h_cmd(h, "*!m1000,4"), "E01");      /* nothing to repeat */
    assert_string_equal(h_cmd(h, "m1000,4*"), "E01");       /* count missing */
    assert_string_equal(h_cmd(h, "m1000,4*\x1f"), "E01");   /* count not printable */
    /* A run that would expand past PacketSize. */
    char *p = malloc(GDB_PACKET_SIZE + 1);
    assert_non_null(p);
    size_t n = 0;
    p[n++] = 'q';
    while (n + 2 <= GDB_PACKET_SIZE) {
        p[n++] = '*';
        p[n++] = '~';  /* 97 more each */
    }
    assert_string_equal(h_cmd_bin(h, p, n), "E01");
    free(p);
    assert_string_equal(h_cmd(h, "qAttached"), "1");
}

static void test_packet_size_limit(void **state)
{
    struct gdb_harness *h = *state;
    char *p = malloc(GDB_PACKET_SIZE + 2);
    assert_non_null(p);
    /* Exactly PacketSize characters: accepted (unknown packet: empty reply). */
    memset(p, 'q', GDB_PACKET_SIZE);
    assert_string_equal(h_cmd_bin(h, p, GDB_PACKET_SIZE), "");
    /* One more: rejected with an error, and the session goes on. */
    memset(p, 'q', GDB_PACKET_SIZE + 1);
    assert_string_equal(h_cmd_bin(h, p, GDB_PACKET_SIZE + 1), "E01");
    /* Far too long, with a bad checksum: NAKed. */
    char *big = malloc(3 * GDB_PACKET_SIZE + 8);
    assert_non_null(big);
    big[0] = '$';
    memset(big + 1, 'm', 3 * GDB_PACKET_SIZE);
    memcpy(big + 1 + 3 * GDB_PACKET_SIZE, "#01", 3);  /* the sum is 0x00 */
    h_send_raw(h, big, 3 * GDB_PACKET_SIZE + 4);
    h_expect(h, "-");
    free(big);
    free(p);
    assert_string_equal(h_cmd(h, "qC"), "QC1");
    assert_int_equal(harness_finish(h), 0);
}

static void test_garbage_between_packets(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "hello\r\n+-\x03\xff\x00");
    h_send_raw(h, "\x00\x01", 2);
    assert_string_equal(h_cmd(h, "qC"), "QC1");
    /* A '$' inside a frame starts over. */
    h_send_str(h, "$garbage$qC#b4");
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC1");
    h_send_str(h, "+");
    /* '#' with junk after it and no '$' before it. */
    h_send_str(h, "#12#ab");
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    assert_int_equal(harness_finish(h), 0);
}

static void test_unknown_packets_empty(void **state)
{
    struct gdb_harness *h = *state;
    const char *unknown[] = { "vMustReplyEmpty", "qTStatus", "qOffsets", "qSymbol::", "!",
                              "Qfoo", "vFile:open:6a,0,0", "qXfer:auxv:read::0,100",
                              "qXfer:features:write:target.xml:0:00", "R00", "A", "\x7f",
                              "qThreadExtraInfo,1", "vCtrlC", "qCRC:0,1", "b", "bc", "bs",
                              "v", "q", "Q", "" };
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        assert_string_equal(h_cmd(h, unknown[i]), "");
    assert_int_equal(h->fake.run_calls, 0);
    assert_int_equal(harness_finish(h), 0);
}

static void test_eof_ends_session(void **state)
{
    struct gdb_harness *h = *state;
    h_send_str(h, "$qC#b4");   /* close before acking the reply */
    h_expect(h, "+");
    assert_string_equal(h_read_packet(h), "QC1");
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.kills + h->fake.detaches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, harness_setup, harness_teardown)
        T(test_ack_and_reply),
        T(test_bad_checksum_nak_then_retransmit),
        T(test_truncated_checksum_then_packet),
        T(test_reply_retransmitted_on_nak),
        T(test_next_packet_counts_as_ack),
        T(test_too_many_naks_is_an_error),
        T(test_noack_mode),
        T(test_rle_input),
        T(test_rle_input_exact),
        T(test_rle_malformed),
        T(test_packet_size_limit),
        T(test_garbage_between_packets),
        T(test_unknown_packets_empty),
        T(test_eof_ends_session),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
