/* codec.c — the reply builder (hex, escaping, bounded appends into the session's frame
 * buffer) and the argument cursor (hex numbers, thread ids, hex and escaped binary data)
 * used by the packet handlers.  Every read and write here is bounds-checked. */
#include <limits.h>
#include <string.h>

#include "session.h"

static const char hexchars[] = "0123456789abcdef";

void gdb_reply_reset(struct gdb_session *s)
{
    s->tx_len = 0;
    s->overflow = false;
}

void gdb_reply_char(struct gdb_session *s, char c)
{
    if (s->tx_len >= GDB_REPLY_MAX) {
        s->overflow = true;
        return;
    }
    s->tx[1 + s->tx_len++] = (uint8_t)c;
}

void gdb_reply_str(struct gdb_session *s, const char *str)
{
    while (*str)
        gdb_reply_char(s, *str++);
}

void gdb_reply_hex_byte(struct gdb_session *s, unsigned v)
{
    gdb_reply_char(s, hexchars[(v >> 4) & 0xf]);
    gdb_reply_char(s, hexchars[v & 0xf]);
}

void gdb_reply_hex(struct gdb_session *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        gdb_reply_hex_byte(s, buf[i]);
}

void gdb_reply_hex_u64(struct gdb_session *s, uint64_t v)
{
    char digits[16];
    int n = 0;
    do {
        digits[n++] = hexchars[v & 0xf];
        v >>= 4;
    } while (v && n < 16);
    while (n > 0)
        gdb_reply_char(s, digits[--n]);
}

void gdb_reply_error(struct gdb_session *s, unsigned code)
{
    gdb_reply_reset(s);
    gdb_reply_char(s, 'E');
    gdb_reply_hex_byte(s, code & 0xff);
}

static bool needs_escape(uint8_t b)
{
    return b == '$' || b == '#' || b == '}' || b == '*';
}

size_t gdb_reply_escaped(struct gdb_session *s, const uint8_t *buf, size_t len, size_t limit)
{
    if (limit > GDB_REPLY_MAX)
        limit = GDB_REPLY_MAX;
    size_t i = 0;
    for (; i < len; i++) {
        size_t need = needs_escape(buf[i]) ? 2 : 1;
        if (s->tx_len > limit || limit - s->tx_len < need)
            break;
        if (need == 2) {
            s->tx[1 + s->tx_len++] = '}';
            s->tx[1 + s->tx_len++] = buf[i] ^ 0x20;
        } else {
            s->tx[1 + s->tx_len++] = buf[i];
        }
    }
    return i;
}

struct gdb_cursor gdb_cursor_at(const struct gdb_session *s, size_t off)
{
    if (off > s->pkt_len)
        off = s->pkt_len;
    struct gdb_cursor c = { s->pkt + off, s->pkt + s->pkt_len };
    return c;
}

int gdb_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool gdb_cur_eat(struct gdb_cursor *c, char ch)
{
    if (c->p < c->end && *c->p == (uint8_t)ch) {
        c->p++;
        return true;
    }
    return false;
}

bool gdb_cur_eat_str(struct gdb_cursor *c, const char *str)
{
    size_t n = strlen(str);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, str, n) != 0)
        return false;
    c->p += n;
    return true;
}

bool gdb_cur_at_end(const struct gdb_cursor *c)
{
    return c->p >= c->end;
}

bool gdb_cur_hex_u64(struct gdb_cursor *c, uint64_t *v)
{
    uint64_t x = 0;
    const uint8_t *start = c->p;
    while (c->p < c->end) {
        int d = gdb_hex_digit(*c->p);
        if (d < 0)
            break;
        if (x >> 60)
            return false;  /* more than 64 bits */
        x = (x << 4) | (uint64_t)d;
        c->p++;
    }
    if (c->p == start)
        return false;
    *v = x;
    return true;
}

bool gdb_cur_thread(struct gdb_cursor *c, int *id)
{
    if (gdb_cur_eat(c, '-')) {
        if (!gdb_cur_eat(c, '1'))
            return false;
        *id = -1;
        return true;
    }
    uint64_t v;
    if (!gdb_cur_hex_u64(c, &v) || v > INT_MAX)
        return false;
    *id = (int)v;
    return true;
}

bool gdb_cur_hex_bytes(struct gdb_cursor *c, uint8_t *out, size_t cap, size_t *len)
{
    size_t avail = (size_t)(c->end - c->p);
    if (avail % 2 != 0 || avail / 2 > cap)
        return false;
    for (size_t i = 0; i < avail / 2; i++) {
        int hi = gdb_hex_digit(c->p[2 * i]);
        int lo = gdb_hex_digit(c->p[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    c->p = c->end;
    *len = avail / 2;
    return true;
}

bool gdb_cur_unescape(struct gdb_cursor *c, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (b == '}') {
            if (c->p >= c->end)
                return false;
            b = *c->p++ ^ 0x20;
        }
        if (n >= cap)
            return false;
        out[n++] = b;
    }
    *len = n;
    return true;
}

bool gdb_pkt_is(const struct gdb_session *s, const char *name, const char *seps)
{
    size_t n = strlen(name);
    if (s->pkt_len < n || memcmp(s->pkt, name, n) != 0)
        return false;
    if (s->pkt_len == n)
        return true;
    return seps && s->pkt[n] != 0 && strchr(seps, s->pkt[n]) != NULL;
}
