/* gdbstub.h — public interface of the GDB remote-serial-protocol server library (rewind_gdb).
 *
 * The library knows nothing about the program it serves: the user fills a gdb_target_ops
 * table (registers, memory, threads, run control, breakpoints, target description XML,
 * monitor commands), opens a transport, and calls gdb_serve().  The library owns framing,
 * acks, escaping, run-length decoding, packet parsing and the stop-reply format.
 *
 * Threading: one session is driven entirely by the thread that calls gdb_serve(); every
 * callback is made from that thread.  The library keeps no global state, so several sessions
 * may run in one process (one per thread).  It never prints and never installs signal
 * handlers: a user of gdb_transport_stdio() should ignore SIGPIPE.
 */
#ifndef REWIND_GDBSTUB_H
#define REWIND_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PacketSize advertised in qSupported: the largest packet payload (characters between '$'
 * and '#', before run-length decoding) accepted.  Longer packets are answered with E01. */
#define GDB_PACKET_SIZE 0x4000
/* Size of the buffer handed to read_reg: a register may be at most this many bytes. */
#define GDB_REG_MAX_BYTES 256
/* At most this many threads are asked for (threads(ids, max) is called with max = this). */
#define GDB_MAX_THREADS 256

enum gdb_resume_kind { GDB_RESUME_CONTINUE, GDB_RESUME_STEP,
                       GDB_RESUME_REVERSE_CONTINUE, GDB_RESUME_REVERSE_STEP };
enum gdb_stop_kind { GDB_STOP_SIGNAL, GDB_STOP_EXITED, GDB_STOP_TERMINATED };
enum gdb_stop_reason { GDB_REASON_NONE, GDB_REASON_SWBREAK, GDB_REASON_HWBREAK,
                       GDB_REASON_WATCH, GDB_REASON_RWATCH, GDB_REASON_AWATCH,
                       GDB_REASON_REPLAYLOG_BEGIN, GDB_REASON_REPLAYLOG_END };
struct gdb_stop {
    enum gdb_stop_kind kind;
    int signal;          /* GDB_STOP_SIGNAL / TERMINATED: 5 SIGTRAP, 2 SIGINT, ... */
    int exit_code;       /* GDB_STOP_EXITED */
    int thread;          /* thread id (>= 1) that stopped */
    enum gdb_stop_reason reason;
    uint64_t watch_addr; /* for the watch reasons */
};
enum gdb_run_result { GDB_RUN_STOPPED, GDB_RUN_RUNNING };
enum gdb_bp_type { GDB_BP_SW = 0, GDB_BP_HW = 1, GDB_WP_WRITE = 2, GDB_WP_READ = 3, GDB_WP_ACCESS = 4 };

/* Any function pointer may be NULL: the matching packets are then answered as unsupported
 * (empty reply) or with an error.  threads == NULL means one thread, id 1. */
struct gdb_target_ops {
    /* Threads: ids >= 1, in a stable order. Returns how many (fills at most max). */
    int (*threads)(void *ctx, int *ids, int max);
    /* Registers in target-description numbering; *len set to the register's size. Return 0,
     * or -1 if the register does not exist / cannot be read (reply E.. or 'x' bytes for p).
     * buf holds GDB_REG_MAX_BYTES; *len is 0 on entry.  Returning -1 with *len left 0 means
     * "no such register" (E01); -1 with *len set means "exists but unavailable" ('x' bytes). */
    int (*read_reg)(void *ctx, int thread, int regno, uint8_t *buf, size_t *len);
    int (*write_reg)(void *ctx, int thread, int regno, const uint8_t *buf, size_t len);
    /* Number of registers for 'g'/'G' (0..n-1 in the g packet), and each one's size. */
    int num_regs;
    /* Memory as thread sees it; return bytes done (0..len), -1 on error. */
    int (*read_mem)(void *ctx, int thread, uint64_t addr, uint8_t *buf, size_t len);
    int (*write_mem)(void *ctx, int thread, uint64_t addr, const uint8_t *buf, size_t len);
    /* Start or go on running: run for a while and return GDB_RUN_RUNNING (the library then
     * checks the connection for the 0x03 interrupt byte and calls again with the same
     * arguments and first=false), or GDB_RUN_STOPPED with *stop filled. `interrupt` is true
     * on the call after a 0x03 arrived: the target must then stop (SIGINT).
     * `thread` is the thread to step (for steps) or the current thread (for continues).
     * If gdb disconnects while the target runs, run is called once more with interrupt=true
     * so the target can come to rest, and the session ends. */
    enum gdb_run_result (*run)(void *ctx, enum gdb_resume_kind kind, int thread, bool first,
                               bool interrupt, struct gdb_stop *stop);
    /* Insert/remove a breakpoint or watchpoint. Return 0, -1 for an error (E01), or 1 for "not
     * supported" (empty reply). */
    int (*breakpoint)(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t kind, bool insert);
    /* Target description: the XML document for annex (e.g. "target.xml", "riscv-64bit-cpu.xml")
     * or NULL.  The string must stay valid and unchanged for the whole session. */
    const char *(*target_xml)(void *ctx, const char *annex);
    /* monitor (qRcmd): write output through out(); return 0, or -1 for an error reply.
     * out() may be called any number of times, only during this call. */
    int (*monitor)(void *ctx, const char *command, void (*out)(void *octx, const char *text),
                   void *octx);
    void (*kill)(void *ctx);       /* k / vKill */
    void (*detach)(void *ctx);     /* D */
    bool reverse;                  /* advertise ReverseContinue+/ReverseStep+ and accept bc/bs */
    void *ctx;
};

struct gdb_transport;  /* opaque: a connected byte stream */
/* Listen on TCP (loopback unless bind_any) and accept one client; on a Unix socket; or use
 * stdin/stdout (for `target remote | prog`). Return NULL with a message in err.
 * TCP: bind_any binds the wildcard address; otherwise host (NULL or "" = 127.0.0.1). */
struct gdb_transport *gdb_transport_tcp(const char *host, int port, bool bind_any, char *err, size_t errlen);
struct gdb_transport *gdb_transport_unix(const char *path, char *err, size_t errlen);
struct gdb_transport *gdb_transport_stdio(char *err, size_t errlen);
/* An already connected fd (tests: socketpair).  Takes ownership: gdb_transport_close closes
 * it.  Returns NULL if fd < 0 or out of memory. */
struct gdb_transport *gdb_transport_fd(int fd);
/* Addition: separate read and write fds (pipes); takes ownership of both. */
struct gdb_transport *gdb_transport_fds(int rfd, int wfd);
void gdb_transport_close(struct gdb_transport *t);

/* Addition: listening in two steps, so the caller can report the port (port 0 picks a free
 * one) before blocking in accept.  gdb_transport_tcp/unix are listen + accept + close. */
struct gdb_listener;
struct gdb_listener *gdb_listen_tcp(const char *host, int port, bool bind_any, char *err, size_t errlen);
struct gdb_listener *gdb_listen_unix(const char *path, char *err, size_t errlen);
int gdb_listener_port(const struct gdb_listener *l);      /* TCP port, or -1 for Unix */
int gdb_listener_fd(const struct gdb_listener *l);        /* for poll(); do not close */
struct gdb_transport *gdb_listener_accept(struct gdb_listener *l, char *err, size_t errlen);
void gdb_listener_close(struct gdb_listener *l);          /* also unlinks a Unix socket path */

/* Serve one gdb session until it detaches, kills, or disconnects. Returns 0 when the session
 * ended normally (detach/kill/EOF), -1 on a transport error (message in err).
 * A peer that resets the connection counts as a disconnect.  err may be NULL. */
int gdb_serve(struct gdb_transport *t, const struct gdb_target_ops *ops, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
