/* host_console.c — terminal and pipe handling for the guest console (see host_console.h). */
#include "vmm/host_console.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

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
    c->tty = in_fd >= 0 && isatty(in_fd);
    c->at_line_start = true;
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
    signal(SIGSEGV, on_fatal_signal);
    signal(SIGABRT, on_fatal_signal);
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
    fwrite(bytes, 1, len, stdout);
    fflush(stdout);
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

/* Terminal input: Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h lists them. */
static void handle_tty_bytes(struct host_console *c, struct vm *vm, const uint8_t *buf, size_t n)
{
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
        vm_console_input(vm, &b, 1);
    }
}

bool host_console_poll(void *ctx, struct vm *vm, int timeout_ms)
{
    struct host_console *c = ctx;
    if (c->in_fd < 0)
        return false;
    struct pollfd p = { .fd = c->in_fd, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r < 0)
        return errno == EINTR;
    if (r == 0)
        return true;
    uint8_t buf[256];
    size_t room = vm_console_input_space(vm);
    if (room == 0)
        return true; /* the guest has not taken what is waiting yet: leave the rest unread */
    ssize_t n = read(c->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false; /* end of input */
    if (c->tty)
        handle_tty_bytes(c, vm, buf, (size_t)n);
    else
        vm_console_input(vm, buf, (size_t)n);
    return true;
}
