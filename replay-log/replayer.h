/* replayer.h — replay mode of the gate: answers every input from the trace at exactly the
 * icount where it was recorded, and checks each derived event the machine reports against the
 * trace. The first mismatch stops the machine with a divergence report. */
#ifndef REWIND_REPLAYER_H
#define REWIND_REPLAYER_H

#include <stdbool.h>

#include "replay-log/trace.h"
#include "vmm/vm.h"

struct replayer;

/* Replay the events after seq `after_seq` (0: from the start; a checkpoint's `events` to
 * start there). */
struct replayer *replayer_create(struct trace *t, int64_t after_seq, char *err, size_t errlen);
void replayer_destroy(struct replayer *r);

/* Where a replay is in the trace: enough to create another replayer that goes on exactly from
 * there (time travel restoring a machine it saved at that point). */
struct replayer_pos {
    int64_t input_after;      /* inputs with a larger seq are still to come */
    int64_t derived_after;    /* derived events with a larger seq are still to be checked */
    size_t derived_offset;    /* bytes of the next console chunk already matched */
    uint64_t checked;
};
void replayer_position(const struct replayer *r, struct replayer_pos *pos);
struct replayer *replayer_create_at(struct trace *t, const struct replayer_pos *pos, char *err,
                                    size_t errlen);
struct vm_gate replayer_gate(struct replayer *r);
struct vm_observer replayer_observer(struct replayer *r);

/* The trace was cut off (no end recorded): running out of recorded events ends the replay
 * quietly instead of being a divergence. */
void replayer_set_incomplete(struct replayer *r);
/* True if the replay stopped because the recording ran out (incomplete traces). */
bool replayer_reached_end(const struct replayer *r);

/* After the run: true if replay diverged (the report says how). */
bool replayer_diverged(const struct replayer *r);
const char *replayer_report(const struct replayer *r);
/* Derived events checked so far, and whether every recorded one was matched. */
uint64_t replayer_checked(const struct replayer *r);
bool replayer_all_matched(struct replayer *r);

#endif
