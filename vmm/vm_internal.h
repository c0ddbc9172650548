/* vm_internal.h — the VM's state, shared by vm.c (assembly, loading) and vm_run.c
 * (scheduling, virtual time). Not for use outside vmm/. */
#ifndef REWIND_VM_INTERNAL_H
#define REWIND_VM_INTERNAL_H

#include "devices/bootrom.h"
#include "devices/clint.h"
#include "devices/goldfish_rtc.h"
#include "devices/htif.h"
#include "devices/plic.h"
#include "devices/syscon.h"
#include "devices/uart16550.h"
#include "devices/virt_map.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "vmm/disk_image.h"
#include "vmm/bus.h"
#include "vmm/cpu/code_cache.h"
#include "vmm/elf_load.h"
#include "vmm/sbi.h"
#include "vmm/vm.h"

/* Virtual time: one retired instruction is one nanosecond of guest time, so mtime (10 MHz)
 * advances one tick every VM_INSNS_PER_TICK instructions of a hart. */
#define VM_INSNS_PER_TICK 100u
#define VM_INPUT_BUFFER 65536
#define VM_POLL_EVERY_ROUNDS 64

enum vm_boot { VM_BOOT_NONE, VM_BOOT_PROGRAM, VM_BOOT_FIRMWARE, VM_BOOT_KERNEL };

struct vm;

/* Per-hart context handed to the hart's platform callbacks. */
struct vm_hart_slot {
    struct vm *vm;
    unsigned index;
    struct hart *hart;
    enum sbi_hart_state state;   /* built-in SBI: HSM state; otherwise always STARTED */
    uint64_t slice_start_icount; /* icount when its current slice began */
    uint64_t blocked_since;      /* icount since which an interrupt waits that it keeps
                                    disabled; UINT64_MAX when none does */
};

/* Context of a virtio disk's or network card's callbacks. */
struct vm_device_slot {
    struct vm *vm;
    unsigned index;
};

struct vm {
    struct vm_config cfg;
    enum vm_boot boot;
    uint8_t *ram;
    struct bus bus;
    struct code_cache *code;
    unsigned num_harts;
    struct vm_hart_slot harts[VIRT_MAX_HARTS];

    /* devices */
    struct bootrom bootrom;
    struct clint clint;
    struct plic plic;
    struct uart16550 uart;
    struct syscon syscon;
    struct goldfish_rtc rtc;
    struct htif htif;
    bool has_htif;
    /* virtio-mmio devices: disks, network cards, rng (allocated when the board is built) */
    struct disk_image *disk[VM_MAX_DISKS];
    struct virtio_blk *blk[VM_MAX_DISKS];
    struct vm_device_slot disk_slot[VM_MAX_DISKS];
    struct virtio_net *net[VM_MAX_NICS];
    struct vm_device_slot nic_slot[VM_MAX_NICS];
    struct virtio_rng *rng;
    struct virtio_console *hvc;
    struct virtio_mmio *virtio[VIRT_VIRTIO_SLOTS];
    unsigned virtio_slots;
    uint8_t net_frame[VIRTIO_NET_MAX_FRAME];  /* a received frame on its way in */
    struct elf_image image;
    struct sbi_host sbi;
    bool board_attached;
    /* what was booted, so that a reboot can boot it again */
    char *bios_path, *kernel_path, *initrd_path, *append;
    unsigned reboots;

    /* virtual time: guest nanoseconds at the start of the current round, and mtime's offset
     * (ticks) from writes to mtime */
    uint64_t round_vtime;
    int64_t mtime_offset;
    unsigned current;            /* index of the hart running now */
    uint64_t rounds;             /* scheduling rounds so far (console input is polled every
                                    VM_POLL_EVERY_ROUNDS: a function of machine state) */
    /* Where the scheduler is inside the current round, so that vm_run can stop anywhere
     * (an instruction budget, a debugger) and go on with exactly the same interleaving. */
    bool sched_in_round;         /* the round's start (input, progress) has happened */
    unsigned sched_next;         /* the hart whose slice is running or next */
    uint64_t sched_slice_done;   /* instructions that hart has run in its slice so far */
    bool sched_round_ran;        /* some hart ran an instruction in this round */
    uint64_t wall_clock_base_ns; /* wall clock at vtime 0 (an input) */
    /* --clock host: the first host clock reading is guest time 0; host_now is the latest
     * reading (guest ns), taken at round starts and whenever the guest reads the time */
    bool host_clock_started;
    bool in_scheduler;           /* the scheduler (not the guest) is looking at the clock */
    uint64_t host_clock_base, host_now;

    /* host console input waiting for room in the UART */
    uint8_t input[VM_INPUT_BUFFER];
    size_t input_head, input_len;
    bool input_closed;

    /* exit */
    bool exit_requested, quit_requested;
    enum vm_exit_reason exit_reason;
    uint64_t exit_code;
    unsigned stuck_hart;
    bool breakpoint_hit;         /* a hart stopped at a breakpoint: vm_run returns */
    unsigned breakpoint_hart;
    bool watch_hit;              /* a hart touched a watched range: vm_run returns */
    uint64_t watch_addr;
    int watch_type;
};

/* vm.c: put firmware/kernel/initrd/FDT into RAM again and reset harts and devices. */
int vm_reboot(struct vm *vm, char *err, size_t errlen);

/* vm_run.c */
uint64_t vm_hart_vtime(const struct vm *vm, unsigned index);
/* Guest ns as hart `index` sees it now; with the host clock, `fresh` takes a new reading. */
uint64_t vm_now_ns(struct vm *vm, unsigned index, bool fresh);
uint64_t vm_mtime(struct vm *vm);
void vm_request_exit(struct vm *vm, enum vm_exit_reason reason, uint64_t code);

#endif
