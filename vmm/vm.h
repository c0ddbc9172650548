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

/* The one door to the outside world (the determinism contract): every value the machine
 * takes from outside comes through these calls. Live, the host answers; recording, the host
 * answers and the trace keeps the answer; replaying, the trace answers. NULL members mean
 * "nothing comes from there". */
struct vm_gate {
    /* Console input waiting now (called between rounds): copy at most max bytes into buf and
     * return how many; set *eof once no more input can ever come. */
    size_t (*console_input)(void *ctx, struct vm *vm, uint8_t *buf, size_t max, bool *eof);
    /* Every hart waits and console input may still come: wait for it in host time, at most
     * max_ns (UINT64_MAX: no deadline), and return how many ns of guest time pass (<= max_ns). */
    uint64_t (*idle)(void *ctx, struct vm *vm, uint64_t max_ns);
    /* Wall-clock time (ns since the epoch), read once at start for the RTC. */
    uint64_t (*wall_clock_ns)(void *ctx, struct vm *vm);
    /* Entropy for the device tree's rng-seed. */
    void (*entropy)(void *ctx, struct vm *vm, uint8_t *buf, size_t len);
    /* The host's monotonic clock in ns, for --clock host (every reading is an input). */
    uint64_t (*host_clock_ns)(void *ctx, struct vm *vm);
    /* A frame received for network card `nic` (asked between rounds while the card has a
     * receive buffer posted): copy at most max bytes into buf and return its length; 0 when
     * none is waiting. */
    size_t (*net_receive)(void *ctx, struct vm *vm, unsigned nic, uint8_t *buf, size_t max);
    /* Entropy for the virtio-rng device (asked when the driver posts a buffer). */
    void (*rng)(void *ctx, struct vm *vm, uint8_t *buf, size_t len);
    /* Called between rounds every so often (not an input: a chance for the backend to commit
     * its log or to stop the machine). May be NULL. */
    void (*progress)(void *ctx, struct vm *vm);
    void *ctx;
};

/* Derived events: what the machine did. A recorder writes them; a replayer checks them. */
enum vm_event_kind {
    VM_EVENT_CONSOLE_OUT,  /* data/len: bytes the guest printed */
    VM_EVENT_INTERRUPT,    /* value: mcause/scause of an interrupt taken, pc: where */
    VM_EVENT_EXIT,         /* value: exit code; pc: hart 0's pc */
    VM_EVENT_NET_TX,       /* value: the card; data/len: the frame the guest sent */
    VM_EVENT_DISK_IO,      /* value: first sector; data/len: a text line saying which disk,
                              the request, bytes, status and a hash of the data */
};

struct vm_event {
    enum vm_event_kind kind;
    unsigned hart;
    uint64_t icount;       /* the machine's total retired instructions when it happened */
    uint64_t pc;
    uint64_t value;
    const uint8_t *data;
    size_t len;
};

struct vm_observer {
    void (*event)(void *ctx, struct vm *vm, const struct vm_event *ev);
    void *ctx;
};

enum vm_clock {
    VM_CLOCK_VIRTUAL = 0,  /* guest time is a function of instruction counts (default) */
    VM_CLOCK_HOST,         /* guest time follows the host's monotonic clock, read via the gate */
};

#define VM_MAX_DISKS 4
#define VM_MAX_NICS 2

struct vm_disk_config {
    const char *path;       /* a raw image */
    bool readonly;          /* the guest sees a read-only disk */
    bool persist;           /* writes reach the file (plain runs); otherwise an overlay */
};

struct vm_config {
    uint64_t ram_size;                   /* bytes */
    enum vm_clock clock;
    unsigned num_harts;                  /* 1..8 (0 means 1) */
    uint64_t quantum;                    /* instructions per hart per round (0: default) */
    /* Guest console output (UART, SBI console, HTIF): an output, not an input. */
    void (*console_write)(void *ctx, const uint8_t *bytes, size_t len);
    void *console_ctx;
    struct vm_gate gate;
    struct vm_observer observer;
    /* virtio-mmio devices, in slot order: disks, then network cards, then the rng, then the
     * console (hvc0; it then takes the console input instead of the UART) */
    struct vm_disk_config disks[VM_MAX_DISKS];
    unsigned num_disks;
    unsigned num_nics;
    uint8_t nic_mac[VM_MAX_NICS][6];     /* all zero: 52:54:00:12:34:56 + card index */
    bool rng;
    bool virtio_console;
    /* Frames the guest sends on a card: an output, like console_write. */
    void (*net_transmit)(void *ctx, unsigned nic, const uint8_t *frame, size_t len);
    void *net_ctx;
    /* A guest reboot ends the run (VM_EXIT_REBOOT) instead of restarting the machine. */
    bool no_reboot;
    /* Instructions a hart may run with a pending interrupt it keeps disabled before the
     * machine counts as hung (0: never). */
    uint64_t hang_after;
};

enum vm_exit_reason {
    VM_EXIT_GUEST,       /* the guest exited (HTIF, syscon, SBI reset): exit_code holds its code */
    VM_EXIT_REBOOT,      /* the guest asked for a reboot */
    VM_EXIT_INSN_LIMIT,  /* the instruction budget ran out */
    VM_EXIT_IDLE,        /* every hart waits and nothing can wake one */
    VM_EXIT_QUIT,        /* the host asked to stop (vm_request_quit) */
    VM_EXIT_STUCK,       /* a hart traps over and over without executing (a trap storm) */
    VM_EXIT_BREAKPOINT,  /* a hart reached a breakpoint (vm_break_at); hart says which.
                            Running again goes on from there. */
    VM_EXIT_HUNG,        /* a hart ran hang_after instructions with an interrupt pending that
                            it kept disabled (a loop with interrupts off); hart says which */
    VM_EXIT_WATCHPOINT,  /* an instruction of `hart` touched a watched range (vm_watch_add):
                            watch_addr/watch_type say which; running again goes on */
};

struct vm_exit {
    enum vm_exit_reason reason;
    uint64_t exit_code;
    unsigned hart;       /* for VM_EXIT_STUCK/HUNG/BREAKPOINT/WATCHPOINT: which hart */
    uint64_t watch_addr; /* VM_EXIT_WATCHPOINT */
    int watch_type;      /* enum hart_watch_type */
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
/* How many more console input bytes the machine can buffer now (the gate is asked for at
 * most this many). */
size_t vm_console_input_space(const struct vm *vm);
/* Ask vm_run to return at the next instruction boundary (VM_EXIT_QUIT). */
void vm_request_quit(struct vm *vm);

/* Stop vm_run (VM_EXIT_BREAKPOINT) whenever a hart is about to execute the instruction at
 * virtual address vaddr. Returns 0, or -1 if the breakpoint table is full. */
int vm_break_at(struct vm *vm, uint64_t vaddr);
/* Remove it again; returns 0, or -1 if it was not set. */
int vm_break_remove(struct vm *vm, uint64_t vaddr);
/* Watch a virtual range on every hart (enum hart_watch_type); 0 or -1. */
int vm_watch_add(struct vm *vm, uint64_t addr, uint64_t len, int type);
int vm_watch_remove(struct vm *vm, uint64_t addr, uint64_t len, int type);
/* Remove every breakpoint and watchpoint and forget a pending stop (time travel moved the
 * machine; the debugger sets its points again). */
void vm_debug_clear(struct vm *vm);
/* Guest physical memory as the bus sees it (RAM/ROM; MMIO is refused). 0 or -1. */
int vm_phys_read(struct vm *vm, uint64_t paddr, void *buf, uint64_t len);
int vm_phys_write(struct vm *vm, uint64_t paddr, const void *buf, uint64_t len);

/* Replace the gate and observer (e.g. to go on from a restored checkpoint with a replay
 * positioned there). */
void vm_set_gate(struct vm *vm, struct vm_gate gate, struct vm_observer observer);

/* virtio devices, for reports and the trace. */
struct disk_image;
/* The disk behind virtio slot of disk `index` (NULL if none). */
struct disk_image *vm_disk(struct vm *vm, unsigned index);
/* The last guest error on any virtio device ("" if none) and how many there were. */
const char *vm_virtio_error(const struct vm *vm, uint64_t *count);

/* Incremental checkpoints: call fn for every RAM page (index from VM_RAM_BASE) written since
 * the last call (all pages the first time), and start tracking afresh. */
void vm_take_dirty_pages(struct vm *vm, void (*fn)(void *ctx, uint64_t page), void *ctx);

unsigned vm_num_harts(const struct vm *vm);
uint64_t vm_hang_after(const struct vm *vm);
struct hart *vm_hart(struct vm *vm, unsigned index);
/* True if the loaded program has HTIF (a `tohost` symbol). */
bool vm_has_htif(const struct vm *vm);
/* Total instructions retired by all harts. */
uint64_t vm_icount(const struct vm *vm);
/* Guest time (ns since power-on) as hart `index` sees it now, without asking the host:
 * with the virtual clock a function of instruction counts; with --clock host the latest
 * reading. */
uint64_t vm_guest_time_ns(struct vm *vm, unsigned index);

/* Write the memory between the program's begin_signature and end_signature symbols to path,
 * one line per `granularity` bytes (1, 2, 4 or 8), each printed as a little-endian number in
 * hex, as Spike's +signature does. Returns 0, or -1 with a message. */
int vm_write_signature(struct vm *vm, const char *path, unsigned granularity, char *err,
                       size_t errlen);

#endif
