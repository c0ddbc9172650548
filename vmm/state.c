/* state.c — the state stream's writer (growing buffer, section lengths filled in on close)
 * and its bounds-checked reader with a sticky error (see state.h). */
#include "vmm/state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_FIXED (4 + 8) /* version and length after the name */

/* ---- writer ---- */

void state_writer_init(struct state_writer *w)
{
    memset(w, 0, sizeof(*w));
}

void state_writer_free(struct state_writer *w)
{
    free(w->buf);
    memset(w, 0, sizeof(*w));
}

void state_writer_reset(struct state_writer *w)
{
    w->len = 0;
    w->depth = 0;
    w->failed = false;
}

int state_writer_status(const struct state_writer *w)
{
    return w->failed || w->depth != 0 ? -1 : 0;
}

const uint8_t *state_writer_data(const struct state_writer *w, size_t *len)
{
    *len = w->len;
    return w->buf;
}

/* Make room for n more bytes; false (and the writer failed) if that is impossible. */
static bool reserve(struct state_writer *w, size_t n)
{
    if (w->failed)
        return false;
    if (n <= w->cap - w->len)
        return true;
    if (n > SIZE_MAX / 2 - w->len) {
        w->failed = true;
        return false;
    }
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < n)
        cap *= 2;
    uint8_t *buf = realloc(w->buf, cap);
    if (!buf) {
        w->failed = true;
        return false;
    }
    w->buf = buf;
    w->cap = cap;
    return true;
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_number(struct state_writer *w, uint64_t v, unsigned bytes)
{
    if (!reserve(w, bytes))
        return;
    put_le(w->buf + w->len, v, bytes);
    w->len += bytes;
}

void state_put_u8(struct state_writer *w, uint8_t v)
{
    put_number(w, v, 1);
}

void state_put_bool(struct state_writer *w, bool v)
{
    put_number(w, v ? 1 : 0, 1);
}

void state_put_u32(struct state_writer *w, uint32_t v)
{
    put_number(w, v, 4);
}

void state_put_u64(struct state_writer *w, uint64_t v)
{
    put_number(w, v, 8);
}

void state_put_i64(struct state_writer *w, int64_t v)
{
    put_number(w, (uint64_t)v, 8);
}

void state_put_bytes(struct state_writer *w, const void *bytes, size_t len)
{
    if (!len || !reserve(w, len))
        return;
    memcpy(w->buf + w->len, bytes, len);
    w->len += len;
}

void state_begin_section(struct state_writer *w, const char *name, uint32_t version)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > STATE_NAME_MAX || version == 0 || w->depth >= STATE_MAX_DEPTH) {
        w->failed = true;
        return;
    }
    if (!reserve(w, 1 + n + HEADER_FIXED))
        return;
    state_put_u8(w, (uint8_t)n);
    state_put_bytes(w, name, n);
    state_put_u32(w, version);
    w->open[w->depth++] = w->len;
    state_put_u64(w, 0); /* the body length, filled in by state_end_section */
}

void state_end_section(struct state_writer *w)
{
    if (w->depth <= 0) {
        w->failed = true;
        return;
    }
    size_t at = w->open[--w->depth];
    if (w->failed)
        return;
    put_le(w->buf + at, (uint64_t)(w->len - at - 8), 8);
}

/* ---- reader ---- */

void state_reader_init(struct state_reader *r, const void *buf, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->len = buf ? len : 0;
    r->limit = r->len;
}

const char *state_reader_error(const struct state_reader *r)
{
    return r->failed ? r->error : NULL;
}

static void vfail(struct state_reader *r, const char *fmt, va_list ap)
{
    if (r->failed)
        return;
    r->failed = true;
    size_t used = 0;
    if (r->depth > 0) {
        int n = snprintf(r->error, sizeof(r->error), "state section \"%s\": ",
                         r->names[r->depth - 1]);
        used = n > 0 && (size_t)n < sizeof(r->error) ? (size_t)n : 0;
    } else {
        int n = snprintf(r->error, sizeof(r->error), "state stream: ");
        used = n > 0 && (size_t)n < sizeof(r->error) ? (size_t)n : 0;
    }
    vsnprintf(r->error + used, sizeof(r->error) - used, fmt, ap);
}

int state_fail(struct state_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, fmt, ap);
    va_end(ap);
    return -1;
}

bool state_at_end(const struct state_reader *r)
{
    return !r->failed && r->pos == r->limit;
}

/* Claim n bytes of the innermost section; NULL (and an error) if they are not there. */
static const uint8_t *take(struct state_reader *r, size_t n)
{
    if (r->failed)
        return NULL;
    if (n > r->limit - r->pos) {
        state_fail(r, "truncated: %zu bytes wanted at offset %zu, %zu left", n, r->pos,
                   r->limit - r->pos);
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += n;
    return p;
}

static uint64_t get_le(struct state_reader *r, unsigned bytes)
{
    const uint8_t *p = take(r, bytes);
    if (!p)
        return 0;
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint8_t state_get_u8(struct state_reader *r)
{
    return (uint8_t)get_le(r, 1);
}

bool state_get_bool(struct state_reader *r)
{
    uint8_t v = state_get_u8(r);
    if (v > 1) {
        state_fail(r, "boolean with value %u at offset %zu", v, r->pos - 1);
        return false;
    }
    return v == 1;
}

uint32_t state_get_u32(struct state_reader *r)
{
    return (uint32_t)get_le(r, 4);
}

uint64_t state_get_u64(struct state_reader *r)
{
    return get_le(r, 8);
}

int64_t state_get_i64(struct state_reader *r)
{
    return (int64_t)get_le(r, 8);
}

void state_get_bytes(struct state_reader *r, void *dst, size_t len)
{
    const uint8_t *p = take(r, len);
    if (p)
        memcpy(dst, p, len);
    else if (len)
        memset(dst, 0, len);
}

/* A section name for messages: printable ASCII, anything else as '?'. */
static void printable_name(char out[STATE_NAME_MAX + 1], const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '?';
    out[n] = '\0';
}

/* Read a section header. On success the name (made printable), version and body length are
 * returned and the body is known to lie inside the innermost section. */
static int read_header(struct state_reader *r, uint8_t raw[STATE_NAME_MAX],
                       size_t *name_len, uint32_t *version, uint64_t *body)
{
    if (r->failed)
        return -1;
    if (r->pos == r->limit)
        return state_fail(r, "no section at offset %zu: end of %s", r->pos,
                          r->depth ? "the enclosing section" : "the stream");
    size_t start = r->pos;
    uint8_t n = state_get_u8(r);
    if (r->failed)
        return -1;
    if (n == 0 || n > STATE_NAME_MAX)
        return state_fail(r, "malformed section header at offset %zu (name length %u)", start,
                          n);
    state_get_bytes(r, raw, n);
    *version = state_get_u32(r);
    *body = state_get_u64(r);
    if (r->failed)
        return -1;
    if (*version == 0)
        return state_fail(r, "malformed section header at offset %zu (version 0)", start);
    if (*body > (uint64_t)(r->limit - r->pos))
        return state_fail(r, "section at offset %zu claims %llu bytes, only %zu remain", start,
                          (unsigned long long)*body, r->limit - r->pos);
    *name_len = n;
    return 0;
}

static int push(struct state_reader *r, const char *name, uint64_t body)
{
    if (r->depth >= STATE_MAX_DEPTH)
        return state_fail(r, "sections nested deeper than %d", STATE_MAX_DEPTH);
    r->ends[r->depth] = r->limit;
    snprintf(r->names[r->depth], sizeof(r->names[r->depth]), "%s", name);
    r->depth++;
    r->limit = r->pos + (size_t)body;
    return 0;
}

int state_open_section(struct state_reader *r, const char *name, uint32_t *version)
{
    if (r->failed)
        return -1;
    uint8_t raw[STATE_NAME_MAX];
    size_t n;
    uint32_t found;
    uint64_t body;
    if (read_header(r, raw, &n, &found, &body)) {
        char *e = r->error + strlen(r->error);
        size_t room = sizeof(r->error) - (size_t)(e - r->error);
        snprintf(e, room, " (expected section \"%s\")", name);
        return -1;
    }
    char shown[STATE_NAME_MAX + 1];
    printable_name(shown, raw, n);
    if (n != strlen(name) || memcmp(raw, name, n) != 0)
        return state_fail(r, "expected section \"%s\", found \"%s\"", name, shown);
    if (found > *version)
        return state_fail(r, "section \"%s\" has version %u; this build reads up to %u", name,
                          found, *version);
    *version = found;
    return push(r, name, body);
}

int state_close_section(struct state_reader *r)
{
    if (r->failed)
        return -1;
    if (r->depth == 0)
        return state_fail(r, "close without an open section");
    if (r->pos != r->limit)
        return state_fail(r, "%zu bytes of the section were not read", r->limit - r->pos);
    r->depth--;
    r->limit = r->ends[r->depth];
    return 0;
}

int state_skip_section(struct state_reader *r, char name[STATE_NAME_MAX + 1])
{
    uint8_t raw[STATE_NAME_MAX];
    size_t n;
    uint32_t version;
    uint64_t body;
    if (read_header(r, raw, &n, &version, &body))
        return -1;
    if (name)
        printable_name(name, raw, n);
    r->pos += (size_t)body;
    return 0;
}
