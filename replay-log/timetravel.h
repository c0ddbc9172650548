/* timetravel.h — moving a replay to any instruction count: rebuild the machine from the
 * trace's nearest checkpoint at or before the target (or from the start), position the replay
 * of events there, and run forward exactly to the target. Reverse step and reverse continue
 * are built on it. */
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

/* Put the machine at exactly `icount` total instructions (a new VM: breakpoints and
 * watchpoints must be set again). Returns 0, or -1 with a message. */
int timetravel_seek(struct timetravel *tt, uint64_t icount, char *err, size_t errlen);

struct trace *timetravel_trace(struct timetravel *tt);
/* The trace's checkpoints (icount order) usable for seeking; returns how many. */
int timetravel_checkpoints(struct timetravel *tt, const struct trace_checkpoint **cps);

/* The icount of the latest usable checkpoint strictly before `icount` (0: the start). */
uint64_t timetravel_checkpoint_before(struct timetravel *tt, uint64_t icount);

/* Hide console output (while a debugger scans the past). */
void timetravel_mute(struct timetravel *tt, bool muted);

#endif
