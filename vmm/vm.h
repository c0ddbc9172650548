/* vm.h — one virtual machine: RAM, bus, harts, decoded-code cache and devices, and the loop
 * that runs it. Everything lives in the struct: several VMs may share a process. */
#ifndef REWIND_VM_H
#define REWIND_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/hart.h"

#define VM_RAM_BASE 0x80000000ull
#define VM_DEFAULT_RAM_MB 128

struct vm_config {
    uint64_t ram_size;                   /* bytes */
    /* Where guest console output goes (HTIF, later the UART). */
    void (*console_write)(void *ctx, const uint8_t *bytes, size_t len);
    void *console_ctx;
};

enum vm_exit_reason {
    VM_EXIT_GUEST,       /* the guest asked to exit: exit_code holds its code */
    VM_EXIT_INSN_LIMIT,  /* the instruction budget ran out */
    VM_EXIT_IDLE,        /* every hart waits in wfi and nothing can wake it */
};

struct vm_exit {
    enum vm_exit_reason reason;
    uint64_t exit_code;
    uint64_t icount;     /* instructions retired by hart 0 */
};

struct vm;

/* Create a VM; on error returns NULL and a message in err. */
struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Load a bare-metal ELF program and point hart 0 at its entry, attaching HTIF if the program
 * has a `tohost` symbol. Returns 0, or -1 with a message. */
int vm_load_program(struct vm *vm, const char *path, char *err, size_t errlen);

/* Run until the guest exits, the budget (0 = unlimited) is spent, or nothing can happen. */
int vm_run(struct vm *vm, uint64_t max_insns, struct vm_exit *exit);

struct hart *vm_hart(struct vm *vm, int index);
/* True if the loaded program has HTIF (a `tohost` symbol): without it nothing can end the run
 * except --max-insns. */
bool vm_has_htif(const struct vm *vm);

/* Write the memory between the program's begin_signature and end_signature symbols to path,
 * one line per `granularity` bytes (1, 2, 4 or 8), each printed as a little-endian number in
 * hex, as Spike's +signature does. Returns 0, or -1 with a message. */
int vm_write_signature(struct vm *vm, const char *path, unsigned granularity, char *err,
                       size_t errlen);

#endif
