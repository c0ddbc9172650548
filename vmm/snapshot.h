/* snapshot.h — a whole machine's state (except RAM) in the state stream, a hash of the state
 * and RAM for checkpoint verification, and access to RAM for the trace.
 *
 * The machine's state is one section "machine" holding, in order: "vm" (virtual time, the
 * running hart, each hart's SBI/HSM state and slice start, the scheduler's position in its
 * round, console input not yet delivered, pending exit, reboot count), one "hart" per hart,
 * then the devices present: for the virt board "clint", "plic", "uart16550", "syscon",
 * "goldfish-rtc" and "bootrom"; for a bare-metal program "htif" when it has one.
 *
 * With virtio devices, one "virtio-mmio" section per slot follows, then one "disk" per disk.
 *
 * RAM is not in the stream (the trace stores pages separately), and neither are the disks'
 * overlay blocks (the "disk" section holds their count and hash; restore the blocks with
 * disk_image_set_block before loading). To restore a machine, put
 * its RAM contents in place through vm_ram() first, then call vm_load_state(): the load
 * drops every decoded block and translation, so nothing derived from the old RAM survives.
 *
 * Call these between runs (not from inside vm_run's callbacks). */
#ifndef REWIND_SNAPSHOT_H
#define REWIND_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/state.h"
#include "vmm/vm.h"

/* The layout of the state stream as a whole. Bump it whenever any section (vm, hart, a
 * device) changes what it writes: traces record it, and checkpoint hashes are compared only
 * between equal layouts. */
#define VM_STATE_FORMAT "machine-state-1"

/* Append the machine's state to w. Returns 0, or -1 if the writer failed (out of memory). */
int vm_save_state(struct vm *vm, struct state_writer *w);

/* Load a machine state saved by vm_save_state from the next section of r into vm, which must
 * have been built the same way: the boot path, number of harts, RAM size, quantum and HTIF
 * addresses must match (a mismatch is refused); the boot files themselves are not compared
 * (what they put in RAM comes with RAM). Every value is validated. Returns 0, or -1 with a
 * message in err; on error vm is left exactly as it was. The reader is left after the
 * section. */
int vm_load_state(struct vm *vm, struct state_reader *r, char *err, size_t errlen);

/* The same for a machine whose decoded code is still good: the caller changed RAM only
 * through vm_restore_ram_page since it was last running (time travel restoring an in-memory
 * checkpoint into the same machine). Decoded blocks of unchanged pages survive. */
int vm_restore_state(struct vm *vm, struct state_reader *r, char *err, size_t errlen);
/* Put 4 KiB of RAM page `page` (from the RAM base; NULL: zeros) and drop code decoded from
 * it; with mark_dirty the page counts as written for dirty-page tracking. */
void vm_restore_ram_page(struct vm *vm, uint64_t page, const uint8_t *data, bool mark_dirty);

/* XXH3-64 of the machine's state stream followed by all of RAM: equal hashes mean equal
 * machines. Returns 0 if the state could not be serialised (out of memory). */
uint64_t vm_state_hash(struct vm *vm);

/* Guest RAM (at guest physical VM_RAM_BASE) and its size in bytes. Writes through this
 * pointer bypass the decoded-code cache: follow them with vm_load_state. */
uint8_t *vm_ram(struct vm *vm, uint64_t *size);

#endif
