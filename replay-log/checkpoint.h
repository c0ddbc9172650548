/* checkpoint.h — incremental checkpoints of a running machine: its state stream plus the RAM
 * pages written since the previous checkpoint (zero pages stored as NULL, others compressed
 * with zstd), each with a hash that equal machines share. Recording stores them in the trace;
 * replay computes the same hashes at the same icounts and compares. */
#ifndef REWIND_CHECKPOINT_H
#define REWIND_CHECKPOINT_H

#include <stdint.h>

#include "replay-log/trace.h"
#include "vmm/vm.h"

#define CHECKPOINT_DEFAULT_INTERVAL 50000000ull

struct checkpointer;

/* trace: where to store checkpoints (NULL: compute hashes only, for replay). Call right
 * after the machine is loaded (icount 0): the RAM as loaded is the baseline. */
struct checkpointer *checkpointer_create(struct trace *trace, struct vm *vm);
void checkpointer_destroy(struct checkpointer *c);
/* Take a checkpoint now; *hash receives its hash. Returns 0, or -1 (trace error). */
int checkpointer_take(struct checkpointer *c, struct vm *vm, uint64_t *hash);

/* Put the disks' overlays as of checkpoint id in place (before vm_load_state of its state,
 * which checks them). 0, or -1 with a message. */
int checkpoint_restore_disks(struct trace *t, int64_t id, struct vm *vm, char *err, size_t errlen);

struct checkpoint_stats {
    uint64_t count, pages, bytes;
    double seconds;
};
void checkpointer_stats(const struct checkpointer *c, struct checkpoint_stats *s);

#endif
