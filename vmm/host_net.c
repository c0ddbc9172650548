/* host_net.c — the host side of a virtual NIC (see host_net.h): owns the parsing of the
 * -netdev spec, the bounded queue of frames waiting for the guest, the libslirp instance with
 * its timers and poll glue (backend "user"), the stream socket with QEMU's length-prefixed
 * framing (backend "socket"), and the counters. */
#define _GNU_SOURCE
#include "vmm/host_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libslirp.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MAX_HOSTFWD 32
#define ID_MAX 64
/* How long host_net_create waits for connect= to complete. */
#define CONNECT_TIMEOUT_MS 5000
/* Bytes of framed output kept for a slow peer; beyond it the guest's frames are dropped. */
#define SOCKET_WBUF_MAX (4u << 20)
/* Input buffer: room for one whole frame with its header, twice, so a read always fits. */
#define SOCKET_RBUF_SIZE (2 * (4 + HOST_NET_MAX_FRAME))

enum backend { BACKEND_USER, BACKEND_SOCKET };

struct rx_frame {
    size_t len;
    uint8_t data[];
};

struct net_timer {
    struct net_timer *next;
    SlirpTimerCb cb;
    void *cb_opaque;
    int64_t expire_ms; /* -1: not armed */
    unsigned fired_round;
};

struct hostfwd {
    bool udp;
    struct in_addr host_addr, guest_addr;
    int host_port, guest_port;
    char text[96];
};

struct host_net {
    enum backend backend;
    char id[ID_MAX];

    /* frames for the guest, oldest at head */
    struct rx_frame *queue[HOST_NET_QUEUE_FRAMES];
    unsigned q_head, q_count;
    size_t q_bytes;

    struct host_net_stats stats;
    char last_error[256];

    /* user */
    Slirp *slirp;
    struct net_timer *timers;
    unsigned timer_round;
    struct pollfd *pf_fds; /* during fill: where add_poll writes; during dispatch: revents */
    int pf_max, pf_count;
    bool pf_short;         /* add_poll ran out of room in the last fill */
    int want_fds;          /* how many fds the last fill wanted (for host_net_pump) */

    /* socket */
    int listen_fd, conn_fd;
    bool listen_mode;
    uint8_t *rbuf;
    size_t r_have;
    uint8_t *wbuf;         /* output not yet taken by the kernel: wbuf[w_off, w_off + w_have) */
    size_t w_off, w_have, w_cap;
};

/* ---------- errors ---------- */

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

#define NOTE(n, ...) set_err((n)->last_error, sizeof((n)->last_error), __VA_ARGS__)

/* ---------- the receive queue ---------- */

static bool queue_has_room(const struct host_net *n, size_t len)
{
    return n->q_count < HOST_NET_QUEUE_FRAMES && n->q_bytes + len <= HOST_NET_QUEUE_BYTES;
}

/* Queue a frame for the guest; false (and counted) when it was dropped. */
static bool queue_push(struct host_net *n, const uint8_t *data, size_t len)
{
    if (len < HOST_NET_MIN_FRAME || len > HOST_NET_MAX_FRAME || !queue_has_room(n, len)) {
        n->stats.rx_dropped++;
        return false;
    }
    struct rx_frame *f = malloc(sizeof(*f) + len);
    if (!f) {
        n->stats.rx_dropped++;
        return false;
    }
    f->len = len;
    memcpy(f->data, data, len);
    n->queue[(n->q_head + n->q_count) % HOST_NET_QUEUE_FRAMES] = f;
    n->q_count++;
    n->q_bytes += len;
    return true;
}

static struct rx_frame *queue_pop(struct host_net *n)
{
    if (!n->q_count)
        return NULL;
    struct rx_frame *f = n->queue[n->q_head];
    n->queue[n->q_head] = NULL;
    n->q_head = (n->q_head + 1) % HOST_NET_QUEUE_FRAMES;
    n->q_count--;
    n->q_bytes -= f->len;
    return f;
}

/* ---------- host time (for slirp's timers only; never reaches the guest) ---------- */

static int64_t host_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); // allowed-host-call: slirp's own timers, host side of the gate
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t host_now_ms(void)
{
    return host_now_ns() / 1000000;
}

/* ---------- slirp callbacks ---------- */

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
    struct host_net *n = opaque;
    queue_push(n, buf, len);
    return (ssize_t)len; /* a dropped frame is not an I/O error: slirp's TCP retransmits */
}

static void cb_guest_error(const char *msg, void *opaque)
{
    struct host_net *n = opaque;
    n->stats.guest_errors++;
    NOTE(n, "slirp: guest error: %s", msg ? msg : "?");
}

static int64_t cb_clock_get_ns(void *opaque)
{
    (void)opaque;
    return host_now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
    struct host_net *n = opaque;
    struct net_timer *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->cb = cb;
    t->cb_opaque = cb_opaque;
    t->expire_ms = -1;
    t->next = n->timers;
    n->timers = t;
    return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
    struct host_net *n = opaque;
    for (struct net_timer **p = &n->timers; *p; p = &(*p)->next) {
        if (*p == timer) {
            struct net_timer *t = *p;
            *p = t->next;
            free(t);
            return;
        }
    }
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
    (void)opaque;
    if (timer)
        ((struct net_timer *)timer)->expire_ms = expire_ms < 0 ? 0 : expire_ms;
}

static void cb_register_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
    (void)fd;
    (void)opaque;
}

static void cb_notify(void *opaque)
{
    (void)opaque;
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
};

static int cb_add_poll(int fd, int events, void *opaque)
{
    struct host_net *n = opaque;
    if (n->pf_count >= n->pf_max || !n->pf_fds) {
        n->pf_short = true;
        n->want_fds++;
        return -1;
    }
    short ev = 0;
    if (events & SLIRP_POLL_IN)
        ev |= POLLIN;
    if (events & SLIRP_POLL_OUT)
        ev |= POLLOUT;
    if (events & SLIRP_POLL_PRI)
        ev |= POLLPRI;
    int idx = n->pf_count++;
    n->want_fds++;
    n->pf_fds[idx] = (struct pollfd){ .fd = fd, .events = ev, .revents = 0 };
    return idx;
}

static int cb_get_revents(int idx, void *opaque)
{
    struct host_net *n = opaque;
    if (idx < 0 || idx >= n->pf_count || !n->pf_fds)
        return 0;
    short rev = n->pf_fds[idx].revents;
    int r = 0;
    if (rev & POLLIN)
        r |= SLIRP_POLL_IN;
    if (rev & POLLOUT)
        r |= SLIRP_POLL_OUT;
    if (rev & POLLPRI)
        r |= SLIRP_POLL_PRI;
    if (rev & POLLERR)
        r |= SLIRP_POLL_ERR;
    if (rev & POLLHUP)
        r |= SLIRP_POLL_HUP;
    return r;
}

/* Run the timers that are due; each at most once per call, so a timer re-armed in the past
 * by its own callback cannot spin. */
static void run_timers(struct host_net *n)
{
    unsigned round = ++n->timer_round;
    for (;;) {
        int64_t now = host_now_ms();
        struct net_timer *due = NULL;
        for (struct net_timer *t = n->timers; t; t = t->next) {
            if (t->expire_ms >= 0 && t->expire_ms <= now && t->fired_round != round) {
                due = t;
                break;
            }
        }
        if (!due)
            return;
        due->expire_ms = -1;
        due->fired_round = round;
        due->cb(due->cb_opaque); /* may add, modify or free timers: search again */
    }
}

static void lower_timeout(int *timeout_ms, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    if (ms > INT_MAX)
        ms = INT_MAX;
    if (*timeout_ms < 0 || ms < *timeout_ms)
        *timeout_ms = (int)ms;
}

/* ---------- SIGPIPE around libslirp ---------- */

/* libslirp writes to its host sockets with plain send() (no MSG_NOSIGNAL), so a host peer that
 * went away raises SIGPIPE, which kills a process that did not ignore it. Rather than change
 * the process's signal dispositions, block SIGPIPE on this thread while slirp runs and discard
 * the ones it raised (slirp sees EPIPE and closes the connection, as it should). */
struct sigpipe_guard {
    sigset_t old_mask;
    bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old_mask);
}

static void sigpipe_unblock(struct sigpipe_guard *g)
{
    int saved = errno;
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&pending);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE) == 1) {
        const struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
    errno = saved;
}

/* ---------- spec parsing ---------- */

/* One "key=value" option of the spec, unescaped (",," stands for a comma). */
struct option {
    char key[32];
    char value[256];
    bool has_value;
};

enum option_result { OPTION_END, OPTION_OK, OPTION_TOO_LONG };

/* Split the next option off *p. On OPTION_TOO_LONG, o->key holds its beginning. */
static enum option_result next_option(const char **p, struct option *o)
{
    memset(o, 0, sizeof(*o));
    const char *s = *p;
    if (!*s)
        return OPTION_END;
    char buf[sizeof(o->key) + 1 + sizeof(o->value)];
    size_t len = 0;
    while (*s && !(*s == ',' && s[1] != ',')) {
        char c = *s;
        s += c == ',' ? 2 : 1; /* ",," is an escaped comma */
        if (len + 1 >= sizeof(buf)) {
            snprintf(o->key, sizeof(o->key), "%.*s", (int)(sizeof(o->key) - 1), buf);
            return OPTION_TOO_LONG;
        }
        buf[len++] = c;
    }
    buf[len] = 0;
    if (*s == ',')
        s++;
    *p = s;
    char *eq = strchr(buf, '=');
    size_t klen = eq ? (size_t)(eq - buf) : len;
    if (klen >= sizeof(o->key) || (eq && strlen(eq + 1) >= sizeof(o->value))) {
        snprintf(o->key, sizeof(o->key), "%.*s", (int)(sizeof(o->key) - 1), buf);
        return OPTION_TOO_LONG;
    }
    memcpy(o->key, buf, klen);
    o->key[klen] = 0;
    if (eq) {
        o->has_value = true;
        strcpy(o->value, eq + 1);
    }
    return OPTION_OK;
}

/* A decimal port 1..65535 in s[0..len). */
static bool parse_port(const char *s, size_t len, int *out)
{
    if (len == 0 || len > 5)
        return false;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > 65535)
        return false;
    *out = v;
    return true;
}

static bool parse_ipv4(const char *s, size_t len, struct in_addr *out)
{
    char buf[INET_ADDRSTRLEN];
    if (len == 0 || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = 0;
    return inet_pton(AF_INET, buf, out) == 1;
}

static bool parse_bool(const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
        return true;
    }
    return false;
}

static bool valid_id(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len >= ID_MAX)
        return false;
    if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z')))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

#define NET_ADDR 0x0a000200u  /* 10.0.2.0 */
#define NET_MASK 0xffffff00u  /* /24 */
#define HOST_ADDR 0x0a000202u /* 10.0.2.2 */
#define DNS_ADDR 0x0a000203u  /* 10.0.2.3 */
#define DHCP_START 0x0a00020fu /* 10.0.2.15 */

/* [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
static bool parse_hostfwd(const char *v, struct hostfwd *fw, char *err, size_t errlen)
{
    memset(fw, 0, sizeof(*fw));
    snprintf(fw->text, sizeof(fw->text), "%s", v);
    const char *c1 = strchr(v, ':');
    if (!c1) {
        set_err(err, errlen, "hostfwd '%s': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
                v);
        return false;
    }
    size_t plen = (size_t)(c1 - v);
    if (plen == 0 || (plen == 3 && !strncmp(v, "tcp", 3))) {
        fw->udp = false;
    } else if (plen == 3 && !strncmp(v, "udp", 3)) {
        fw->udp = true;
    } else {
        set_err(err, errlen, "hostfwd '%s': protocol must be tcp or udp", v);
        return false;
    }
    const char *host = c1 + 1;
    const char *dash = strchr(host, '-');
    if (!dash) {
        set_err(err, errlen, "hostfwd '%s': expected HOSTPORT-[GUESTADDR]:GUESTPORT", v);
        return false;
    }
    /* host part: [HOSTADDR]:HOSTPORT */
    const char *c2 = memchr(host, ':', (size_t)(dash - host));
    if (!c2) {
        set_err(err, errlen, "hostfwd '%s': expected [HOSTADDR]:HOSTPORT before '-'", v);
        return false;
    }
    if (c2 == host) {
        fw->host_addr.s_addr = htonl(INADDR_ANY);
    } else if (!parse_ipv4(host, (size_t)(c2 - host), &fw->host_addr)) {
        set_err(err, errlen, "hostfwd '%s': bad host address '%.*s'", v, (int)(c2 - host), host);
        return false;
    }
    if (!parse_port(c2 + 1, (size_t)(dash - c2 - 1), &fw->host_port)) {
        set_err(err, errlen, "hostfwd '%s': bad host port '%.*s' (1-65535)", v,
                (int)(dash - c2 - 1), c2 + 1);
        return false;
    }
    /* guest part: [GUESTADDR]:GUESTPORT */
    const char *guest = dash + 1;
    const char *c3 = strchr(guest, ':');
    if (!c3) {
        set_err(err, errlen, "hostfwd '%s': expected [GUESTADDR]:GUESTPORT after '-'", v);
        return false;
    }
    if (c3 == guest) {
        fw->guest_addr.s_addr = htonl(DHCP_START);
    } else if (!parse_ipv4(guest, (size_t)(c3 - guest), &fw->guest_addr)) {
        set_err(err, errlen, "hostfwd '%s': bad guest address '%.*s'", v, (int)(c3 - guest),
                guest);
        return false;
    } else if ((ntohl(fw->guest_addr.s_addr) & NET_MASK) != NET_ADDR) {
        set_err(err, errlen, "hostfwd '%s': guest address must be in 10.0.2.0/24", v);
        return false;
    }
    if (!parse_port(c3 + 1, strlen(c3 + 1), &fw->guest_port)) {
        set_err(err, errlen, "hostfwd '%s': bad guest port '%s' (1-65535)", v, c3 + 1);
        return false;
    }
    return true;
}

/* HOST:PORT (HOST may be empty, a name, an IPv4 address or a [bracketed] IPv6 address). */
static bool split_host_port(const char *v, char *host, size_t hostlen, char *port,
                            size_t portlen)
{
    const char *colon = strrchr(v, ':');
    if (!colon)
        return false;
    size_t hl = (size_t)(colon - v);
    const char *h = v;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hostlen || strlen(colon + 1) >= portlen)
        return false;
    memcpy(host, h, hl);
    host[hl] = 0;
    strcpy(port, colon + 1);
    int p;
    return parse_port(port, strlen(port), &p);
}

/* ---------- socket backend ---------- */

static void socket_disconnect(struct host_net *n, const char *why)
{
    if (n->conn_fd >= 0)
        close(n->conn_fd);
    n->conn_fd = -1;
    n->r_have = 0;
    n->w_have = 0;
    n->w_off = 0;
    NOTE(n, "socket peer: %s", why);
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Move complete frames from the input buffer to the queue, while it has room. */
static void socket_parse(struct host_net *n)
{
    size_t off = 0;
    while (n->r_have - off >= 4) {
        const uint8_t *h = n->rbuf + off;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (len > HOST_NET_MAX_FRAME) {
            char why[96];
            snprintf(why, sizeof(why), "announced a %u-byte frame (limit %u); disconnected", len,
                     (unsigned)HOST_NET_MAX_FRAME);
            socket_disconnect(n, why);
            return;
        }
        if (n->r_have - off < 4 + (size_t)len)
            break;
        if (len >= HOST_NET_MIN_FRAME && !queue_has_room(n, len))
            break; /* keep it here: backpressure on the peer, as QEMU does */
        if (len > 0)
            queue_push(n, h + 4, len); /* runts are dropped and counted there */
        off += 4 + (size_t)len;
    }
    if (off) {
        memmove(n->rbuf, n->rbuf + off, n->r_have - off);
        n->r_have -= off;
    }
}

/* A complete frame sits in the input buffer, waiting only for room in the queue. */
static bool socket_frame_buffered(const struct host_net *n)
{
    if (n->r_have < 4)
        return false;
    const uint8_t *h = n->rbuf;
    uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    return len <= HOST_NET_MAX_FRAME && n->r_have >= 4 + (size_t)len;
}

static void socket_read(struct host_net *n)
{
    /* a bounded number of reads per dispatch, so one busy peer cannot hold the loop */
    for (int i = 0; i < 16 && n->conn_fd >= 0; i++) {
        socket_parse(n);
        if (n->conn_fd < 0 || socket_frame_buffered(n))
            return; /* queue full: leave the rest in the kernel */
        ssize_t r = recv(n->conn_fd, n->rbuf + n->r_have, SOCKET_RBUF_SIZE - n->r_have, 0);
        if (r > 0) {
            n->r_have += (size_t)r;
            continue;
        }
        if (r == 0) {
            socket_parse(n);
            socket_disconnect(n, n->r_have ? "closed the connection in the middle of a frame"
                                           : "closed the connection");
            return;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            char why[128];
            snprintf(why, sizeof(why), "read: %s", strerror(errno));
            socket_disconnect(n, why);
        }
        break;
    }
    if (n->conn_fd >= 0)
        socket_parse(n);
}

static void socket_flush(struct host_net *n)
{
    while (n->w_have && n->conn_fd >= 0) {
        ssize_t w = send(n->conn_fd, n->wbuf + n->w_off, n->w_have, MSG_NOSIGNAL);
        if (w > 0) {
            n->w_have -= (size_t)w;
            n->w_off = n->w_have ? n->w_off + (size_t)w : 0;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        char why[128];
        snprintf(why, sizeof(why), "write: %s", w < 0 ? strerror(errno) : "no progress");
        socket_disconnect(n, why);
    }
}

static bool wbuf_append(struct host_net *n, const uint8_t *data, size_t len)
{
    if (n->w_off + n->w_have + len > n->w_cap && n->w_off) {
        memmove(n->wbuf, n->wbuf + n->w_off, n->w_have);
        n->w_off = 0;
    }
    if (n->w_have + len > n->w_cap) {
        size_t cap = n->w_cap ? n->w_cap : 65536;
        while (cap < n->w_have + len)
            cap *= 2;
        uint8_t *nb = realloc(n->wbuf, cap);
        if (!nb)
            return false;
        n->wbuf = nb;
        n->w_cap = cap;
    }
    memcpy(n->wbuf + n->w_off + n->w_have, data, len);
    n->w_have += len;
    return true;
}

static void socket_send(struct host_net *n, const uint8_t *frame, size_t len)
{
    if (n->conn_fd < 0 || n->w_have + 4 + len > SOCKET_WBUF_MAX) {
        n->stats.tx_dropped++;
        return;
    }
    uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                       (uint8_t)len };
    size_t done = 0;
    if (n->w_have == 0) {
        /* nothing queued: try to send it right away, keep what does not go */
        struct iovec iov[2] = { { hdr, 4 }, { (void *)frame, len } };
        struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
        ssize_t w;
        do
            w = sendmsg(n->conn_fd, &msg, MSG_NOSIGNAL);
        while (w < 0 && errno == EINTR);
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            char why[128];
            snprintf(why, sizeof(why), "write: %s", strerror(errno));
            socket_disconnect(n, why);
            n->stats.tx_dropped++;
            return;
        }
        done = w > 0 ? (size_t)w : 0;
    }
    bool ok = true;
    if (done < 4)
        ok = wbuf_append(n, hdr + done, 4 - done) && wbuf_append(n, frame, len);
    else if (done < 4 + len)
        ok = wbuf_append(n, frame + (done - 4), 4 + len - done);
    if (!ok) {
        /* out of memory with part of a frame sent: the stream cannot be resynchronised */
        socket_disconnect(n, "out of memory buffering output; disconnected");
        n->stats.tx_dropped++;
        return;
    }
    n->stats.tx_frames++;
    n->stats.tx_bytes += len;
}

static void socket_accept(struct host_net *n)
{
    int fd;
    do
        fd = accept4(n->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return; /* EAGAIN, or the peer gave up: wait for the next one */
    set_nodelay(fd);
    n->conn_fd = fd;
    n->r_have = 0;
    n->w_have = 0;
    n->w_off = 0;
}

static int open_listen(const char *host, const char *port, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
    if (rc) {
        set_err(err, errlen, "listen=%s:%s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        set_err(err, errlen, "listen=%s:%s: %s", host, port, strerror(saved ? saved : EINVAL));
    return fd;
}

static int open_connect(const char *host, const char *port, char *err, size_t errlen)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(*host ? host : "127.0.0.1", port, &hints, &res);
    if (rc) {
        set_err(err, errlen, "connect=%s:%s: %s", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int r = connect(fd, a->ai_addr, a->ai_addrlen);
        if (r < 0 && errno == EINPROGRESS) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int pr;
            do
                pr = poll(&p, 1, CONNECT_TIMEOUT_MS);
            while (pr < 0 && errno == EINTR);
            if (pr == 0) {
                errno = ETIMEDOUT;
            } else if (pr > 0) {
                int soerr = 0;
                socklen_t sl = sizeof(soerr);
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
                r = soerr ? -1 : 0;
                errno = soerr;
            }
        }
        if (r == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        set_err(err, errlen, "connect=%s:%s: %s", host, port,
                strerror(saved ? saved : ECONNREFUSED));
    else
        set_nodelay(fd);
    return fd;
}

/* ---------- create / destroy ---------- */

static struct host_net *net_alloc(enum backend b, const char *id)
{
    struct host_net *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->backend = b;
    snprintf(n->id, sizeof(n->id), "%s", id);
    n->listen_fd = -1;
    n->conn_fd = -1;
    return n;
}

static struct host_net *create_user(const char *id, const struct hostfwd *fw, int nfw,
                                    bool restricted, const char *hostname, char *err,
                                    size_t errlen)
{
    struct host_net *n = net_alloc(BACKEND_USER, id);
    if (!n) {
        set_err(err, errlen, "netdev '%s': out of memory", id);
        return NULL;
    }
    SlirpConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.version = 4;
    cfg.restricted = restricted;
    cfg.in_enabled = true;
    cfg.vnetwork.s_addr = htonl(NET_ADDR);
    cfg.vnetmask.s_addr = htonl(NET_MASK);
    cfg.vhost.s_addr = htonl(HOST_ADDR);
    cfg.in6_enabled = false;
    cfg.vhostname = hostname && *hostname ? hostname : NULL;
    cfg.vdhcp_start.s_addr = htonl(DHCP_START);
    cfg.vnameserver.s_addr = htonl(DNS_ADDR);
    cfg.disable_host_loopback = false;
    cfg.enable_emu = false;
    cfg.disable_dns = false;
    cfg.disable_dhcp = false;
    n->slirp = slirp_new(&cfg, &slirp_callbacks, n);
    if (!n->slirp) {
        set_err(err, errlen, "netdev '%s': libslirp refused the configuration", id);
        host_net_destroy(n);
        return NULL;
    }
    for (int i = 0; i < nfw; i++) {
        errno = 0;
        if (slirp_add_hostfwd(n->slirp, fw[i].udp, fw[i].host_addr, fw[i].host_port,
                              fw[i].guest_addr, fw[i].guest_port) < 0) {
            int e = errno;
            char addr[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &fw[i].host_addr, addr, sizeof(addr));
            set_err(err, errlen, "netdev '%s': hostfwd '%s': cannot listen on %s %s:%d: %s", id,
                    fw[i].text, fw[i].udp ? "udp" : "tcp", addr, fw[i].host_port,
                    e ? strerror(e) : "failed");
            host_net_destroy(n);
            return NULL;
        }
    }
    return n;
}

static struct host_net *create_socket(const char *id, const char *connect_to,
                                      const char *listen_at, char *err, size_t errlen)
{
    if (!!connect_to == !!listen_at) {
        set_err(err, errlen, "netdev '%s': socket needs exactly one of connect=HOST:PORT and "
                             "listen=HOST:PORT", id);
        return NULL;
    }
    const char *v = connect_to ? connect_to : listen_at;
    char host[256], port[8];
    if (!split_host_port(v, host, sizeof(host), port, sizeof(port))) {
        set_err(err, errlen, "netdev '%s': %s=%s: expected HOST:PORT with a port 1-65535", id,
                connect_to ? "connect" : "listen", v);
        return NULL;
    }
    struct host_net *n = net_alloc(BACKEND_SOCKET, id);
    if (n)
        n->rbuf = malloc(SOCKET_RBUF_SIZE);
    if (!n || !n->rbuf) {
        host_net_destroy(n);
        set_err(err, errlen, "netdev '%s': out of memory", id);
        return NULL;
    }
    char why[300];
    why[0] = 0;
    if (listen_at) {
        n->listen_mode = true;
        n->listen_fd = open_listen(host, port, why, sizeof(why));
        if (n->listen_fd < 0) {
            set_err(err, errlen, "netdev '%s': %s", id, why);
            host_net_destroy(n);
            return NULL;
        }
    } else {
        n->conn_fd = open_connect(host, port, why, sizeof(why));
        if (n->conn_fd < 0) {
            set_err(err, errlen, "netdev '%s': %s", id, why);
            host_net_destroy(n);
            return NULL;
        }
    }
    return n;
}

struct host_net *host_net_create(const char *spec, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = 0;
    if (!spec || !*spec) {
        set_err(err, errlen, "empty -netdev value (expected user,id=ID or socket,id=ID,...)");
        return NULL;
    }
    const char *p = spec;
    const char *comma = strchr(spec, ',');
    size_t tlen = comma ? (size_t)(comma - spec) : strlen(spec);
    enum backend backend;
    if (tlen == 4 && !strncmp(spec, "user", 4)) {
        backend = BACKEND_USER;
    } else if (tlen == 6 && !strncmp(spec, "socket", 6)) {
        backend = BACKEND_SOCKET;
    } else {
        set_err(err, errlen, "unknown network backend '%.*s' (supported: user, socket)",
                (int)(tlen > 40 ? 40 : tlen), spec);
        return NULL;
    }
    p = comma ? comma + 1 : spec + tlen;

    char id[ID_MAX] = "";
    struct hostfwd fw[MAX_HOSTFWD];
    int nfw = 0;
    bool restricted = false;
    char hostname[64] = "";
    char connect_to[256] = "", listen_at[256] = "";
    bool have_connect = false, have_listen = false;

    struct option o;
    enum option_result res;
    while ((res = next_option(&p, &o)) == OPTION_OK) {
        if (!o.key[0]) {
            set_err(err, errlen, "netdev %.*s: empty option in '%s'", (int)tlen, spec, spec);
            return NULL;
        }
        if (!o.has_value) {
            set_err(err, errlen, "netdev %.*s: option '%s' needs a value (%s=...)", (int)tlen,
                    spec, o.key, o.key);
            return NULL;
        }
        if (!strcmp(o.key, "id")) {
            if (!valid_id(o.value)) {
                set_err(err, errlen, "netdev %.*s: bad id '%s' (a letter, then letters, digits, "
                                     "'-', '_', '.'; at most %d)",
                        (int)tlen, spec, o.value, ID_MAX - 1);
                return NULL;
            }
            snprintf(id, sizeof(id), "%s", o.value);
        } else if (backend == BACKEND_USER && !strcmp(o.key, "hostfwd")) {
            if (nfw == MAX_HOSTFWD) {
                set_err(err, errlen, "netdev user: more than %d hostfwd rules", MAX_HOSTFWD);
                return NULL;
            }
            char why[256];
            if (!parse_hostfwd(o.value, &fw[nfw], why, sizeof(why))) {
                set_err(err, errlen, "netdev user: %s", why);
                return NULL;
            }
            nfw++;
        } else if (backend == BACKEND_USER && !strcmp(o.key, "restrict")) {
            if (!parse_bool(o.value, &restricted)) {
                set_err(err, errlen, "netdev user: restrict=%s: expected on or off", o.value);
                return NULL;
            }
        } else if (backend == BACKEND_USER && !strcmp(o.key, "hostname")) {
            if (strlen(o.value) >= sizeof(hostname)) {
                set_err(err, errlen, "netdev user: hostname too long");
                return NULL;
            }
            strcpy(hostname, o.value);
        } else if (backend == BACKEND_USER &&
                   (!strcmp(o.key, "ipv4") || !strcmp(o.key, "ipv6"))) {
            bool on;
            bool want = !strcmp(o.key, "ipv4");
            if (!parse_bool(o.value, &on) || on != want) {
                set_err(err, errlen, "netdev user: only ipv4=on and ipv6=off are supported "
                                     "(got %s=%s)", o.key, o.value);
                return NULL;
            }
        } else if (backend == BACKEND_SOCKET && !strcmp(o.key, "connect")) {
            snprintf(connect_to, sizeof(connect_to), "%s", o.value);
            have_connect = true;
        } else if (backend == BACKEND_SOCKET && !strcmp(o.key, "listen")) {
            snprintf(listen_at, sizeof(listen_at), "%s", o.value);
            have_listen = true;
        } else {
            set_err(err, errlen, "netdev %.*s: unknown option '%s'", (int)tlen, spec, o.key);
            return NULL;
        }
    }
    if (res == OPTION_TOO_LONG) {
        set_err(err, errlen, "netdev %.*s: option '%s...' is too long", (int)tlen, spec, o.key);
        return NULL;
    }
    if (!id[0]) {
        set_err(err, errlen, "netdev %.*s: missing id= (e.g. %.*s,id=net0)", (int)tlen, spec,
                (int)tlen, spec);
        return NULL;
    }
    if (backend == BACKEND_USER)
        return create_user(id, fw, nfw, restricted, hostname, err, errlen);
    return create_socket(id, have_connect ? connect_to : NULL, have_listen ? listen_at : NULL,
                         err, errlen);
}

void host_net_destroy(struct host_net *n)
{
    if (!n)
        return;
    if (n->slirp)
        slirp_cleanup(n->slirp);
    while (n->timers) {
        struct net_timer *t = n->timers;
        n->timers = t->next;
        free(t);
    }
    struct rx_frame *f;
    while ((f = queue_pop(n)))
        free(f);
    if (n->conn_fd >= 0)
        close(n->conn_fd);
    if (n->listen_fd >= 0)
        close(n->listen_fd);
    free(n->rbuf);
    free(n->wbuf);
    free(n);
}

/* ---------- the API ---------- */

const char *host_net_id(const struct host_net *n)
{
    return n->id;
}

const char *host_net_backend(const struct host_net *n)
{
    return n->backend == BACKEND_USER ? "user" : "socket";
}

bool host_net_connected(const struct host_net *n)
{
    return n->backend == BACKEND_USER || n->conn_fd >= 0;
}

void host_net_send(struct host_net *n, const uint8_t *frame, size_t len)
{
    if (!frame || len < HOST_NET_MIN_FRAME || len > HOST_NET_MAX_FRAME) {
        n->stats.tx_dropped++;
        return;
    }
    if (n->backend == BACKEND_SOCKET) {
        socket_send(n, frame, len);
        return;
    }
    n->stats.tx_frames++;
    n->stats.tx_bytes += len;
    struct sigpipe_guard g;
    sigpipe_block(&g);
    slirp_input(n->slirp, frame, (int)len);
    sigpipe_unblock(&g);
}

size_t host_net_receive(struct host_net *n, uint8_t *buf, size_t max)
{
    for (;;) {
        struct rx_frame *f = queue_pop(n);
        if (!f)
            return 0;
        if (n->backend == BACKEND_SOCKET)
            socket_parse(n); /* room again: take frames the peer already sent */
        if (f->len > max || !buf) {
            n->stats.rx_dropped++;
            free(f);
            continue;
        }
        size_t len = f->len;
        memcpy(buf, f->data, len);
        free(f);
        n->stats.rx_frames++;
        n->stats.rx_bytes += len;
        return len;
    }
}

bool host_net_pending(const struct host_net *n)
{
    return n->q_count > 0;
}

int host_net_poll_fill(struct host_net *n, struct pollfd *fds, int max, int *timeout_ms)
{
    if (max < 0)
        max = 0;
    if (n->backend == BACKEND_USER) {
        n->pf_fds = fds;
        n->pf_max = max;
        n->pf_count = 0;
        n->pf_short = false;
        n->want_fds = 0;
        uint32_t t = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
        slirp_pollfds_fill(n->slirp, &t, cb_add_poll, n);
        if (t != UINT32_MAX)
            lower_timeout(timeout_ms, (int64_t)t);
        int64_t now = -1;
        for (struct net_timer *tm = n->timers; tm; tm = tm->next) {
            if (tm->expire_ms < 0)
                continue;
            if (now < 0)
                now = host_now_ms();
            lower_timeout(timeout_ms, tm->expire_ms - now);
        }
        return n->pf_count;
    }

    /* socket */
    int count = 0;
    n->pf_fds = fds;
    n->pf_count = 0;
    if (n->conn_fd >= 0) {
        short ev = 0;
        if (!socket_frame_buffered(n))
            ev |= POLLIN; /* otherwise the queue is full: let the peer wait */
        if (n->w_have)
            ev |= POLLOUT;
        /* nothing to wait for: leave the fd out, or a hang-up would make poll spin */
        if (ev && max > count)
            fds[count++] = (struct pollfd){ .fd = n->conn_fd, .events = ev };
    } else if (n->listen_fd >= 0) {
        if (max > count)
            fds[count++] = (struct pollfd){ .fd = n->listen_fd, .events = POLLIN };
    }
    n->want_fds = 1;
    n->pf_count = count;
    return count;
}

void host_net_poll_dispatch(struct host_net *n, struct pollfd *fds, int nfds)
{
    if (n->backend == BACKEND_USER) {
        n->pf_fds = fds;
        n->pf_count = nfds < n->pf_count ? (nfds < 0 ? 0 : nfds) : n->pf_count;
        struct sigpipe_guard g;
        sigpipe_block(&g);
        slirp_pollfds_poll(n->slirp, 0, cb_get_revents, n);
        n->pf_fds = NULL;
        n->pf_count = 0;
        run_timers(n);
        sigpipe_unblock(&g);
        return;
    }
    if (nfds < 1 || !fds)
        return;
    short rev = fds[0].revents;
    if (n->conn_fd >= 0 && fds[0].fd == n->conn_fd) {
        if (rev & POLLOUT)
            socket_flush(n);
        if (n->conn_fd >= 0 && (rev & (POLLIN | POLLHUP | POLLERR)))
            socket_read(n);
        if (n->conn_fd >= 0 && (rev & POLLNVAL))
            socket_disconnect(n, "connection fd became invalid");
    } else if (n->conn_fd < 0 && n->listen_fd >= 0 && fds[0].fd == n->listen_fd &&
               (rev & POLLIN)) {
        socket_accept(n);
    }
}

void host_net_pump(struct host_net *n, int timeout_ms)
{
    struct pollfd local[64];
    struct pollfd *fds = local;
    int cap = (int)(sizeof(local) / sizeof(local[0]));
    int timeout = timeout_ms;
    int nfds = host_net_poll_fill(n, fds, cap, &timeout);
    struct pollfd *big = NULL;
    if (n->want_fds > cap) {
        /* slirp has more sockets than fit on the stack: fill again into a big enough array */
        int want = n->want_fds + 16;
        big = malloc(sizeof(*big) * (size_t)want);
        if (big) {
            fds = big;
            timeout = timeout_ms;
            nfds = host_net_poll_fill(n, fds, want, &timeout);
        }
    }
    if (poll(fds, (nfds_t)nfds, timeout) < 0) {
        /* EINTR (or worse): nothing is ready, but the timers still run */
        for (int i = 0; i < nfds; i++)
            fds[i].revents = 0;
    }
    host_net_poll_dispatch(n, fds, nfds);
    free(big);
}

void host_net_get_stats(const struct host_net *n, struct host_net_stats *out)
{
    *out = n->stats;
    out->rx_queued = n->q_count;
    out->tx_backlog = n->w_have;
}

const char *host_net_last_error(const struct host_net *n)
{
    return n->last_error;
}
