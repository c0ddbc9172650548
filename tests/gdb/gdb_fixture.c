/* gdb_fixture.c — the fake target and the socketpair harness for the gdb protocol tests. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdb_fixture.h"

#define IO_TIMEOUT_MS 5000

const char fake_target_xml[] =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target><architecture>riscv:rv64</architecture>"
    "<!-- escapes: $ # } * -->"
    "<xi:include href=\"riscv-64bit-cpu.xml\"/></target>\n";

static struct fake_target *F(void *ctx) { return ctx; }

static int fake_threads(void *ctx, int *ids, int max)
{
    int n = F(ctx)->nthreads;
    for (int i = 0; i < n && i < max; i++)
        ids[i] = i + 1;
    return n < max ? n : max;
}

static bool thread_ok(struct fake_target *f, int thread)
{
    return thread >= 1 && thread <= f->nthreads && thread <= 2;
}

static int fake_read_reg(void *ctx, int thread, int regno, uint8_t *buf, size_t *len)
{
    struct fake_target *f = F(ctx);
    if (!thread_ok(f, thread))
        return -1;
    if (regno >= 0 && regno < FAKE_NUM_REGS) {
        for (int i = 0; i < 8; i++)
            buf[i] = (uint8_t)(f->regs[thread][regno] >> (8 * i));
        *len = 8;
        return 0;
    }
    if (regno == FAKE_REG_FCSR) {
        for (int i = 0; i < 4; i++)
            buf[i] = (uint8_t)(f->fcsr[thread] >> (8 * i));
        *len = 4;
        return 0;
    }
    if (regno == FAKE_REG_UNAVAIL) {
        *len = 8;
        return -1;
    }
    return -1;
}

static int fake_write_reg(void *ctx, int thread, int regno, const uint8_t *buf, size_t len)
{
    struct fake_target *f = F(ctx);
    if (!thread_ok(f, thread))
        return -1;
    if (regno >= 0 && regno < FAKE_NUM_REGS && len == 8) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
            v |= (uint64_t)buf[i] << (8 * i);
        f->regs[thread][regno] = v;
        return 0;
    }
    if (regno == FAKE_REG_FCSR && len == 4) {
        uint32_t v = 0;
        for (int i = 0; i < 4; i++)
            v |= (uint32_t)buf[i] << (8 * i);
        f->fcsr[thread] = v;
        return 0;
    }
    return -1;
}

static int mem_span(uint64_t addr, size_t len)
{
    if (addr < FAKE_MEM_BASE || addr >= FAKE_MEM_BASE + FAKE_MEM_SIZE)
        return -1;
    uint64_t room = FAKE_MEM_BASE + FAKE_MEM_SIZE - addr;
    return (int)(len < room ? len : room);
}

static int fake_read_mem(void *ctx, int thread, uint64_t addr, uint8_t *buf, size_t len)
{
    (void)thread;
    int n = mem_span(addr, len);
    if (n > 0)
        memcpy(buf, F(ctx)->mem + (addr - FAKE_MEM_BASE), (size_t)n);
    return n;
}

static int fake_write_mem(void *ctx, int thread, uint64_t addr, const uint8_t *buf, size_t len)
{
    (void)thread;
    int n = mem_span(addr, len);
    if (n > 0)
        memcpy(F(ctx)->mem + (addr - FAKE_MEM_BASE), buf, (size_t)n);
    return n;
}

static enum gdb_run_result fake_run(void *ctx, enum gdb_resume_kind kind, int thread, bool first,
                                    bool interrupt, struct gdb_stop *stop)
{
    struct fake_target *f = F(ctx);
    f->run_calls++;
    if (first) {
        f->run_starts++;
        f->slice = 0;
    }
    f->last_kind = kind;
    f->last_thread = thread;
    f->last_interrupt = interrupt;
    if (interrupt) {
        f->interrupted_calls++;
        memset(stop, 0, sizeof(*stop));
        stop->kind = GDB_STOP_SIGNAL;
        stop->signal = 2;
        stop->thread = thread;
        return GDB_RUN_STOPPED;
    }
    if (f->stop_after < 0 || f->slice++ < f->stop_after) {
        if (f->run_sleep_us)
            usleep((useconds_t)f->run_sleep_us);
        return GDB_RUN_RUNNING;
    }
    *stop = f->next_stop;
    if (stop->thread == 0)
        stop->thread = thread;
    return GDB_RUN_STOPPED;
}

static int fake_breakpoint(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t kind, bool insert)
{
    struct fake_target *f = F(ctx);
    f->bp_calls++;
    f->last_bp_type = type;
    f->last_bp_addr = addr;
    f->last_bp_kind = kind;
    f->last_bp_insert = insert;
    if (type == GDB_WP_ACCESS)
        return 1;
    if (addr == FAKE_BP_FAIL_ADDR)
        return -1;
    return 0;
}

static const char *fake_target_xml_fn(void *ctx, const char *annex)
{
    if (strcmp(annex, "target.xml") == 0)
        return fake_target_xml;
    if (strcmp(annex, "big.xml") == 0)
        return F(ctx)->big_xml;
    return NULL;
}

static int fake_monitor(void *ctx, const char *command, void (*out)(void *octx, const char *text),
                        void *octx)
{
    struct fake_target *f = F(ctx);
    snprintf(f->last_monitor, sizeof(f->last_monitor), "%s", command);
    if (strcmp(command, "hello") == 0) {
        out(octx, "hi\n");
        out(octx, "there\n");
        return 0;
    }
    if (strcmp(command, "long") == 0) {
        static const size_t n = 20000;
        char *text = malloc(n + 1);
        if (!text)
            return -1;
        for (size_t i = 0; i < n; i++)
            text[i] = (char)('a' + i % 26);
        text[n] = 0;
        out(octx, text);
        free(text);
        return 0;
    }
    if (strcmp(command, "quiet") == 0)
        return 0;
    return -1;
}

static void fake_kill(void *ctx) { F(ctx)->kills++; }
static void fake_detach(void *ctx) { F(ctx)->detaches++; }

void fake_target_init(struct fake_target *f)
{
    memset(f, 0, sizeof(*f));
    f->nthreads = 2;
    for (int t = 1; t <= 2; t++) {
        for (int r = 0; r < FAKE_NUM_REGS; r++)
            f->regs[t][r] = 0x1000u * (unsigned)t + (unsigned)r;
        f->fcsr[t] = 0xa0u + (unsigned)t;
    }
    for (size_t i = 0; i < FAKE_MEM_SIZE; i++)
        f->mem[i] = (uint8_t)i;
    f->stop_after = 3;
    f->next_stop.kind = GDB_STOP_SIGNAL;
    f->next_stop.signal = 5;
}

void fake_target_ops(struct gdb_target_ops *ops, struct fake_target *f, bool reverse)
{
    memset(ops, 0, sizeof(*ops));
    ops->threads = fake_threads;
    ops->read_reg = fake_read_reg;
    ops->write_reg = fake_write_reg;
    ops->num_regs = FAKE_NUM_REGS;
    ops->read_mem = fake_read_mem;
    ops->write_mem = fake_write_mem;
    ops->run = fake_run;
    ops->breakpoint = fake_breakpoint;
    ops->target_xml = fake_target_xml_fn;
    ops->monitor = fake_monitor;
    ops->kill = fake_kill;
    ops->detach = fake_detach;
    ops->reverse = reverse;
    ops->ctx = f;
}

static void *serve_thread(void *arg)
{
    struct gdb_harness *h = arg;
    h->serve_rc = gdb_serve(h->t, &h->ops, h->err, sizeof(h->err));
    gdb_transport_close(h->t);
    return NULL;
}

struct gdb_harness *harness_new(bool reverse)
{
    struct gdb_harness *h = calloc(1, sizeof(*h));
    assert_non_null(h);
    fake_target_init(&h->fake);
    fake_target_ops(&h->ops, &h->fake, reverse);
    h->fd = -1;
    return h;
}

void harness_start(struct gdb_harness *h)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    h->fd = sv[0];
    h->t = gdb_transport_fd(sv[1]);
    assert_non_null(h->t);
    assert_int_equal(pthread_create(&h->thread, NULL, serve_thread, h), 0);
    h->running = true;
}

int harness_finish(struct gdb_harness *h)
{
    if (h->fd >= 0) {
        close(h->fd);
        h->fd = -1;
    }
    if (h->running) {
        pthread_join(h->thread, NULL);
        h->running = false;
    }
    return h->serve_rc;
}

static int setup_common(void **state, bool reverse)
{
    struct gdb_harness *h = harness_new(reverse);
    harness_start(h);
    *state = h;
    return 0;
}

int harness_setup(void **state) { return setup_common(state, false); }
int harness_setup_reverse(void **state) { return setup_common(state, true); }

int harness_teardown(void **state)
{
    struct gdb_harness *h = *state;
    if (h) {
        harness_finish(h);
        free(h);
    }
    *state = NULL;
    return 0;
}

void h_send_raw(struct gdb_harness *h, const void *bytes, size_t len)
{
    const char *p = bytes;
    while (len > 0) {
        ssize_t n = send(h->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

void h_send_str(struct gdb_harness *h, const char *s)
{
    h_send_raw(h, s, strlen(s));
}

size_t h_frame(const void *payload, size_t len, char *out, size_t cap)
{
    const uint8_t *p = payload;
    unsigned sum = 0;
    assert_true(len + 5 <= cap);
    out[0] = '$';
    for (size_t i = 0; i < len; i++) {
        sum += p[i];
        out[1 + i] = (char)p[i];
    }
    snprintf(out + 1 + len, cap - 1 - len, "#%02x", sum & 0xff);
    return len + 4;
}

void h_send_packet(struct gdb_harness *h, const void *payload, size_t len)
{
    size_t cap = len + 8;
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = h_frame(payload, len, buf, cap);
    h_send_raw(h, buf, n);
    free(buf);
}

/* One byte from the server, or -1 on EOF; fails the test after a timeout. */
static int h_getc(struct gdb_harness *h)
{
    struct pollfd p = { .fd = h->fd, .events = POLLIN };
    int r;
    do
        r = poll(&p, 1, IO_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        fail_msg("timed out waiting for the server");
    uint8_t c;
    ssize_t n;
    do
        n = read(h->fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return -1;
    return c;
}

void h_expect(struct gdb_harness *h, const char *expected)
{
    size_t n = strlen(expected);
    char got[256];
    assert_true(n < sizeof(got));
    for (size_t i = 0; i < n; i++) {
        int c = h_getc(h);
        if (c < 0)
            fail_msg("EOF after \"%.*s\", expected \"%s\"", (int)i, got, expected);
        got[i] = (char)c;
    }
    got[n] = 0;
    assert_string_equal(got, expected);
}

const char *h_read_packet(struct gdb_harness *h)
{
    int c = h_getc(h);
    if (c != '$')
        fail_msg("expected '$', got %d", c);
    unsigned sum = 0;
    h->reply_len = 0;
    for (;;) {
        c = h_getc(h);
        assert_true(c >= 0);
        if (c == '#')
            break;
        assert_true(h->reply_len + 1 < sizeof(h->reply));
        h->reply[h->reply_len++] = (char)c;
        sum += (unsigned)c;
    }
    h->reply[h->reply_len] = 0;
    char cs[3] = { 0 };
    for (int i = 0; i < 2; i++) {
        c = h_getc(h);
        assert_true(c >= 0);
        cs[i] = (char)c;
    }
    assert_int_equal(strtoul(cs, NULL, 16), sum & 0xff);
    return h->reply;
}

const char *h_cmd_bin(struct gdb_harness *h, const void *payload, size_t len)
{
    h_send_packet(h, payload, len);
    if (!h->noack)
        h_expect(h, "+");
    const char *r = h_read_packet(h);
    if (!h->noack)
        h_send_str(h, "+");
    return r;
}

const char *h_cmd(struct gdb_harness *h, const char *payload)
{
    return h_cmd_bin(h, payload, strlen(payload));
}

void h_expect_eof(struct gdb_harness *h)
{
    int c = h_getc(h);
    if (c != -1)
        fail_msg("expected EOF, got byte %d", c);
}

void h_expect_silence(struct gdb_harness *h, int ms)
{
    struct pollfd p = { .fd = h->fd, .events = POLLIN };
    assert_int_equal(poll(&p, 1, ms), 0);
}

void h_noack(struct gdb_harness *h)
{
    assert_string_equal(h_cmd(h, "QStartNoAckMode"), "OK");
    h->noack = true;
}

void h_hex(const void *buf, size_t len, char *out)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * len] = 0;
}
