/* test_gdb_packets.c — the data and query packets: qSupported, ?, g/G, p/P, m/M/X (binary
 * escapes), H, T, thread lists, qC, qAttached, qXfer features/threads (offsets and lengths at
 * the end of the document, escaping), qRcmd, Z/z, k, D, vKill, and malformed arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gdb_fixture.h"

static const char *reg_hex(uint64_t v)
{
    static char buf[17];
    for (int i = 0; i < 8; i++)
        sprintf(buf + 2 * i, "%02x", (unsigned)(v >> (8 * i)) & 0xff);
    return buf;
}

static void test_qsupported(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(
        h_cmd(h, "qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;vContSupported+"),
        "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+;swbreak+;"
        "hwbreak+;vContSupported+");
    assert_string_equal(h_cmd(h, "qSupported"),
                        "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
                        "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+");
}

static void test_qsupported_reverse(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "qSupported:swbreak+"),
                        "PacketSize=4000;QStartNoAckMode+;qXfer:features:read+;"
                        "qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+;"
                        "ReverseContinue+;ReverseStep+");
}

static void test_qsupported_without_xml(void **state)
{
    struct gdb_harness *h = harness_new(false);
    h->ops.target_xml = NULL;
    harness_start(h);
    *state = h;
    assert_string_equal(h_cmd(h, "qSupported"),
                        "PacketSize=4000;QStartNoAckMode+;qXfer:threads:read+;swbreak+;"
                        "hwbreak+;vContSupported+");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:0,100"), "");
}

static void test_read_registers(void **state)
{
    struct gdb_harness *h = *state;
    const char *g = h_cmd(h, "g");
    assert_int_equal(strlen(g), FAKE_NUM_REGS * 16);
    for (int r = 0; r < FAKE_NUM_REGS; r++)
        assert_memory_equal(g + 16 * r, reg_hex(0x1000u + (unsigned)r), 16);
    assert_string_equal(h_cmd(h, "p20"), reg_hex(0x1020));
    assert_string_equal(h_cmd(h, "p0"), reg_hex(0x1000));
    assert_string_equal(h_cmd(h, "p21"), "a1000000");           /* 4-byte register */
    assert_string_equal(h_cmd(h, "p22"), "xxxxxxxxxxxxxxxx");   /* unavailable */
    assert_string_equal(h_cmd(h, "p23"), "E01");                /* no such register */
    assert_string_equal(h_cmd(h, "p"), "E01");
    assert_string_equal(h_cmd(h, "pzz"), "E01");
    assert_string_equal(h_cmd(h, "p1,"), "E01");
    assert_string_equal(h_cmd(h, "p80000000"), "E01");          /* beyond int */
    assert_string_equal(h_cmd(h, "p10000000000000000"), "E01"); /* beyond 64 bits */
    assert_string_equal(h_cmd(h, "gx"), "E01");
}

static void test_registers_of_thread_2(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "Hg2"), "OK");
    assert_string_equal(h_cmd(h, "qC"), "QC2");
    assert_memory_equal(h_cmd(h, "g"), reg_hex(0x2000), 16);
    assert_string_equal(h_cmd(h, "p5"), reg_hex(0x2005));
    assert_string_equal(h_cmd(h, "P5=0100000000000000"), "OK");
    assert_int_equal(h->fake.regs[2][5], 1);
    assert_int_equal(h->fake.regs[1][5], 0x1005);
    assert_string_equal(h_cmd(h, "Hg0"), "OK");
    assert_string_equal(h_cmd(h, "qC"), "QC1");
    assert_string_equal(h_cmd(h, "Hg-1"), "OK");
    assert_string_equal(h_cmd(h, "Hg3"), "E01");
    assert_string_equal(h_cmd(h, "Hc-1"), "OK");
    assert_string_equal(h_cmd(h, "Hc2"), "OK");
    assert_string_equal(h_cmd(h, "Hs1"), "E01");
    assert_string_equal(h_cmd(h, "Hg"), "E01");
    assert_string_equal(h_cmd(h, "H"), "E01");
    assert_string_equal(h_cmd(h, "Hg-2"), "E01");
    assert_string_equal(h_cmd(h, "Hg1x"), "E01");
}

static void test_write_registers(void **state)
{
    struct gdb_harness *h = *state;
    char g[FAKE_NUM_REGS * 16 + 2];
    for (int r = 0; r < FAKE_NUM_REGS; r++)
        memcpy(g + 1 + 16 * r, reg_hex(0xabc00u + (unsigned)r), 16);
    g[0] = 'G';
    g[1 + FAKE_NUM_REGS * 16] = 0;
    assert_string_equal(h_cmd(h, g), "OK");
    for (int r = 0; r < FAKE_NUM_REGS; r++)
        assert_int_equal(h->fake.regs[1][r], 0xabc00u + (unsigned)r);
    assert_string_equal(h_cmd(h, "p7"), reg_hex(0xabc07));
    /* Too short, too long, odd, non-hex: refused, nothing written. */
    g[FAKE_NUM_REGS * 16] = 0;
    assert_string_equal(h_cmd(h, g), "E01");
    assert_string_equal(h_cmd(h, "G00"), "E01");
    assert_string_equal(h_cmd(h, "G0"), "E01");
    assert_string_equal(h_cmd(h, "Gzz"), "E01");
    char *longg = malloc(FAKE_NUM_REGS * 16 + 4);
    assert_non_null(longg);
    memset(longg, '0', FAKE_NUM_REGS * 16 + 3);
    longg[0] = 'G';
    longg[FAKE_NUM_REGS * 16 + 3] = 0;
    assert_string_equal(h_cmd(h, longg), "E01");
    free(longg);
    assert_int_equal(h->fake.regs[1][0], 0xabc00);
    /* P */
    assert_string_equal(h_cmd(h, "P20=8877665544332211"), "OK");
    assert_int_equal(h->fake.regs[1][32], 0x1122334455667788ull);
    assert_string_equal(h_cmd(h, "P21=efbeadde"), "OK");
    assert_int_equal(h->fake.fcsr[1], 0xdeadbeef);
    assert_string_equal(h_cmd(h, "P21=efbead"), "E01");     /* wrong size (target refuses) */
    assert_string_equal(h_cmd(h, "P20=887"), "E01");        /* odd */
    assert_string_equal(h_cmd(h, "P20="), "E01");
    assert_string_equal(h_cmd(h, "P20"), "E01");
    assert_string_equal(h_cmd(h, "P99=00"), "E01");
    assert_string_equal(h_cmd(h, "P=00"), "E01");
    /* More than a register can hold. */
    char bigp[8 + 2 * (GDB_REG_MAX_BYTES + 1)];
    strcpy(bigp, "P1=");
    memset(bigp + 3, '0', 2 * (GDB_REG_MAX_BYTES + 1));
    bigp[3 + 2 * (GDB_REG_MAX_BYTES + 1)] = 0;
    assert_string_equal(h_cmd(h, bigp), "E01");
}

static void test_memory(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    assert_string_equal(h_cmd(h, "m1000,4"), "00010203");
    assert_string_equal(h_cmd(h, "m00001010,2"), "1011");
    assert_string_equal(h_cmd(h, "M1000,4:deadBEEF"), "OK");
    assert_int_equal(h->fake.mem[0], 0xde);
    assert_int_equal(h->fake.mem[3], 0xef);
    assert_string_equal(h_cmd(h, "m1000,4"), "deadbeef");
    /* Partial read at the end of memory; fault outside. */
    assert_string_equal(h_cmd(h, "m10ffe,10"), "feff");
    assert_string_equal(h_cmd(h, "m11000,4"), "E0e");
    assert_string_equal(h_cmd(h, "m0,4"), "E0e");
    assert_string_equal(h_cmd(h, "mffffffffffffffff,10"), "E0e");
    assert_string_equal(h_cmd(h, "m1000,0"), "");
    /* Huge lengths are capped to what a reply can carry. */
    const char *r = h_cmd(h, "m1000,ffffffff");
    assert_int_equal(strlen(r), GDB_PACKET_SIZE);
    /* Malformed. */
    assert_string_equal(h_cmd(h, "m1000"), "E01");
    assert_string_equal(h_cmd(h, "m1000,"), "E01");
    assert_string_equal(h_cmd(h, "m,4"), "E01");
    assert_string_equal(h_cmd(h, "m1000,4,"), "E01");
    assert_string_equal(h_cmd(h, "m10000000000000000,4"), "E01");
    assert_string_equal(h_cmd(h, "M1000,4:dead"), "E01");
    assert_string_equal(h_cmd(h, "M1000,2:deadbe"), "E01");
    assert_string_equal(h_cmd(h, "M1000,2:de:d"), "E01");
    assert_string_equal(h_cmd(h, "M1000,2:dea"), "E01");
    assert_string_equal(h_cmd(h, "M1000,2"), "E01");
    assert_string_equal(h_cmd(h, "M1000,2dead"), "E01");
    assert_string_equal(h_cmd(h, "M11000,1:00"), "E0e");
    assert_string_equal(h_cmd(h, "M10fff,2:0000"), "E0e");   /* only half fits */
    assert_string_equal(h_cmd(h, "Mffffffffffffffff,2:0000"), "E01");  /* wraps */
    assert_string_equal(h_cmd(h, "M1000,0:"), "OK");
    assert_int_equal(h->fake.mem[0], 0xde);
}

static void test_binary_write(void **state)
{
    struct gdb_harness *h = *state;
    /* Bytes that need escaping: } # $ * and a NUL, then plain ones. */
    const uint8_t data[] = { 0x7d, 0x23, 0x24, 0x2a, 0x00, 0x41, 0x03, 0xff };
    const char pkt[] = "X1000,8:}]}\x03}\x04}\x0a\x00" "A\x03\xff";
    assert_string_equal(h_cmd_bin(h, pkt, sizeof(pkt) - 1), "OK");
    assert_memory_equal(h->fake.mem, data, sizeof(data));
    assert_string_equal(h_cmd(h, "m1000,8"), "7d23242a004103ff");
    /* The zero-length probe gdb sends. */
    assert_string_equal(h_cmd(h, "X1000,0:"), "OK");
    /* Length mismatch, dangling escape, missing colon, outside memory. */
    assert_string_equal(h_cmd(h, "X1000,2:a"), "E01");
    assert_string_equal(h_cmd(h, "X1000,1:ab"), "E01");
    assert_string_equal(h_cmd(h, "X1000,1:}"), "E01");
    assert_string_equal(h_cmd(h, "X1000,1"), "E01");
    assert_string_equal(h_cmd(h, "X20000,1:a"), "E0e");
    /* A large binary write close to PacketSize. */
    size_t n = GDB_PACKET_SIZE - 32;
    char *big = malloc(GDB_PACKET_SIZE);
    assert_non_null(big);
    int hdr = sprintf(big, "X2000,%zx:", n);
    memset(big + hdr, 0x5a, n);
    assert_string_equal(h_cmd_bin(h, big, (size_t)hdr + n), "OK");
    assert_int_equal(h->fake.mem[0x1000], 0x5a);
    assert_int_equal(h->fake.mem[0x1000 + n - 1], 0x5a);
    assert_int_equal(h->fake.mem[0x1000 + n], (uint8_t)(0x1000 + n));
    free(big);
}

static void test_threads(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "qfThreadInfo"), "m1,2");
    assert_string_equal(h_cmd(h, "qsThreadInfo"), "l");
    assert_string_equal(h_cmd(h, "qC"), "QC1");
    assert_string_equal(h_cmd(h, "qAttached"), "1");
    assert_string_equal(h_cmd(h, "qAttached:1"), "1");
    assert_string_equal(h_cmd(h, "T1"), "OK");
    assert_string_equal(h_cmd(h, "T2"), "OK");
    assert_string_equal(h_cmd(h, "T3"), "E01");
    assert_string_equal(h_cmd(h, "T0"), "E01");
    assert_string_equal(h_cmd(h, "T-1"), "E01");
    assert_string_equal(h_cmd(h, "T"), "E01");
    assert_string_equal(h_cmd(h, "Tg"), "E01");
    h->fake.nthreads = 1;
    assert_string_equal(h_cmd(h, "qfThreadInfo"), "m1");
    assert_string_equal(h_cmd(h, "T2"), "E01");
    h->fake.nthreads = 0;
    assert_string_equal(h_cmd(h, "qfThreadInfo"), "l");
}

static void test_qxfer_features(void **state)
{
    struct gdb_harness *h = *state;
    size_t doclen = strlen(fake_target_xml);
    /* Whole document at once: 'l' and escaped $ # } *. */
    const char *r = h_cmd(h, "qXfer:features:read:target.xml:0,ffff");
    assert_int_equal(r[0], 'l');
    assert_non_null(strstr(r, "escapes: }\x04 }\x03 }] }\x0a -->"));
    /* In small chunks: 'm' until the end, then an exact 'l' slice, then an empty 'l'. */
    char *doc = calloc(1, doclen + 1);
    assert_non_null(doc);
    size_t off = 0;
    for (;;) {
        char q[96];
        snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,7", off);
        r = h_cmd(h, q);
        assert_true(r[0] == 'm' || r[0] == 'l');
        size_t got = 0;
        for (size_t i = 1; i < h->reply_len; i++) {
            char c = r[i];
            if (c == '}')
                c = (char)(r[++i] ^ 0x20);
            assert_true(off + got < doclen);
            doc[off + got++] = c;
        }
        assert_true(got <= 7);
        off += got;
        if (r[0] == 'l')
            break;
        assert_int_equal(got, 7);
    }
    assert_int_equal(off, doclen);
    assert_string_equal(doc, fake_target_xml);
    free(doc);
    char q[96];
    /* The last byte exactly. */
    snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,1", doclen - 1);
    assert_string_equal(h_cmd(h, q), "l\n");
    snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,100", doclen - 2);
    assert_string_equal(h_cmd(h, q), "l>\n");
    /* The last two bytes, asking for exactly two: everything left, so 'l'. */
    snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,2", doclen - 2);
    assert_string_equal(h_cmd(h, q), "l>\n");
    snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,100", doclen);
    assert_string_equal(h_cmd(h, q), "l");
    snprintf(q, sizeof(q), "qXfer:features:read:target.xml:%zx,100", doclen + 1);
    assert_string_equal(h_cmd(h, q), "E01");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:ffffffffffffffff,100"), "E01");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:0,0"), "E01");
    /* Unknown annex, malformed. */
    assert_string_equal(h_cmd(h, "qXfer:features:read:nope.xml:0,100"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:0"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:0,100,1"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:features:read:target.xml:,100"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:features:read:"), "E00");
    assert_string_equal(h_cmd(h, "qXfer"), "");
    assert_string_equal(h_cmd(h, "qXfer:"), "");
    assert_string_equal(h_cmd(h, "qXfer:features"), "");
    const char nul_annex[] = "qXfer:features:read:tar\0get.xml:0,10";
    assert_string_equal(h_cmd_bin(h, nul_annex, sizeof(nul_annex) - 1), "E00");
    char longq[400];
    strcpy(longq, "qXfer:features:read:");
    memset(longq + strlen(longq), 'a', 300);
    strcpy(longq + 20 + 300, ":0,10");
    assert_string_equal(h_cmd(h, longq), "E00");
}

static void test_qxfer_big_document(void **state)
{
    struct gdb_harness *h = harness_new(false);
    size_t doclen = 3 * GDB_PACKET_SIZE + 123;
    char *big = malloc(doclen + 1);
    assert_non_null(big);
    for (size_t i = 0; i < doclen; i++)
        big[i] = (i % 5 == 0) ? '}' : (char)('a' + i % 26);   /* many escapes */
    big[doclen] = 0;
    h->fake.big_xml = big;
    harness_start(h);
    *state = h;
    h_noack(h);
    size_t off = 0, chunks = 0;
    for (;;) {
        char q[96];
        snprintf(q, sizeof(q), "qXfer:features:read:big.xml:%zx,ffff", off);
        const char *r = h_cmd(h, q);
        assert_true(h->reply_len <= GDB_PACKET_SIZE);
        size_t got = 0;
        for (size_t i = 1; i < h->reply_len; i++) {
            char c = r[i];
            if (c == '}')
                c = (char)(r[++i] ^ 0x20);
            assert_int_equal(c, big[off + got]);
            got++;
        }
        off += got;
        chunks++;
        if (r[0] == 'l')
            break;
        assert_int_equal(r[0], 'm');
        assert_true(got > 0);
    }
    assert_int_equal(off, doclen);
    assert_true(chunks >= 4);
    harness_finish(h);
    free(big);
}

static void test_qxfer_threads(void **state)
{
    struct gdb_harness *h = *state;
    static const char doc[] = "<?xml version=\"1.0\"?>\n<threads>\n<thread id=\"1\"/>\n"
                              "<thread id=\"2\"/>\n</threads>\n";
    char expect[sizeof(doc) + 1];
    snprintf(expect, sizeof(expect), "l%s", doc);
    assert_string_equal(h_cmd(h, "qXfer:threads:read::0,fff"), expect);
    /* In two parts. */
    const char *r = h_cmd(h, "qXfer:threads:read::0,20");
    assert_int_equal(r[0], 'm');
    assert_memory_equal(r + 1, doc, 0x20);
    char q[64];
    snprintf(q, sizeof(q), "qXfer:threads:read::20,%zx", sizeof(doc) - 1 - 0x20);
    snprintf(expect, sizeof(expect), "l%s", doc + 0x20);
    assert_string_equal(h_cmd(h, q), expect);
    assert_string_equal(h_cmd(h, "qXfer:threads:read:x:0,fff"), "E00");
    assert_string_equal(h_cmd(h, "qXfer:threads:read::fff,1"), "E01");
}

static void test_monitor(void **state)
{
    struct gdb_harness *h = *state;
    char q[128], hex[64];
    h_hex("hello", 5, hex);
    snprintf(q, sizeof(q), "qRcmd,%s", hex);
    h_send_packet(h, q, strlen(q));
    h_expect(h, "+");
    h_hex("hi\n", 3, hex);
    char o[80];
    snprintf(o, sizeof(o), "O%s", hex);
    assert_string_equal(h_read_packet(h), o);
    h_send_str(h, "+");
    h_hex("there\n", 6, hex);
    snprintf(o, sizeof(o), "O%s", hex);
    assert_string_equal(h_read_packet(h), o);
    h_send_str(h, "+");
    assert_string_equal(h_read_packet(h), "OK");
    h_send_str(h, "+");
    assert_string_equal(h->fake.last_monitor, "hello");
    /* No output; failure; malformed. */
    h_hex("quiet", 5, hex);
    snprintf(q, sizeof(q), "qRcmd,%s", hex);
    assert_string_equal(h_cmd(h, q), "OK");
    h_hex("fail", 4, hex);
    snprintf(q, sizeof(q), "qRcmd,%s", hex);
    assert_string_equal(h_cmd(h, q), "E01");
    assert_string_equal(h_cmd(h, "qRcmd,6"), "E01");
    assert_string_equal(h_cmd(h, "qRcmd,zz"), "E01");
    assert_string_equal(h_cmd(h, "qRcmd,6100"), "E01");   /* embedded NUL */
    assert_string_equal(h_cmd(h, "qRcmd,"), "E01");       /* "" is not a command here */
    assert_string_equal(h->fake.last_monitor, "");
}

static void test_monitor_long_output(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    char q[64], hex[16];
    h_hex("long", 4, hex);
    snprintf(q, sizeof(q), "qRcmd,%s", hex);
    h_send_packet(h, q, strlen(q));
    size_t total = 0;
    int packets = 0;
    for (;;) {
        const char *r = h_read_packet(h);
        if (strcmp(r, "OK") == 0)
            break;
        assert_int_equal(r[0], 'O');
        assert_true(h->reply_len <= GDB_PACKET_SIZE);
        size_t n = (h->reply_len - 1) / 2;
        for (size_t i = 0; i < n; i++) {
            unsigned b;
            assert_int_equal(sscanf(r + 1 + 2 * i, "%2x", &b), 1);
            assert_int_equal(b, 'a' + (total + i) % 26);
        }
        total += n;
        packets++;
    }
    assert_int_equal(total, 20000);
    assert_true(packets >= 3);
}

static void test_monitor_unsupported(void **state)
{
    struct gdb_harness *h = harness_new(false);
    h->ops.monitor = NULL;
    h->ops.breakpoint = NULL;
    h->ops.read_mem = NULL;
    h->ops.write_mem = NULL;
    h->ops.read_reg = NULL;
    h->ops.write_reg = NULL;
    h->ops.threads = NULL;
    h->ops.kill = NULL;
    harness_start(h);
    *state = h;
    assert_string_equal(h_cmd(h, "qRcmd,6869"), "");
    assert_string_equal(h_cmd(h, "Z0,1000,4"), "");
    assert_string_equal(h_cmd(h, "m1000,4"), "E0e");
    assert_string_equal(h_cmd(h, "M1000,1:00"), "E0e");
    assert_string_equal(h_cmd(h, "X1000,1:0"), "E0e");
    assert_string_equal(h_cmd(h, "g"), "E01");
    assert_string_equal(h_cmd(h, "p1"), "E01");
    assert_string_equal(h_cmd(h, "P1=00"), "E01");
    assert_string_equal(h_cmd(h, "qfThreadInfo"), "m1");
    assert_string_equal(h_cmd(h, "?"), "T05thread:1;");
    assert_string_equal(h_cmd(h, "vKill;1"), "OK");
    h_expect_eof(h);
}

static void test_breakpoints(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "Z0,80001000,4"), "OK");
    assert_int_equal(h->fake.last_bp_type, GDB_BP_SW);
    assert_int_equal(h->fake.last_bp_addr, 0x80001000u);
    assert_int_equal(h->fake.last_bp_kind, 4);
    assert_true(h->fake.last_bp_insert);
    assert_string_equal(h_cmd(h, "z0,80001000,4"), "OK");
    assert_false(h->fake.last_bp_insert);
    assert_string_equal(h_cmd(h, "Z1,80001002,2"), "OK");
    assert_int_equal(h->fake.last_bp_type, GDB_BP_HW);
    assert_string_equal(h_cmd(h, "Z2,1008,8"), "OK");
    assert_int_equal(h->fake.last_bp_type, GDB_WP_WRITE);
    assert_string_equal(h_cmd(h, "z3,1008,8"), "OK");
    assert_int_equal(h->fake.last_bp_type, GDB_WP_READ);
    assert_string_equal(h_cmd(h, "Z4,1008,8"), "");          /* target: not supported */
    assert_int_equal(h->fake.last_bp_type, GDB_WP_ACCESS);
    assert_string_equal(h_cmd(h, "Z0,dead,4"), "E01");       /* target: error */
    assert_string_equal(h_cmd(h, "Z0,1000,4;X1,0"), "OK");   /* conditions ignored */
    int calls = h->fake.bp_calls;
    assert_string_equal(h_cmd(h, "Z5,1000,4"), "");          /* unknown type */
    assert_string_equal(h_cmd(h, "Z0,1000"), "E01");
    assert_string_equal(h_cmd(h, "Z0,1000,"), "E01");
    assert_string_equal(h_cmd(h, "Z0"), "E01");
    assert_string_equal(h_cmd(h, "Z"), "E01");
    assert_string_equal(h_cmd(h, "Z0,1000,4x"), "E01");
    assert_string_equal(h_cmd(h, "Zq,1000,4"), "E01");
    assert_string_equal(h_cmd(h, "z0,10000000000000000,4"), "E01");
    assert_int_equal(h->fake.bp_calls, calls);
}

static void test_kill(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "qC"), "QC1");
    h_send_str(h, "$k#6b");
    h_expect(h, "+");
    h_expect_eof(h);   /* no reply; the session ended */
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.kills, 1);
}

static void test_vkill(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "vKill;1"), "OK");
    h_expect_eof(h);
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.kills, 1);
}

static void test_detach(void **state)
{
    struct gdb_harness *h = *state;
    assert_string_equal(h_cmd(h, "Dx"), "E01");
    assert_string_equal(h_cmd(h, "D"), "OK");
    h_expect_eof(h);
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.detaches, 1);
    assert_int_equal(h->fake.kills, 0);
}

static void test_detach_pid(void **state)
{
    struct gdb_harness *h = *state;
    h_noack(h);
    assert_string_equal(h_cmd(h, "D;1"), "OK");
    h_expect_eof(h);
    assert_int_equal(harness_finish(h), 0);
    assert_int_equal(h->fake.detaches, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, harness_setup, harness_teardown)
#define TN(fn) cmocka_unit_test_setup_teardown(fn, NULL, harness_teardown)
        T(test_qsupported),
        cmocka_unit_test_setup_teardown(test_qsupported_reverse, harness_setup_reverse,
                                        harness_teardown),
        TN(test_qsupported_without_xml),
        T(test_read_registers),
        T(test_registers_of_thread_2),
        T(test_write_registers),
        T(test_memory),
        T(test_binary_write),
        T(test_threads),
        T(test_qxfer_features),
        TN(test_qxfer_big_document),
        T(test_qxfer_threads),
        T(test_monitor),
        T(test_monitor_long_output),
        TN(test_monitor_unsupported),
        T(test_breakpoints),
        T(test_kill),
        T(test_vkill),
        T(test_detach),
        T(test_detach_pid),
#undef T
#undef TN
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
