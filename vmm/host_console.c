/* host_console.c — terminal and pipe handling for the guest console (see host_console.h). */
#include "vmm/host_console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "vmm/host_net.h"
#include "vmm/vm.h"

#define CTRL_A 0x01

/* Saved terminal state for the signal handler: the terminal is process-wide. */
static struct termios saved_termios;
static volatile sig_atomic_t saved_valid;

static void restore_terminal(void)
{
    if (saved_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void on_fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

void host_console_init(struct host_console *c, int in_fd)
{
    memset(c, 0, sizeof(*c));
    c->in_fd = in_fd;
    c->out_fd = STDOUT_FILENO;
    c->socket_fd = -1;
    c->tty = in_fd >= 0 && isatty(in_fd);
    c->at_line_start = true;
}

int host_console_listen_unix(struct host_console *c, const char *path, char *err, size_t errlen)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path)) {
        snprintf(err, errlen, "%s: socket path too long", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    unlink(path);
    if (bind(ls, (struct sockaddr *)&addr, sizeof(addr)) || listen(ls, 1)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(ls);
        return -1;
    }
    fprintf(stderr, "rewind: waiting for a console connection on %s\n", path);
    int fd = accept(ls, NULL, NULL);
    int saved = errno;
    close(ls);
    unlink(path);
    if (fd < 0) {
        snprintf(err, errlen, "%s: accept: %s", path, strerror(saved));
        return -1;
    }
    c->socket_fd = fd;
    c->in_fd = fd;
    c->out_fd = fd;
    c->tty = false;
    return 0;
}

void host_console_close(struct host_console *c)
{
    if (c->socket_fd >= 0) {
        close(c->socket_fd);
        c->socket_fd = -1;
    }
}

void host_console_enter_raw(struct host_console *c)
{
    if (!c->tty || c->in_fd != STDIN_FILENO)
        return;
    struct termios t;
    if (tcgetattr(c->in_fd, &t))
        return;
    saved_termios = t;
    saved_valid = 1;
    cfmakeraw(&t);
    t.c_oflag |= OPOST | ONLCR; /* keep the host's own messages readable */
    tcsetattr(c->in_fd, TCSANOW, &t);
    c->raw_active = true;
    signal(SIGTERM, on_fatal_signal);
    signal(SIGHUP, on_fatal_signal);
}

void host_console_restore_terminal(void)
{
    restore_terminal();
}

void host_console_restore(struct host_console *c)
{
    if (c->raw_active) {
        restore_terminal();
        saved_valid = 0;
        c->raw_active = false;
    }
}

void host_console_write(void *ctx, const uint8_t *bytes, size_t len)
{
    struct host_console *c = ctx;
    if (c->out_fd == STDOUT_FILENO) {
        fwrite(bytes, 1, len, stdout);
        fflush(stdout);
    } else if (c->out_fd == STDERR_FILENO) {
        fwrite(bytes, 1, len, stderr);
    } else {
        size_t done = 0;
        while (done < len) {
            ssize_t n = send(c->out_fd, bytes + done, len - done, MSG_NOSIGNAL);
            if (n <= 0)
                break; /* the client went away: output is dropped, the guest goes on */
            done += (size_t)n;
        }
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t b = bytes[i];
        if (b == '\n') {
            c->at_line_start = true;
        } else if (b != '\r') {
            if (c->at_line_start) {
                c->last_len = 0;
                c->at_line_start = false;
            }
            if (c->last_len + 1 < sizeof(c->last_line))
                c->last_line[c->last_len++] = (char)(b >= 0x20 && b < 0x7f ? b : '.');
        }
    }
    c->last_line[c->last_len] = 0;
}

const char *host_console_last_line(const struct host_console *c)
{
    return c->last_line;
}

/* Terminal input: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h lists them.
 * Filters buf in place and returns how many bytes are for the guest. */
static size_t filter_tty_bytes(struct host_console *c, struct vm *vm, uint8_t *buf, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = buf[i];
        if (c->escape) {
            c->escape = false;
            if (b == 'x' || b == 'X') {
                fprintf(stderr, "\r\nrewind: terminated by Ctrl-A x\r\n");
                vm_request_quit(vm);
                continue;
            }
            if (b == 'h' || b == '?') {
                fprintf(stderr, "\r\nC-a x    exit rewind\r\nC-a C-a  send C-a\r\n");
                continue;
            }
            if (b != CTRL_A)
                continue;
        } else if (b == CTRL_A) {
            c->escape = true;
            continue;
        }
        buf[out++] = b;
    }
    return out;
}

static size_t gate_console_input(void *ctx, struct vm *vm, uint8_t *buf, size_t max, bool *eof)
{
    struct host_console *c = ctx;
    *eof = false;
    if (c->in_fd < 0) {
        *eof = true;
        return 0;
    }
    if (max == 0)
        return 0; /* the guest has not taken what is waiting yet: leave the rest unread */
    struct pollfd p = { .fd = c->in_fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return 0;
    ssize_t n = read(c->in_fd, buf, max);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
        *eof = true;
        c->eof = true;
        return 0;
    }
    if (n < 0)
        return 0;
    return c->tty ? filter_tty_bytes(c, vm, buf, (size_t)n) : (size_t)n;
}

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wait for input in host time, at most max_ns and at most 100 ms at a time: console input
 * or network traffic (which the backends take in as it comes; a frame for the guest ends the
 * wait). */
static uint64_t gate_idle(void *ctx, struct vm *vm, uint64_t max_ns)
{
    struct host_console *c = ctx;
    (void)vm;
    const uint64_t step_ns = 100000000;
    uint64_t wait_ns = max_ns < step_ns ? max_ns : step_ns;
    bool console = c->in_fd >= 0 && !c->eof;
    if (!console && !c->num_nets) {
        /* No input can come: just let host time pass (the host clock mode needs it). */
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)wait_ns };
        nanosleep(&ts, NULL);
        return wait_ns;
    }
    double t0 = host_seconds();
    struct pollfd fds[64];
    int nfds = 0, timeout = (int)(wait_ns / 1000000);
    if (console)
        fds[nfds++] = (struct pollfd){ .fd = c->in_fd, .events = POLLIN };
    int first[HOST_CONSOLE_MAX_NETS], count[HOST_CONSOLE_MAX_NETS];
    for (unsigned i = 0; i < c->num_nets; i++) {
        first[i] = nfds;
        count[i] = host_net_poll_fill(c->nets[i], fds + nfds, (int)(sizeof(fds) / sizeof(fds[0])) - nfds,
                                      &timeout);
        nfds += count[i];
    }
    int full_timeout = (int)(wait_ns / 1000000);
    int r = poll(fds, (nfds_t)nfds, timeout);
    bool frames = false;
    for (unsigned i = 0; i < c->num_nets; i++) {
        host_net_poll_dispatch(c->nets[i], fds + first[i], count[i]);
        frames |= host_net_pending(c->nets[i]);
    }
    uint64_t passed = (uint64_t)((host_seconds() - t0) * 1e9);
    if (r == 0 && !frames && timeout == full_timeout && wait_ns == max_ns)
        return max_ns; /* waited until the deadline */
    return passed < max_ns ? passed : max_ns;
}

/* A frame waiting for card nic, taking in what the backend has ready first. */
static size_t gate_net_receive(void *ctx, struct vm *vm, unsigned nic, uint8_t *buf, size_t max)
{
    struct host_console *c = ctx;
    (void)vm;
    if (nic >= c->num_nets)
        return 0;
    if (!host_net_pending(c->nets[nic]))
        host_net_pump(c->nets[nic], 0);
    return host_net_receive(c->nets[nic], buf, max);
}

void host_console_net_transmit(void *ctx, unsigned nic, const uint8_t *frame, size_t len)
{
    struct host_console *c = ctx;
    if (nic < c->num_nets)
        host_net_send(c->nets[nic], frame, len);
}

static uint64_t gate_wall_clock_ns(void *ctx, struct vm *vm)
{
    (void)ctx;
    (void)vm;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void gate_entropy(void *ctx, struct vm *vm, uint8_t *buf, size_t len)
{
    (void)ctx;
    (void)vm;
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
}

static uint64_t gate_host_clock_ns(void *ctx, struct vm *vm)
{
    (void)ctx;
    (void)vm;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct vm_gate host_gate(struct host_console *c)
{
    return (struct vm_gate){ .console_input = gate_console_input, .idle = gate_idle,
                             .wall_clock_ns = gate_wall_clock_ns, .entropy = gate_entropy,
                             .host_clock_ns = gate_host_clock_ns,
                             .net_receive = gate_net_receive, .rng = gate_entropy, .ctx = c };
}
