/* gdb_glue.h — serving a live VM to gdb: the target callbacks of the gdb/ library mapped onto
 * the machine (harts as threads, registers by gdb's RISC-V numbering, memory through the
 * current hart's MMU or physical, breakpoints, stepping, continuing). */
#ifndef REWIND_GDB_GLUE_H
#define REWIND_GDB_GLUE_H

#include <stdbool.h>

#include "gdb/gdbstub.h"
#include "replay-log/timetravel.h"
#include "vmm/vm.h"

struct gdb_glue {
    struct vm *vm;
    int thread;             /* the thread gdb selected (1-based hart index) */
    bool physical;          /* monitor phys on: addresses are guest physical */
    bool killed;
    bool exited;
    struct vm_exit last_exit;
    /* Serving a replay: the machine must not be changed (writes are refused) and running
     * stops at the end of the recording (end_icount, a total instruction count). */
    bool replay;
    uint64_t end_icount;
    bool (*diverged)(void *ctx);   /* the replay diverged (then it stops) */
    void *diverged_ctx;
    /* With a time-travel engine the replay also runs backwards (vm follows the engine). */
    struct timetravel *tt;
    /* `monitor go-live`: leave the recording and go on as a live machine (the CLI switches
     * the machine's gate to the host). 0, or -1 with a message. NULL: not offered. */
    int (*go_live)(void *ctx, struct vm *vm, char *err, size_t errlen);
    void *go_live_ctx;
    /* The machine is exactly where a seek put it (no forward run since): the state a replay
     * has at that icount, never a trap handler's entry. */
    bool seeked;
    uint64_t seeked_icount;
    /* Tell the user something gdb's protocol cannot carry (why a write was refused). */
    void (*notice)(const char *message);
    bool write_refusal_told;
    /* what gdb inserted, to set again on a machine rebuilt by a seek */
    uint64_t bps[64];
    int nbp;
    struct { uint64_t addr, len; int type; } watches[16];
    int nwatch;
};

/* Fill the callback table for vm (glue must outlive the session). */
void gdb_glue_init(struct gdb_glue *glue, struct vm *vm, struct gdb_target_ops *ops);

#endif
