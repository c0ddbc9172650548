/* vm.c — assembling the rewind virt machine (RAM, bus, code cache, harts, devices and their
 * wiring), the three boot paths, and the built-in SBI's view of the machine. */
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/fdt.h"
#include "vmm/vm_internal.h"

#define KERNEL_OFFSET 0x200000ull    /* payload / Linux Image at RAM + 2 MiB */
#define FDT_MAX_SIZE 0x10000
#define RNG_SEED_BYTES 64
#define ISA_STRING "rv64imafdc_zicntr_zicsr_zifencei_zba_zbb"

/* ---- platform callbacks of each hart ---- */

static uint64_t hart_read_time(void *ctx, uint64_t icount)
{
    struct vm_hart_slot *slot = ctx;
    struct vm *vm = slot->vm;
    uint64_t ns = vm->cfg.clock == VM_CLOCK_HOST
                      ? vm_now_ns(vm, slot->index, true)
                      : vm->round_vtime + (icount - slot->slice_start_icount);
    return (uint64_t)((int64_t)(ns / VM_INSNS_PER_TICK) + vm->mtime_offset);
}

static bool hart_ecall(void *ctx, struct hart *h)
{
    struct vm_hart_slot *slot = ctx;
    if (slot->vm->boot != VM_BOOT_KERNEL)
        return false;
    return sbi_handle_ecall(&slot->vm->sbi, h);
}

/* ---- device wiring ---- */

static void hart_irq_line(void *ctx, unsigned mip_bit, bool level)
{
    struct vm_hart_slot *slot = ctx;
    hart_set_irq(slot->hart, 1ull << mip_bit, level);
}

static uint64_t clint_mtime(void *ctx)
{
    return vm_mtime(ctx);
}


static void clint_set_mtime(void *ctx, uint64_t value)
{
    struct vm *vm = ctx;
    uint64_t ns = vm_now_ns(vm, vm->current, true);
    vm->mtime_offset = (int64_t)(value - ns / VM_INSNS_PER_TICK);
}

static void console_out(struct vm *vm, const uint8_t *bytes, size_t len)
{
    if (vm->cfg.console_write)
        vm->cfg.console_write(vm->cfg.console_ctx, bytes, len);
    if (vm->cfg.observer.event) {
        struct vm_event ev = { .kind = VM_EVENT_CONSOLE_OUT, .hart = vm->current,
                               .icount = vm_icount(vm), .pc = vm->harts[vm->current].hart->pc,
                               .data = bytes, .len = len };
        vm->cfg.observer.event(vm->cfg.observer.ctx, vm, &ev);
    }
}

/* Interrupts taken are derived events. */
static void hart_trap(void *ctx, struct hart *h, uint64_t cause)
{
    struct vm_hart_slot *slot = ctx;
    struct vm *vm = slot->vm;
    if (!(cause >> 63) || !vm->cfg.observer.event)
        return;
    struct vm_event ev = { .kind = VM_EVENT_INTERRUPT, .hart = slot->index,
                           .icount = vm_icount(vm), .pc = h->pc, .value = cause };
    vm->cfg.observer.event(vm->cfg.observer.ctx, vm, &ev);
}

static void uart_tx(void *ctx, uint8_t byte)
{
    console_out(ctx, &byte, 1);
}

static void syscon_poweroff(void *ctx, int code)
{
    vm_request_exit(ctx, VM_EXIT_GUEST, (uint64_t)code);
}

static void syscon_reboot(void *ctx)
{
    vm_request_exit(ctx, VM_EXIT_REBOOT, 0);
}

static uint64_t rtc_now_ns(void *ctx)
{
    struct vm *vm = ctx;
    /* The wall clock was read once at start (an input); it then advances with guest time. */
    return vm->wall_clock_base_ns + vm_now_ns(vm, vm->current, !vm->in_scheduler);
}

static void htif_console(void *ctx, const uint8_t *bytes, size_t len)
{
    console_out(ctx, bytes, len);
}

static void htif_exit(void *ctx, uint64_t code)
{
    vm_request_exit(ctx, VM_EXIT_GUEST, code);
}

/* ---- virtio devices ---- */

/* A device wrote guest RAM (DMA): drop code decoded from it, and mark the pages for the next
 * checkpoint (a page a device wrote must be stored like any other). */
static void virtio_ram_written(void *ctx, uint64_t paddr, uint64_t len)
{
    struct vm *vm = ctx;
    code_cache_note_write(vm->code, paddr, len);
    code_cache_mark_range_dirty(vm->code, paddr, len);
}

static struct guest_ram guest_ram_of(struct vm *vm)
{
    return (struct guest_ram){ .host = vm->ram, .base = VM_RAM_BASE, .size = vm->cfg.ram_size,
                               .written = virtio_ram_written, .ctx = vm };
}

static int disk_read(void *ctx, uint64_t off, void *buf, uint64_t len)
{
    struct vm_device_slot *s = ctx;
    return disk_image_read(s->vm->disk[s->index], off, buf, len);
}

static int disk_write(void *ctx, uint64_t off, const void *buf, uint64_t len)
{
    struct vm_device_slot *s = ctx;
    return disk_image_write(s->vm->disk[s->index], off, buf, len);
}

static int disk_zero(void *ctx, uint64_t off, uint64_t len)
{
    struct vm_device_slot *s = ctx;
    return disk_image_zero(s->vm->disk[s->index], off, len);
}

static int disk_flush(void *ctx)
{
    struct vm_device_slot *s = ctx;
    return disk_image_flush(s->vm->disk[s->index]);
}

static const char *blk_request_name(uint32_t type)
{
    switch (type) {
    case VIRTIO_BLK_T_IN: return "read";
    case VIRTIO_BLK_T_OUT: return "write";
    case VIRTIO_BLK_T_FLUSH: return "flush";
    case VIRTIO_BLK_T_GET_ID: return "get-id";
    case VIRTIO_BLK_T_DISCARD: return "discard";
    case VIRTIO_BLK_T_WRITE_ZEROES: return "write-zeroes";
    default: return "unsupported";
    }
}

/* A disk request completed: a derived event that replay checks. */
static void disk_completed(void *ctx, uint32_t type, uint64_t sector, uint64_t bytes,
                           uint8_t status, uint64_t hash)
{
    struct vm_device_slot *s = ctx;
    struct vm *vm = s->vm;
    if (!vm->cfg.observer.event)
        return;
    char line[96];
    int n = snprintf(line, sizeof(line), "disk%u %s %llu status %u hash %016llx", s->index,
                     blk_request_name(type), (unsigned long long)bytes, status,
                     (unsigned long long)hash);
    struct vm_event ev = { .kind = VM_EVENT_DISK_IO, .hart = vm->current, .icount = vm_icount(vm),
                           .pc = vm->harts[vm->current].hart->pc, .value = sector,
                           .data = (const uint8_t *)line, .len = n > 0 ? (size_t)n : 0 };
    vm->cfg.observer.event(vm->cfg.observer.ctx, vm, &ev);
}

static void nic_transmit(void *ctx, const uint8_t *frame, size_t len)
{
    struct vm_device_slot *s = ctx;
    struct vm *vm = s->vm;
    if (vm->cfg.net_transmit)
        vm->cfg.net_transmit(vm->cfg.net_ctx, s->index, frame, len);
    if (vm->cfg.observer.event) {
        struct vm_event ev = { .kind = VM_EVENT_NET_TX, .hart = vm->current,
                               .icount = vm_icount(vm), .pc = vm->harts[vm->current].hart->pc,
                               .value = s->index, .data = frame, .len = len };
        vm->cfg.observer.event(vm->cfg.observer.ctx, vm, &ev);
    }
}

static void rng_entropy(void *ctx, uint8_t *buf, size_t len)
{
    struct vm *vm = ctx;
    memset(buf, 0, len);
    if (vm->cfg.gate.rng)
        vm->cfg.gate.rng(vm->cfg.gate.ctx, vm, buf, len);
}

static void hvc_tx(void *ctx, const uint8_t *bytes, size_t len)
{
    console_out(ctx, bytes, len);
}

static int add_virtio(struct vm *vm, struct virtio_mmio *t, char *err, size_t errlen)
{
    unsigned slot = vm->virtio_slots;
    if (slot >= VIRT_VIRTIO_SLOTS) {
        snprintf(err, errlen, "too many virtio devices (the board has %d slots)",
                 VIRT_VIRTIO_SLOTS);
        return -1;
    }
    irq_line_connect(&t->irq, plic_set_input, &vm->plic, VIRT_IRQ_VIRTIO0 + slot);
    if (virtio_mmio_attach(t, &vm->bus, VIRT_VIRTIO_BASE + slot * VIRT_VIRTIO_STRIDE)) {
        snprintf(err, errlen, "cannot map virtio slot %u", slot);
        return -1;
    }
    vm->virtio[slot] = t;
    vm->virtio_slots++;
    return 0;
}

/* The virtio devices the configuration asks for: disks, network cards, the rng, the
 * console. */
static int attach_virtio(struct vm *vm, char *err, size_t errlen)
{
    const struct vm_config *c = &vm->cfg;
    if (c->num_disks > VM_MAX_DISKS || c->num_nics > VM_MAX_NICS) {
        snprintf(err, errlen, "at most %d disks and %d network cards", VM_MAX_DISKS, VM_MAX_NICS);
        return -1;
    }
    for (unsigned i = 0; i < c->num_disks; i++) {
        const struct vm_disk_config *dc = &c->disks[i];
        vm->disk[i] = disk_image_open(dc->path, dc->readonly, dc->persist, err, errlen);
        vm->blk[i] = calloc(1, sizeof(struct virtio_blk));
        if (!vm->disk[i] || !vm->blk[i]) {
            if (vm->disk[i])
                snprintf(err, errlen, "out of memory");
            return -1;
        }
        vm->disk_slot[i] = (struct vm_device_slot){ vm, i };
        struct virtio_blk_backend be = {
            .size = disk_image_size(vm->disk[i]), .readonly = dc->readonly, .read = disk_read,
            .write = disk_write, .flush = disk_flush, .zero = disk_zero,
            .completed = disk_completed, .ctx = &vm->disk_slot[i],
        };
        char serial[24];
        snprintf(serial, sizeof(serial), "rewind-disk%u", i);
        virtio_blk_init(vm->blk[i], guest_ram_of(vm), be, serial);
        if (add_virtio(vm, &vm->blk[i]->transport, err, errlen))
            return -1;
    }
    for (unsigned i = 0; i < c->num_nics; i++) {
        vm->net[i] = calloc(1, sizeof(struct virtio_net));
        if (!vm->net[i]) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        vm->nic_slot[i] = (struct vm_device_slot){ vm, i };
        uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i) };
        static const uint8_t zero[6];
        if (memcmp(c->nic_mac[i], zero, 6))
            memcpy(mac, c->nic_mac[i], 6);
        virtio_net_init(vm->net[i], guest_ram_of(vm), mac,
                        (struct virtio_net_host){ .transmit = nic_transmit,
                                                  .ctx = &vm->nic_slot[i] });
        if (add_virtio(vm, &vm->net[i]->transport, err, errlen))
            return -1;
    }
    if (c->rng) {
        vm->rng = calloc(1, sizeof(struct virtio_rng));
        if (!vm->rng) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        virtio_rng_init(vm->rng, guest_ram_of(vm),
                        (struct virtio_rng_host){ .entropy = rng_entropy, .ctx = vm });
        if (add_virtio(vm, &vm->rng->transport, err, errlen))
            return -1;
    }
    if (c->virtio_console) {
        vm->hvc = calloc(1, sizeof(struct virtio_console));
        if (!vm->hvc) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        virtio_console_init(vm->hvc, guest_ram_of(vm),
                            (struct virtio_console_host){ .tx = hvc_tx, .ctx = vm });
        if (add_virtio(vm, &vm->hvc->transport, err, errlen))
            return -1;
    }
    return 0;
}

struct disk_image *vm_disk(struct vm *vm, unsigned index)
{
    return index < VM_MAX_DISKS ? vm->disk[index] : NULL;
}

const char *vm_virtio_error(const struct vm *vm, uint64_t *count)
{
    const char *last = "";
    uint64_t n = 0;
    for (unsigned i = 0; i < vm->virtio_slots; i++) {
        n += vm->virtio[i]->errors;
        if (vm->virtio[i]->error[0])
            last = vm->virtio[i]->error;
    }
    if (count)
        *count = n;
    return last;
}

/* ---- the built-in SBI's view of the machine ---- */

static struct hart *sbi_hart(void *ctx, unsigned id)
{
    struct vm *vm = ctx;
    return id < vm->num_harts ? vm->harts[id].hart : NULL;
}

static void sbi_set_timer(void *ctx, unsigned hart, uint64_t value)
{
    struct vm *vm = ctx;
    /* The CLINT's timer line of each hart drives STIP in this mode. */
    bus_write(&vm->bus, VIRT_CLINT_BASE + 0x4000 + 8ull * hart, 8, value);
}

static void sbi_send_ipi(void *ctx, unsigned hart)
{
    struct vm *vm = ctx;
    hart_set_sw_irq(vm->harts[hart].hart, MIP_SSIP, true);
}

static void sbi_remote_sfence(void *ctx, unsigned hart)
{
    struct vm *vm = ctx;
    hart_tlb_flush(vm->harts[hart].hart);
}

static void sbi_console_write(void *ctx, const uint8_t *bytes, size_t len)
{
    console_out(ctx, bytes, len);
}

static int sbi_console_read(void *ctx)
{
    struct vm *vm = ctx;
    if (!vm->input_len)
        return -1;
    uint8_t b = vm->input[vm->input_head];
    vm->input_head = (vm->input_head + 1) % VM_INPUT_BUFFER;
    vm->input_len--;
    return b;
}

static enum sbi_hart_state sbi_hart_state(void *ctx, unsigned hart)
{
    struct vm *vm = ctx;
    return vm->harts[hart].state;
}

static void enter_supervisor(struct hart *h, uint64_t pc, uint64_t a0, uint64_t a1);

static void sbi_hart_start(void *ctx, unsigned hart, uint64_t addr, uint64_t opaque)
{
    struct vm *vm = ctx;
    struct vm_hart_slot *slot = &vm->harts[hart];
    enter_supervisor(slot->hart, addr, hart, opaque);
    slot->state = SBI_HART_STARTED;
}

static void sbi_hart_stop(void *ctx, unsigned hart)
{
    struct vm *vm = ctx;
    vm->harts[hart].state = SBI_HART_STOPPED;
    hart_request_stop(vm->harts[hart].hart);
}

static void sbi_system_reset(void *ctx, uint32_t type, uint32_t reason)
{
    struct vm *vm = ctx;
    if (type == 0) /* shutdown; reason 1 = system failure */
        vm_request_exit(vm, VM_EXIT_GUEST, reason == 0 ? 0 : 1);
    else
        vm_request_exit(vm, VM_EXIT_REBOOT, 0);
}

/* ---- creation ---- */

static void remember_boot(struct vm *vm, const char *bios, const char *kernel, const char *initrd,
                          const char *append);

/* A write through the bus (the built-in SBI, a debugger, a hart's slow path) changed RAM:
 * as for device writes, decoded code goes and the pages count as changed for checkpoints. */
static void vm_ram_written(void *ctx, uint64_t paddr, uint64_t len)
{
    struct vm *vm = ctx;
    code_cache_note_write(vm->code, paddr, len);
    code_cache_mark_range_dirty(vm->code, paddr, len);
}

/* A write to the CLINT may move the running hart's next timer deadline: make hart_run
 * return so the scheduler recomputes the budget and the interrupt lands exactly. */
static void vm_mmio_written(void *ctx, const struct bus_region *region, uint64_t offset)
{
    struct vm *vm = ctx;
    (void)offset;
    if (region->base == VIRT_CLINT_BASE || region->base == VIRT_RTC_BASE)
        hart_request_stop(vm->harts[vm->current].hart);
}

struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen)
{
    if (cfg->ram_size < (1ull << 20) || (cfg->ram_size & 0xfff) || cfg->ram_size > (64ull << 30)) {
        snprintf(err, errlen, "RAM size must be a multiple of 4 KiB between 1 MiB and 64 GiB");
        return NULL;
    }
    unsigned harts = cfg->num_harts ? cfg->num_harts : 1;
    if (harts > VIRT_MAX_HARTS) {
        snprintf(err, errlen, "%u harts requested; rewind virt has 1 to %d", harts, VIRT_MAX_HARTS);
        return NULL;
    }
    struct vm *vm = calloc(1, sizeof(*vm));
    if (!vm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    vm->cfg = *cfg;
    if (!vm->cfg.quantum)
        vm->cfg.quantum = VM_DEFAULT_QUANTUM;
    vm->num_harts = harts;
    vm->ram = mmap(NULL, cfg->ram_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->ram == MAP_FAILED) {
        vm->ram = NULL;
        snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
                 (unsigned long long)(cfg->ram_size >> 20));
        vm_destroy(vm);
        return NULL;
    }
    bus_init(&vm->bus);
    bus_add_ram(&vm->bus, "ram", VM_RAM_BASE, cfg->ram_size, vm->ram);
    vm->bus.ram_write_hook = vm_ram_written;
    vm->bus.ram_write_ctx = vm;
    vm->bus.mmio_write_hook = vm_mmio_written;
    vm->bus.mmio_write_ctx = vm;
    vm->code = code_cache_create(VM_RAM_BASE, cfg->ram_size);
    if (!vm->code) {
        snprintf(err, errlen, "out of memory for the code cache");
        vm_destroy(vm);
        return NULL;
    }
    for (unsigned i = 0; i < harts; i++) {
        struct vm_hart_slot *slot = &vm->harts[i];
        slot->vm = vm;
        slot->index = i;
        slot->state = SBI_HART_STARTED;
        slot->blocked_since = UINT64_MAX;
        slot->hart = calloc(1, sizeof(struct hart));
        if (!slot->hart) {
            snprintf(err, errlen, "out of memory");
            vm_destroy(vm);
            return NULL;
        }
        hart_init(slot->hart, i, &vm->bus, vm->code,
                  (struct hart_platform){ .read_time = hart_read_time, .ecall = hart_ecall,
                                          .trap = hart_trap, .ctx = slot });
        hart_reset(slot->hart, VM_RAM_BASE);
    }
    vm->sbi = (struct sbi_host){
        .num_harts = harts, .hart = sbi_hart, .set_timer = sbi_set_timer,
        .send_ipi = sbi_send_ipi, .remote_sfence = sbi_remote_sfence,
        .console_write = sbi_console_write, .console_read = sbi_console_read,
        .hart_state = sbi_hart_state, .hart_start = sbi_hart_start, .hart_stop = sbi_hart_stop,
        .system_reset = sbi_system_reset, .bus = &vm->bus, .ctx = vm,
    };
    vm->wall_clock_base_ns = cfg->gate.wall_clock_ns ? cfg->gate.wall_clock_ns(cfg->gate.ctx, vm) : 0;
    return vm;
}

void vm_destroy(struct vm *vm)
{
    if (!vm)
        return;
    if (vm->ram)
        munmap(vm->ram, vm->cfg.ram_size);
    code_cache_destroy(vm->code);
    for (unsigned i = 0; i < VIRT_MAX_HARTS; i++)
        free(vm->harts[i].hart);
    for (unsigned i = 0; i < VM_MAX_DISKS; i++) {
        disk_image_close(vm->disk[i]);
        free(vm->blk[i]);
    }
    for (unsigned i = 0; i < VM_MAX_NICS; i++)
        free(vm->net[i]);
    free(vm->rng);
    free(vm->hvc);
    remember_boot(vm, NULL, NULL, NULL, NULL);
    free(vm);
}

int vm_break_at(struct vm *vm, uint64_t vaddr)
{
    for (unsigned i = 0; i < vm->num_harts; i++)
        if (hart_breakpoint_add(vm->harts[i].hart, vaddr))
            return -1;
    return 0;
}

int vm_break_remove(struct vm *vm, uint64_t vaddr)
{
    int rc = -1;
    for (unsigned i = 0; i < vm->num_harts; i++)
        if (hart_breakpoint_remove(vm->harts[i].hart, vaddr) == 0)
            rc = 0;
    return rc;
}

int vm_watch_add(struct vm *vm, uint64_t addr, uint64_t len, int type)
{
    for (unsigned i = 0; i < vm->num_harts; i++)
        if (hart_watch_add(vm->harts[i].hart, addr, len, (enum hart_watch_type)type))
            return -1;
    return 0;
}

int vm_watch_remove(struct vm *vm, uint64_t addr, uint64_t len, int type)
{
    int rc = -1;
    for (unsigned i = 0; i < vm->num_harts; i++)
        if (hart_watch_remove(vm->harts[i].hart, addr, len, (enum hart_watch_type)type) == 0)
            rc = 0;
    return rc;
}

void vm_debug_clear(struct vm *vm)
{
    for (unsigned i = 0; i < vm->num_harts; i++) {
        struct hart *h = vm->harts[i].hart;
        while (h->breakpoint_count)
            if (hart_breakpoint_remove(h, h->breakpoints[h->breakpoint_count - 1]))
                h->breakpoint_count = 0;
        while (h->watch_count) {
            const struct hart_watch *w = &h->watches[h->watch_count - 1];
            if (hart_watch_remove(h, w->addr, w->len, w->type))
                h->watch_count = 0;
        }
        h->watch_hit = false;
        h->stop_requested = false;
        h->at_breakpoint = false;
    }
    vm->breakpoint_hit = vm->watch_hit = false;
}

int vm_phys_read(struct vm *vm, uint64_t paddr, void *buf, uint64_t len)
{
    uint8_t *out = buf;
    for (uint64_t i = 0; i < len; i++) {
        uint64_t v;
        if (bus_is_mmio(&vm->bus, paddr + i) || bus_read(&vm->bus, paddr + i, 1, &v))
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

int vm_phys_write(struct vm *vm, uint64_t paddr, const void *buf, uint64_t len)
{
    const uint8_t *in = buf;
    for (uint64_t i = 0; i < len; i++)
        if (bus_is_mmio(&vm->bus, paddr + i) || bus_write(&vm->bus, paddr + i, 1, in[i]))
            return -1;
    return 0;
}

void vm_set_gate(struct vm *vm, struct vm_gate gate, struct vm_observer observer)
{
    vm->cfg.gate = gate;
    vm->cfg.observer = observer;
}

void vm_take_dirty_pages(struct vm *vm, void (*fn)(void *ctx, uint64_t page), void *ctx)
{
    code_cache_take_dirty(vm->code, fn, ctx);
}

uint64_t vm_hang_after(const struct vm *vm)
{
    return vm->cfg.hang_after;
}

unsigned vm_num_harts(const struct vm *vm)
{
    return vm->num_harts;
}

struct hart *vm_hart(struct vm *vm, unsigned index)
{
    return index < vm->num_harts ? vm->harts[index].hart : NULL;
}

bool vm_has_htif(const struct vm *vm)
{
    return vm->has_htif;
}

uint64_t vm_icount(const struct vm *vm)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < vm->num_harts; i++)
        total += vm->harts[i].hart->icount;
    return total;
}

/* The board's devices: CLINT, PLIC, UART, syscon, RTC, and their interrupt lines. In kernel
 * mode (built-in SBI) the timer line of each hart drives STIP instead of MTIP, as firmware
 * would forward it. */
static int attach_board(struct vm *vm, char *err, size_t errlen)
{
    if (vm->board_attached)
        return 0;
    vm->board_attached = true;
    bool sbi = vm->boot == VM_BOOT_KERNEL;
    clint_init(&vm->clint, vm->num_harts,
               (struct clint_host){ .mtime = clint_mtime, .set_mtime = clint_set_mtime, .ctx = vm });
    plic_init(&vm->plic, vm->num_harts);
    uart_init(&vm->uart, (struct uart_host){ .tx = uart_tx, .ctx = vm });
    syscon_init(&vm->syscon, (struct syscon_host){ .poweroff = syscon_poweroff,
                                                   .reboot = syscon_reboot, .ctx = vm });
    goldfish_rtc_init(&vm->rtc, (struct goldfish_rtc_host){ .now_ns = rtc_now_ns, .ctx = vm });
    for (unsigned i = 0; i < vm->num_harts; i++) {
        struct vm_hart_slot *slot = &vm->harts[i];
        irq_line_connect(&vm->clint.mtip[i], hart_irq_line, slot, sbi ? IRQ_STI : IRQ_MTI);
        irq_line_connect(&vm->clint.msip[i], hart_irq_line, slot, IRQ_MSI);
        irq_line_connect(&vm->plic.context_out[2 * i], hart_irq_line, slot, IRQ_MEI);
        irq_line_connect(&vm->plic.context_out[2 * i + 1], hart_irq_line, slot, IRQ_SEI);
    }
    irq_line_connect(&vm->uart.irq, plic_set_input, &vm->plic, VIRT_IRQ_UART);
    irq_line_connect(&vm->rtc.irq, plic_set_input, &vm->plic, VIRT_IRQ_RTC);
    if (clint_attach(&vm->clint, &vm->bus, VIRT_CLINT_BASE) ||
        plic_attach(&vm->plic, &vm->bus, VIRT_PLIC_BASE) ||
        uart_attach(&vm->uart, &vm->bus, VIRT_UART_BASE) ||
        syscon_attach(&vm->syscon, &vm->bus, VIRT_TEST_BASE) ||
        goldfish_rtc_attach(&vm->rtc, &vm->bus, VIRT_RTC_BASE) ||
        bootrom_attach(&vm->bootrom, &vm->bus, VIRT_BOOTROM_BASE)) {
        snprintf(err, errlen, "cannot map the board's devices");
        return -1;
    }
    return attach_virtio(vm, err, errlen);
}

/* ---- loading files ---- */

static int read_file_into(const char *path, uint8_t *dst, uint64_t room, uint64_t *size,
                          char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if ((uint64_t)st.st_size > room) {
        snprintf(err, errlen, "%s: %llu bytes do not fit in the %llu bytes of RAM left for it",
                 path, (unsigned long long)st.st_size, (unsigned long long)room);
        close(fd);
        return -1;
    }
    uint64_t done = 0;
    while (done < (uint64_t)st.st_size) {
        ssize_t n = read(fd, dst + done, (size_t)((uint64_t)st.st_size - done));
        if (n <= 0) {
            snprintf(err, errlen, "%s: read failed", path);
            close(fd);
            return -1;
        }
        done += (uint64_t)n;
    }
    close(fd);
    *size = done;
    return 0;
}

static bool file_is_elf(const char *path)
{
    uint8_t magic[4] = { 0 };
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool elf = read(fd, magic, 4) == 4 && !memcmp(magic, "\x7f" "ELF", 4);
    close(fd);
    return elf;
}

bool vm_file_is_linux_image(const char *path)
{
    uint8_t hdr[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = read(fd, hdr, sizeof(hdr)) == (ssize_t)sizeof(hdr);
    close(fd);
    /* RISC-V Image header: magic "RISCV\0\0\0" at 0x30, magic2 "RSC\x05" at 0x38. */
    return ok && !memcmp(hdr + 0x30, "RISCV\0\0\0", 8) && !memcmp(hdr + 0x38, "RSC\x05", 4);
}

/* Load a raw or ELF image so that it starts at `addr` (ELF: at its own addresses, which must
 * lie in RAM). Returns the entry point through *entry and the end through *end. */
static int load_image(struct vm *vm, const char *path, uint64_t addr, uint64_t *entry,
                      uint64_t *end, char *err, size_t errlen)
{
    if (file_is_elf(path)) {
        struct elf_image img;
        if (elf_load(path, vm->ram, VM_RAM_BASE, vm->cfg.ram_size, &img, err, errlen))
            return -1;
        code_cache_mark_range_dirty(vm->code, img.lowest, img.highest - img.lowest);
        *entry = img.entry;
        *end = img.highest;
        return 0;
    }
    uint64_t size;
    if (addr < VM_RAM_BASE || addr - VM_RAM_BASE >= vm->cfg.ram_size) {
        snprintf(err, errlen, "%s: load address 0x%llx is outside RAM", path,
                 (unsigned long long)addr);
        return -1;
    }
    uint64_t off = addr - VM_RAM_BASE;
    if (read_file_into(path, vm->ram + off, vm->cfg.ram_size - off, &size, err, errlen))
        return -1;
    code_cache_mark_range_dirty(vm->code, addr, size);
    *entry = addr;
    *end = addr + size;
    return 0;
}

static int load_initrd(struct vm *vm, const char *path, uint64_t kernel_end, uint64_t fdt_addr,
                       uint64_t *start, uint64_t *end, char *err, size_t errlen)
{
    /* Far enough above the kernel that decompression and early allocations do not touch it:
     * half of RAM or 128 MiB above the kernel start, like QEMU, and never below its end. */
    uint64_t kernel_start = VM_RAM_BASE + KERNEL_OFFSET;
    uint64_t gap = vm->cfg.ram_size / 2 < (128ull << 20) ? vm->cfg.ram_size / 2 : (128ull << 20);
    uint64_t at = (kernel_start + gap + 0xfff) & ~0xfffull;
    if (at < kernel_end)
        at = (kernel_end + 0x1fffff) & ~0x1fffffull;
    if (at >= fdt_addr) {
        snprintf(err, errlen, "%s: no room for the initrd (kernel ends at 0x%llx)", path,
                 (unsigned long long)kernel_end);
        return -1;
    }
    uint64_t size;
    if (read_file_into(path, vm->ram + (at - VM_RAM_BASE), fdt_addr - at, &size, err, errlen))
        return -1;
    code_cache_mark_range_dirty(vm->code, at, size);
    *start = at;
    *end = at + size;
    return 0;
}

/* Generate the device tree and copy it to the top of RAM (2 MiB aligned, like QEMU). */
static int place_fdt(struct vm *vm, const char *append, bool has_initrd, uint64_t initrd_start,
                     uint64_t initrd_end, uint64_t fdt_addr, char *err, size_t errlen)
{
    uint8_t seed[RNG_SEED_BYTES];
    bool have_seed = vm->cfg.gate.entropy != NULL;
    if (have_seed)
        vm->cfg.gate.entropy(vm->cfg.gate.ctx, vm, seed, sizeof(seed));
    struct fdt_machine m = {
        .num_harts = vm->num_harts, .isa = ISA_STRING, .mmu_type = "riscv,sv48",
        .ram_base = VM_RAM_BASE, .ram_size = vm->cfg.ram_size, .bootargs = append,
        .has_initrd = has_initrd, .initrd_start = initrd_start, .initrd_end = initrd_end,
        .rng_seed = have_seed ? seed : NULL, .rng_seed_len = have_seed ? sizeof(seed) : 0,
        .virtio_slots = vm->virtio_slots,
    };
    long size = fdt_build(&m, vm->ram + (fdt_addr - VM_RAM_BASE), FDT_MAX_SIZE, err, errlen);
    code_cache_mark_range_dirty(vm->code, fdt_addr, FDT_MAX_SIZE);
    return size < 0 ? -1 : 0;
}

static uint64_t fdt_address(const struct vm *vm)
{
    uint64_t top = VM_RAM_BASE + vm->cfg.ram_size;
    return (top - FDT_MAX_SIZE) & ~0x1fffffull;
}

int vm_load_program(struct vm *vm, const char *path, char *err, size_t errlen)
{
    struct elf_image img;
    if (elf_load(path, vm->ram, VM_RAM_BASE, vm->cfg.ram_size, &img, err, errlen))
        return -1;
    code_cache_mark_range_dirty(vm->code, img.lowest, img.highest - img.lowest);
    vm->boot = VM_BOOT_PROGRAM;
    vm->image = img;
    if (img.has_tohost) {
        struct htif_host host = { .console_write = htif_console, .exit = htif_exit, .ctx = vm };
        if (htif_attach(&vm->htif, &vm->bus, img.tohost, img.has_fromhost, img.fromhost, host)) {
            snprintf(err, errlen, "%s: cannot map HTIF at tohost=0x%llx (must be 8-byte aligned)",
                     path, (unsigned long long)img.tohost);
            return -1;
        }
        vm->has_htif = true;
    }
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_reset(vm->harts[i].hart, img.entry);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void remember_boot(struct vm *vm, const char *bios, const char *kernel, const char *initrd,
                          const char *append)
{
    free(vm->bios_path);
    free(vm->kernel_path);
    free(vm->initrd_path);
    free(vm->append);
    vm->bios_path = dup_or_null(bios);
    vm->kernel_path = dup_or_null(kernel);
    vm->initrd_path = dup_or_null(initrd);
    vm->append = dup_or_null(append);
}

static int boot_firmware(struct vm *vm, char *err, size_t errlen)
{
    const char *bios = vm->bios_path, *kernel = vm->kernel_path, *initrd = vm->initrd_path;
    uint64_t fdt_addr = fdt_address(vm);
    uint64_t fw_entry, fw_end, k_entry = 0, k_end = VM_RAM_BASE + KERNEL_OFFSET;
    if (load_image(vm, bios, VM_RAM_BASE, &fw_entry, &fw_end, err, errlen))
        return -1;
    if (kernel) {
        if (fw_end > VM_RAM_BASE + KERNEL_OFFSET) {
            snprintf(err, errlen, "%s: firmware overlaps the payload at 0x%llx", bios,
                     (unsigned long long)(VM_RAM_BASE + KERNEL_OFFSET));
            return -1;
        }
        if (load_image(vm, kernel, VM_RAM_BASE + KERNEL_OFFSET, &k_entry, &k_end, err, errlen))
            return -1;
    }
    uint64_t rd_start = 0, rd_end = 0;
    if (initrd && load_initrd(vm, initrd, k_end, fdt_addr, &rd_start, &rd_end, err, errlen))
        return -1;
    if (place_fdt(vm, vm->append, initrd != NULL, rd_start, rd_end, fdt_addr, err, errlen))
        return -1;
    bootrom_build(&vm->bootrom, fw_entry, fdt_addr, kernel ? k_entry : 0, BOOTROM_NEXT_S);
    for (unsigned i = 0; i < vm->num_harts; i++) {
        hart_reset(vm->harts[i].hart, VIRT_BOOTROM_BASE);
        vm->harts[i].state = SBI_HART_STARTED;
    }
    return 0;
}

int vm_load_firmware(struct vm *vm, const char *bios, const char *kernel, const char *initrd,
                     const char *append, char *err, size_t errlen)
{
    vm->boot = VM_BOOT_FIRMWARE;
    remember_boot(vm, bios, kernel, initrd, append);
    if (attach_board(vm, err, errlen))
        return -1;
    return boot_firmware(vm, err, errlen);
}

/* What firmware would have done before entering the kernel: delegate the traps and
 * interrupts S-mode handles, open the counters and all of memory (PMP), then enter S-mode. */
static void enter_supervisor(struct hart *h, uint64_t pc, uint64_t a0, uint64_t a1)
{
    hart_reset(h, pc);
    h->medeleg = 0xb1ffull;  /* everything S can handle except ecall from S (the SBI) */
    h->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
    h->mcounteren = 0xffffffffull;
    h->scounteren = 7;       /* cycle, time, instret readable from U-mode, as OpenSBI leaves it */
    h->pmpaddr[0] = (1ull << 54) - 1;
    h->pmpcfg[0] = 0x1f;     /* NAPOT, R W X */
    h->priv = PRIV_S;
    h->x[10] = a0;
    h->x[11] = a1;
    hart_update_dmode(h);
    hart_tlb_flush(h);
}

static int boot_kernel(struct vm *vm, char *err, size_t errlen)
{
    uint64_t fdt_addr = fdt_address(vm);
    uint64_t k_entry, k_end;
    if (load_image(vm, vm->kernel_path, VM_RAM_BASE + KERNEL_OFFSET, &k_entry, &k_end, err,
                   errlen))
        return -1;
    uint64_t rd_start = 0, rd_end = 0;
    const char *initrd = vm->initrd_path;
    if (initrd && load_initrd(vm, initrd, k_end, fdt_addr, &rd_start, &rd_end, err, errlen))
        return -1;
    if (place_fdt(vm, vm->append, initrd != NULL, rd_start, rd_end, fdt_addr, err, errlen))
        return -1;
    /* Hart 0 boots the kernel; the others wait, stopped, for an HSM hart_start. */
    for (unsigned i = 0; i < vm->num_harts; i++) {
        struct vm_hart_slot *slot = &vm->harts[i];
        if (i == 0) {
            enter_supervisor(slot->hart, k_entry, 0, fdt_addr);
            slot->state = SBI_HART_STARTED;
        } else {
            hart_reset(slot->hart, VM_RAM_BASE);
            slot->state = SBI_HART_STOPPED;
        }
    }
    return 0;
}

int vm_load_kernel(struct vm *vm, const char *kernel, const char *initrd, const char *append,
                   char *err, size_t errlen)
{
    vm->boot = VM_BOOT_KERNEL;
    remember_boot(vm, NULL, kernel, initrd, append);
    if (attach_board(vm, err, errlen))
        return -1;
    return boot_kernel(vm, err, errlen);
}

int vm_reboot(struct vm *vm, char *err, size_t errlen)
{
    if (vm->boot != VM_BOOT_FIRMWARE && vm->boot != VM_BOOT_KERNEL) {
        snprintf(err, errlen, "only the virt board can reboot");
        return -1;
    }
    /* Devices back to their reset state (the RTC keeps the wall clock), RAM images loaded
     * again as at power-on, and nothing decoded or translated from the old contents. */
    clint_reset(&vm->clint);
    plic_reset(&vm->plic);
    uart_reset(&vm->uart);
    goldfish_rtc_reset(&vm->rtc);
    for (unsigned i = 0; i < vm->virtio_slots; i++)
        virtio_mmio_reset(vm->virtio[i]);
    code_cache_flush(vm->code); /* the images are written into RAM again (and marked dirty) */
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_tlb_flush(vm->harts[i].hart);
    vm->reboots++;
    int rc = vm->boot == VM_BOOT_FIRMWARE ? boot_firmware(vm, err, errlen)
                                          : boot_kernel(vm, err, errlen);
    code_cache_flush(vm->code);
    return rc;
}

int vm_write_signature(struct vm *vm, const char *path, unsigned granularity, char *err,
                       size_t errlen)
{
    const struct elf_image *img = &vm->image;
    if (vm->boot != VM_BOOT_PROGRAM || !img->has_signature) {
        snprintf(err, errlen, "the program has no begin_signature/end_signature symbols");
        return -1;
    }
    if (granularity != 1 && granularity != 2 && granularity != 4 && granularity != 8) {
        snprintf(err, errlen, "signature granularity must be 1, 2, 4 or 8");
        return -1;
    }
    uint64_t begin = img->signature_begin, end = img->signature_end;
    if (begin < VM_RAM_BASE || end - VM_RAM_BASE > vm->cfg.ram_size) {
        snprintf(err, errlen, "signature range 0x%llx..0x%llx is outside RAM",
                 (unsigned long long)begin, (unsigned long long)end);
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "%s: cannot create signature file", path);
        return -1;
    }
    uint64_t ram_end = VM_RAM_BASE + vm->cfg.ram_size;
    for (uint64_t a = begin; a < end; a += granularity) {
        for (unsigned i = granularity; i > 0; i--) {
            uint64_t byte_addr = a + i - 1;
            unsigned v = byte_addr < ram_end ? vm->ram[byte_addr - VM_RAM_BASE] : 0;
            fprintf(f, "%02x", v);
        }
        fputc('\n', f);
    }
    if (fclose(f)) {
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return 0;
}
