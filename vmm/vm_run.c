/* vm_run.c — running a machine: deterministic round-robin of the harts by instruction
 * quantum, virtual time derived from instruction counts, timer deadlines that stop a hart at
 * the exact instruction where its interrupt becomes pending, idle skipping, and host console
 * input and received network frames handed to the devices between slices. */
#include <string.h>
#include <time.h>

#include "vmm/vm_internal.h"

uint64_t vm_hart_vtime(const struct vm *vm, unsigned index)
{
    const struct vm_hart_slot *slot = &vm->harts[index];
    return vm->round_vtime + (slot->hart->icount - slot->slice_start_icount);
}

static uint64_t read_host_clock(struct vm *vm)
{
    uint64_t v = vm->cfg.gate.host_clock_ns ? vm->cfg.gate.host_clock_ns(vm->cfg.gate.ctx, vm) : 0;
    if (!vm->host_clock_started) {
        vm->host_clock_started = true;
        vm->host_clock_base = v;
    }
    uint64_t t = v > vm->host_clock_base ? v - vm->host_clock_base : 0;
    if (t > vm->host_now) /* never backwards */
        vm->host_now = t;
    return vm->host_now;
}

uint64_t vm_now_ns(struct vm *vm, unsigned index, bool fresh)
{
    if (vm->cfg.clock != VM_CLOCK_HOST)
        return vm_hart_vtime(vm, index);
    return fresh ? read_host_clock(vm) : vm->host_now;
}

uint64_t vm_guest_time_ns(struct vm *vm, unsigned index)
{
    return index < vm->num_harts ? vm_now_ns(vm, index, false) : 0;
}

uint64_t vm_mtime(struct vm *vm)
{
    return (uint64_t)((int64_t)(vm_now_ns(vm, vm->current, !vm->in_scheduler) /
                                VM_INSNS_PER_TICK) + vm->mtime_offset);
}

void vm_request_exit(struct vm *vm, enum vm_exit_reason reason, uint64_t code)
{
    if (!vm->exit_requested) {
        vm->exit_requested = true;
        vm->exit_reason = reason;
        vm->exit_code = code;
        if (vm->cfg.observer.event) {
            struct vm_event ev = { .kind = VM_EVENT_EXIT, .hart = vm->current,
                                   .icount = vm_icount(vm),
                                   .pc = vm->harts[vm->current].hart->pc,
                                   .value = reason == VM_EXIT_REBOOT ? 0x10000 : code };
            vm->cfg.observer.event(vm->cfg.observer.ctx, vm, &ev);
        }
    }
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_request_stop(vm->harts[i].hart);
}

void vm_request_quit(struct vm *vm)
{
    vm->quit_requested = true;
    for (unsigned i = 0; i < vm->num_harts; i++)
        hart_request_stop(vm->harts[i].hart);
}

static size_t buffer_input(struct vm *vm, const uint8_t *bytes, size_t len)
{
    size_t n = 0;
    while (n < len && vm->input_len < VM_INPUT_BUFFER) {
        vm->input[(vm->input_head + vm->input_len) % VM_INPUT_BUFFER] = bytes[n++];
        vm->input_len++;
    }
    return n;
}

/* Ask the gate for console input that is waiting now. */
static void take_console_input(struct vm *vm)
{
    if (!vm->cfg.gate.console_input || vm->input_closed)
        return;
    uint8_t buf[512];
    size_t room = vm_console_input_space(vm);
    if (room > sizeof(buf))
        room = sizeof(buf);
    bool eof = false;
    size_t n = vm->cfg.gate.console_input(vm->cfg.gate.ctx, vm, buf, room, &eof);
    buffer_input(vm, buf, n > room ? room : n);
    if (eof)
        vm->input_closed = true;
}

/* Frames waiting for the network cards, as far as their drivers have buffers posted. */
static bool take_net_input(struct vm *vm)
{
    bool any = false;
    if (!vm->cfg.gate.net_receive)
        return false;
    for (unsigned i = 0; i < vm->cfg.num_nics; i++) {
        struct virtio_net *n = vm->net[i];
        while (n && virtio_net_can_receive(n)) {
            size_t len = vm->cfg.gate.net_receive(vm->cfg.gate.ctx, vm, i, vm->net_frame,
                                                  sizeof(vm->net_frame));
            if (!len)
                break;
            if (len > sizeof(vm->net_frame))
                len = sizeof(vm->net_frame);
            virtio_net_receive(n, vm->net_frame, len);
            any = true;
        }
    }
    return any;
}

size_t vm_console_input_space(const struct vm *vm)
{
    return VM_INPUT_BUFFER - vm->input_len;
}

static bool has_board(const struct vm *vm)
{
    return vm->boot == VM_BOOT_FIRMWARE || vm->boot == VM_BOOT_KERNEL;
}

/* Move waiting host input into the console (the virtio console when the machine has one,
 * else the UART's receive FIFO) as far as it has room. */
static void feed_console(struct vm *vm)
{
    while (vm->input_len && has_board(vm)) {
        size_t chunk = VM_INPUT_BUFFER - vm->input_head;
        if (chunk > vm->input_len)
            chunk = vm->input_len;
        const uint8_t *bytes = vm->input + vm->input_head;
        size_t n = vm->hvc ? virtio_console_receive(vm->hvc, bytes, chunk)
                           : uart_receive(&vm->uart, bytes, chunk);
        if (!n)
            break;
        vm->input_head = (vm->input_head + n) % VM_INPUT_BUFFER;
        vm->input_len -= n;
    }
}

/* Let time-driven devices look at the clock (as seen by the current hart). */
static void update_devices(struct vm *vm)
{
    if (!has_board(vm))
        return;
    vm->in_scheduler = true;
    clint_update(&vm->clint);
    goldfish_rtc_update(&vm->rtc);
    vm->in_scheduler = false;
}

static uint64_t ticks_to_vtime(const struct vm *vm, uint64_t mtime)
{
    if (mtime == UINT64_MAX)
        return UINT64_MAX; /* no timer armed: never due */
    int64_t ticks = (int64_t)mtime - vm->mtime_offset;
    if (ticks <= 0)
        return 0;
    if ((uint64_t)ticks > UINT64_MAX / VM_INSNS_PER_TICK)
        return UINT64_MAX;
    return (uint64_t)ticks * VM_INSNS_PER_TICK;
}

/* The earliest virtual time at which a device event is due: a hart's timer (only harts whose
 * line is low count) or the RTC alarm. */
static uint64_t next_deadline(struct vm *vm)
{
    if (!has_board(vm))
        return UINT64_MAX;
    uint64_t dl = ticks_to_vtime(vm, clint_next_deadline(&vm->clint));
    uint64_t alarm_ns;
    if (goldfish_rtc_next_alarm(&vm->rtc, &alarm_ns)) {
        uint64_t v = alarm_ns > vm->wall_clock_base_ns ? alarm_ns - vm->wall_clock_base_ns : 0;
        if (v < dl)
            dl = v;
    }
    return dl;
}

static bool hart_runnable(const struct vm_hart_slot *slot)
{
    return slot->state == SBI_HART_STARTED;
}

/* Run hart `index` for up to `budget` more instructions of its slice (`resume`: the slice
 * was begun by an earlier call). Returns instructions retired; *idle says it stopped in wfi. */
static uint64_t run_slice(struct vm *vm, unsigned index, uint64_t budget, bool resume, bool *idle)
{
    struct vm_hart_slot *slot = &vm->harts[index];
    struct hart *h = slot->hart;
    uint64_t done = 0;
    *idle = false;
    vm->current = index;
    if (!resume)
        slot->slice_start_icount = h->icount;
    while (done < budget && !vm->exit_requested && !vm->quit_requested && hart_runnable(slot)) {
        update_devices(vm);
        uint64_t n = budget - done;
        if (vm->cfg.clock != VM_CLOCK_HOST) {
            /* Virtual time: stop exactly where the next deadline falls. (With the host clock,
             * deadlines are seen at slice boundaries.) */
            uint64_t now = vm_hart_vtime(vm, index);
            uint64_t dl = next_deadline(vm);
            if (dl > now && dl - now < n)
                n = dl - now;
        }
        enum hart_stop stop;
        done += hart_run(h, n, &stop);
        if (stop == HART_STOP_WFI) {
            *idle = true;
            break;
        }
        if (stop == HART_STOP_BREAKPOINT) {
            vm->breakpoint_hit = true;
            vm->breakpoint_hart = index;
            break;
        }
        if (stop == HART_STOP_WATCH) {
            vm->watch_hit = true;
            vm->breakpoint_hart = index;
            vm->watch_addr = h->watch_hit_addr;
            vm->watch_type = h->watch_hit_type;
            h->watch_hit = false;
            break;
        }
        if (stop == HART_STOP_STUCK) {
            vm->stuck_hart = index;
            vm_request_exit(vm, VM_EXIT_STUCK, 0);
            break;
        }
    }
    return done;
}

/* A hart that keeps an interrupt pending and disabled for hang_after instructions is hung
 * (a guest crash: a spin with interrupts off). Checked at deterministic points. */
static bool check_hung(struct vm *vm)
{
    if (!vm->cfg.hang_after)
        return false;
    for (unsigned i = 0; i < vm->num_harts; i++) {
        struct vm_hart_slot *slot = &vm->harts[i];
        struct hart *h = slot->hart;
        if (!hart_runnable(slot) || h->wfi || !hart_irq_blocked(h)) {
            slot->blocked_since = UINT64_MAX;
            continue;
        }
        if (slot->blocked_since == UINT64_MAX)
            slot->blocked_since = h->icount;
        else if (h->icount - slot->blocked_since >= vm->cfg.hang_after) {
            vm->stuck_hart = i;
            vm_request_exit(vm, VM_EXIT_HUNG, 0);
            return true;
        }
    }
    return false;
}

static bool input_possible(const struct vm *vm)
{
    if (!has_board(vm) || !vm->cfg.gate.idle)
        return false;
    bool console = vm->cfg.gate.console_input && !vm->input_closed;
    bool network = vm->cfg.gate.net_receive && vm->cfg.num_nics;
    return console || network;
}

/* Every hart waits. Skip virtual time to the next deadline; when console input may still
 * come, wait for it in host time (at most until the deadline) instead. Returns false when
 * nothing can ever wake the machine. */
static bool idle_until_next_event(struct vm *vm)
{
    uint64_t dl = next_deadline(vm);
    if (vm->cfg.clock == VM_CLOCK_HOST) {
        /* Host time: wait in host time until the deadline or input, then look at the clock. */
        if (dl == UINT64_MAX && !input_possible(vm))
            return false;
        uint64_t now = vm->host_now;
        uint64_t gap = dl == UINT64_MAX ? UINT64_MAX : (dl > now ? dl - now : 0);
        if (take_net_input(vm))
            return true;
        if (vm->cfg.gate.idle)
            vm->cfg.gate.idle(vm->cfg.gate.ctx, vm, gap);
        read_host_clock(vm);
        take_console_input(vm);
        take_net_input(vm);
        return true;
    }
    uint64_t now = vm->round_vtime;
    uint64_t gap = dl == UINT64_MAX ? UINT64_MAX : (dl > now ? dl - now : 0);
    if (!input_possible(vm)) {
        if (dl == UINT64_MAX)
            return false;
        vm->round_vtime = now + gap;
        return true;
    }
    if (take_net_input(vm))
        return true; /* a frame was waiting: the guest has work without any wait */
    uint64_t passed = vm->cfg.gate.idle(vm->cfg.gate.ctx, vm, gap);
    vm->round_vtime = now + (passed < gap ? passed : gap);
    take_console_input(vm);
    take_net_input(vm);
    return true;
}

int vm_run(struct vm *vm, uint64_t max_insns, struct vm_exit *exit)
{
    uint64_t start = vm_icount(vm);
    memset(exit, 0, sizeof(*exit));
    for (;;) {
        if (vm->exit_requested && vm->exit_reason == VM_EXIT_REBOOT && !vm->cfg.no_reboot) {
            char err[256];
            vm->exit_requested = false;
            for (unsigned i = 0; i < vm->num_harts; i++)
                vm->harts[i].hart->stop_requested = false;
            if (vm_reboot(vm, err, sizeof(err)) == 0)
                continue;
            vm_request_exit(vm, VM_EXIT_REBOOT, 0); /* files vanished: stop instead */
        }
        if (vm->exit_requested) {
            exit->reason = vm->exit_reason;
            exit->exit_code = vm->exit_code;
            exit->hart = vm->stuck_hart;
            break;
        }
        if (vm->quit_requested) {
            exit->reason = VM_EXIT_QUIT;
            vm->quit_requested = false;
            break;
        }
        if (vm->breakpoint_hit) {
            vm->breakpoint_hit = false;
            exit->reason = VM_EXIT_BREAKPOINT;
            exit->hart = vm->breakpoint_hart;
            break;
        }
        if (vm->watch_hit) {
            vm->watch_hit = false;
            exit->reason = VM_EXIT_WATCHPOINT;
            exit->hart = vm->breakpoint_hart;
            exit->watch_addr = vm->watch_addr;
            exit->watch_type = vm->watch_type;
            break;
        }
        uint64_t done = vm_icount(vm) - start;
        if (max_insns && done >= max_insns) {
            exit->reason = VM_EXIT_INSN_LIMIT;
            break;
        }
        if (!vm->sched_in_round) {
            if (vm->cfg.clock == VM_CLOCK_HOST && vm->rounds % 16 == 0)
                read_host_clock(vm);
            if (vm->rounds % VM_POLL_EVERY_ROUNDS == 0 && check_hung(vm))
                continue;
            if (vm->rounds % VM_POLL_EVERY_ROUNDS == 0) {
                if (has_board(vm)) {
                    take_console_input(vm);
                    take_net_input(vm);
                }
                if (vm->cfg.gate.progress)
                    vm->cfg.gate.progress(vm->cfg.gate.ctx, vm);
            }
            feed_console(vm);
            vm->sched_in_round = true;
            vm->sched_next = 0;
            vm->sched_slice_done = 0;
            vm->sched_round_ran = false;
        }
        /* The harts' slices of this round, from wherever the last call stopped. */
        while (vm->sched_next < vm->num_harts && !vm->exit_requested && !vm->quit_requested &&
               !vm->breakpoint_hit && !vm->watch_hit) {
            unsigned i = vm->sched_next;
            if (!hart_runnable(&vm->harts[i])) {
                vm->sched_next++;
                vm->sched_slice_done = 0;
                continue;
            }
            uint64_t budget = vm->cfg.quantum - vm->sched_slice_done;
            if (max_insns) {
                uint64_t left = max_insns - (vm_icount(vm) - start);
                if (left == 0)
                    break;
                if (left < budget)
                    budget = left;
            }
            bool idle;
            uint64_t ran = run_slice(vm, i, budget, vm->sched_slice_done != 0, &idle);
            if (ran)
                vm->sched_round_ran = true;
            vm->sched_slice_done += ran;
            if (vm->breakpoint_hit || vm->watch_hit)
                break; /* the slice goes on when vm_run is called again */
            if (idle || vm->sched_slice_done >= vm->cfg.quantum ||
                !hart_runnable(&vm->harts[i])) {
                vm->sched_next++;
                vm->sched_slice_done = 0;
            } else if (ran < budget) {
                break; /* stopped from outside (exit, quit, request): look at why */
            }
        }
        if (vm->sched_next < vm->num_harts)
            continue; /* the round is not over: exit, quit or the instruction limit */
        vm->sched_in_round = false;
        vm->round_vtime += vm->cfg.quantum;
        vm->rounds++;
        if (!vm->sched_round_ran && !vm->exit_requested && !vm->quit_requested) {
            if (!idle_until_next_event(vm)) {
                exit->reason = VM_EXIT_IDLE;
                break;
            }
        }
    }
    exit->icount = vm_icount(vm);
    return 0;
}
