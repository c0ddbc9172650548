/* serve.c — gdb_serve: the session loop and packet dispatch, plus the general queries
 * (qSupported, qC, qAttached, thread lists), thread selection (H, T), no-ack mode, and the
 * packets that end a session (k, vKill, D). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* ---- threads ---- */

void gdb_refresh_threads(struct gdb_session *s)
{
    const struct gdb_target_ops *ops = s->ops;
    if (!ops->threads) {
        s->threads[0] = 1;
        s->nthreads = 1;
        return;
    }
    int ids[GDB_MAX_THREADS];
    int n = ops->threads(ops->ctx, ids, GDB_MAX_THREADS);
    if (n < 0)
        n = 0;
    if (n > GDB_MAX_THREADS)
        n = GDB_MAX_THREADS;
    s->nthreads = 0;
    for (int i = 0; i < n; i++)
        if (ids[i] >= 1)
            s->threads[s->nthreads++] = ids[i];
}

bool gdb_thread_alive(struct gdb_session *s, int id)
{
    gdb_refresh_threads(s);
    for (int i = 0; i < s->nthreads; i++)
        if (s->threads[i] == id)
            return true;
    return false;
}

int gdb_current_thread(struct gdb_session *s)
{
    if (s->g_thread > 0)
        return s->g_thread;
    if (s->have_stop && s->last_stop.thread > 0)
        return s->last_stop.thread;
    gdb_refresh_threads(s);
    return s->nthreads > 0 ? s->threads[0] : 1;
}

/* ---- queries ---- */

static void handle_supported(struct gdb_session *s)
{
    /* gdb lists its own features after ':'; stop reasons need its consent. */
    struct gdb_cursor c = gdb_cursor_at(s, 0);
    gdb_cur_eat_str(&c, "qSupported");
    if (gdb_cur_eat(&c, ':')) {
        s->peer_swbreak = false;
        s->peer_hwbreak = false;
        while (!gdb_cur_at_end(&c)) {
            const uint8_t *start = c.p;
            while (c.p < c.end && *c.p != ';')
                c.p++;
            size_t n = (size_t)(c.p - start);
            if (n == 8 && memcmp(start, "swbreak+", 8) == 0)
                s->peer_swbreak = true;
            if (n == 8 && memcmp(start, "hwbreak+", 8) == 0)
                s->peer_hwbreak = true;
            gdb_cur_eat(&c, ';');
        }
    }
    char size[32];
    snprintf(size, sizeof(size), "PacketSize=%x", GDB_PACKET_SIZE);
    gdb_reply_str(s, size);
    gdb_reply_str(s, ";QStartNoAckMode+");
    if (s->ops->target_xml)
        gdb_reply_str(s, ";qXfer:features:read+");
    gdb_reply_str(s, ";qXfer:threads:read+;swbreak+;hwbreak+;vContSupported+");
    if (s->ops->reverse)
        gdb_reply_str(s, ";ReverseContinue+;ReverseStep+");
}

static void handle_thread_info(struct gdb_session *s, bool first)
{
    if (!first) {
        gdb_reply_char(s, 'l');
        return;
    }
    gdb_refresh_threads(s);
    if (s->nthreads == 0) {
        gdb_reply_char(s, 'l');
        return;
    }
    gdb_reply_char(s, 'm');
    for (int i = 0; i < s->nthreads; i++) {
        if (i)
            gdb_reply_char(s, ',');
        gdb_reply_hex_u64(s, (uint64_t)s->threads[i]);
    }
}

void gdb_handle_query(struct gdb_session *s)
{
    if (gdb_pkt_is(s, "qSupported", ":"))
        handle_supported(s);
    else if (gdb_pkt_is(s, "qC", NULL)) {
        gdb_reply_str(s, "QC");
        gdb_reply_hex_u64(s, (uint64_t)gdb_current_thread(s));
    } else if (gdb_pkt_is(s, "qAttached", ":"))
        gdb_reply_char(s, '1');
    else if (gdb_pkt_is(s, "qfThreadInfo", NULL))
        handle_thread_info(s, true);
    else if (gdb_pkt_is(s, "qsThreadInfo", NULL))
        handle_thread_info(s, false);
    else if (gdb_pkt_is(s, "qXfer", ":"))
        gdb_handle_xfer(s);
    else if (gdb_pkt_is(s, "qRcmd", ","))
        gdb_handle_monitor(s);
    /* anything else (qTStatus, qOffsets, qSymbol, ...): empty = not supported */
}

void gdb_handle_set(struct gdb_session *s)
{
    if (gdb_pkt_is(s, "QStartNoAckMode", NULL)) {
        /* Switch now: gdb's ack of this OK must not be awaited. */
        s->noack = true;
        gdb_reply_str(s, "OK");
    }
}

void gdb_handle_v(struct gdb_session *s)
{
    if (gdb_pkt_is(s, "vCont?", NULL) || gdb_pkt_is(s, "vCont", ";")) {
        gdb_handle_vcont(s);
    } else if (gdb_pkt_is(s, "vKill", ";")) {
        if (s->ops->kill)
            s->ops->kill(s->ops->ctx);
        gdb_reply_str(s, "OK");
        s->done = true;
    }
    /* vMustReplyEmpty and every other v packet: empty reply */
}

void gdb_handle_thread_select(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    if (c.p >= c.end) {
        gdb_reply_error(s, 0x01);
        return;
    }
    uint8_t op = *c.p++;
    int id;
    if ((op != 'g' && op != 'c') || !gdb_cur_thread(&c, &id) || !gdb_cur_at_end(&c)) {
        gdb_reply_error(s, 0x01);
        return;
    }
    if (id > 0 && !gdb_thread_alive(s, id)) {
        gdb_reply_error(s, 0x01);
        return;
    }
    if (op == 'g')
        s->g_thread = id;
    else
        s->c_thread = id;
    gdb_reply_str(s, "OK");
}

void gdb_handle_thread_alive(struct gdb_session *s)
{
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    int id;
    if (!gdb_cur_thread(&c, &id) || !gdb_cur_at_end(&c) || id <= 0 || !gdb_thread_alive(s, id))
        gdb_reply_error(s, 0x01);
    else
        gdb_reply_str(s, "OK");
}

/* ---- dispatch ---- */

static void dispatch(struct gdb_session *s)
{
    gdb_reply_reset(s);
    if (s->bad_packet) {
        gdb_reply_error(s, 0x01);
        return;
    }
    if (s->pkt_len == 0)
        return;
    switch (s->pkt[0]) {
    case '?': gdb_handle_stop_query(s); break;
    case 'g': gdb_handle_read_regs(s); break;
    case 'G': gdb_handle_write_regs(s); break;
    case 'p': gdb_handle_read_reg(s); break;
    case 'P': gdb_handle_write_reg(s); break;
    case 'm': gdb_handle_read_mem(s); break;
    case 'M':
    case 'X': gdb_handle_write_mem(s); break;
    case 'c':
    case 's':
    case 'C':
    case 'S': gdb_handle_resume(s); break;
    case 'b': gdb_handle_reverse(s); break;
    case 'v': gdb_handle_v(s); break;
    case 'H': gdb_handle_thread_select(s); break;
    case 'T': gdb_handle_thread_alive(s); break;
    case 'q': gdb_handle_query(s); break;
    case 'Q': gdb_handle_set(s); break;
    case 'Z':
    case 'z': gdb_handle_breakpoint(s); break;
    case 'k':
        if (s->pkt_len == 1) {  /* k has no reply */
            if (s->ops->kill)
                s->ops->kill(s->ops->ctx);
            s->no_reply = true;
            s->done = true;
        }
        break;
    case 'D':
        if (s->pkt_len == 1 || s->pkt[1] == ';') {
            gdb_reply_str(s, "OK");
            s->done = true;
        } else {
            gdb_reply_error(s, 0x01);
        }
        break;
    default: break;  /* unknown: empty reply */
    }
}

int gdb_serve(struct gdb_transport *t, const struct gdb_target_ops *ops, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!t || !ops) {
        if (err && errlen)
            snprintf(err, errlen, "gdb: no transport or target");
        return -1;
    }
    struct gdb_session *s = calloc(1, sizeof(*s));
    if (!s) {
        if (err && errlen)
            snprintf(err, errlen, "gdb: out of memory");
        return -1;
    }
    s->t = t;
    s->ops = ops;
    s->err = err;
    s->errlen = errlen;
    s->io = GDB_IO_OK;
    s->peer_swbreak = true;  /* until qSupported says otherwise */
    s->peer_hwbreak = true;

    while (!s->done && gdb_wire_recv(s)) {
        s->no_reply = false;
        bool detach = s->pkt_len >= 1 && s->pkt[0] == 'D' && !s->bad_packet;
        dispatch(s);
        /* (the connection may have gone away while the target ran) */
        bool sent = s->io == GDB_IO_OK && (s->no_reply || gdb_wire_send_reply(s));
        if (detach && s->done && ops->detach)
            ops->detach(ops->ctx);
        if (!sent)
            break;
    }
    int rc = s->io == GDB_IO_FAILED ? -1 : 0;
    free(s);
    return rc;
}
