/* test_pcap_export.c — analysis/pcap_export.c on a hand-made trace (sample_trace.c): the
 * exact bytes of the pcap file (header, per-frame records with guest-time stamps icount/harts
 * ns, frames in seq order, one NIC or all), and its errors (missing file, not SQLite, not a
 * rewind trace, bad meta harts, unwritable output). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/pcap_export.h"
#include "sample_trace.h"

struct paths {
    char dir[256], trace[300], pcap[300];
};

static int setup(void **state)
{
    struct paths *p = calloc(1, sizeof(*p));
    const char *tmp = getenv("TMPDIR");
    snprintf(p->dir, sizeof(p->dir), "%s/rewind-pcap-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(p->dir))
        return -1;
    snprintf(p->trace, sizeof(p->trace), "%s/t.trace", p->dir);
    snprintf(p->pcap, sizeof(p->pcap), "%s/out.pcap", p->dir);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct paths *p = *state;
    unlink(p->trace);
    unlink(p->pcap);
    char other[320];
    snprintf(other, sizeof(other), "%s/other", p->dir);
    unlink(other);
    rmdir(p->dir);
    free(p);
    return 0;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[65536];
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Checks the file header and the records of frames[which[0..n)] with the given harts. */
static void check_pcap(const char *path, const struct sample_frame *frames, const int *which,
                       int n, uint64_t harts)
{
    size_t len;
    const uint8_t *b = slurp(path, &len);
    assert_true(len >= 24);
    static const uint8_t magic[4] = { 0x4d, 0x3c, 0xb2, 0xa1 }; /* 0xa1b23c4d little-endian */
    assert_memory_equal(b, magic, 4);
    assert_int_equal(le16(b + 4), 2);
    assert_int_equal(le16(b + 6), 4);
    assert_int_equal(le32(b + 8), 0);
    assert_int_equal(le32(b + 12), 0);
    assert_int_equal(le32(b + 16), 65535);
    assert_int_equal(le32(b + 20), 1);
    size_t off = 24;
    for (int i = 0; i < n; i++) {
        const struct sample_frame *f = &frames[which[i]];
        assert_true(off + 16 + f->len <= len);
        uint64_t ns = (uint64_t)f->icount / harts;
        assert_int_equal(le32(b + off), ns / 1000000000u);
        assert_int_equal(le32(b + off + 4), ns % 1000000000u);
        assert_int_equal(le32(b + off + 8), f->len);
        assert_int_equal(le32(b + off + 12), f->len);
        assert_memory_equal(b + off + 16, f->data, f->len);
        off += 16 + f->len;
    }
    assert_int_equal(off, len);
}

static void test_export_all_frames(void **state)
{
    struct paths *p = *state;
    struct sample_frame frames[SAMPLE_FRAMES];
    char err[256] = "";
    assert_int_equal(sample_trace_write(p->trace, "2", frames, err, sizeof(err)), 0);
    uint64_t count = 99;
    if (pcap_export(p->trace, p->pcap, &count, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(count, 3);
    static const int all[] = { 0, 1, 2 };
    check_pcap(p->pcap, frames, all, 3, 2);
    /* the first record by hand: icount 3000000010 on 2 harts = 1.500000005 s */
    size_t len;
    const uint8_t *b = slurp(p->pcap, &len);
    assert_int_equal(le32(b + 24), 1);
    assert_int_equal(le32(b + 28), 500000005);
    assert_int_equal(le32(b + 32), 60);
    assert_true(len > 40 + 14);
    assert_int_equal(b[40 + 12], 0x08); /* ethertype 0x0806 */
    assert_int_equal(b[40 + 13], 0x06);
}

static void test_export_one_nic_and_default_harts(void **state)
{
    struct paths *p = *state;
    struct sample_frame frames[SAMPLE_FRAMES];
    char err[256] = "";
    assert_int_equal(sample_trace_write(p->trace, NULL, frames, err, sizeof(err)), 0);
    uint64_t count = 0;
    if (pcap_export_nic(p->trace, p->pcap, 1, &count, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(count, 1);
    static const int nic1[] = { 2 };
    check_pcap(p->pcap, frames, nic1, 1, 1); /* no harts row: 1 hart */
    if (pcap_export_nic(p->trace, p->pcap, 0, &count, err, sizeof(err)))
        fail_msg("%s", err);
    assert_int_equal(count, 2);
    static const int nic0[] = { 0, 1 };
    check_pcap(p->pcap, frames, nic0, 2, 1);
    /* frames may be NULL */
    assert_int_equal(pcap_export(p->trace, p->pcap, NULL, err, sizeof(err)), 0);
}

static void test_empty_trace_gives_header_only(void **state)
{
    struct paths *p = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(p->trace, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                                      "CREATE TABLE events(seq INTEGER PRIMARY KEY, icount "
                                      "INTEGER NOT NULL, hart INTEGER NOT NULL, kind TEXT NOT "
                                      "NULL, source TEXT NOT NULL, pc INTEGER, value INTEGER, "
                                      "blob BLOB);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char err[256];
    uint64_t count = 7;
    assert_int_equal(pcap_export(p->trace, p->pcap, &count, err, sizeof(err)), 0);
    assert_int_equal(count, 0);
    struct stat sb;
    assert_int_equal(stat(p->pcap, &sb), 0);
    assert_int_equal(sb.st_size, 24);
}

static void expect_error(struct paths *p, const char *trace, const char *out, const char *want)
{
    char err[512] = "";
    uint64_t count = 5;
    assert_int_equal(pcap_export(trace, out, &count, err, sizeof(err)), -1);
    assert_int_equal(count, 0);
    if (!strstr(err, want))
        fail_msg("error '%s' does not mention '%s'", err, want);
    (void)p;
}

static void test_errors(void **state)
{
    struct paths *p = *state;
    char other[320];
    snprintf(other, sizeof(other), "%s/other", p->dir);

    expect_error(p, other, p->pcap, "No such file");
    expect_error(p, p->dir, p->pcap, "not a rewind trace");

    FILE *f = fopen(other, "w");
    assert_non_null(f);
    fputs("this is not a database, just some text long enough to have a header......\n", f);
    fclose(f);
    expect_error(p, other, p->pcap, "not a rewind trace (not an SQLite database)");

    sqlite3 *db;
    unlink(other);
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    expect_error(p, other, p->pcap, "not a rewind trace (no events or meta table)");
    assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE meta(key, value)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    expect_error(p, other, p->pcap, "not a rewind trace (no events table)");
    assert_int_equal(access(p->pcap, F_OK), -1); /* nothing written on failure */

    struct sample_frame frames[SAMPLE_FRAMES];
    char err[256];
    assert_int_equal(sample_trace_write(p->trace, "two", frames, err, sizeof(err)), 0);
    expect_error(p, p->trace, p->pcap, "meta harts = 'two'");
    assert_int_equal(sample_trace_write(p->trace, "0", frames, err, sizeof(err)), 0);
    expect_error(p, p->trace, p->pcap, "meta harts = '0'");

    assert_int_equal(sample_trace_write(p->trace, "1", frames, err, sizeof(err)), 0);
    char bad_out[400];
    snprintf(bad_out, sizeof(bad_out), "%s/no/such/dir/x.pcap", p->dir);
    expect_error(p, p->trace, bad_out, "x.pcap: No such file");
    expect_error(p, NULL, p->pcap, "no trace");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_all_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_one_nic_and_default_harts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_trace_gives_header_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
