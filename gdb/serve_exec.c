/* serve_exec.c — run control: '?', c/s/C/S, bc/bs, vCont? and vCont, the run loop that
 * watches for the 0x03 interrupt while the target runs, and the stop replies (T/W/X with
 * thread and stop reason). */
#include <string.h>

#include "session.h"

#define MAX_VCONT_ACTIONS 64

static void reply_stop(struct gdb_session *s, const struct gdb_stop *st)
{
    gdb_reply_reset(s);
    if (st->kind == GDB_STOP_EXITED) {
        gdb_reply_char(s, 'W');
        gdb_reply_hex_byte(s, (unsigned)st->exit_code & 0xff);
        return;
    }
    if (st->kind == GDB_STOP_TERMINATED) {
        gdb_reply_char(s, 'X');
        gdb_reply_hex_byte(s, (unsigned)st->signal & 0xff);
        return;
    }
    gdb_reply_char(s, 'T');
    gdb_reply_hex_byte(s, (unsigned)st->signal & 0xff);
    gdb_reply_str(s, "thread:");
    gdb_reply_hex_u64(s, (uint64_t)st->thread);
    gdb_reply_char(s, ';');
    const char *watch = NULL;
    switch (st->reason) {
    case GDB_REASON_SWBREAK:
        if (s->peer_swbreak)
            gdb_reply_str(s, "swbreak:;");
        break;
    case GDB_REASON_HWBREAK:
        if (s->peer_hwbreak)
            gdb_reply_str(s, "hwbreak:;");
        break;
    case GDB_REASON_WATCH: watch = "watch:"; break;
    case GDB_REASON_RWATCH: watch = "rwatch:"; break;
    case GDB_REASON_AWATCH: watch = "awatch:"; break;
    case GDB_REASON_REPLAYLOG_BEGIN: gdb_reply_str(s, "replaylog:begin;"); break;
    case GDB_REASON_REPLAYLOG_END: gdb_reply_str(s, "replaylog:end;"); break;
    default: break;
    }
    if (watch) {
        gdb_reply_str(s, watch);
        gdb_reply_hex_u64(s, st->watch_addr);
        gdb_reply_char(s, ';');
    }
}

static void default_stop(struct gdb_stop *st, int thread)
{
    memset(st, 0, sizeof(*st));
    st->kind = GDB_STOP_SIGNAL;
    st->signal = 5;
    st->thread = thread;
    st->reason = GDB_REASON_NONE;
}

/* Run the target until it stops, then build the stop reply. */
static void run_target(struct gdb_session *s, enum gdb_resume_kind kind, int thread)
{
    const struct gdb_target_ops *ops = s->ops;
    if (!ops->run) {
        gdb_reply_error(s, 0x01);
        return;
    }
    struct gdb_stop st;
    bool first = true, interrupt = false;
    for (;;) {
        default_stop(&st, thread);
        if (ops->run(ops->ctx, kind, thread, first, interrupt, &st) != GDB_RUN_RUNNING)
            break;
        first = false;
        if (gdb_wire_poll_interrupt(s))
            interrupt = true;
        if (s->io != GDB_IO_OK) {
            /* gdb is gone: let the target come to rest; nobody waits for a reply. */
            default_stop(&st, thread);
            ops->run(ops->ctx, kind, thread, false, true, &st);
            return;
        }
    }
    if (st.kind != GDB_STOP_EXITED && st.kind != GDB_STOP_TERMINATED)
        st.kind = GDB_STOP_SIGNAL;
    if (st.thread < 1)
        st.thread = thread;
    s->last_stop = st;
    s->have_stop = true;
    if (st.kind == GDB_STOP_SIGNAL)
        s->g_thread = st.thread;  /* all-stop: gdb assumes Hg follows the stop thread */
    reply_stop(s, &st);
}

void gdb_handle_stop_query(struct gdb_session *s)
{
    if (s->pkt_len != 1)
        return;
    if (s->have_stop) {
        reply_stop(s, &s->last_stop);
        return;
    }
    struct gdb_stop st;
    default_stop(&st, gdb_current_thread(s));
    reply_stop(s, &st);
}

static int resume_thread(struct gdb_session *s)
{
    return s->c_thread > 0 ? s->c_thread : gdb_current_thread(s);
}

void gdb_handle_resume(struct gdb_session *s)
{
    uint8_t op = s->pkt[0];
    struct gdb_cursor c = gdb_cursor_at(s, 1);
    if (op == 'C' || op == 'S') {
        /* The signal is not delivered: a VM has no signals to pass. */
        uint64_t sig;
        if (!gdb_cur_hex_u64(&c, &sig) || sig > 0xff) {
            gdb_reply_error(s, 0x01);
            return;
        }
    }
    if (!gdb_cur_at_end(&c)) {
        /* "resume at addr" is not supported (gdb no longer sends it). */
        gdb_reply_error(s, 0x01);
        return;
    }
    bool step = op == 's' || op == 'S';
    run_target(s, step ? GDB_RESUME_STEP : GDB_RESUME_CONTINUE, resume_thread(s));
}

void gdb_handle_reverse(struct gdb_session *s)
{
    if (!s->ops->reverse)
        return;  /* not advertised: empty reply */
    if (gdb_pkt_is(s, "bc", NULL))
        run_target(s, GDB_RESUME_REVERSE_CONTINUE, resume_thread(s));
    else if (gdb_pkt_is(s, "bs", NULL))
        run_target(s, GDB_RESUME_REVERSE_STEP, resume_thread(s));
}

struct vcont_action {
    char type;   /* 'c', 's' or 't' (C and S fold into c and s) */
    int thread;  /* -1: all threads (no id or -1), 0: any, > 0: that thread */
};

static bool action_matches(const struct vcont_action *a, int thread, int current)
{
    return a->thread == -1 || a->thread == thread || (a->thread == 0 && thread == current);
}

void gdb_handle_vcont(struct gdb_session *s)
{
    if (gdb_pkt_is(s, "vCont?", NULL)) {
        gdb_reply_str(s, "vCont;c;C;s;S;t");
        return;
    }
    struct vcont_action actions[MAX_VCONT_ACTIONS];
    int n = 0;
    struct gdb_cursor c = gdb_cursor_at(s, 5);
    while (gdb_cur_eat(&c, ';')) {
        if (n >= MAX_VCONT_ACTIONS || gdb_cur_at_end(&c)) {
            gdb_reply_error(s, 0x01);
            return;
        }
        uint8_t type = *c.p++;
        uint64_t sig;
        if (type == 'C' || type == 'S') {
            if (!gdb_cur_hex_u64(&c, &sig) || sig > 0xff) {
                gdb_reply_error(s, 0x01);
                return;
            }
            type = type == 'C' ? 'c' : 's';
        } else if (type != 'c' && type != 's' && type != 't') {
            gdb_reply_error(s, 0x01);  /* r (range step) and unknown actions */
            return;
        }
        int thread = -1;
        if (gdb_cur_eat(&c, ':') && !gdb_cur_thread(&c, &thread)) {
            gdb_reply_error(s, 0x01);
            return;
        }
        actions[n].type = (char)type;
        actions[n].thread = thread;
        n++;
    }
    if (n == 0 || !gdb_cur_at_end(&c)) {
        gdb_reply_error(s, 0x01);
        return;
    }
    /* Each thread takes the first action that names it; one run() call covers them all. */
    int current = gdb_current_thread(s);
    gdb_refresh_threads(s);
    int step_thread = 0, cont_thread = 0;
    for (int i = 0; i < s->nthreads; i++) {
        int th = s->threads[i];
        for (int k = 0; k < n; k++) {
            if (!action_matches(&actions[k], th, current))
                continue;
            if (actions[k].type == 's' && step_thread == 0)
                step_thread = th;
            if (actions[k].type == 'c' && (cont_thread == 0 || th == current))
                cont_thread = th;
            break;
        }
    }
    if (step_thread)
        run_target(s, GDB_RESUME_STEP, step_thread);
    else if (cont_thread)
        run_target(s, GDB_RESUME_CONTINUE, cont_thread);
    else
        gdb_reply_error(s, 0x01);  /* nothing to resume (t only is for non-stop mode) */
}
