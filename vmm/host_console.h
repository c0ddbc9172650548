/* host_console.h — the host side of the gate for `rewind run`/`record`: guest output to
 * stdout (remembering the last line for reports), console input from stdin (raw terminal with
 * QEMU's Ctrl-A x escape when stdin is a terminal; plain bytes from a pipe or file), frames
 * from the network cards' host backends (vmm/host_net.c), idle waits in host time on all of
 * them, the host's wall clock and entropy. */
#ifndef REWIND_HOST_CONSOLE_H
#define REWIND_HOST_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct host_net;

#define HOST_CONSOLE_MAX_NETS 2

struct host_console {
    int in_fd;
    int out_fd;            /* guest output: stdout, or the console socket */
    int socket_fd;         /* the accepted console connection, or -1 */
    bool tty;              /* stdin is a terminal in raw mode */
    bool raw_active;
    bool escape;           /* Ctrl-A seen */
    bool eof;              /* input ended */
    char last_line[256];   /* the last complete or partial line of guest output */
    size_t last_len;
    bool at_line_start;
    /* the network cards' host backends (owned by the caller); idle waits watch them too */
    struct host_net *nets[HOST_CONSOLE_MAX_NETS];
    unsigned num_nets;
};

void host_console_init(struct host_console *c, int in_fd);
/* Serve the console on a Unix socket instead of stdin/stdout: listen at path, wait for one
 * client, and use it for input and output. Returns 0, or -1 with a message. */
int host_console_listen_unix(struct host_console *c, const char *path, char *err, size_t errlen);
void host_console_close(struct host_console *c);
/* Raw mode for a terminal; restored by host_console_restore (also on fatal signals). */
void host_console_enter_raw(struct host_console *c);
void host_console_restore(struct host_console *c);
/* For crash handlers: put the terminal back as it was, whatever state the program is in. */
void host_console_restore_terminal(void);
/* vm_config.console_write */
void host_console_write(void *ctx, const uint8_t *bytes, size_t len);
/* A vm_gate answered by the host, with ctx = the host_console. */
struct vm_gate host_gate(struct host_console *c);
/* vm_config.net_transmit with ctx = the host_console: hand the frame to the card's backend. */
void host_console_net_transmit(void *ctx, unsigned nic, const uint8_t *frame, size_t len);
/* The last line the guest printed (without the newline). */
const char *host_console_last_line(const struct host_console *c);

#endif
