/* cli_gdb.c — the gdb commands: `rewind run --gdb WHERE` serves the machine to gdb, and
 * `rewind gdb` starts gdb-multiarch already connected to a machine (like `rr replay`). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdb/gdbstub.h"
#include "vmm/cli.h"
#include "vmm/gdb_glue.h"

/* A listener for tcp::PORT, tcp:HOST:PORT or unix:PATH. */
static struct gdb_listener *open_listener(const char *where, char *err, size_t errlen)
{
    if (!strncmp(where, "unix:", 5))
        return gdb_listen_unix(where + 5, err, errlen);
    if (!strncmp(where, "tcp:", 4)) {
        /* tcp::PORT (loopback) or tcp:HOST:PORT (bound to HOST) */
        const char *rest = where + 4;
        const char *colon = strrchr(rest, ':');
        char host[256] = "127.0.0.1";
        const char *port_text = rest;
        bool bind_any = false;
        if (colon) {
            size_t n = (size_t)(colon - rest);
            if (n >= sizeof(host)) {
                snprintf(err, errlen, "--gdb %s: host name too long", where);
                return NULL;
            }
            if (n) {
                memcpy(host, rest, n);
                host[n] = 0;
                bind_any = strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0;
            }
            port_text = colon + 1;
        }
        char *end;
        long port = strtol(port_text, &end, 10);
        if (*port_text == 0 || *end || port < 1 || port > 65535) {
            snprintf(err, errlen, "--gdb %s: bad port", where);
            return NULL;
        }
        return gdb_listen_tcp(host, (int)port, bind_any, err, errlen);
    }
    snprintf(err, errlen, "--gdb %s: use tcp::PORT, tcp:HOST:PORT, unix:PATH or stdio", where);
    return NULL;
}

/* One gdb session on t. Returns 1 if the machine should go on running afterwards (gdb
 * detached), 0 if it ended (kill, exit), -1 on a transport error. */
static int serve_session(struct gdb_transport *t, struct gdb_glue *glue,
                         struct gdb_target_ops *ops)
{
    char err[512];
    int rc = gdb_serve(t, ops, err, sizeof(err));
    gdb_transport_close(t);
    if (rc) {
        fprintf(stderr, "rewind: gdb connection: %s\n", err);
        return -1;
    }
    return glue->killed || glue->exited ? 0 : 1;
}

int cli_serve_gdb(struct vm *vm, const struct machine_options *o, struct host_console *con)
{
    char err[512];
    signal(SIGPIPE, SIG_IGN); /* a vanished gdb is a closed session, not a fatal signal */
    struct gdb_glue glue;
    struct gdb_target_ops ops;
    gdb_glue_init(&glue, vm, &ops);
    struct vm_exit ex;
    memset(&ex, 0, sizeof(ex));

    if (!strcmp(o->gdb, "stdio")) {
        struct gdb_transport *t = gdb_transport_stdio(err, sizeof(err));
        if (!t) {
            fprintf(stderr, "rewind: %s\n", err);
            return EXIT_REWIND_ERROR;
        }
        int rc = serve_session(t, &glue, &ops);
        if (rc < 0)
            return EXIT_REWIND_ERROR;
        if (rc == 0)
            return glue.exited ? cli_exit_status(vm, &glue.last_exit, con) : 0;
        vm_run(vm, o->max_insns, &ex);
        return cli_exit_status(vm, &ex, con);
    }

    struct gdb_listener *l = open_listener(o->gdb, err, sizeof(err));
    if (!l) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    fprintf(stderr, "rewind: gdb can connect on %s%s\n", o->gdb,
            o->gdb_wait ? " (waiting for it before starting)" : "");
    bool waiting = o->gdb_wait;
    uint64_t start = vm_icount(vm);
    int status = -1;
    host_console_enter_raw(con);
    while (status < 0) {
        struct pollfd p = { .fd = gdb_listener_fd(l), .events = POLLIN };
        if (waiting || poll(&p, 1, 0) > 0) {
            waiting = false;
            struct gdb_transport *t = gdb_listener_accept(l, err, sizeof(err));
            if (!t) {
                fprintf(stderr, "rewind: %s\n", err);
                status = EXIT_REWIND_ERROR;
                break;
            }
            int rc = serve_session(t, &glue, &ops);
            if (rc < 0)
                status = EXIT_REWIND_ERROR;
            else if (rc == 0)
                status = glue.exited ? cli_exit_status(vm, &glue.last_exit, con) : 0;
            continue;
        }
        /* Run a while, then look for gdb again (attach any time). */
        uint64_t slice = 20000000;
        if (o->max_insns) {
            uint64_t done = vm_icount(vm) - start;
            if (done >= o->max_insns) {
                ex.reason = VM_EXIT_INSN_LIMIT;
                ex.icount = vm_icount(vm);
                status = cli_exit_status(vm, &ex, con);
                break;
            }
            if (o->max_insns - done < slice)
                slice = o->max_insns - done;
        }
        vm_run(vm, slice, &ex);
        if (ex.reason == VM_EXIT_BREAKPOINT || ex.reason == VM_EXIT_WATCHPOINT ||
            (ex.reason == VM_EXIT_INSN_LIMIT && (!o->max_insns || vm_icount(vm) - start < o->max_insns)))
            continue;
        status = cli_exit_status(vm, &ex, con);
    }
    host_console_restore(con);
    gdb_listener_close(l);
    return status;
}

static void print_notice(const char *message)
{
    fprintf(stderr, "rewind: %s\n", message);
}

/* `monitor go-live`: the machine stops answering from the trace and asks the host (no
 * console input, entropy from getrandom), and nothing checks it any more. */
static int replay_go_live(void *ctx, struct vm *vm, char *err, size_t errlen)
{
    struct host_console *live = ctx;
    (void)err;
    (void)errlen;
    vm_set_gate(vm, host_gate(live), (struct vm_observer){ 0 });
    return 0;
}

int cli_serve_replay_gdb(struct timetravel *tt, const char *where, uint64_t end_icount)
{
    char err[512];
    signal(SIGPIPE, SIG_IGN);
    struct gdb_glue glue;
    struct gdb_target_ops ops;
    gdb_glue_init(&glue, timetravel_vm(tt), &ops);
    glue.replay = true;
    glue.end_icount = end_icount;
    glue.tt = tt;
    struct host_console live;
    host_console_init(&live, -1);
    glue.go_live = replay_go_live;
    glue.go_live_ctx = &live;
    glue.notice = print_notice;
    ops.reverse = true;
    struct gdb_transport *t;
    if (!strcmp(where, "stdio")) {
        t = gdb_transport_stdio(err, sizeof(err));
    } else {
        struct gdb_listener *l = open_listener(where, err, sizeof(err));
        if (!l) {
            fprintf(stderr, "rewind: %s\n", err);
            return EXIT_REWIND_ERROR;
        }
        fprintf(stderr, "rewind: waiting for gdb on %s\n", where);
        t = gdb_listener_accept(l, err, sizeof(err));
        gdb_listener_close(l);
    }
    if (!t) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    return serve_session(t, &glue, &ops) < 0 ? EXIT_REWIND_ERROR : 0;
}

/* Quote s for /bin/sh (gdb runs `target remote | COMMAND` through the shell). */
static void shell_quote(char *out, size_t outlen, const char *s)
{
    size_t n = 0;
    if (n + 1 < outlen)
        out[n++] = '\'';
    for (; *s && n + 5 < outlen; s++) {
        if (*s == '\'') {
            memcpy(out + n, "'\\''", 4);
            n += 4;
        } else {
            out[n++] = *s;
        }
    }
    if (n + 1 < outlen)
        out[n++] = '\'';
    out[n] = 0;
}

int cmd_gdb(int argc, char **argv)
{
    const char *symbols = NULL;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: rewind gdb [--symbols ELF] [MACHINE]   gdb-multiarch on a live machine\n"
               "       rewind gdb TRACE [--at end|ICOUNT] [--symbols ELF]\n"
               "                                             gdb-multiarch on a recording\n"
               "see 'rewind help' for the MACHINE options and docs/gdb.md for the commands\n");
        return 0;
    }
    char command[8192];
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        fprintf(stderr, "rewind: cannot find my own executable: %s\n", strerror(errno));
        return EXIT_REWIND_ERROR;
    }
    self[n] = 0;
    size_t pos = 0;
    char q[4200];
    shell_quote(q, sizeof(q), self);
    /* `rewind gdb TRACE [--at ...]` debugs a recording; otherwise the arguments describe a
     * machine to run live. */
    bool trace = argc > 1 && argv[1][0] != '-' && access(argv[1], R_OK) == 0 &&
                 !vm_file_is_linux_image(argv[1]);
    FILE *f = trace ? fopen(argv[1], "rb") : NULL;
    if (f) {
        char magic[16] = { 0 };
        trace = fread(magic, 1, 16, f) == 16 && !memcmp(magic, "SQLite format 3", 15);
        fclose(f);
    }
    pos += (size_t)snprintf(command + pos, sizeof(command) - pos,
                            trace ? "target remote | %s replay --gdb stdio" :
                                    "target remote | %s run --gdb stdio", q);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--symbols") && i + 1 < argc) {
            symbols = argv[++i];
            continue;
        }
        shell_quote(q, sizeof(q), argv[i]);
        if (pos + strlen(q) + 2 >= sizeof(command)) {
            fprintf(stderr, "rewind: command line too long\n");
            return EXIT_REWIND_ERROR;
        }
        pos += (size_t)snprintf(command + pos, sizeof(command) - pos, " %s", q);
    }
    char *gdb_argv[16];
    int k = 0;
    gdb_argv[k++] = "gdb-multiarch";
    gdb_argv[k++] = "-q";
    gdb_argv[k++] = "-ex";
    gdb_argv[k++] = "set architecture riscv:rv64";
    if (symbols)
        gdb_argv[k++] = (char *)symbols;
    gdb_argv[k++] = "-ex";
    gdb_argv[k++] = command;
    gdb_argv[k] = NULL;
    execvp("gdb-multiarch", gdb_argv);
    fprintf(stderr, "rewind: cannot start gdb-multiarch (%s): install the Debian package "
                    "gdb-multiarch (./run setup)\n", strerror(errno));
    return EXIT_REWIND_ERROR;
}
