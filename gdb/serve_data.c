/* serve_data.c — the data packets: registers (g G p P), memory (m M X), breakpoints and
 * watchpoints (Z z), object transfer (qXfer:features:read, qXfer:threads:read) and monitor
 * commands (qRcmd with 'O' output packets). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "session.h"

#define ERR_ARGS 0x01    /* malformed or refused request */
#define ERR_MEMORY 0x0e  /* EFAULT: memory not accessible */
#define MAX_ANNEX 255

/* ---- registers ---- */

/* 0 with *len in 1..GDB_REG_MAX_BYTES; -1 with *len > 0: unavailable; -1 with 0: absent. */
static int read_one_reg(struct gdb_session *s, int thread, int regno, uint8_t *buf, size_t *len)
{
    const struct gdb_target_ops *ops = s->ops;
    *len = 0;
    if (!ops->read_reg)
        return -1;
    int rc = ops->read_reg(ops->ctx, thread, regno, buf, len);
    if (*len > GDB_REG_MAX_BYTES) {
        *len = 0;
        return -1;
    }
    if (rc != 0 || *len == 0)
        return -1;
    return 0;
}

static void reply_unavailable(struct gdb_session *s, size_t len)
{
    for (size_t i = 0; i < 2 * len; i++)
        gdb_reply_char(s, 'x');
}

void gdb_handle_read_regs(struct gdb_session *s)
{
    if (s->pkt_len != 1) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    int thread = gdb_current_thread(s);
    uint8_t buf[GDB_REG_MAX_BYTES];
    for (int r = 0; r < s->ops->num_regs && !s->overflow; r++) {
        size_t len;
        if (read_one_reg(s, thread, r, buf, &len) == 0)
            gdb_reply_hex(s, buf, len);
        else if (len > 0)
            reply_unavailable(s, len);
        else {
            gdb_reply_error(s, ERR_ARGS);
            return;
        }
    }
}

void gdb_handle_write_regs(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    size_t total;
    if (!s->ops->write_reg || !gdb_cur_hex_bytes(&c, s->scratch, sizeof(s->scratch), &total)) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    int thread = gdb_current_thread(s);
    uint8_t buf[GDB_REG_MAX_BYTES];
    size_t need = 0;
    for (int r = 0; r < s->ops->num_regs; r++) {
        size_t len;
        read_one_reg(s, thread, r, buf, &len);
        if (len == 0 || len > total - need) {
            gdb_reply_error(s, ERR_ARGS);
            return;
        }
        need += len;
    }
    if (need != total) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    size_t off = 0;
    for (int r = 0; r < s->ops->num_regs; r++) {
        size_t len;
        read_one_reg(s, thread, r, buf, &len);
        if (len == 0 || len > total - off ||
            s->ops->write_reg(s->ops->ctx, thread, r, s->scratch + off, len) != 0) {
            gdb_reply_error(s, ERR_ARGS);
            return;
        }
        off += len;
    }
    gdb_reply_str(s, "OK");
}

static bool parse_regno(struct gdb_cursor *c, int *regno)
{
    uint64_t v;
    if (!gdb_cur_hex_u64(c, &v) || v > INT_MAX)
        return false;
    *regno = (int)v;
    return true;
}

void gdb_handle_read_reg(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    int regno;
    if (!parse_regno(&c, &regno) || !gdb_cur_at_end(&c)) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    uint8_t buf[GDB_REG_MAX_BYTES];
    size_t len;
    if (read_one_reg(s, gdb_current_thread(s), regno, buf, &len) == 0)
        gdb_reply_hex(s, buf, len);
    else if (len > 0)
        reply_unavailable(s, len);
    else
        gdb_reply_error(s, ERR_ARGS);
}

void gdb_handle_write_reg(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    int regno;
    uint8_t buf[GDB_REG_MAX_BYTES];
    size_t len;
    if (!parse_regno(&c, &regno) || !gdb_cur_eat(&c, '=') ||
        !gdb_cur_hex_bytes(&c, buf, sizeof(buf), &len) || len == 0 || !s->ops->write_reg ||
        s->ops->write_reg(s->ops->ctx, gdb_current_thread(s), regno, buf, len) != 0) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    gdb_reply_str(s, "OK");
}

/* ---- memory ---- */

static bool parse_addr_len(struct gdb_cursor *c, uint64_t *addr, uint64_t *len)
{
    return gdb_cur_hex_u64(c, addr) && gdb_cur_eat(c, ',') && gdb_cur_hex_u64(c, len);
}

void gdb_handle_read_mem(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    uint64_t addr, len;
    if (!parse_addr_len(&c, &addr, &len) || !gdb_cur_at_end(&c)) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    /* A short read is allowed: cap at what one reply carries and at the end of the
     * address space. */
    if (len > GDB_PACKET_SIZE / 2)
        len = GDB_PACKET_SIZE / 2;
    if (addr != 0 && len > UINT64_MAX - addr + 1)
        len = UINT64_MAX - addr + 1;
    if (len == 0)
        return;
    if (!s->ops->read_mem) {
        gdb_reply_error(s, ERR_MEMORY);
        return;
    }
    int n = s->ops->read_mem(s->ops->ctx, gdb_current_thread(s), addr, s->scratch, (size_t)len);
    if (n <= 0 || (uint64_t)n > len) {
        gdb_reply_error(s, ERR_MEMORY);
        return;
    }
    gdb_reply_hex(s, s->scratch, (size_t)n);
}

void gdb_handle_write_mem(struct gdb_session *s)
{
    bool binary = s->pkt[0] == 'X';
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    uint64_t addr, len;
    size_t got;
    if (!parse_addr_len(&c, &addr, &len) || !gdb_cur_eat(&c, ':')) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    bool ok = binary ? gdb_cur_unescape(&c, s->scratch, sizeof(s->scratch), &got)
                     : gdb_cur_hex_bytes(&c, s->scratch, sizeof(s->scratch), &got);
    if (!ok || got != len || (addr != 0 && len > UINT64_MAX - addr + 1)) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    if (len == 0) {  /* gdb probes X support with a zero-length write */
        gdb_reply_str(s, "OK");
        return;
    }
    if (!s->ops->write_mem ||
        s->ops->write_mem(s->ops->ctx, gdb_current_thread(s), addr, s->scratch, got) != (int)got) {
        gdb_reply_error(s, ERR_MEMORY);
        return;
    }
    gdb_reply_str(s, "OK");
}

/* ---- breakpoints ---- */

void gdb_handle_breakpoint(struct gdb_session *s)
{
    bool insert = s->pkt[0] == 'Z';
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    uint64_t type, addr, kind;
    if (!gdb_cur_hex_u64(&c, &type) || !gdb_cur_eat(&c, ',') || !gdb_cur_hex_u64(&c, &addr) ||
        !gdb_cur_eat(&c, ',') || !gdb_cur_hex_u64(&c, &kind) ||
        !(gdb_cur_at_end(&c) || *c.p == ';')) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    /* Conditions and commands after ';' are not advertised and are ignored. */
    if (type > GDB_WP_ACCESS || !s->ops->breakpoint)
        return;
    int rc = s->ops->breakpoint(s->ops->ctx, (enum gdb_bp_type)type, addr, kind, insert);
    if (rc == 0)
        gdb_reply_str(s, "OK");
    else if (rc != 1)
        gdb_reply_error(s, ERR_ARGS);
}

/* ---- qXfer ---- */

/* Reply 'm' (more follows) or 'l' (last) with the escaped slice [offset, offset+length). */
static void reply_xfer_slice(struct gdb_session *s, const uint8_t *doc, size_t doclen,
                             uint64_t offset, uint64_t length)
{
    if (offset > doclen || length == 0) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    size_t avail = doclen - (size_t)offset;
    size_t want = length < avail ? (size_t)length : avail;
    gdb_reply_char(s, 'l');
    size_t sent = gdb_reply_escaped(s, doc + offset, want, GDB_PACKET_SIZE);
    if (sent < avail)
        s->tx[1] = 'm';
}

static size_t build_threads_xml(struct gdb_session *s)
{
    gdb_refresh_threads(s);
    char *out = (char *)s->scratch;
    size_t cap = sizeof(s->scratch), len = 0;
    int n = snprintf(out, cap, "<?xml version=\"1.0\"?>\n<threads>\n");
    len = (size_t)n;
    for (int i = 0; i < s->nthreads && len < cap; i++) {
        n = snprintf(out + len, cap - len, "<thread id=\"%x\"/>\n", (unsigned)s->threads[i]);
        len += (size_t)n;
    }
    if (len < cap) {
        n = snprintf(out + len, cap - len, "</threads>\n");
        len += (size_t)n;
    }
    return len < cap ? len : 0;
}

void gdb_handle_xfer(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 6);  /* after "qXfer:" */
    bool features;
    if (gdb_cur_eat_str(&c, "features:read:") && s->ops->target_xml)
        features = true;
    else if (gdb_cur_eat_str(&c, "threads:read:"))
        features = false;
    else
        return;  /* other objects and writes: not supported */
    char annex[MAX_ANNEX + 1];
    size_t alen = 0;
    while (c.p < c.end && *c.p != ':') {
        if (alen >= MAX_ANNEX || *c.p == 0) {
            gdb_reply_error(s, 0x00);
            return;
        }
        annex[alen++] = (char)*c.p++;
    }
    annex[alen] = 0;
    uint64_t offset, length;
    if (!gdb_cur_eat(&c, ':') || !gdb_cur_hex_u64(&c, &offset) || !gdb_cur_eat(&c, ',') ||
        !gdb_cur_hex_u64(&c, &length) || !gdb_cur_at_end(&c)) {
        gdb_reply_error(s, 0x00);
        return;
    }
    if (features) {
        const char *doc = s->ops->target_xml(s->ops->ctx, annex);
        if (!doc) {
            gdb_reply_error(s, 0x00);
            return;
        }
        reply_xfer_slice(s, (const uint8_t *)doc, strlen(doc), offset, length);
        return;
    }
    if (alen != 0) {
        gdb_reply_error(s, 0x00);
        return;
    }
    size_t len = build_threads_xml(s);
    if (len == 0) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    reply_xfer_slice(s, s->scratch, len, offset, length);
}

/* ---- qRcmd ---- */

static void monitor_out(void *octx, const char *text)
{
    struct gdb_session *s = octx;
    if (!text || s->io != GDB_IO_OK)
        return;
    size_t len = strlen(text);
    const size_t chunk = (GDB_PACKET_SIZE - 1) / 2;
    for (size_t off = 0; off < len && s->io == GDB_IO_OK; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        gdb_reply_reset(s);
        gdb_reply_char(s, 'O');
        gdb_reply_hex(s, (const uint8_t *)text + off, n);
        gdb_wire_send_reply(s);
    }
}

void gdb_handle_monitor(struct gdb_session *s)
{
    if (!s->ops->monitor)
        return;
    struct gdb_cursor c = gdb_cursor_at(s, 6);  /* after "qRcmd," */
    size_t len;
    if (!gdb_cur_hex_bytes(&c, s->scratch, sizeof(s->scratch) - 1, &len) ||
        memchr(s->scratch, 0, len) != NULL) {
        gdb_reply_error(s, ERR_ARGS);
        return;
    }
    s->scratch[len] = 0;
    int rc = s->ops->monitor(s->ops->ctx, (const char *)s->scratch, monitor_out, s);
    gdb_reply_reset(s);
    if (rc == 0)
        gdb_reply_str(s, "OK");
    else
        gdb_reply_error(s, ERR_ARGS);
}
