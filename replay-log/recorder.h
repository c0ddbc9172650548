/* recorder.h — record mode of the gate: asks the host (another vm_gate) and appends every
 * answer to the trace at the machine's current icount; writes derived events (console output,
 * interrupts, exit) as the machine reports them. */
#ifndef REWIND_RECORDER_H
#define REWIND_RECORDER_H

#include "replay-log/trace.h"
#include "vmm/vm.h"

struct recorder;

struct recorder *recorder_create(struct trace *t, struct vm_gate host);
void recorder_destroy(struct recorder *r);
struct vm_gate recorder_gate(struct recorder *r);
struct vm_observer recorder_observer(struct recorder *r);
/* Write everything pending and commit. Returns 0, or -1 (recorder_error says why). */
int recorder_flush(struct recorder *r);
/* A guest crash seen on the console (Linux "Kernel panic", "Oops", "BUG:"): the line and where.
 * After one, the recording goes on for `grace` more instructions (the backtrace) and stops. */
void recorder_watch_crashes(struct recorder *r, uint64_t grace);
const char *recorder_guest_crash(const struct recorder *r, uint64_t *icount);
/* A guest crash seen another way (a breakpoint on the guest's panic function). */
void recorder_note_crash(struct recorder *r, struct vm *vm, const char *what);
const char *recorder_error(const struct recorder *r);

#endif
