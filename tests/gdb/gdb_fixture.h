/* gdb_fixture.h — a fake target (array memory, registers, threads 1 and 2, a run() that stops
 * after N calls or on interrupt) and a harness that runs gdb_serve in a thread over a
 * socketpair, for the cmocka tests of the gdb protocol library. */
#ifndef REWIND_TESTS_GDB_FIXTURE_H
#define REWIND_TESTS_GDB_FIXTURE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub.h"

#define FAKE_MEM_BASE 0x1000u
#define FAKE_MEM_SIZE 0x10000u
#define FAKE_NUM_REGS 33        /* x0..x31, pc: 8 bytes each, in the g packet */
#define FAKE_REG_FCSR 33        /* 4 bytes, outside the g packet */
#define FAKE_REG_UNAVAIL 34     /* exists (8 bytes) but cannot be read */
#define FAKE_BP_FAIL_ADDR 0xdead

struct fake_target {
    uint8_t mem[FAKE_MEM_SIZE];
    uint64_t regs[3][FAKE_NUM_REGS];   /* [thread][reg], thread 1 and 2 */
    uint32_t fcsr[3];
    int nthreads;

    /* run control */
    int stop_after;          /* RUNNING this many times, then stop; < 0: only on interrupt */
    int run_sleep_us;        /* sleep per RUNNING call */
    struct gdb_stop next_stop;
    int run_calls, run_starts, interrupted_calls;
    int slice;               /* calls in the current run */
    enum gdb_resume_kind last_kind;
    int last_thread;
    bool last_interrupt;

    /* breakpoints */
    int bp_calls;
    enum gdb_bp_type last_bp_type;
    uint64_t last_bp_addr, last_bp_kind;
    bool last_bp_insert;

    int kills, detaches;
    char last_monitor[512];
    const char *big_xml;     /* served as "big.xml" */
};

struct gdb_harness {
    int fd;                  /* client end of the socketpair */
    pthread_t thread;
    bool running;
    struct gdb_transport *t;
    struct fake_target fake;
    struct gdb_target_ops ops;
    int serve_rc;
    char err[256];
    bool noack;
    char reply[0x20000];
    size_t reply_len;
};

extern const char fake_target_xml[];

void fake_target_init(struct fake_target *f);
void fake_target_ops(struct gdb_target_ops *ops, struct fake_target *f, bool reverse);

/* cmocka setup/teardown: *state becomes a started harness. */
int harness_setup(void **state);
int harness_setup_reverse(void **state);
int harness_teardown(void **state);
/* Create without starting (tests may change ops first), then start. */
struct gdb_harness *harness_new(bool reverse);
void harness_start(struct gdb_harness *h);
/* Close the client end and wait for gdb_serve; returns its result. */
int harness_finish(struct gdb_harness *h);

void h_send_raw(struct gdb_harness *h, const void *bytes, size_t len);
void h_send_str(struct gdb_harness *h, const char *s);
void h_send_packet(struct gdb_harness *h, const void *payload, size_t len);
/* Read exactly strlen(expected) bytes and compare them. */
void h_expect(struct gdb_harness *h, const char *expected);
/* Read one '$...#xx' packet (checksum verified); returns the payload (NUL-terminated). */
const char *h_read_packet(struct gdb_harness *h);
/* Send a packet, check the ack (unless no-ack), read the reply, ack it. */
const char *h_cmd(struct gdb_harness *h, const char *payload);
const char *h_cmd_bin(struct gdb_harness *h, const void *payload, size_t len);
/* The peer closed the connection (gdb_serve returned). */
void h_expect_eof(struct gdb_harness *h);
/* Nothing arrives within ms milliseconds. */
void h_expect_silence(struct gdb_harness *h, int ms);
void h_noack(struct gdb_harness *h);  /* negotiate QStartNoAckMode */
/* Frame payload as "$payload#cs" into out (NUL-terminated); returns the length. */
size_t h_frame(const void *payload, size_t len, char *out, size_t cap);
void h_hex(const void *buf, size_t len, char *out);

#endif
