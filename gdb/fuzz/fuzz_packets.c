/* fuzz_packets.c — libFuzzer harness for the gdb protocol library: the input's first byte
 * picks the fake target's behaviour (reverse support, how long run() runs, what stop it
 * reports); the rest is fed as the byte stream from "gdb" through a pipe into gdb_serve,
 * whose replies go to /dev/null.
 *
 *   CC=clang cmake -S . -B build-fuzz -DREWIND_FUZZ=ON -DREWIND_GUESTS=OFF
 *   make -C build-fuzz fuzz_gdb_packets
 *   mkdir -p /tmp/gdb-corpus
 *   build-fuzz/gdb/fuzz_gdb_packets -max_total_time=120 -max_len=20000
 *       -dict=gdb/fuzz/packets.dict /tmp/gdb-corpus gdb/fuzz/corpus   (one line)
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gdbstub.h"

#define MEM_BASE 0x1000u
#define MEM_SIZE 512u
#define NUM_REGS 33

struct fuzz_target {
    uint8_t mem[MEM_SIZE];
    uint64_t regs[3][NUM_REGS];
    int stop_after;
    int slice;
    struct gdb_stop stop;
};

static const char fuzz_xml[] =
    "<?xml version=\"1.0\"?><target><architecture>riscv:rv64</architecture>"
    "<!-- $ # } * --></target>";

static int f_threads(void *ctx, int *ids, int max)
{
    (void)ctx;
    int n = 0;
    for (int i = 1; i <= 2 && n < max; i++)
        ids[n++] = i;
    return n;
}

static int f_read_reg(void *ctx, int thread, int regno, uint8_t *buf, size_t *len)
{
    struct fuzz_target *f = ctx;
    if (thread < 1 || thread > 2)
        return -1;
    if (regno == NUM_REGS + 1) {
        *len = 8;
        return -1;  /* unavailable */
    }
    if (regno < 0 || regno >= NUM_REGS)
        return -1;
    memcpy(buf, &f->regs[thread][regno], 8);
    *len = 8;
    return 0;
}

static int f_write_reg(void *ctx, int thread, int regno, const uint8_t *buf, size_t len)
{
    struct fuzz_target *f = ctx;
    if (thread < 1 || thread > 2 || regno < 0 || regno >= NUM_REGS || len != 8)
        return -1;
    memcpy(&f->regs[thread][regno], buf, 8);
    return 0;
}

static int span(uint64_t addr, size_t len)
{
    if (addr < MEM_BASE || addr >= MEM_BASE + MEM_SIZE)
        return -1;
    uint64_t room = MEM_BASE + MEM_SIZE - addr;
    return (int)(len < room ? len : room);
}

static int f_read_mem(void *ctx, int thread, uint64_t addr, uint8_t *buf, size_t len)
{
    (void)thread;
    struct fuzz_target *f = ctx;
    int n = span(addr, len);
    if (n > 0)
        memcpy(buf, f->mem + (addr - MEM_BASE), (size_t)n);
    return n;
}

static int f_write_mem(void *ctx, int thread, uint64_t addr, const uint8_t *buf, size_t len)
{
    (void)thread;
    struct fuzz_target *f = ctx;
    int n = span(addr, len);
    if (n > 0)
        memcpy(f->mem + (addr - MEM_BASE), buf, (size_t)n);
    return n;
}

static enum gdb_run_result f_run(void *ctx, enum gdb_resume_kind kind, int thread, bool first,
                                 bool interrupt, struct gdb_stop *stop)
{
    (void)kind;
    struct fuzz_target *f = ctx;
    if (first)
        f->slice = 0;
    if (interrupt) {
        stop->kind = GDB_STOP_SIGNAL;
        stop->signal = 2;
        stop->thread = thread;
        return GDB_RUN_STOPPED;
    }
    if (f->slice++ < f->stop_after)
        return GDB_RUN_RUNNING;
    *stop = f->stop;
    return GDB_RUN_STOPPED;
}

static int f_breakpoint(void *ctx, enum gdb_bp_type type, uint64_t addr, uint64_t kind, bool insert)
{
    (void)ctx;
    (void)kind;
    (void)insert;
    if (type == GDB_WP_ACCESS)
        return 1;
    return addr & 1 ? -1 : 0;
}

static const char *f_target_xml(void *ctx, const char *annex)
{
    (void)ctx;
    return strcmp(annex, "target.xml") == 0 ? fuzz_xml : NULL;
}

static int f_monitor(void *ctx, const char *command, void (*out)(void *octx, const char *text),
                     void *octx)
{
    (void)ctx;
    out(octx, command);
    out(octx, "\n");
    return command[0] == 'x' ? -1 : 0;
}

static void f_nothing(void *ctx)
{
    (void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 60000)  /* must fit in a pipe */
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;

    struct fuzz_target f;
    memset(&f, 0, sizeof(f));
    for (unsigned i = 0; i < MEM_SIZE; i++)
        f.mem[i] = (uint8_t)i;
    f.stop_after = mode & 3;
    static const enum gdb_stop_reason reasons[8] = {
        GDB_REASON_NONE, GDB_REASON_SWBREAK, GDB_REASON_HWBREAK, GDB_REASON_WATCH,
        GDB_REASON_RWATCH, GDB_REASON_AWATCH, GDB_REASON_REPLAYLOG_BEGIN,
        GDB_REASON_REPLAYLOG_END,
    };
    f.stop.kind = (mode >> 5) == 7 ? GDB_STOP_EXITED : (mode >> 5) == 6 ? GDB_STOP_TERMINATED
                                                                        : GDB_STOP_SIGNAL;
    f.stop.signal = 5;
    f.stop.exit_code = mode;
    f.stop.thread = (mode >> 6) & 1 ? 2 : 0;
    f.stop.reason = reasons[(mode >> 2) & 7];
    f.stop.watch_addr = MEM_BASE + mode;

    struct gdb_target_ops ops = {
        .threads = f_threads, .read_reg = f_read_reg, .write_reg = f_write_reg,
        .num_regs = NUM_REGS, .read_mem = f_read_mem, .write_mem = f_write_mem, .run = f_run,
        .breakpoint = f_breakpoint, .target_xml = f_target_xml, .monitor = f_monitor,
        .kill = f_nothing, .detach = f_nothing, .reverse = (mode & 0x10) != 0, .ctx = &f,
    };

    int p[2];
    if (pipe(p) != 0)
        return 0;
    int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (out < 0) {
        close(p[0]);
        close(p[1]);
        return 0;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(p[1], data + done, size - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(p[1]);
    struct gdb_transport *t = gdb_transport_fds(p[0], out);
    if (!t) {
        close(p[0]);
        close(out);
        return 0;
    }
    char err[128];
    gdb_serve(t, &ops, err, sizeof(err));
    gdb_transport_close(t);
    return 0;
}
