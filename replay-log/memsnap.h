/* memsnap.h — in-memory checkpoints of a replaying machine, for time travel. Each holds the
 * machine's state stream, where the replay was in the trace, and every RAM page and disk
 * overlay block as they were — shared between snapshots where they did not change (pages are
 * immutable, reference-counted copies), so a snapshot costs only the pages written since the
 * previous one. Restoring one into the same machine copies back only the pages that differ
 * from what the machine holds now and keeps the decoded code of every other page.
 *
 * The store is bounded: past its budget it drops snapshots, keeping them dense near the
 * present (the position the debugger is at) and sparse far from it. Only a pinned snapshot
 * (time travel pins the machine as built) is never dropped, so the memory used stays within
 * the budget or the pinned snapshots' size, whichever is larger. */
#ifndef REWIND_MEMSNAP_H
#define REWIND_MEMSNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay-log/replayer.h"
#include "vmm/vm.h"

#define MEMSNAP_DEFAULT_BUDGET (256ull << 20)

struct memsnap_store;

struct memsnap_store *memsnap_create(uint64_t budget_bytes);
void memsnap_destroy(struct memsnap_store *s);
/* A new budget; drops snapshots until they fit (`present` as for memsnap_take). */
void memsnap_set_budget(struct memsnap_store *s, uint64_t budget_bytes, uint64_t present);
/* The machine the snapshots are restored into was rebuilt (or changed behind the store's
 * back): what its RAM holds is unknown until the next take or restore. Drops every snapshot
 * when `drop_all`. */
void memsnap_forget_live(struct memsnap_store *s, bool drop_all);

/* Snapshot vm as it is now (between vm_run calls), with the replay at pos. `present`: where
 * the debugger is, for the eviction policy. Taking one where one exists does nothing.
 * Returns 0, or -1 with a message. */
int memsnap_take(struct memsnap_store *s, struct vm *vm, const struct replayer_pos *pos,
                 uint64_t present, char *err, size_t errlen);
/* Keep snapshot `index` whatever the budget (the machine as built, which every trace
 * checkpoint is restored on top of). */
void memsnap_pin(struct memsnap_store *s, int index);
/* The latest snapshot at or before icount: returns its index and *at, or -1. */
int memsnap_find(const struct memsnap_store *s, uint64_t icount, uint64_t *at);
/* Put vm back to snapshot `index` (breakpoints and watchpoints are cleared); *pos is where
 * the replay must go on from. 0, or -1 with a message (vm is then in an unknown state:
 * rebuild it). */
int memsnap_restore(struct memsnap_store *s, int index, struct vm *vm, struct replayer_pos *pos,
                    char *err, size_t errlen);

struct memsnap_stats {
    unsigned count;
    uint64_t bytes, budget;
    uint64_t taken, restored, evicted;
    uint64_t pages_copied;       /* RAM pages copied back by restores */
};
void memsnap_stats(const struct memsnap_store *s, struct memsnap_stats *st);
/* The icount of snapshot i (0 <= i < count), in icount order. */
uint64_t memsnap_icount(const struct memsnap_store *s, unsigned i);

#endif
