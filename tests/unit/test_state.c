/* test_state.c — the state stream format: round trip, nested sections, truncation at every
 * length, wrong names, newer versions, hostile length and name fields, sticky errors, and
 * the writer's own failure modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm/state.h"

/* A stream with nested sections and every value type. */
static void write_sample(struct state_writer *w)
{
    state_begin_section(w, "outer", 2);
    state_put_u8(w, 0xab);
    state_put_bool(w, true);
    state_put_u32(w, 0xdeadbeefu);
    state_begin_section(w, "inner", 1);
    state_put_u64(w, 0x0123456789abcdefull);
    state_put_i64(w, -5);
    state_put_bytes(w, "hello", 5);
    state_end_section(w);
    state_begin_section(w, "empty", 7);
    state_end_section(w);
    state_put_u64(w, UINT64_MAX);
    state_end_section(w);
    state_begin_section(w, "second", 1);
    state_put_u32(w, 42);
    state_end_section(w);
}

/* Read the sample back; returns 0, or -1 on a reader error. With check_values, the values
 * must be the ones written (when the reader reports no error). */
static int read_sample_checked(struct state_reader *r, bool check_values)
{
    uint32_t v = 2;
    if (state_open_section(r, "outer", &v))
        return -1;
    uint8_t a = state_get_u8(r);
    bool b = state_get_bool(r);
    uint32_t c = state_get_u32(r);
    uint32_t vi = 1;
    if (state_open_section(r, "inner", &vi))
        return -1;
    uint64_t d = state_get_u64(r);
    int64_t e = state_get_i64(r);
    char s[5];
    state_get_bytes(r, s, 5);
    if (state_close_section(r))
        return -1;
    uint32_t ve = 7;
    if (state_open_section(r, "empty", &ve) || state_close_section(r))
        return -1;
    uint64_t f = state_get_u64(r);
    if (state_close_section(r))
        return -1;
    uint32_t v2 = 1;
    if (state_open_section(r, "second", &v2))
        return -1;
    uint32_t g = state_get_u32(r);
    if (state_close_section(r))
        return -1;
    if (state_reader_error(r))
        return -1;
    if (!check_values)
        return 0;
    assert_int_equal(v, 2);
    assert_int_equal(a, 0xab);
    assert_true(b);
    assert_int_equal(c, 0xdeadbeefu);
    assert_int_equal(d, 0x0123456789abcdefull);
    assert_int_equal(e, -5);
    assert_memory_equal(s, "hello", 5);
    assert_int_equal(ve, 7);
    assert_int_equal(f, UINT64_MAX);
    assert_int_equal(g, 42);
    assert_true(state_at_end(r));
    return 0;
}

static int read_sample(struct state_reader *r)
{
    return read_sample_checked(r, true);
}

static void round_trip(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    assert_int_equal(state_writer_status(&w), 0);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    assert_true(len > 0);
    /* Little-endian layout of the first header: length, name, version, body length. */
    assert_int_equal(data[0], 5);
    assert_memory_equal(data + 1, "outer", 5);
    assert_int_equal(data[6], 2);
    assert_int_equal(data[7] | data[8] | data[9], 0);

    struct state_reader r;
    state_reader_init(&r, data, len);
    assert_int_equal(read_sample(&r), 0);
    assert_null(state_reader_error(&r));

    /* The writer can be reset and reused; the bytes come out the same. */
    uint8_t *copy = malloc(len);
    memcpy(copy, data, len);
    state_writer_reset(&w);
    write_sample(&w);
    size_t len2;
    const uint8_t *data2 = state_writer_data(&w, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(data2, copy, len);
    free(copy);
    state_writer_free(&w);
}

static void large_stream_grows(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    state_begin_section(&w, "big", 1);
    uint8_t block[1000];
    for (int i = 0; i < 1000; i++) {
        memset(block, i & 0xff, sizeof(block));
        state_put_bytes(&w, block, sizeof(block));
    }
    state_end_section(&w);
    assert_int_equal(state_writer_status(&w), 0);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    state_reader_init(&r, data, len);
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "big", &v), 0);
    for (int i = 0; i < 1000; i++) {
        state_get_bytes(&r, block, sizeof(block));
        assert_int_equal(block[0], i & 0xff);
        assert_int_equal(block[999], i & 0xff);
    }
    assert_int_equal(state_close_section(&r), 0);
    assert_true(state_at_end(&r));
    state_writer_free(&w);
}

static void truncated_at_every_length(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    for (size_t cut = 0; cut < len; cut++) {
        /* An exactly sized heap copy, so a sanitizer sees any read past the end. */
        uint8_t *prefix = malloc(cut ? cut : 1);
        memcpy(prefix, data, cut);
        struct state_reader r;
        state_reader_init(&r, prefix, cut);
        assert_int_equal(read_sample(&r), -1);
        assert_non_null(state_reader_error(&r));
        free(prefix);
    }
    state_writer_free(&w);
}

static void wrong_section_name(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    state_reader_init(&r, data, len);
    uint32_t v = 9;
    assert_int_equal(state_open_section(&r, "outre", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "expected section \"outre\", found \"outer\""));
    /* A prefix of the right name is not the name. */
    state_reader_init(&r, data, len);
    v = 9;
    assert_int_equal(state_open_section(&r, "out", &v), -1);
    state_writer_free(&w);
}

static void newer_version_refused(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    state_begin_section(&w, "dev", 3);
    state_put_u32(&w, 1);
    state_end_section(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);

    struct state_reader r;
    state_reader_init(&r, data, len);
    uint32_t v = 2;
    assert_int_equal(state_open_section(&r, "dev", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "version 3"));

    state_reader_init(&r, data, len);
    v = 3;
    assert_int_equal(state_open_section(&r, "dev", &v), 0);
    assert_int_equal(v, 3);

    /* An older section is accepted and its version reported. */
    state_reader_init(&r, data, len);
    v = 10;
    assert_int_equal(state_open_section(&r, "dev", &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(state_get_u32(&r), 1);
    assert_int_equal(state_close_section(&r), 0);
    state_writer_free(&w);
}

/* A hand-made header: name, version, length (no body). */
static size_t make_header(uint8_t *p, uint8_t name_len, const char *name, uint32_t version,
                          uint64_t body)
{
    size_t n = 0;
    p[n++] = name_len;
    memcpy(p + n, name, strlen(name));
    n += strlen(name);
    for (int i = 0; i < 4; i++)
        p[n++] = (uint8_t)(version >> (8 * i));
    for (int i = 0; i < 8; i++)
        p[n++] = (uint8_t)(body >> (8 * i));
    return n;
}

static void huge_length_fields(void **state)
{
    (void)state;
    const uint64_t lengths[] = { UINT64_MAX, UINT64_MAX - 1, (uint64_t)SIZE_MAX,
                                 (uint64_t)SIZE_MAX - 13, 1ull << 63, 1ull << 32, 5 };
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        uint8_t buf[64];
        size_t n = make_header(buf, 3, "abc", 1, lengths[i]);
        buf[n++] = 1;
        buf[n++] = 2; /* two body bytes: less than any claimed length */
        uint8_t *heap = malloc(n);
        memcpy(heap, buf, n);
        struct state_reader r;
        state_reader_init(&r, heap, n);
        uint32_t v = 1;
        assert_int_equal(state_open_section(&r, "abc", &v), -1);
        assert_non_null(strstr(state_reader_error(&r), "claims"));
        state_reader_init(&r, heap, n);
        assert_int_equal(state_skip_section(&r, NULL), -1);
        free(heap);
    }
}

static void inner_bounded_by_outer(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t n = make_header(buf, 5, "outer", 1, 18 + 2);
    n += make_header(buf + n, 5, "inner", 1, 30);
    memset(buf + n, 0, 40);
    n += 40;
    struct state_reader r;
    state_reader_init(&r, buf, n);
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "outer", &v), 0);
    v = 1;
    assert_int_equal(state_open_section(&r, "inner", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "claims 30 bytes, only 2 remain"));
    /* Reads inside a section stop at its end, not the buffer's. */
    state_reader_init(&r, buf, n);
    v = 1;
    assert_int_equal(state_open_section(&r, "outer", &v), 0);
    uint8_t body[21];
    state_get_bytes(&r, body, 21);
    assert_non_null(state_reader_error(&r));
    assert_int_equal(body[0], 0); /* zero-filled on error */
}

static void malformed_headers(void **state)
{
    (void)state;
    uint8_t buf[400];
    struct state_reader r;
    uint32_t v;
    /* name length 0 */
    size_t n = make_header(buf, 0, "", 1, 0);
    state_reader_init(&r, buf, n);
    v = 1;
    assert_int_equal(state_open_section(&r, "x", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "malformed"));
    /* name length over the limit */
    char name[300];
    memset(name, 'a', sizeof(name));
    name[255] = '\0';
    n = make_header(buf, 255, name, 1, 0);
    state_reader_init(&r, buf, n);
    v = 1;
    assert_int_equal(state_open_section(&r, "x", &v), -1);
    /* version 0 */
    n = make_header(buf, 1, "x", 0, 0);
    state_reader_init(&r, buf, n);
    v = 1;
    assert_int_equal(state_open_section(&r, "x", &v), -1);
    /* non-printable name bytes are shown safely */
    n = make_header(buf, 3, "a\x01z", 1, 0);
    state_reader_init(&r, buf, n);
    v = 1;
    assert_int_equal(state_open_section(&r, "abc", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "\"a?z\""));
    /* an empty stream has no section */
    state_reader_init(&r, NULL, 0);
    v = 1;
    assert_int_equal(state_open_section(&r, "x", &v), -1);
    assert_non_null(strstr(state_reader_error(&r), "expected section \"x\""));
    /* a boolean must be 0 or 1 */
    uint8_t two = 2;
    state_reader_init(&r, &two, 1);
    assert_false(state_get_bool(&r));
    assert_non_null(state_reader_error(&r));
    /* too deep */
    n = 0;
    for (int i = 0; i <= STATE_MAX_DEPTH; i++)
        n += make_header(buf + n, 1, "d", 1, (uint64_t)(STATE_MAX_DEPTH - i) * 14);
    state_reader_init(&r, buf, n);
    int rc = 0;
    for (int i = 0; i <= STATE_MAX_DEPTH && rc == 0; i++) {
        v = 1;
        rc = state_open_section(&r, "d", &v);
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(state_reader_error(&r), "nested"));
}

static void close_rules(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    state_begin_section(&w, "s", 1);
    state_put_u64(&w, 7);
    state_end_section(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    /* unread bytes */
    state_reader_init(&r, data, len);
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "s", &v), 0);
    state_get_u32(&r);
    assert_int_equal(state_close_section(&r), -1);
    assert_non_null(strstr(state_reader_error(&r), "state section \"s\": 4 bytes"));
    /* close without open */
    state_reader_init(&r, data, len);
    assert_int_equal(state_close_section(&r), -1);
    state_writer_free(&w);
}

static void sticky_error(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    state_reader_init(&r, data, len);
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "second", &v), -1);
    char first[STATE_ERROR_MAX];
    snprintf(first, sizeof(first), "%s", state_reader_error(&r));
    /* Everything after the first error does nothing and returns zeros. */
    assert_int_equal(state_get_u64(&r), 0);
    assert_int_equal(state_get_u8(&r), 0);
    uint8_t bytes[4] = { 1, 2, 3, 4 };
    state_get_bytes(&r, bytes, 4);
    assert_int_equal(bytes[0] | bytes[1] | bytes[2] | bytes[3], 0);
    v = 2;
    assert_int_equal(state_open_section(&r, "outer", &v), -1);
    assert_int_equal(state_fail(&r, "another problem"), -1);
    assert_false(state_at_end(&r));
    assert_string_equal(state_reader_error(&r), first);
    state_writer_free(&w);
}

static void fail_message_names_section(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    state_begin_section(&w, "uart", 1);
    state_put_u8(&w, 99);
    state_end_section(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    state_reader_init(&r, data, len);
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "uart", &v), 0);
    uint8_t head = state_get_u8(&r);
    assert_int_equal(state_fail(&r, "FIFO head %u out of range", head), -1);
    assert_string_equal(state_reader_error(&r),
                        "state section \"uart\": FIFO head 99 out of range");
    state_writer_free(&w);
}

static void skip_sections(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    struct state_reader r;
    state_reader_init(&r, data, len);
    char name[STATE_NAME_MAX + 1];
    assert_int_equal(state_skip_section(&r, name), 0);
    assert_string_equal(name, "outer");
    uint32_t v = 1;
    assert_int_equal(state_open_section(&r, "second", &v), 0);
    assert_int_equal(state_get_u32(&r), 42);
    assert_int_equal(state_close_section(&r), 0);
    assert_true(state_at_end(&r));
    assert_int_equal(state_skip_section(&r, name), -1); /* nothing left */
    state_writer_free(&w);
}

static void writer_failures(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    state_begin_section(&w, "open", 1);
    assert_int_equal(state_writer_status(&w), -1); /* still open */
    state_end_section(&w);
    assert_int_equal(state_writer_status(&w), 0);
    state_end_section(&w); /* nothing open */
    assert_int_equal(state_writer_status(&w), -1);

    state_writer_reset(&w);
    state_begin_section(&w, "", 1);
    assert_int_equal(state_writer_status(&w), -1);

    state_writer_reset(&w);
    char long_name[STATE_NAME_MAX + 2];
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    state_begin_section(&w, long_name, 1);
    assert_int_equal(state_writer_status(&w), -1);

    state_writer_reset(&w);
    state_begin_section(&w, "v0", 0);
    assert_int_equal(state_writer_status(&w), -1);

    state_writer_reset(&w);
    for (int i = 0; i <= STATE_MAX_DEPTH; i++)
        state_begin_section(&w, "d", 1);
    for (int i = 0; i <= STATE_MAX_DEPTH; i++)
        state_end_section(&w);
    assert_int_equal(state_writer_status(&w), -1);
    state_writer_free(&w);
}

/* Random corruption of a valid stream: whatever happens, no crash and no read out of
 * bounds; the reader either succeeds or reports an error. */
static void random_corruption(void **state)
{
    (void)state;
    struct state_writer w;
    state_writer_init(&w);
    write_sample(&w);
    size_t len;
    const uint8_t *data = state_writer_data(&w, &len);
    uint8_t *copy = malloc(len);
    srand(4242);
    for (int trial = 0; trial < 20000; trial++) {
        memcpy(copy, data, len);
        int flips = 1 + rand() % 3;
        for (int f = 0; f < flips; f++)
            copy[(size_t)rand() % len] ^= (uint8_t)(1u << (rand() % 8));
        struct state_reader r;
        state_reader_init(&r, copy, len);
        int rc = read_sample_checked(&r, false);
        assert_true(rc == 0 || state_reader_error(&r) != NULL);
    }
    free(copy);
    state_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(large_stream_grows),
        cmocka_unit_test(truncated_at_every_length),
        cmocka_unit_test(wrong_section_name),
        cmocka_unit_test(newer_version_refused),
        cmocka_unit_test(huge_length_fields),
        cmocka_unit_test(inner_bounded_by_outer),
        cmocka_unit_test(malformed_headers),
        cmocka_unit_test(close_rules),
        cmocka_unit_test(sticky_error),
        cmocka_unit_test(fail_message_names_section),
        cmocka_unit_test(skip_sections),
        cmocka_unit_test(writer_failures),
        cmocka_unit_test(random_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
