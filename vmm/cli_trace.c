/* cli_trace.c — the trace commands: record, replay, verify, info, pack. They wire the gate's
 * record/replay backends (replay-log/) to a VM built from the machine options, and print what
 * happened. */
#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "replay-log/checkpoint.h"
#include "vmm/elf_load.h"
#include "replay-log/recorder.h"
#include "replay-log/replayer.h"
#include "replay-log/timetravel.h"
#include "replay-log/trace.h"
#include "vmm/snapshot.h"
#include "vmm/state.h"
#include "vmm/cli.h"
#include "vmm/crash.h"
#include "vmm/disk_image.h"
#include "analysis/pcap_export.h"

#define MAX_IMAGES 8

struct image_role {
    const char *role;
    const char *path;
};

static const char *const disk_roles[VM_MAX_DISKS] = { "disk0", "disk1", "disk2", "disk3" };
#define MAX_ROLES (3 + VM_MAX_DISKS)

static int roles_of(const struct machine_options *o, struct image_role *out)
{
    int n = 0;
    if (o->bios)
        out[n++] = (struct image_role){ "bios", o->bios };
    if (o->kernel)
        out[n++] = (struct image_role){ "kernel", o->kernel };
    if (o->initrd)
        out[n++] = (struct image_role){ "initrd", o->initrd };
    for (unsigned i = 0; i < o->dev.num_disks; i++)
        out[n++] = (struct image_role){ disk_roles[i], o->dev.disks[i].path };
    return n;
}

/* Run the machine to max_total instructions in all (0: no limit), stopping at every
 * multiple of `every` (record) or at each recorded checkpoint (replay: `expect`, n_expect) to
 * take a checkpoint. In replay a hash that differs is a divergence: *bad_cp says which. */
/* A progress line on a terminal for long replays. */
static bool show_progress;

static void progress_line(uint64_t now, uint64_t total)
{
    fprintf(stderr, "\rrewind: replaying: %5.1f%% (%" PRIu64 " of %" PRIu64 " instructions)",
            total ? 100.0 * (double)now / (double)total : 0.0, now, total);
}

static int run_with_checkpoints(struct vm *vm, struct checkpointer *cp, struct recorder *rec,
                                uint64_t every, const struct trace_checkpoint *expect,
                                int n_expect, uint64_t max_total, struct vm_exit *ex,
                                int *bad_cp, uint64_t *bad_hash)
{
    const uint64_t progress_step = 100000000;
    int next_expect = 0;
    while (next_expect < n_expect && expect[next_expect].icount <= vm_icount(vm))
        next_expect++; /* replay from a checkpoint: the earlier ones are behind us */
    *bad_cp = -1;
    for (;;) {
        uint64_t now = vm_icount(vm);
        uint64_t stop = max_total;
        uint64_t cp_at = 0;
        if (cp && every)
            cp_at = (now / every + 1) * every;
        else if (cp && next_expect < n_expect)
            cp_at = expect[next_expect].icount;
        if (cp_at && cp_at <= now)
            cp_at = 0; /* a checkpoint at a point already passed cannot be checked */
        if (cp_at && (!stop || cp_at < stop))
            stop = cp_at;
        uint64_t progress_at = show_progress ? (now / progress_step + 1) * progress_step : 0;
        if (progress_at && (!stop || progress_at < stop))
            stop = progress_at;
        vm_run(vm, stop ? stop - now : 0, ex);
        if (ex->reason == VM_EXIT_BREAKPOINT) {
            /* Only recordings set breakpoints: on the guest's panic function. */
            if (rec) {
                char what[128];
                snprintf(what, sizeof(what), "the guest's panic function was called (hart %u, "
                         "pc 0x%" PRIx64 ")", ex->hart, vm_hart(vm, ex->hart)->pc);
                recorder_note_crash(rec, vm, what);
            }
            continue;
        }
        if (ex->reason == VM_EXIT_INSN_LIMIT && progress_at && vm_icount(vm) == progress_at &&
            progress_at != cp_at && (!max_total || progress_at < max_total)) {
            progress_line(progress_at, max_total);
            continue;
        }
        if (ex->reason != VM_EXIT_INSN_LIMIT || !cp_at || vm_icount(vm) != cp_at)
            return 0;
        uint64_t h;
        /* Everything that happened before the checkpoint is in the trace before it. */
        if (rec && recorder_flush(rec))
            return -1;
        if (checkpointer_take(cp, vm, &h))
            return -1;
        if (!every) {
            if (h != expect[next_expect].hash) {
                *bad_cp = next_expect;
                *bad_hash = h;
                return 0;
            }
            next_expect++;
        }
        if (max_total && vm_icount(vm) >= max_total)
            return 0;
    }
}

static int write_machine_meta(struct trace *t, const struct machine_options *o, int argc,
                              char **argv)
{
    char cmdline[4096] = "rewind";
    size_t pos = strlen(cmdline);
    for (int i = 0; i < argc && pos + 2 < sizeof(cmdline); i++)
        pos += (size_t)snprintf(cmdline + pos, sizeof(cmdline) - pos, " %s", argv[i]);
    char started[64];
    time_t now = time(NULL); // allowed-host-call: trace metadata; the guest's RTC uses the gate
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *boot = o->bios ? "firmware"
                     : (o->kernel && vm_file_is_linux_image(o->kernel)) ? "kernel" : "program";
    int rc = trace_set_meta(t, "rewind_version", REWIND_VERSION) |
             trace_set_meta(t, "command_line", cmdline) |
             trace_set_meta(t, "started_at", started) |
             trace_set_meta(t, "clock_mode", o->host_clock ? "host" : "virtual") |
             trace_set_meta(t, "boot", boot) |
             trace_set_meta_u64(t, "ram_mb", o->ram_mb) |
             trace_set_meta_u64(t, "harts", o->harts) |
             trace_set_meta_u64(t, "quantum", o->quantum ? o->quantum : VM_DEFAULT_QUANTUM) |
             trace_set_meta(t, "no_reboot", o->no_reboot ? "1" : "0") |
             trace_set_meta_u64(t, "hang_after", o->hang_after);
    if (o->append)
        rc |= trace_set_meta(t, "append", o->append);
    rc |= trace_set_meta_u64(t, "disks", o->dev.num_disks) |
          trace_set_meta_u64(t, "nics", o->dev.num_nics) |
          trace_set_meta(t, "rng", o->dev.rng ? "1" : "0") |
          trace_set_meta(t, "virtio_console", o->dev.virtio_console ? "1" : "0");
    for (unsigned i = 0; i < o->dev.num_disks; i++) {
        char key[32];
        snprintf(key, sizeof(key), "disk%u_readonly", i);
        rc |= trace_set_meta(t, key, o->dev.disks[i].readonly ? "1" : "0");
    }
    for (unsigned i = 0; i < o->dev.num_nics; i++) {
        char key[32], mac[24];
        const uint8_t *m = o->dev.nics[i].mac;
        snprintf(key, sizeof(key), "nic%u_mac", i);
        if (o->dev.nics[i].has_mac)
            snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                     m[4], m[5]);
        else
            snprintf(mac, sizeof(mac), "default");
        rc |= trace_set_meta(t, key, mac);
        snprintf(key, sizeof(key), "nic%u_netdev", i);
        rc |= trace_set_meta(t, key, o->dev.nics[i].netdev);
    }
    struct image_role roles[MAX_ROLES];
    int n = roles_of(o, roles);
    for (int i = 0; i < n; i++) {
        char hash[40];
        uint64_t size;
        if (trace_hash_file(roles[i].path, hash, &size)) {
            fprintf(stderr, "rewind: %s: %s\n", roles[i].path, strerror(errno));
            return -1;
        }
        rc |= trace_add_image(t, roles[i].role, roles[i].path, size, hash);
    }
    rc |= trace_commit(t);
    if (rc)
        fprintf(stderr, "rewind: writing the trace failed: %s\n", trace_errmsg(t));
    return rc ? -1 : 0;
}

/* SIGINT/SIGTERM while recording: stop the machine at the next boundary and finish the trace
 * normally (it then ends "stopped"). */
static struct vm *recording_vm;

static void on_stop_signal(int sig)
{
    (void)sig;
    if (recording_vm)
        vm_request_quit(recording_vm);
}

struct record_crash {
    struct recorder *rec;
    struct trace *trace;
};

/* rewind itself crashed while recording: keep the trace consistent and say why it ends. */
static void record_crash_hook(void *ctx, const char *reason)
{
    struct record_crash *rc = ctx;
    host_console_restore_terminal();
    recorder_flush(rc->rec);
    trace_set_meta(rc->trace, "end_reason", reason);
    trace_commit(rc->trace);
    fprintf(stderr, "rewind: the trace ends here and says why; it replays up to this point\n");
}

static int put_block(void *ctx, uint64_t block, const uint8_t *data)
{
    struct { struct trace *t; unsigned disk; } *c = ctx;
    if (!data)
        return 0;
    uint8_t z[8192];
    size_t zn = ZSTD_compress(z, sizeof(z), data, DISK_BLOCK, 1);
    return ZSTD_isError(zn) ? -1 : trace_add_disk_block(c->t, TRACE_END, c->disk, block, z, zn);
}

/* What the guest wrote to each disk, kept with the trace: the blocks written since the last
 * checkpoint (the checkpoints hold the earlier ones), and a hash that a replay must
 * reproduce. */
static int save_overlays(struct trace *t, struct vm *vm, unsigned disks)
{
    for (unsigned i = 0; i < disks; i++) {
        struct disk_image *d = vm_disk(vm, i);
        struct { struct trace *t; unsigned disk; } c = { t, i };
        char key[40], hash[24];
        snprintf(key, sizeof(key), "disk%u_overlay_hash", i);
        snprintf(hash, sizeof(hash), "%016" PRIx64, disk_image_overlay_hash(d));
        if (trace_set_meta(t, key, hash))
            return -1;
        snprintf(key, sizeof(key), "disk%u_overlay_blocks", i);
        if (trace_set_meta_u64(t, key, disk_image_overlay_blocks(d)) ||
            disk_image_take_dirty(d, put_block, &c))
            return -1;
    }
    return 0;
}

/* After a replay: every disk's overlay must be what the recording left. Returns the number
 * of disks that differ (each reported). */
static int check_overlays(struct trace *t, struct vm *vm, unsigned disks, const char *path)
{
    int bad = 0;
    for (unsigned i = 0; i < disks; i++) {
        char key[40], recorded[40] = "";
        snprintf(key, sizeof(key), "disk%u_overlay_hash", i);
        if (trace_get_meta(t, key, recorded, sizeof(recorded)))
            continue; /* cut off before the end: nothing to compare */
        char now[24];
        snprintf(now, sizeof(now), "%016" PRIx64, disk_image_overlay_hash(vm_disk(vm, i)));
        if (strcmp(now, recorded)) {
            fprintf(stderr, "rewind: replay of %s diverged: disk%u's writes hash to %s, the "
                            "recording's to %s\n", path, i, now, recorded);
            bad++;
        }
    }
    return bad;
}

/* `rewind record` once the options are parsed. */
static int record_machine(struct machine_options *o, int argc, char **argv)
{    if (!o->output) {
        fprintf(stderr, "rewind: record needs -o TRACE\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct trace *t = trace_create(o->output, o->force, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    if (write_machine_meta(t, o, argc - 1, argv + 1)) {
        trace_close(t);
        return EXIT_REWIND_ERROR;
    }
    struct host_console con;
    host_console_init(&con, STDIN_FILENO);
    if (o->console_socket && host_console_listen_unix(&con, o->console_socket, err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        trace_close(t);
        return EXIT_REWIND_ERROR;
    }
    struct recorder *rec = recorder_create(t, host_gate(&con));
    recorder_watch_crashes(rec, 20000000); /* keep the panic's backtrace, then stop */
    struct vm_config cfg = { .console_write = host_console_write, .console_ctx = &con,
                             .gate = recorder_gate(rec), .observer = recorder_observer(rec) };
    struct vm *vm = cli_open_nets(&o->dev, &con, &cfg) ? NULL : cli_build_vm(o, &cfg);
    if (!vm) {
        cli_close_nets(&con);
        trace_set_meta(t, "end_reason", "failed-to-start");
        recorder_flush(rec);
        recorder_destroy(rec);
        trace_close(t);
        return EXIT_REWIND_ERROR;
    }
    struct record_crash on_host_crash = { .rec = rec, .trace = t };
    crash_handler_install(record_crash_hook, &on_host_crash);
    recording_vm = vm;
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    if (o->symbols) {
        uint64_t addr;
        const char *sym = o->crash_symbol ? o->crash_symbol : "panic";
        if (elf_symbol_address(o->symbols, sym, &addr, err, sizeof(err)) || vm_break_at(vm, addr)) {
            fprintf(stderr, "rewind: %s\n", err);
            vm_destroy(vm);
            recorder_destroy(rec);
            trace_close(t);
            return EXIT_REWIND_ERROR;
        }
        trace_set_meta(t, "crash_symbol", sym);
    }
    uint64_t every = o->checkpoint_set ? o->checkpoint_every : CHECKPOINT_DEFAULT_INTERVAL;
    trace_set_meta_u64(t, "checkpoint_every", every);
    trace_set_meta(t, "state_format", VM_STATE_FORMAT);
    struct checkpointer *cp = every ? checkpointer_create(t, vm) : NULL;
    host_console_enter_raw(&con);
    double t0 = cli_now_seconds();
    struct vm_exit ex;
    if (o->debug_crash_at) {
        vm_run(vm, o->debug_crash_at, &ex);
        if (ex.reason == VM_EXIT_INSN_LIMIT)
            *(volatile int *)(uintptr_t)o->debug_crash_at = 0; /* deliberate crash (testing) */
    }
    int bad_cp;
    uint64_t bad_hash;
    if (run_with_checkpoints(vm, cp, rec, every, NULL, 0, o->max_insns, &ex, &bad_cp, &bad_hash))
        fprintf(stderr, "rewind: taking a checkpoint failed: %s\n", trace_errmsg(t));
    double secs = cli_now_seconds() - t0;
    host_console_restore(&con);
    fflush(stdout);

    int failed = recorder_flush(rec);
    uint64_t crash_icount = 0;
    const char *crash = recorder_guest_crash(rec, &crash_icount);
    if (crash && ex.reason == VM_EXIT_QUIT)
        trace_set_meta(t, "end_reason", "guest-crash");
    else
        trace_set_meta(t, "end_reason", cli_exit_reason_name(ex.reason));
    if (!crash && ex.reason == VM_EXIT_GUEST && ex.exit_code) {
        char why[96];
        snprintf(why, sizeof(why), "the guest powered off reporting failure (exit code %" PRIu64
                 ")", ex.exit_code);
        trace_set_meta(t, "guest_crash", why);
        trace_set_meta_u64(t, "guest_crash_icount", ex.icount);
    } else if (ex.reason == VM_EXIT_STUCK) {
        trace_set_meta(t, "guest_crash", "a hart is stuck in a trap storm");
        trace_set_meta_u64(t, "guest_crash_icount", ex.icount);
    } else if (ex.reason == VM_EXIT_HUNG) {
        trace_set_meta(t, "guest_crash", "a hart is hung: a loop with interrupts off");
        trace_set_meta_u64(t, "guest_crash_icount", ex.icount);
    }
    trace_set_meta_u64(t, "end_icount", ex.icount);
    trace_set_meta_u64(t, "exit_code", ex.exit_code);
    trace_set_meta_u64(t, "events", trace_events_written(t));
    if (save_overlays(t, vm, o->dev.num_disks))
        failed = -1;
    cli_close_nets(&con);
    trace_set_meta(t, "complete", "1");
    if (trace_commit(t))
        failed = -1;
    if (failed)
        fprintf(stderr, "rewind: %s\n", recorder_error(rec)[0] ? recorder_error(rec)
                                                               : trace_errmsg(t));
    if (o->stats)
        fprintf(stderr, "rewind: icount=%" PRIu64 " seconds=%.6f mips=%.1f\n", ex.icount, secs,
                secs > 0 ? (double)ex.icount / secs / 1e6 : 0.0);
    fprintf(stderr, "rewind: recorded %" PRIu64 " events over %" PRIu64 " instructions to %s; ",
            trace_events_written(t), ex.icount, o->output);
    switch (ex.reason) {
    case VM_EXIT_GUEST:
        fprintf(stderr, "the guest exited with status %" PRIu64 "%s\n", ex.exit_code,
                ex.exit_code ? " (a failure)" : "");
        break;
    case VM_EXIT_QUIT:
        if (crash) {
            fprintf(stderr, "the guest crashed at icount %" PRIu64 ": \"%s\"\n", crash_icount,
                    crash);
            break;
        }
        /* fall through */
    default:
        fprintf(stderr, "the run ended: %s\n", cli_exit_reason_name(ex.reason));
        break;
    }
    if (cp && o->stats) {
        struct checkpoint_stats cs;
        checkpointer_stats(cp, &cs);
        fprintf(stderr, "rewind: %" PRIu64 " checkpoints, %" PRIu64 " pages, %" PRIu64
                        " bytes, %.3f s\n", cs.count, cs.pages, cs.bytes, cs.seconds);
    }
    checkpointer_destroy(cp);
    host_console_close(&con);
    int status = crash && ex.reason == VM_EXIT_QUIT ? 1 : cli_exit_status(vm, &ex, &con);
    vm_destroy(vm);
    recorder_destroy(rec);
    trace_close(t);
    return failed ? EXIT_REWIND_ERROR : status;
}

int cmd_record(int argc, char **argv)
{
    struct machine_options o;
    machine_options_default(&o);
    int rc = machine_options_parse(&o, argc, argv, true);
    if (rc)
        rc = rc > 0 ? 0 : EXIT_REWIND_ERROR;
    else
        rc = record_machine(&o, argc, argv);
    cli_devices_free(&o.dev);
    return rc;
}

/* ---- replay ---- */

struct replay_files {
    char tmpdir[256];
    char paths[MAX_ROLES][1100];
};

static void cleanup_files(struct replay_files *f)
{
    if (!f->tmpdir[0])
        return;
    for (int i = 0; i < MAX_ROLES; i++)
        if (f->paths[i][0] && !strncmp(f->paths[i], f->tmpdir, strlen(f->tmpdir)))
            unlink(f->paths[i]);
    rmdir(f->tmpdir);
}

/* Find each image the trace names: the recorded path if its hash matches, else the packed
 * copy. Fills the machine options' paths. */
static int resolve_images(struct trace *t, struct machine_options *o, struct replay_files *f)
{
    struct trace_image imgs[MAX_IMAGES];
    int n = trace_images(t, imgs, MAX_IMAGES);
    if (n < 0 || n > MAX_IMAGES) {
        fprintf(stderr, "rewind: the trace's image table is unreadable\n");
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const struct trace_image *im = &imgs[i];
        int slot = !strcmp(im->role, "bios") ? 0 : !strcmp(im->role, "kernel") ? 1
                 : !strcmp(im->role, "initrd") ? 2 : -1;
        for (int d = 0; d < VM_MAX_DISKS; d++)
            if (!strcmp(im->role, disk_roles[d]))
                slot = 3 + d;
        if (slot < 0) {
            fprintf(stderr, "rewind: the trace names an unknown image role '%s'\n", im->role);
            return -1;
        }
        char hash[40] = "";
        uint64_t size = 0;
        bool found = trace_hash_file(im->path, hash, &size) == 0;
        if (found && !strcmp(hash, im->hash)) {
            snprintf(f->paths[slot], sizeof(f->paths[slot]), "%s", im->path);
            continue;
        }
        if (!im->packed) {
            if (found)
                fprintf(stderr, "rewind: image %s: %s has hash %s, but the trace was recorded "
                        "with hash %s (a different file); restore the original or replay a "
                        "packed trace (rewind pack)\n", im->role, im->path, hash, im->hash);
            else
                fprintf(stderr, "rewind: image %s: %s is missing (%s); the trace needs the file "
                        "with hash %s, or a packed trace (rewind pack)\n", im->role, im->path,
                        strerror(errno), im->hash);
            return -1;
        }
        uint8_t *data;
        uint64_t len;
        char err[256];
        if (trace_unpack_image(t, im->role, &data, &len, err, sizeof(err))) {
            fprintf(stderr, "rewind: %s\n", err);
            return -1;
        }
        if (!f->tmpdir[0]) {
            snprintf(f->tmpdir, sizeof(f->tmpdir), "%s/rewind-images-XXXXXX",
                     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
            if (!mkdtemp(f->tmpdir)) {
                fprintf(stderr, "rewind: cannot create a temporary directory: %s\n", strerror(errno));
                f->tmpdir[0] = 0;
                free(data);
                return -1;
            }
        }
        char unpacked[sizeof(f->tmpdir) + sizeof(im->role) + 2];
        int w = snprintf(unpacked, sizeof(unpacked), "%s/%s", f->tmpdir, im->role);
        if (w < 0 || (size_t)w >= sizeof(f->paths[0])) {
            fprintf(stderr, "rewind: the temporary directory's name is too long\n");
            free(data);
            return -1;
        }
        memcpy(f->paths[slot], unpacked, (size_t)w + 1);
        FILE *out = fopen(f->paths[slot], "wb");
        bool ok = out && fwrite(data, 1, len, out) == len;
        if (out && fclose(out))
            ok = false;
        free(data);
        if (!ok) {
            fprintf(stderr, "rewind: cannot write %s\n", f->paths[slot]);
            return -1;
        }
    }
    o->bios = f->paths[0][0] ? f->paths[0] : NULL;
    o->kernel = f->paths[1][0] ? f->paths[1] : NULL;
    o->initrd = f->paths[2][0] ? f->paths[2] : NULL;
    for (unsigned d = 0; d < o->dev.num_disks; d++) {
        if (!f->paths[3 + d][0]) {
            fprintf(stderr, "rewind: the trace has %u disks but no image for disk%u\n",
                    o->dev.num_disks, d);
            return -1;
        }
        o->dev.disks[d].path = f->paths[3 + d];
    }
    return 0;
}

/* The virtio devices a recording had (traces of format 1 have none). A replay opens no
 * network backend: frames come from the trace. */
static int devices_from_trace(struct trace *t, struct cli_devices *d)
{
    uint64_t disks = 0, nics = 0;
    char v[64] = "0";
    trace_get_meta_u64(t, "disks", &disks);
    trace_get_meta_u64(t, "nics", &nics);
    trace_get_meta(t, "rng", v, sizeof(v));
    if (disks > VM_MAX_DISKS || nics > VM_MAX_NICS) {
        fprintf(stderr, "rewind: the trace's device configuration is invalid\n");
        return -1;
    }
    d->num_disks = (unsigned)disks;
    d->num_nics = (unsigned)nics;
    d->rng = v[0] == '1';
    strcpy(v, "0");
    trace_get_meta(t, "virtio_console", v, sizeof(v));
    d->virtio_console = v[0] == '1';
    for (unsigned i = 0; i < d->num_disks; i++) {
        char key[32];
        snprintf(key, sizeof(key), "disk%u_readonly", i);
        strcpy(v, "0");
        trace_get_meta(t, key, v, sizeof(v));
        d->disks[i].readonly = v[0] == '1';
        d->disks[i].path = NULL; /* from the images table */
    }
    for (unsigned i = 0; i < d->num_nics; i++) {
        char key[32];
        snprintf(key, sizeof(key), "nic%u_mac", i);
        strcpy(v, "default");
        trace_get_meta(t, key, v, sizeof(v));
        unsigned m[6];
        d->nics[i].has_mac = sscanf(v, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3],
                                    &m[4], &m[5]) == 6;
        for (int k = 0; k < 6 && d->nics[i].has_mac; k++)
            d->nics[i].mac[k] = (uint8_t)m[k];
        d->nics[i].netdev = NULL;
    }
    return 0;
}

static int machine_from_trace(struct trace *t, struct machine_options *o, char *append,
                              size_t append_len)
{
    machine_options_default(o);
    char noreboot[8] = "0";
    if (trace_get_meta_u64(t, "ram_mb", &o->ram_mb) || trace_get_meta_u64(t, "harts", &o->harts) ||
        trace_get_meta_u64(t, "quantum", &o->quantum)) {
        fprintf(stderr, "rewind: the trace has no machine configuration (was the recording cut "
                        "off before it started?)\n");
        return -1;
    }
    if (o->ram_mb == 0 || o->ram_mb > 65536 || o->harts < 1 || o->harts > 8 || o->quantum == 0 ||
        o->quantum > 100000000) {
        fprintf(stderr, "rewind: the trace's machine configuration is invalid\n");
        return -1;
    }
    trace_get_meta(t, "no_reboot", noreboot, sizeof(noreboot));
    o->no_reboot = noreboot[0] == '1';
    char clock[16] = "virtual";
    trace_get_meta(t, "clock_mode", clock, sizeof(clock));
    if (strcmp(clock, "virtual") && strcmp(clock, "host")) {
        fprintf(stderr, "rewind: the trace's clock mode '%s' is unknown\n", clock);
        return -1;
    }
    o->host_clock = !strcmp(clock, "host");
    if (trace_get_meta_u64(t, "hang_after", &o->hang_after))
        o->hang_after = 0; /* older traces: no hang detection, as when they were recorded */
    if (trace_get_meta(t, "append", append, append_len) == 0)
        o->append = append;
    return devices_from_trace(t, &o->dev);
}

/* Open a recording to run it again: the trace, the machine options it was recorded with, and
 * its images (at their paths if their hashes match, else unpacked into files). Returns the
 * trace, or NULL with a message printed and nothing left open. */
static struct trace *open_recording(const char *path, struct machine_options *o, char *append,
                                    size_t append_len, struct replay_files *files)
{
    char err[512];
    memset(files, 0, sizeof(*files));
    struct trace *t = trace_open(path, false, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "rewind: %s\n", err);
        return NULL;
    }
    if (machine_from_trace(t, o, append, append_len) || resolve_images(t, o, files)) {
        cleanup_files(files);
        trace_close(t);
        return NULL;
    }
    return t;
}

/* The time-travel engine rebuilds machines with the options read from the trace. */
struct replay_build {
    const struct machine_options *o;
};

static struct vm *build_for_replay(void *ctx, const struct vm_config *cfg)
{
    struct replay_build *rb = ctx;
    return cli_build_vm(rb->o, cfg);
}

/* Did the replay end the way the recording did? A recording stopped from outside the guest
 * (--max-insns, Ctrl-A x, a guest crash seen on the console) ends a replay at the same
 * icount by the instruction limit. */
static bool same_end(enum vm_exit_reason replayed, const char *recorded)
{
    if (!strcmp(recorded, "guest-crash") || !strcmp(recorded, "stopped") ||
        !strcmp(recorded, "instruction-limit"))
        return replayed == VM_EXIT_INSN_LIMIT;
    return !strcmp(cli_exit_reason_name(replayed), recorded);
}

int cmd_replay(int argc, char **argv, bool verify_only)
{
    const char *path = NULL, *gdb_where = NULL, *at = NULL;
    uint64_t to = 0, from = 0, cps_from_icount = 0, tt_memory_mb = 0;
    bool stats = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--gdb") && i + 1 < argc && !verify_only) {
            gdb_where = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--at") && i + 1 < argc && !verify_only) {
            at = argv[++i];
            continue;
        }
        if (!strcmp(argv[i], "--tt-memory") && i + 1 < argc && !verify_only) {
            if (parse_u64(argv[++i], &tt_memory_mb) || tt_memory_mb == 0 ||
                tt_memory_mb > (1u << 20)) {
                fprintf(stderr, "rewind: --tt-memory needs a size in MiB (1..1048576)\n");
                return EXIT_REWIND_ERROR;
            }
            continue;
        }
        if ((!strcmp(argv[i], "--from") || !strcmp(argv[i], "-from")) && i + 1 < argc) {
            if (parse_u64(argv[++i], &from) || from == 0) {
                fprintf(stderr, "rewind: --from needs a checkpoint number (rewind info lists them)\n");
                return EXIT_REWIND_ERROR;
            }
        } else if ((!strcmp(argv[i], "--to") || !strcmp(argv[i], "-to")) && i + 1 < argc) {
            if (parse_u64(argv[++i], &to) || to == 0) {
                fprintf(stderr, "rewind: --to needs a positive instruction count\n");
                return EXIT_REWIND_ERROR;
            }
        } else if (!strcmp(argv[i], "--stats")) {
            stats = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "rewind: unknown option '%s'\n", argv[i]);
            return EXIT_REWIND_ERROR;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "rewind: unexpected argument '%s'\n", argv[i]);
            return EXIT_REWIND_ERROR;
        }
    }
    if (!path) {
        fprintf(stderr, "rewind: %s needs a TRACE file\n", verify_only ? "verify" : "replay");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct machine_options o;
    char append[4096];
    struct replay_files files;
    struct trace *t = open_recording(path, &o, append, sizeof(append), &files);
    if (!t)
        return EXIT_REWIND_ERROR;
    char complete[8] = "0", end_reason[64] = "";
    uint64_t end_icount = 0, exit_code = 0;
    trace_get_meta(t, "complete", complete, sizeof(complete));
    bool is_complete = complete[0] == '1';
    if (is_complete) {
        trace_get_meta_u64(t, "end_icount", &end_icount);
        trace_get_meta_u64(t, "exit_code", &exit_code);
        trace_get_meta(t, "end_reason", end_reason, sizeof(end_reason));
    } else {
        uint64_t recorded = 0;
        trace_last_icount(t, &end_icount);
        if (trace_get_meta_u64(t, "recorded_icount", &recorded) == 0 && recorded > end_icount)
            end_icount = recorded;
        fprintf(stderr, "rewind: %s is incomplete (the recording was cut off); replaying up to "
                        "its last committed event at icount %" PRIu64 "\n", path, end_icount);
    }
    uint64_t limit = end_icount;
    if (to && (to < limit || !limit))
        limit = to;
    if (!limit) {
        fprintf(stderr, "rewind: %s holds no instructions to replay\n", path);
        cleanup_files(&files);
        trace_close(t);
        return 0;
    }

    struct replayer *rep = replayer_create(t, 0, err, sizeof(err));
    if (!rep) {
        fprintf(stderr, "rewind: %s\n", err);
        cleanup_files(&files);
        trace_close(t);
        return EXIT_REWIND_ERROR;
    }
    if (!is_complete)
        replayer_set_incomplete(rep);
    struct host_console con;
    host_console_init(&con, -1);
    if (gdb_where && !strcmp(gdb_where, "stdio"))
        con.out_fd = STDERR_FILENO; /* stdout carries the gdb protocol */
    struct vm_config cfg = { .console_write = verify_only ? NULL : host_console_write,
                             .console_ctx = &con, .gate = replayer_gate(rep),
                             .observer = replayer_observer(rep) };
    struct vm *vm = cli_build_vm(&o, &cfg);
    if (!vm) {
        replayer_destroy(rep);
        cleanup_files(&files);
        trace_close(t);
        return EXIT_REWIND_ERROR;
    }
    struct trace_checkpoint *cps = NULL;
    int ncp = trace_checkpoints(t, NULL, 0);
    char state_format[64] = "";
    trace_get_meta(t, "state_format", state_format, sizeof(state_format));
    if (ncp > 0 && strcmp(state_format, VM_STATE_FORMAT)) {
        fprintf(stderr, "rewind: the trace's checkpoints use state format '%s', this rewind "
                        "'%s': their hashes are not compared (events still are)\n",
                state_format[0] ? state_format : "unknown", VM_STATE_FORMAT);
        if (from) {
            fprintf(stderr, "rewind: --from needs checkpoints of this state format\n");
            vm_destroy(vm);
            replayer_destroy(rep);
            cleanup_files(&files);
            trace_close(t);
            return EXIT_REWIND_ERROR;
        }
        ncp = 0;
    }
    if (ncp > 0 && (cps = calloc((size_t)ncp, sizeof(*cps))))
        trace_checkpoints(t, cps, ncp);
    else
        ncp = 0;
    struct checkpointer *cp = ncp ? checkpointer_create(NULL, vm) : NULL;
    if (from) {
        /* Start at a checkpoint: the machine was built from the same images and inputs, so its
         * RAM is the baseline; put the checkpoint's pages and state over it and go on with a
         * replay positioned after the events that came before it. */
        int k = -1;
        for (int i = 0; i < ncp; i++)
            if ((uint64_t)cps[i].id == from)
                k = i;
        uint8_t *state = NULL;
        size_t state_len = 0;
        uint64_t ram_size;
        uint8_t *ram = vm_ram(vm, &ram_size);
        struct replayer *later = NULL;
        int ok = k >= 0;
        if (!ok)
            snprintf(err, sizeof(err), "the trace has no checkpoint %llu", (unsigned long long)from);
        if (ok && trace_load_checkpoint(t, cps[k].id, ram, ram_size / 4096, &state, &state_len,
                                        err, sizeof(err)))
            ok = 0;
        if (ok && checkpoint_restore_disks(t, cps[k].id, vm, err, sizeof(err)))
            ok = 0;
        if (ok) {
            struct state_reader sr;
            state_reader_init(&sr, state, state_len);
            if (vm_load_state(vm, &sr, err, sizeof(err)))
                ok = 0;
        }
        free(state);
        if (ok && !(later = replayer_create(t, (int64_t)cps[k].events, err, sizeof(err))))
            ok = 0;
        if (!ok) {
            fprintf(stderr, "rewind: %s\n", err);
            checkpointer_destroy(cp);
            free(cps);
            vm_destroy(vm);
            replayer_destroy(rep);
            cleanup_files(&files);
            trace_close(t);
            return EXIT_REWIND_ERROR;
        }
        replayer_destroy(rep);
        rep = later;
        if (!is_complete)
            replayer_set_incomplete(rep);
        vm_set_gate(vm, replayer_gate(rep), replayer_observer(rep));
        checkpointer_destroy(cp);
        cp = checkpointer_create(NULL, vm); /* hashes of the restored pages are the baseline */
        fprintf(stderr, "rewind: starting at checkpoint %llu (icount %" PRIu64 ")\n",
                (unsigned long long)from, cps[k].icount);
        cps_from_icount = cps[k].icount;
    }
    if (gdb_where) {
        /* gdb drives the replay, forwards and backwards: the time-travel engine rebuilds the
         * machine whenever the replay goes back. */
        checkpointer_destroy(cp);
        free(cps);
        vm_destroy(vm);
        replayer_destroy(rep);
        struct replay_build rb = { .o = &o };
        struct vm_config base = { .console_write = host_console_write, .console_ctx = &con };
        struct timetravel *tt = timetravel_create(t, !is_complete, base, build_for_replay, &rb,
                                                  err, sizeof(err));
        int rc = EXIT_REWIND_ERROR;
        if (!tt) {
            fprintf(stderr, "rewind: %s\n", err);
        } else {
            if (tt_memory_mb)
                timetravel_set_memory(tt, tt_memory_mb << 20);
            uint64_t start_at = from ? cps_from_icount : 0;
            if (at && !strcmp(at, "end"))
                start_at = limit; /* the end of the recording: the crash, the exit */
            else if (at && (parse_u64(at, &start_at) || start_at > limit))
                start_at = limit;
            if (start_at && timetravel_seek(tt, start_at, err, sizeof(err)))
                fprintf(stderr, "rewind: %s\n", err);
            rc = cli_serve_replay_gdb(tt, gdb_where, limit);
            if (replayer_diverged(timetravel_replayer(tt)))
                fprintf(stderr, "rewind: replay of %s diverged\n%s\n", path,
                        replayer_report(timetravel_replayer(tt)));
            timetravel_destroy(tt);
        }
        cleanup_files(&files);
        trace_close(t);
        return rc;
    }
    show_progress = isatty(STDERR_FILENO) && limit > 200000000;
    double t0 = cli_now_seconds();
    struct vm_exit ex;
    int bad_cp = -1;
    uint64_t bad_hash = 0;
    if (run_with_checkpoints(vm, cp, NULL, 0, cps, ncp, limit, &ex, &bad_cp, &bad_hash))
        fprintf(stderr, "rewind: computing a checkpoint hash failed\n");
    double secs = cli_now_seconds() - t0;
    if (show_progress)
        fprintf(stderr, "\r\033[K");
    show_progress = false;
    fflush(stdout);
    uint64_t cps_checked = 0;
    for (int i = 0; i < ncp; i++)
        if (cps[i].icount <= ex.icount && (bad_cp < 0 || i < bad_cp))
            cps_checked++;
    if (bad_cp >= 0)
        fprintf(stderr, "rewind: replay of %s diverged: the machine state at checkpoint %d "
                        "(icount %" PRIu64 ") has hash %016" PRIx64 ", the recording has %016"
                        PRIx64 "\n", path, bad_cp, cps[bad_cp].icount, bad_hash, cps[bad_cp].hash);
    checkpointer_destroy(cp);
    free(cps);
    if (stats)
        fprintf(stderr, "rewind: icount=%" PRIu64 " seconds=%.6f mips=%.1f\n", ex.icount, secs,
                secs > 0 ? (double)ex.icount / secs / 1e6 : 0.0);

    int status;
    bool stopped_early = to && to < end_icount;
    if (bad_cp >= 0) {
        status = verify_only ? 1 : EXIT_REWIND_ERROR;
    } else if (replayer_diverged(rep)) {
        fprintf(stderr, "rewind: replay of %s diverged\n%s\n", path, replayer_report(rep));
        status = verify_only ? 1 : EXIT_REWIND_ERROR;
    } else if (stopped_early) {
        fprintf(stderr, "rewind: replay stopped at icount %" PRIu64 " (--to), as recorded so far "
                        "(%" PRIu64 " events checked)\n", ex.icount, replayer_checked(rep));
        cli_report_where(vm, NULL);
        status = 0;
    } else if (is_complete && (!same_end(ex.reason, end_reason) ||
                               ex.icount != end_icount ||
                               (ex.reason == VM_EXIT_GUEST && ex.exit_code != exit_code) ||
                               !replayer_all_matched(rep))) {
        fprintf(stderr, "rewind: replay of %s diverged at its end: recorded %s at icount %"
                        PRIu64 " (exit %" PRIu64 "), replayed %s at icount %" PRIu64
                        " (exit %" PRIu64 ")%s\n", path, end_reason, end_icount, exit_code,
                cli_exit_reason_name(ex.reason), ex.icount, ex.exit_code,
                replayer_all_matched(rep) ? "" : "; recorded events were left unmatched");
        status = verify_only ? 1 : EXIT_REWIND_ERROR;
    } else if (is_complete && check_overlays(t, vm, o.dev.num_disks, path)) {
        status = verify_only ? 1 : EXIT_REWIND_ERROR;
    } else {
        if (verify_only || !is_complete)
            fprintf(stderr, "rewind: %s: replay %s: %" PRIu64 " instructions, %" PRIu64
                            " events and %" PRIu64 " checkpoint hashes checked, ended %s\n", path,
                    is_complete ? "verified" : "matches as far as recorded", ex.icount,
                    replayer_checked(rep), cps_checked, is_complete ? end_reason : "at the cut");
        status = verify_only ? 0
               : ex.reason == VM_EXIT_GUEST ? (int)(ex.exit_code & 0xff)
               : ex.reason == VM_EXIT_INSN_LIMIT && !is_complete ? 0
               : ex.reason == VM_EXIT_INSN_LIMIT ? EXIT_INSN_LIMIT : 0;
    }
    vm_destroy(vm);
    replayer_destroy(rep);
    cleanup_files(&files);
    trace_close(t);
    return status;
}

/* ---- info and pack ---- */

/* The virtio devices a recording had, and what the guest wrote to its disks. */
static void print_devices(struct trace *t)
{
    struct machine_options o;
    machine_options_default(&o);
    if (devices_from_trace(t, &o.dev) ||
        (!o.dev.num_disks && !o.dev.num_nics && !o.dev.rng && !o.dev.virtio_console))
        return;
    printf("devices:\n");
    for (unsigned i = 0; i < o.dev.num_disks; i++) {
        char key[40], hash[40] = "?";
        uint64_t blocks = 0;
        snprintf(key, sizeof(key), "disk%u_overlay_blocks", i);
        trace_get_meta_u64(t, key, &blocks);
        snprintf(key, sizeof(key), "disk%u_overlay_hash", i);
        trace_get_meta(t, key, hash, sizeof(hash));
        printf("  disk%u  virtio-blk%s; the guest wrote %" PRIu64 " KiB (overlay hash %s)\n", i,
               o.dev.disks[i].readonly ? ", read-only" : "", blocks * 4, hash);
    }
    for (unsigned i = 0; i < o.dev.num_nics; i++) {
        char key[40], netdev[512] = "?", mac[32] = "default";
        snprintf(key, sizeof(key), "nic%u_netdev", i);
        trace_get_meta(t, key, netdev, sizeof(netdev));
        snprintf(key, sizeof(key), "nic%u_mac", i);
        trace_get_meta(t, key, mac, sizeof(mac));
        printf("  nic%u   virtio-net, mac %s, recorded from -netdev %s\n", i, mac, netdev);
    }
    if (o.dev.rng)
        printf("  rng    virtio-rng\n");
    if (o.dev.virtio_console)
        printf("  hvc0   virtio-console (the console)\n");
}

int cmd_info(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "rewind: info needs exactly one TRACE file\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct trace *t = trace_open(argv[1], false, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    static const char *const keys[] = { "format_version", "rewind_version", "command_line",
                                        "started_at", "boot", "ram_mb", "harts", "quantum",
                                        "append", "clock_mode", "checkpoint_every",
                                        "end_reason", "exit_code", "end_icount", "guest_crash",
                                        "guest_crash_icount" };
    printf("trace %s\n", argv[1]);
    char v[4096], complete[8] = "0";
    trace_get_meta(t, "complete", complete, sizeof(complete));
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (trace_get_meta(t, keys[i], v, sizeof(v)) == 0)
            printf("  %-15s %s\n", keys[i], v);
    if (complete[0] != '1') {
        uint64_t last = 0, recorded = 0;
        trace_last_icount(t, &last);
        if (trace_get_meta_u64(t, "recorded_icount", &recorded) == 0 && recorded > last)
            last = recorded;
        printf("  %-15s INCOMPLETE: the recording was cut off; it replays up to icount %" PRIu64
               "\n", "state", last);
    } else {
        printf("  %-15s complete\n", "state");
    }
    printf("events:\n");
    for (int k = 0; k < TRACE_KIND_COUNT; k++) {
        uint64_t n = 0;
        if (trace_count_kind(t, (enum trace_kind)k, &n) == 0 && n)
            printf("  %-15s %" PRIu64 "%s\n", trace_kind_name((enum trace_kind)k), n,
                   trace_kind_is_input((enum trace_kind)k) ? " (input)" : "");
    }
    struct trace_checkpoint cps[4096];
    int ncp = trace_checkpoints(t, cps, 4096);
    if (ncp > 0)
        printf("checkpoints: %d, at icount %" PRIu64 " .. %" PRIu64 "\n", ncp, cps[0].icount,
               cps[(ncp < 4096 ? ncp : 4096) - 1].icount);
    struct trace_image imgs[MAX_IMAGES];
    int n = trace_images(t, imgs, MAX_IMAGES);
    print_devices(t);
    printf("images:\n");
    for (int i = 0; i < n && i < MAX_IMAGES; i++)
        printf("  %-7s %s (%" PRIu64 " bytes, hash %s%s)\n", imgs[i].role, imgs[i].path,
               imgs[i].size, imgs[i].hash, imgs[i].packed ? ", packed" : "");
    trace_close(t);
    return 0;
}

int cmd_pack(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "rewind: pack needs exactly one TRACE file\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct trace *t = trace_open(argv[1], true, err, sizeof(err));
    if (!t) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    struct trace_image imgs[MAX_IMAGES];
    int n = trace_images(t, imgs, MAX_IMAGES);
    int status = 0;
    for (int i = 0; i < n && i < MAX_IMAGES; i++) {
        if (imgs[i].packed) {
            printf("rewind: %s already packed\n", imgs[i].role);
            continue;
        }
        FILE *f = fopen(imgs[i].path, "rb");
        uint8_t *data = imgs[i].size < (1ull << 34) ? malloc(imgs[i].size ? imgs[i].size : 1) : NULL;
        bool ok = f && data && fread(data, 1, imgs[i].size, f) == imgs[i].size;
        if (f)
            fclose(f);
        char hash[40];
        if (ok) {
            trace_hash_bytes(data, imgs[i].size, hash);
            ok = !strcmp(hash, imgs[i].hash);
        }
        if (!ok) {
            fprintf(stderr, "rewind: cannot pack %s: %s is missing or no longer has hash %s\n",
                    imgs[i].role, imgs[i].path, imgs[i].hash);
            status = EXIT_REWIND_ERROR;
        } else if (trace_pack_image(t, imgs[i].role, data, imgs[i].size, err, sizeof(err))) {
            fprintf(stderr, "rewind: %s\n", err);
            status = EXIT_REWIND_ERROR;
        } else {
            printf("rewind: packed %s (%s, %" PRIu64 " bytes)\n", imgs[i].role, imgs[i].path,
                   imgs[i].size);
        }
        free(data);
    }
    trace_close(t);
    return status;
}

/* ---- exports ---- */

int cmd_export_pcap(int argc, char **argv)
{
    const char *trace = NULL, *out = NULL;
    long nic = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--nic") && i + 1 < argc) {
            char *end;
            nic = strtol(argv[++i], &end, 10);
            if (*end || nic < 0 || nic >= VM_MAX_NICS) {
                fprintf(stderr, "rewind: --nic needs a card number 0..%d\n", VM_MAX_NICS - 1);
                return EXIT_REWIND_ERROR;
            }
        } else if (!trace) {
            trace = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            fprintf(stderr, "rewind: unexpected argument '%s'\n", argv[i]);
            return EXIT_REWIND_ERROR;
        }
    }
    if (!trace || !out) {
        fprintf(stderr, "rewind: usage: rewind export-pcap TRACE OUT.pcap [--nic N]\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    uint64_t frames = 0;
    if (pcap_export_nic(trace, out, (int)nic, &frames, err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    fprintf(stderr, "rewind: wrote %" PRIu64 " frames to %s\n", frames, out);
    return 0;
}

struct export_disk {
    struct disk_image *d;
    unsigned disk;
};

static int restore_block(void *ctx, unsigned disk, uint64_t block, const uint8_t *data, size_t len)
{
    struct export_disk *e = ctx;
    if (disk != e->disk)
        return 0;
    return len == DISK_BLOCK ? disk_image_set_block(e->d, block, data) : -1;
}

int cmd_export_disk(int argc, char **argv)
{
    uint64_t disk = 0;
    if (argc != 4 || parse_u64(argv[2], &disk) || disk >= VM_MAX_DISKS) {
        fprintf(stderr, "rewind: usage: rewind export-disk TRACE DISK OUT.img  (DISK: 0 for the "
                        "first disk)\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct machine_options o;
    char append[4096];
    struct replay_files files;
    struct trace *t = open_recording(argv[1], &o, append, sizeof(append), &files);
    if (!t)
        return EXIT_REWIND_ERROR;
    int status = EXIT_REWIND_ERROR;
    if (disk >= o.dev.num_disks) {
        fprintf(stderr, "rewind: %s has %u disks\n", argv[1], o.dev.num_disks);
        goto out;
    }
    struct disk_image *d = disk_image_open(o.dev.disks[disk].path, false, false, err, sizeof(err));
    if (!d) {
        fprintf(stderr, "rewind: %s\n", err);
        goto out;
    }
    struct export_disk e = { d, (unsigned)disk };
    int64_t n = trace_load_disk_blocks(t, TRACE_END, restore_block, &e, err, sizeof(err));
    if (n >= 0)
        n = (int64_t)disk_image_overlay_blocks(d);
    if (n < 0 || disk_image_export(d, argv[3], err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
    } else {
        fprintf(stderr, "rewind: wrote disk%" PRIu64 " (%s with the %" PRId64 " blocks the guest "
                        "wrote) to %s\n", disk, o.dev.disks[disk].path, n, argv[3]);
        status = 0;
    }
    disk_image_close(d);
out:
    cleanup_files(&files);
    trace_close(t);
    return status;
}
