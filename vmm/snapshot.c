/* snapshot.c — the machine's state in the state stream: the VM's own execution-defining
 * fields, every hart and every device present (see snapshot.h); the state hash and RAM
 * access for checkpoints. */
#include "vmm/snapshot.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <xxhash.h>

#include "vmm/vm_internal.h"

#define MACHINE_STATE_VERSION 1
#define VM_STATE_VERSION 1

static bool has_board(const struct vm *vm)
{
    return vm->board_attached;
}

/* ---- saving ---- */

static void vm_fields_save(const struct vm *vm, struct state_writer *w)
{
    state_begin_section(w, "vm", VM_STATE_VERSION);
    /* configuration, checked on load */
    state_put_u32(w, (uint32_t)vm->boot);
    state_put_u32(w, vm->num_harts);
    state_put_u64(w, vm->cfg.ram_size);
    state_put_u64(w, vm->cfg.quantum);
    state_put_bool(w, vm->has_htif);
    state_put_bool(w, vm->board_attached);
    /* virtual time and scheduling */
    state_put_u64(w, vm->round_vtime);
    state_put_i64(w, vm->mtime_offset);
    state_put_u32(w, vm->current);
    state_put_u64(w, vm->wall_clock_base_ns);
    state_put_u32(w, vm->reboots);
    for (unsigned i = 0; i < vm->num_harts; i++) {
        state_put_u32(w, (uint32_t)vm->harts[i].state);
        state_put_u64(w, vm->harts[i].slice_start_icount);
        state_put_u64(w, vm->harts[i].blocked_since);
    }
    /* console input accepted from the host and not yet delivered, oldest first */
    state_put_u32(w, (uint32_t)vm->input_len);
    size_t first = VM_INPUT_BUFFER - vm->input_head;
    if (first > vm->input_len)
        first = vm->input_len;
    state_put_bytes(w, vm->input + vm->input_head, first);
    state_put_bytes(w, vm->input, vm->input_len - first);
    /* a pending exit */
    state_put_bool(w, vm->exit_requested);
    state_put_u32(w, (uint32_t)vm->exit_reason);
    state_put_u64(w, vm->exit_code);
    state_put_bool(w, vm->quit_requested);
    /* the scheduler's position and the input state (vm_run resumes exactly here) */
    state_put_u64(w, vm->rounds);
    state_put_bool(w, vm->sched_in_round);
    state_put_u32(w, vm->sched_next);
    state_put_u64(w, vm->sched_slice_done);
    state_put_bool(w, vm->sched_round_ran);
    state_put_bool(w, vm->input_closed);
    state_put_u32(w, vm->stuck_hart);
    state_end_section(w);
}

int vm_save_state(struct vm *vm, struct state_writer *w)
{
    state_begin_section(w, "machine", MACHINE_STATE_VERSION);
    vm_fields_save(vm, w);
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_save(vm->harts[i].hart, w);
    if (has_board(vm)) {
        clint_save(&vm->clint, w);
        plic_save(&vm->plic, w);
        uart_save(&vm->uart, w);
        syscon_save(&vm->syscon, w);
        goldfish_rtc_save(&vm->rtc, w);
        bootrom_save(&vm->bootrom, w);
        for (unsigned i = 0; i < vm->virtio_slots; i++)
            virtio_mmio_save(vm->virtio[i], w);
        for (unsigned i = 0; i < vm->cfg.num_disks; i++)
            disk_image_save(vm->disk[i], w);
    }
    if (vm->has_htif)
        htif_save(&vm->htif, w);
    state_end_section(w);
    return w->failed ? -1 : 0;
}

/* ---- loading ---- */

static const char *boot_name(uint32_t boot)
{
    switch (boot) {
    case VM_BOOT_NONE: return "nothing booted";
    case VM_BOOT_PROGRAM: return "a bare-metal program";
    case VM_BOOT_FIRMWARE: return "firmware";
    case VM_BOOT_KERNEL: return "a kernel on the built-in SBI";
    default: return "an unknown boot path";
    }
}

static int vm_fields_load(struct vm *vm, struct state_reader *r)
{
    uint32_t version = VM_STATE_VERSION;
    if (state_open_section(r, "vm", &version))
        return -1;
    uint32_t boot = state_get_u32(r);
    uint32_t harts = state_get_u32(r);
    uint64_t ram_size = state_get_u64(r);
    uint64_t quantum = state_get_u64(r);
    bool has_htif = state_get_bool(r);
    bool board = state_get_bool(r);
    if (state_reader_error(r))
        return -1;
    if (boot != (uint32_t)vm->boot)
        return state_fail(r, "the state is of a machine running %s; this one runs %s",
                          boot_name(boot), boot_name((uint32_t)vm->boot));
    if (harts != vm->num_harts)
        return state_fail(r, "the state is of a machine with %u harts; this one has %u", harts,
                          vm->num_harts);
    if (ram_size != vm->cfg.ram_size)
        return state_fail(r, "the state is of a machine with %llu bytes of RAM; this one has "
                          "%llu", (unsigned long long)ram_size,
                          (unsigned long long)vm->cfg.ram_size);
    if (quantum != vm->cfg.quantum)
        return state_fail(r, "the state is of a machine with a quantum of %llu; this one has "
                          "%llu", (unsigned long long)quantum,
                          (unsigned long long)vm->cfg.quantum);
    if (has_htif != vm->has_htif || board != vm->board_attached)
        return state_fail(r, "the state is of a machine with other devices (HTIF %d, board %d)",
                          has_htif, board);

    uint64_t round_vtime = state_get_u64(r);
    int64_t mtime_offset = state_get_i64(r);
    uint32_t current = state_get_u32(r);
    uint64_t wall_clock_base_ns = state_get_u64(r);
    uint32_t reboots = state_get_u32(r);
    enum sbi_hart_state hsm[VIRT_MAX_HARTS];
    uint64_t slice_start[VIRT_MAX_HARTS];
    uint64_t blocked_since[VIRT_MAX_HARTS];
    for (unsigned i = 0; i < harts; i++) {
        uint32_t s = state_get_u32(r);
        slice_start[i] = state_get_u64(r);
        blocked_since[i] = state_get_u64(r);
        if (state_reader_error(r))
            return -1;
        if (s > SBI_HART_SUSPENDED || (vm->boot != VM_BOOT_KERNEL && s != SBI_HART_STARTED))
            return state_fail(r, "hart %u: HSM state %u", i, s);
        hsm[i] = (enum sbi_hart_state)s;
    }
    if (current >= harts)
        return state_fail(r, "current hart %u of %u", current, harts);
    uint32_t input_len = state_get_u32(r);
    if (input_len > VM_INPUT_BUFFER)
        return state_fail(r, "%u bytes of console input; the buffer holds %d", input_len,
                          VM_INPUT_BUFFER);
    static_assert(VM_INPUT_BUFFER <= UINT32_MAX, "input length is saved as a u32");
    /* Read the input in place only once everything before it is known to be good; the
     * caller restores the whole VM if anything later fails. */
    state_get_bytes(r, vm->input, input_len);
    bool exit_requested = state_get_bool(r);
    uint32_t exit_reason = state_get_u32(r);
    uint64_t exit_code = state_get_u64(r);
    bool quit_requested = state_get_bool(r);
    uint64_t rounds = state_get_u64(r);
    bool sched_in_round = state_get_bool(r);
    uint32_t sched_next = state_get_u32(r);
    uint64_t sched_slice_done = state_get_u64(r);
    bool sched_round_ran = state_get_bool(r);
    bool input_closed = state_get_bool(r);
    uint32_t stuck_hart = state_get_u32(r);
    if (state_close_section(r))
        return -1;
    if (exit_reason > VM_EXIT_WATCHPOINT)
        return state_fail(r, "exit reason %u", exit_reason);
    if (stuck_hart >= harts)
        return state_fail(r, "stuck hart %u of %u", stuck_hart, harts);
    if (sched_next > harts || sched_slice_done > quantum)
        return state_fail(r, "scheduler position: hart %u, %llu instructions into the slice",
                          sched_next, (unsigned long long)sched_slice_done);

    vm->round_vtime = round_vtime;
    vm->mtime_offset = mtime_offset;
    vm->current = current;
    vm->wall_clock_base_ns = wall_clock_base_ns;
    vm->reboots = reboots;
    for (unsigned i = 0; i < harts; i++) {
        vm->harts[i].state = hsm[i];
        vm->harts[i].slice_start_icount = slice_start[i];
        vm->harts[i].blocked_since = blocked_since[i];
    }
    vm->input_head = 0;
    vm->input_len = input_len;
    vm->exit_requested = exit_requested;
    vm->exit_reason = (enum vm_exit_reason)exit_reason;
    vm->exit_code = exit_code;
    vm->quit_requested = quit_requested;
    vm->rounds = rounds;
    vm->sched_in_round = sched_in_round;
    vm->sched_next = sched_next;
    vm->sched_slice_done = sched_slice_done;
    vm->sched_round_ran = sched_round_ran;
    vm->input_closed = input_closed;
    vm->stuck_hart = stuck_hart;
    return 0;
}

/* The interrupt lines that cross components must agree at both ends: each hart's device
 * bits with the CLINT's and PLIC's outputs, the PLIC's inputs with the UART and RTC. */
static int check_wiring(struct vm *vm, struct state_reader *r)
{
    for (unsigned i = 0; i < vm->num_harts; i++) {
        uint64_t lines = 0;
        if (has_board(vm)) {
            uint64_t timer = vm->boot == VM_BOOT_KERNEL ? MIP_STIP : MIP_MTIP;
            if (vm->clint.mtip[i].level)
                lines |= timer;
            if (vm->clint.msip[i].level)
                lines |= MIP_MSIP;
            if (vm->plic.context_out[2 * i].level)
                lines |= MIP_MEIP;
            if (vm->plic.context_out[2 * i + 1].level)
                lines |= MIP_SEIP;
        }
        uint64_t have = vm->harts[i].hart->mip_lines;
        if (have != lines)
            return state_fail(r, "hart %u: interrupt lines 0x%llx, the devices drive 0x%llx", i,
                              (unsigned long long)have, (unsigned long long)lines);
    }
    if (has_board(vm)) {
        bool uart = (vm->plic.input >> VIRT_IRQ_UART) & 1;
        bool rtc = (vm->plic.input >> VIRT_IRQ_RTC) & 1;
        if (uart != vm->uart.irq.level || rtc != vm->rtc.irq.level)
            return state_fail(r, "PLIC inputs disagree with the UART/RTC interrupt levels");
        for (unsigned i = 0; i < vm->virtio_slots; i++)
            if (((vm->plic.input >> (VIRT_IRQ_VIRTIO0 + i)) & 1) != vm->virtio[i]->irq.level)
                return state_fail(r, "PLIC input %u disagrees with the %s interrupt level",
                                  VIRT_IRQ_VIRTIO0 + i, vm->virtio[i]->ops->name);
    }
    return 0;
}

static int load_all(struct vm *vm, struct state_reader *r, bool keep_code)
{
    uint32_t version = MACHINE_STATE_VERSION;
    if (state_open_section(r, "machine", &version))
        return -1;
    if (vm_fields_load(vm, r))
        return -1;
    for (unsigned i = 0; i < vm->num_harts; i++)
        if (hart_load(vm->harts[i].hart, r))
            return -1;
    if (has_board(vm)) {
        if (clint_load(&vm->clint, r) || plic_load(&vm->plic, r) || uart_load(&vm->uart, r) ||
            syscon_load(&vm->syscon, r) || goldfish_rtc_load(&vm->rtc, r) ||
            bootrom_load(&vm->bootrom, r))
            return -1;
        for (unsigned i = 0; i < vm->virtio_slots; i++)
            if (virtio_mmio_load(vm->virtio[i], r))
                return -1;
        for (unsigned i = 0; i < vm->cfg.num_disks; i++)
            if (disk_image_load(vm->disk[i], r))
                return -1;
    }
    if (vm->has_htif && htif_load(&vm->htif, r))
        return -1;
    if (check_wiring(vm, r))
        return -1;
    if (state_close_section(r))
        return -1;
    /* Nothing translated before the load may be used after it; decoded code only survives
     * when the caller restored RAM through vm_restore_ram_page (which drops the code of every
     * page it changes). */
    if (!keep_code) {
        code_cache_flush(vm->code);
        code_cache_mark_all_dirty(vm->code); /* RAM was put in place from outside */
    }
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_tlb_flush(vm->harts[i].hart);
    return 0;
}

static int load_state(struct vm *vm, struct state_reader *r, bool keep_code, char *err,
                      size_t errlen);

int vm_load_state(struct vm *vm, struct state_reader *r, char *err, size_t errlen)
{
    return load_state(vm, r, false, err, errlen);
}

int vm_restore_state(struct vm *vm, struct state_reader *r, char *err, size_t errlen)
{
    return load_state(vm, r, true, err, errlen);
}

static int load_state(struct vm *vm, struct state_reader *r, bool keep_code, char *err,
                      size_t errlen)
{
    /* Components load one after the other; keep what the VM was so that a failure half way
     * leaves it untouched. */
    struct state_writer backup;
    state_writer_init(&backup);
    if (vm_save_state(vm, &backup)) {
        state_writer_free(&backup);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (load_all(vm, r, keep_code) == 0) {
        state_writer_free(&backup);
        return 0;
    }
    snprintf(err, errlen, "%s", state_reader_error(r) ? state_reader_error(r) : "load failed");
    size_t len;
    const uint8_t *data = state_writer_data(&backup, &len);
    struct state_reader undo;
    state_reader_init(&undo, data, len);
    if (load_all(vm, &undo, keep_code) != 0) {
        /* Cannot happen: the VM's own state is always valid. Say so rather than hide it. */
        snprintf(err, errlen, "%s; restoring the previous state failed too: %s",
                 state_reader_error(r) ? state_reader_error(r) : "load failed",
                 state_reader_error(&undo) ? state_reader_error(&undo) : "?");
    }
    state_writer_free(&backup);
    return -1;
}

/* ---- hashing and RAM ---- */

uint64_t vm_state_hash(struct vm *vm)
{
    struct state_writer w;
    state_writer_init(&w);
    uint64_t hash = 0;
    XXH3_state_t *st = XXH3_createState();
    if (st && vm_save_state(vm, &w) == 0 && XXH3_64bits_reset(st) == XXH_OK) {
        size_t len;
        const uint8_t *data = state_writer_data(&w, &len);
        if (XXH3_64bits_update(st, data, len) == XXH_OK &&
            XXH3_64bits_update(st, vm->ram, (size_t)vm->cfg.ram_size) == XXH_OK)
            hash = XXH3_64bits_digest(st);
    }
    XXH3_freeState(st);
    state_writer_free(&w);
    return hash;
}

void vm_restore_ram_page(struct vm *vm, uint64_t page, const uint8_t *data, bool mark_dirty)
{
    if (page >= vm->cfg.ram_size / 4096)
        return;
    uint8_t *dst = vm->ram + page * 4096;
    if (data)
        memcpy(dst, data, 4096);
    else
        memset(dst, 0, 4096);
    code_cache_note_write(vm->code, VM_RAM_BASE + page * 4096, 4096);
    if (mark_dirty)
        code_cache_mark_dirty(vm->code, VM_RAM_BASE + page * 4096);
}

uint8_t *vm_ram(struct vm *vm, uint64_t *size)
{
    *size = vm->cfg.ram_size;
    return vm->ram;
}
