/* timetravel.h — moving a replay to any instruction count: start from the closest of where
 * the machine is now, an in-memory checkpoint (replay-log/memsnap.h, restored into the same
 * machine, keeping its decoded code) or the trace's nearest checkpoint (the machine rebuilt),
 * position the replay of events there, and run forward exactly to the target, leaving
 * in-memory checkpoints behind, denser close to the target. Reverse step and reverse
 * continue are built on it. */
#ifndef REWIND_TIMETRAVEL_H
#define REWIND_TIMETRAVEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay-log/replayer.h"
#include "replay-log/trace.h"
#include "vmm/vm.h"

/* Builds a VM for this trace with the given configuration (the caller knows the images). */
typedef struct vm *(*timetravel_build_fn)(void *ctx, const struct vm_config *cfg);

struct timetravel;

/* base: the configuration (console, clock...) without gate/observer. incomplete: the trace
 * was cut off. The machine starts at icount 0. Returns NULL with a message. */
struct timetravel *timetravel_create(struct trace *t, bool incomplete, struct vm_config base,
                                     timetravel_build_fn build, void *build_ctx, char *err,
                                     size_t errlen);
void timetravel_destroy(struct timetravel *tt);
struct vm *timetravel_vm(struct timetravel *tt);
struct replayer *timetravel_replayer(struct timetravel *tt);

/* Put the machine at exactly `icount` total instructions. Breakpoints and watchpoints are
 * cleared (and the machine may be a new one: ask timetravel_vm again). Returns 0, or -1 with
 * a message. */
int timetravel_seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen);
/* vm_run for a debugger going forward through the replay: the same stops, with an in-memory
 * checkpoint left every couple of million instructions (reverse continue then finds one near
 * any hit). */
int timetravel_run(struct timetravel *tt, uint64_t max_insns, struct vm_exit *ex);
/* Bound the memory of in-memory checkpoints (default MEMSNAP_DEFAULT_BUDGET, 256 MiB). The
 * machine as built stays whatever the budget. */
void timetravel_set_memory(struct timetravel *tt, uint64_t bytes);
/* An in-memory checkpoint where the machine is now (`monitor checkpoint`). 0 or -1. */
int timetravel_snapshot_here(struct timetravel *tt, char *err, size_t errlen);
struct memsnap_store;
struct memsnap_store *timetravel_memory(struct timetravel *tt);
struct memsnap_stats;
void timetravel_memory_stats(struct timetravel *tt, struct memsnap_stats *st);

struct trace *timetravel_trace(struct timetravel *tt);
/* The trace's checkpoints (icount order) usable for seeking; returns how many. */
int timetravel_checkpoints(struct timetravel *tt, const struct trace_checkpoint **cps);

/* Where reverse continue should start scanning the span that ends at `end`: the latest
 * checkpoint (trace or in memory) far enough before it that restoring costs little next to
 * scanning; the latest of any kind before `end` when none is that far back; 0 for the
 * start. Always < end when end > 0. */
uint64_t timetravel_span_start(struct timetravel *tt, uint64_t end);

/* Hide console output (while a debugger scans the past). */
void timetravel_mute(struct timetravel *tt, bool muted);

#endif
