/* vm.h — one virtual machine ("rewind virt"): RAM, bus, harts, decoded-code cache and
 * devices, and the loop that runs it. Everything lives in the struct: several VMs may share a
 * process. Host I/O reaches the machine only through the callbacks in vm_config. */
#ifndef REWIND_VM_H
#define REWIND_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/cpu/hart.h"

struct vm;

#define VM_RAM_BASE 0x80000000ull
#define VM_DEFAULT_RAM_MB 128
#define VM_DEFAULT_QUANTUM 10000

struct vm_config {
    uint64_t ram_size;                   /* bytes */
    unsigned num_harts;                  /* 1..8 (0 means 1) */
    uint64_t quantum;                    /* instructions per hart per round (0: default) */
    /* Guest console output (UART, SBI console, HTIF). */
    void (*console_write)(void *ctx, const uint8_t *bytes, size_t len);
    void *console_ctx;
    /* Host input: wait up to timeout_ms (0: just look) for console input and hand it to
     * vm_console_input. Returns false once no more input can ever come (EOF). NULL: none. */
    bool (*poll_input)(void *ctx, struct vm *vm, int timeout_ms);
    void *input_ctx;
    /* Wall-clock time (ns since the epoch) for the RTC; NULL: the epoch. */
    uint64_t (*wall_clock_ns)(void *ctx);
    /* Entropy for the device tree's rng-seed; NULL: no seed. */
    void (*entropy)(void *ctx, uint8_t *buf, size_t len);
    void *host_ctx;
    /* A guest reboot ends the run (VM_EXIT_REBOOT) instead of restarting the machine. */
    bool no_reboot;
};

enum vm_exit_reason {
    VM_EXIT_GUEST,       /* the guest exited (HTIF, syscon, SBI reset): exit_code holds its code */
    VM_EXIT_REBOOT,      /* the guest asked for a reboot */
    VM_EXIT_INSN_LIMIT,  /* the instruction budget ran out */
    VM_EXIT_IDLE,        /* every hart waits and nothing can wake one */
    VM_EXIT_QUIT,        /* the host asked to stop (vm_request_quit) */
};

struct vm_exit {
    enum vm_exit_reason reason;
    uint64_t exit_code;
    uint64_t icount;     /* instructions retired by all harts */
};

struct vm;

/* Create a VM; on error returns NULL and a message in err. */
struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Boot paths. Each returns 0, or -1 with a message naming the file and the problem. */
/* A bare-metal ELF program in M-mode, with HTIF if it has a `tohost` symbol. */
int vm_load_program(struct vm *vm, const char *path, char *err, size_t errlen);
/* M-mode firmware (raw binary or ELF) at 0x80000000 started from the boot ROM, with an
 * optional payload (kernel or U-Boot, raw or ELF) at 0x80200000. */
int vm_load_firmware(struct vm *vm, const char *bios, const char *kernel, const char *initrd,
                     const char *append, char *err, size_t errlen);
/* A Linux Image started in S-mode on the built-in SBI. */
int vm_load_kernel(struct vm *vm, const char *kernel, const char *initrd, const char *append,
                   char *err, size_t errlen);
/* True if path is a RISC-V Linux Image (by its header magic). */
bool vm_file_is_linux_image(const char *path);

/* Run until the guest exits, the budget (0 = unlimited) is spent, or nothing can happen. */
int vm_run(struct vm *vm, uint64_t max_insns, struct vm_exit *exit);
/* Console input from the host (called from poll_input). Bytes wait in a bounded buffer
 * until the UART has room; returns how many were accepted. */
size_t vm_console_input(struct vm *vm, const uint8_t *bytes, size_t len);
/* How many more bytes vm_console_input would accept now. */
size_t vm_console_input_space(const struct vm *vm);
/* Ask vm_run to return at the next instruction boundary (VM_EXIT_QUIT). */
void vm_request_quit(struct vm *vm);

unsigned vm_num_harts(const struct vm *vm);
struct hart *vm_hart(struct vm *vm, unsigned index);
/* True if the loaded program has HTIF (a `tohost` symbol). */
bool vm_has_htif(const struct vm *vm);
/* Total instructions retired by all harts. */
uint64_t vm_icount(const struct vm *vm);

/* Write the memory between the program's begin_signature and end_signature symbols to path,
 * one line per `granularity` bytes (1, 2, 4 or 8), each printed as a little-endian number in
 * hex, as Spike's +signature does. Returns 0, or -1 with a message. */
int vm_write_signature(struct vm *vm, const char *path, unsigned granularity, char *err,
                       size_t errlen);

#endif
