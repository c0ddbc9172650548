/* wire.c — the packet layer of the remote serial protocol: '$payload#cs' framing, checksum
 * verification, '+'/'-' acknowledgements and retransmission, no-ack mode, run-length
 * decoding of incoming packets, the PacketSize limit, and the 0x03 interrupt byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "transport.h"

void gdb_session_fail(struct gdb_session *s, const char *what, int err_no)
{
    s->io = GDB_IO_FAILED;
    if (s->err && s->errlen)
        snprintf(s->err, s->errlen, "gdb: %s: %s", what, strerror(err_no));
}

/* Next input byte (blocking), or -1 once the connection is closed or failed. */
static int wire_getc(struct gdb_session *s)
{
    if (s->in_pos < s->in_len)
        return s->in[s->in_pos++];
    if (s->io != GDB_IO_OK)
        return -1;
    ssize_t n = gdb_transport_read(s->t, s->in, sizeof(s->in), -1);
    if (n > 0) {
        s->in_pos = 0;
        s->in_len = (size_t)n;
        return s->in[s->in_pos++];
    }
    if (n == GDB_IO_EOF)
        s->io = GDB_IO_CLOSED;
    else
        gdb_session_fail(s, "read", errno);
    return -1;
}

/* Give back the byte wire_getc just returned (it is still in the buffer). */
static void wire_ungetc(struct gdb_session *s)
{
    if (s->in_pos > 0)
        s->in_pos--;
}

static bool wire_put(struct gdb_session *s, const void *buf, size_t len)
{
    if (s->io != GDB_IO_OK)
        return false;
    ssize_t n = gdb_transport_write(s->t, buf, len);
    if (n == (ssize_t)len)
        return true;
    if (n == GDB_IO_EOF)
        s->io = GDB_IO_CLOSED;
    else
        gdb_session_fail(s, "write", errno);
    return false;
}

/* Expand run-length encoding ("X*n": n - 29 more copies of X) from raw into pkt. */
static bool rle_decode(struct gdb_session *s, size_t rawlen)
{
    size_t out = 0;
    for (size_t i = 0; i < rawlen; i++) {
        uint8_t b = s->raw[i];
        if (b != '*') {
            if (out >= GDB_PACKET_SIZE)
                return false;
            s->pkt[out++] = b;
            continue;
        }
        if (out == 0 || i + 1 >= rawlen)
            return false;
        uint8_t n = s->raw[++i];
        if (n < 32 || n > 126)
            return false;
        size_t repeat = (size_t)n - 29;
        if (repeat > GDB_PACKET_SIZE - out)
            return false;
        memset(s->pkt + out, s->pkt[out - 1], repeat);
        out += repeat;
    }
    s->pkt[out] = 0;
    s->pkt_len = out;
    return true;
}

bool gdb_wire_recv(struct gdb_session *s)
{
    for (;;) {
        int c = wire_getc(s);
        if (c < 0)
            return false;
        if (c != '$')
            continue;  /* acks, stray 0x03 while stopped, line noise */
        size_t rawlen = 0;
        unsigned sum = 0;
        bool oversize = false;
        for (;;) {
            c = wire_getc(s);
            if (c < 0)
                return false;
            if (c == '$') {  /* a new frame starts: drop the broken one */
                rawlen = 0;
                sum = 0;
                oversize = false;
                continue;
            }
            if (c == '#')
                break;
            sum += (unsigned)c;
            if (rawlen < sizeof(s->raw))
                s->raw[rawlen++] = (uint8_t)c;
            else
                oversize = true;
        }
        int hi = -1, lo = -1;
        int c1 = wire_getc(s);
        if (c1 < 0)
            return false;
        if (c1 == '$') {
            wire_ungetc(s);
        } else {
            int c2 = wire_getc(s);
            if (c2 < 0)
                return false;
            if (c2 == '$')
                wire_ungetc(s);
            hi = gdb_hex_digit(c1);
            lo = gdb_hex_digit(c2);
        }
        bool good = hi >= 0 && lo >= 0 && (unsigned)(hi << 4 | lo) == (sum & 0xff);
        if (!s->noack) {
            if (!wire_put(s, good ? "+" : "-", 1))
                return false;
            if (!good)
                continue;  /* gdb retransmits */
        }
        /* In no-ack mode nobody would retransmit: take the packet as it is. */
        s->bad_packet = oversize || !rle_decode(s, rawlen);
        if (s->bad_packet) {
            s->pkt_len = 0;
            s->pkt[0] = 0;
        }
        return true;
    }
}

bool gdb_wire_send_reply(struct gdb_session *s)
{
    if (s->overflow)
        gdb_reply_error(s, 0x01);
    unsigned sum = 0;
    for (size_t i = 0; i < s->tx_len; i++)
        sum += s->tx[1 + i];
    static const char hexchars[] = "0123456789abcdef";
    s->tx[0] = '$';
    s->tx[1 + s->tx_len] = '#';
    s->tx[2 + s->tx_len] = (uint8_t)hexchars[(sum >> 4) & 0xf];
    s->tx[3 + s->tx_len] = (uint8_t)hexchars[sum & 0xf];
    s->tx_frame_len = s->tx_len + 4;
    if (!wire_put(s, s->tx, s->tx_frame_len))
        return false;
    if (s->noack)
        return true;
    int naks = 0;
    for (;;) {
        int c = wire_getc(s);
        if (c < 0)
            return false;
        if (c == '+')
            return true;
        if (c == '$') {  /* gdb moved on: take it as the ack */
            wire_ungetc(s);
            return true;
        }
        if (c == '-') {
            if (++naks > GDB_MAX_NAKS) {
                gdb_session_fail(s, "reply rejected too often", EPROTO);
                return false;
            }
            if (!wire_put(s, s->tx, s->tx_frame_len))
                return false;
        }
    }
}

bool gdb_wire_poll_interrupt(struct gdb_session *s)
{
    bool interrupt = false;
    for (;;) {
        if (s->in_pos >= s->in_len) {
            if (s->io != GDB_IO_OK)
                break;
            ssize_t n = gdb_transport_read(s->t, s->in, sizeof(s->in), 0);
            if (n == GDB_IO_AGAIN)
                break;
            if (n == GDB_IO_EOF) {
                s->io = GDB_IO_CLOSED;
                break;
            }
            if (n < 0) {
                gdb_session_fail(s, "read", errno);
                break;
            }
            s->in_pos = 0;
            s->in_len = (size_t)n;
        }
        uint8_t c = s->in[s->in_pos];
        if (c == '$')
            break;  /* a packet: leave it for after the stop */
        s->in_pos++;
        if (c == 0x03)
            interrupt = true;
    }
    return interrupt;
}
