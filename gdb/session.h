/* session.h — internal: the state of one gdb_serve session, the packet framing layer (wire.c),
 * the reply builder and argument parser (codec.c), and the packet handlers (serve_*.c). */
#ifndef REWIND_GDB_SESSION_H
#define REWIND_GDB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub.h"

/* Room for a reply payload: a full 'g' of big registers may exceed PacketSize (gdb grows its
 * buffer for replies), so allow twice that. */
#define GDB_REPLY_MAX (2 * GDB_PACKET_SIZE)
/* Retransmissions of one reply before the session gives up. */
#define GDB_MAX_NAKS 64

enum gdb_io_state { GDB_IO_OK, GDB_IO_CLOSED, GDB_IO_FAILED };

struct gdb_session {
    struct gdb_transport *t;
    const struct gdb_target_ops *ops;
    char *err;
    size_t errlen;

    enum gdb_io_state io;
    bool noack;          /* QStartNoAckMode accepted */
    bool done;           /* detach/kill: end after this packet */
    bool no_reply;       /* this packet gets no reply (k) */
    bool peer_swbreak;   /* gdb understands swbreak:/hwbreak: stop reasons */
    bool peer_hwbreak;

    /* Input buffer: bytes read but not yet consumed. */
    uint8_t in[4096];
    size_t in_pos, in_len;

    /* The current packet, run-length decoded; bad_packet: oversized or undecodable. */
    uint8_t pkt[GDB_PACKET_SIZE + 1];
    size_t pkt_len;
    bool bad_packet;
    uint8_t raw[GDB_PACKET_SIZE];

    /* Outgoing frame: tx[0] = '$', payload from tx + 1 (tx_len bytes), then '#xx'.  Kept
     * after sending for retransmission.  overflow: the payload did not fit. */
    uint8_t tx[1 + GDB_REPLY_MAX + 3];
    size_t tx_len;
    size_t tx_frame_len;
    bool overflow;

    /* Decoded binary/hex arguments and generated documents. */
    uint8_t scratch[GDB_PACKET_SIZE + 1];

    int g_thread;        /* Hg: > 0 a thread, 0 any, -1 all */
    int c_thread;        /* Hc */
    struct gdb_stop last_stop;
    bool have_stop;      /* the target has run at least once */

    int threads[GDB_MAX_THREADS];
    int nthreads;
};

/* ---- wire.c: framing ---- */
/* Wait for the next packet (acking it); false when the session must end (EOF or error). */
bool gdb_wire_recv(struct gdb_session *s);
/* Frame and send the reply built in tx (waiting for the ack unless in no-ack mode). */
bool gdb_wire_send_reply(struct gdb_session *s);
/* While the target runs: consume pending input up to the next packet; true if a 0x03
 * interrupt byte was among it.  Sets s->io on EOF/error. */
bool gdb_wire_poll_interrupt(struct gdb_session *s);
void gdb_session_fail(struct gdb_session *s, const char *what, int err_no);

/* ---- codec.c: reply builder ---- */
void gdb_reply_reset(struct gdb_session *s);
void gdb_reply_char(struct gdb_session *s, char c);
void gdb_reply_str(struct gdb_session *s, const char *str);
void gdb_reply_hex(struct gdb_session *s, const uint8_t *buf, size_t len);
void gdb_reply_hex_u64(struct gdb_session *s, uint64_t v);   /* shortest hex */
void gdb_reply_hex_byte(struct gdb_session *s, unsigned v);  /* two digits */
void gdb_reply_error(struct gdb_session *s, unsigned code);  /* "Enn" (replaces the reply) */
/* Append data escaped for binary transfer ('$', '#', '}', '*'), stopping before the payload
 * would exceed limit bytes; returns how many input bytes went out. */
size_t gdb_reply_escaped(struct gdb_session *s, const uint8_t *buf, size_t len, size_t limit);

/* ---- codec.c: argument parsing over the decoded packet ---- */
struct gdb_cursor {
    const uint8_t *p, *end;
};
/* A cursor over the packet from byte off (clamped to the end). */
struct gdb_cursor gdb_cursor_at(const struct gdb_session *s, size_t off);
int gdb_hex_digit(int c);       /* 0..15, or -1 */
bool gdb_cur_eat(struct gdb_cursor *c, char ch);
bool gdb_cur_eat_str(struct gdb_cursor *c, const char *str);
bool gdb_cur_at_end(const struct gdb_cursor *c);
bool gdb_cur_hex_u64(struct gdb_cursor *c, uint64_t *v);   /* >= 1 digit, no overflow */
/* Thread id: "-1" (all), "0" (any) or positive hex. */
bool gdb_cur_thread(struct gdb_cursor *c, int *id);
/* Decode hex pairs up to the end into out (at most cap bytes); false on odd/non-hex/too long. */
bool gdb_cur_hex_bytes(struct gdb_cursor *c, uint8_t *out, size_t cap, size_t *len);
/* Undo binary escaping from the cursor to the end into out; false on a dangling '}' or too
 * much data. */
bool gdb_cur_unescape(struct gdb_cursor *c, uint8_t *out, size_t cap, size_t *len);
/* Is the packet exactly `name`, or `name` followed by one of the separators in seps? */
bool gdb_pkt_is(const struct gdb_session *s, const char *name, const char *seps);

/* ---- serve_*.c: packet handlers (each builds the reply in tx) ---- */
void gdb_refresh_threads(struct gdb_session *s);
bool gdb_thread_alive(struct gdb_session *s, int id);
int gdb_current_thread(struct gdb_session *s);      /* a concrete id for Hg */

void gdb_handle_query(struct gdb_session *s);        /* q... */
void gdb_handle_set(struct gdb_session *s);          /* Q... */
void gdb_handle_v(struct gdb_session *s);            /* v... */
void gdb_handle_stop_query(struct gdb_session *s);   /* ? */
void gdb_handle_resume(struct gdb_session *s);       /* c s C S */
void gdb_handle_reverse(struct gdb_session *s);      /* bc bs */
void gdb_handle_vcont(struct gdb_session *s);        /* vCont? vCont; */
void gdb_handle_thread_select(struct gdb_session *s);/* H */
void gdb_handle_thread_alive(struct gdb_session *s); /* T */
void gdb_handle_read_regs(struct gdb_session *s);    /* g */
void gdb_handle_write_regs(struct gdb_session *s);   /* G */
void gdb_handle_read_reg(struct gdb_session *s);     /* p */
void gdb_handle_write_reg(struct gdb_session *s);    /* P */
void gdb_handle_read_mem(struct gdb_session *s);     /* m */
void gdb_handle_write_mem(struct gdb_session *s);    /* M X */
void gdb_handle_breakpoint(struct gdb_session *s);   /* Z z */
void gdb_handle_xfer(struct gdb_session *s);         /* qXfer: */
void gdb_handle_monitor(struct gdb_session *s);      /* qRcmd, */

#endif
