/* main.c — the `rewind` command line: command dispatch, machine options (QEMU's spellings
 * too), building a VM for one of the boot paths, `run`, and turning library errors into one
 * clear message. Trace commands live in cli_trace.c. Only the CLI prints. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/cli.h"
#include "vmm/crash.h"
#include "vmm/disk_image.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rewind COMMAND [OPTIONS]\n"
            "\n"
            "commands:\n"
            "  run [MACHINE]              run a guest\n"
            "  record -o TRACE [MACHINE]  run a guest and record everything that enters it\n"
            "  replay TRACE [--to N] [--from K] [--gdb WHERE [--at end|ICOUNT] [--tt-memory MB]]\n"
            "                             replay a recording exactly (same console, same end);\n"
            "                             with --gdb, gdb drives it forwards and backwards\n"
            "                             (reverse-stepi, reverse-continue; writes refused)\n"
            "  verify TRACE               replay at full speed without output; print a verdict\n"
            "  info TRACE                 what a trace holds\n"
            "  pack TRACE                 store the images a trace needs inside it\n"
            "  gdb [--symbols ELF] [MACHINE]  start gdb-multiarch already connected to a machine\n"
            "  gdb TRACE [--at end|ICOUNT] [--symbols ELF]\n"
            "                             start gdb-multiarch on the replay of a recording\n"
            "  export-pcap TRACE OUT.pcap [--nic N]  the recorded network frames, for Wireshark\n"
            "  export-disk TRACE DISK OUT.img  a disk as the recording left it (image + writes)\n"
            "  version, help\n"
            "\n"
            "MACHINE options (QEMU's single-dash spellings are accepted too):\n"
            "  --kernel FILE     a bare-metal RISC-V ELF program (M-mode, HTIF), or a Linux\n"
            "                    Image: without --bios it boots on the built-in SBI\n"
            "  --bios FILE       M-mode firmware (e.g. OpenSBI fw_jump.bin/fw_dynamic.bin) at\n"
            "                    0x80000000; --kernel is then its payload at 0x80200000\n"
            "  --initrd FILE     initial ramdisk for the kernel\n"
            "  --append ARGS     kernel command line (device tree /chosen/bootargs)\n"
            "  -m MB             guest RAM in MiB at 0x80000000 (default %d; 256M, 1G work)\n"
            "  -smp N            number of harts, 1..8 (default 1)\n"
            "  --quantum N       instructions a hart runs before the next one (default %d)\n"
            "  -no-reboot        exit when the guest reboots instead of restarting it\n"
            "  --console WHERE   stdio (default) or unix:PATH (listen there, serve one client)\n"
            "  --gdb WHERE       (run) serve gdb: tcp::PORT, tcp:HOST:PORT, unix:PATH or stdio\n"
            "                    (for gdb's 'target remote | rewind run --gdb stdio ...');\n"
            "                    -S: wait for gdb before starting (else attach any time);\n"
            "                    -s = --gdb tcp::1234\n"
            "  --hang-after N    a hart that runs N instructions with a pending interrupt it\n"
            "                    keeps disabled is hung: stop (default 2000000000, 0: never)\n"
            "  --clock MODE      virtual (default: guest time from instruction counts) or host\n"
            "                    (guest time follows the host clock; every reading is an input)\n"
            "  --max-insns N     stop after N instructions in all (exit status %d)\n"
            "  --stats           print icount, time and MIPS on stderr at the end\n"
            "  --signature FILE  at exit, write memory between begin_signature and\n"
            "                    end_signature (as Spike's +signature, for compliance suites)\n"
            "  --signature-granularity N  bytes per signature line: 1, 2, 4 (default) or 8\n"
            "  -nographic, -M virt  accepted for QEMU compatibility\n"
            "%s"
            "record also takes: -o TRACE (required), --force (replace an existing file),\n"
            "  --checkpoint-every N (instructions between checkpoints; default 50000000, 0: none),\n"
            "  --symbols ELF [--crash-symbol NAME]: a call of the guest's panic function (default\n"
            "  'panic', looked up in ELF, e.g. vmlinux) is a guest crash\n"
            "\n"
            "The console is stdin/stdout; on a terminal, Ctrl-A x quits.\n"
            "Exit status: the guest's exit code (HTIF exit, syscon/SBI poweroff), %d when\n"
            "--max-insns was reached, %d when rewind itself failed or a replay diverged (the\n"
            "message says why).\n",
            VM_DEFAULT_RAM_MB, VM_DEFAULT_QUANTUM, EXIT_INSN_LIMIT, cli_devices_usage,
            EXIT_INSN_LIMIT, EXIT_REWIND_ERROR);
}

int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* QEMU-style sizes: "256", "256M", "1G" (MiB by default). */
static int parse_mib(const char *s, uint64_t *mib)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    if (*end == 'G' || *end == 'g') {
        v *= 1024;
        end++;
    } else if (*end == 'M' || *end == 'm') {
        end++;
    }
    if (*end || v == 0 || v > 65536)
        return -1;
    *mib = v;
    return 0;
}

double cli_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); // allowed-host-call: times rewind (--stats), not the guest
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void machine_options_default(struct machine_options *o)
{
    memset(o, 0, sizeof(*o));
    o->ram_mb = VM_DEFAULT_RAM_MB;
    o->harts = 1;
    o->granularity = 4;
    o->hang_after = DEFAULT_HANG_AFTER;
}

enum {
    OPT_KERNEL = 256, OPT_BIOS, OPT_INITRD, OPT_APPEND, OPT_MEMORY, OPT_SMP, OPT_QUANTUM,
    OPT_MAX_INSNS, OPT_STATS, OPT_HELP, OPT_NOGRAPHIC, OPT_SIGNATURE, OPT_SIGNATURE_GRANULARITY,
    OPT_NO_REBOOT, OPT_OUTPUT, OPT_FORCE, OPT_DEBUG_CRASH, OPT_CHECKPOINT_EVERY, OPT_CLOCK,
    OPT_SYMBOLS, OPT_CRASH_SYMBOL, OPT_CONSOLE, OPT_HANG_AFTER, OPT_GDB, OPT_GDB_DEFAULT,
    OPT_GDB_WAIT, OPT_MACHINE, OPT_DEVICE,
};

int machine_options_parse(struct machine_options *o, int argc, char **argv, bool record)
{
    static const struct option opts[] = {
        { "kernel", required_argument, NULL, OPT_KERNEL },
        { "bios", required_argument, NULL, OPT_BIOS },
        { "initrd", required_argument, NULL, OPT_INITRD },
        { "append", required_argument, NULL, OPT_APPEND },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "m", required_argument, NULL, OPT_MEMORY },
        { "smp", required_argument, NULL, OPT_SMP },
        { "quantum", required_argument, NULL, OPT_QUANTUM },
        { "max-insns", required_argument, NULL, OPT_MAX_INSNS },
        { "stats", no_argument, NULL, OPT_STATS },
        { "nographic", no_argument, NULL, OPT_NOGRAPHIC },
        { "M", required_argument, NULL, OPT_MACHINE },
        { "machine", required_argument, NULL, OPT_MACHINE },
        { "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
        { "signature", required_argument, NULL, OPT_SIGNATURE },
        { "signature-granularity", required_argument, NULL, OPT_SIGNATURE_GRANULARITY },
        { "o", required_argument, NULL, OPT_OUTPUT },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "force", no_argument, NULL, OPT_FORCE },
        { "debug-crash-at", required_argument, NULL, OPT_DEBUG_CRASH },
        { "checkpoint-every", required_argument, NULL, OPT_CHECKPOINT_EVERY },
        { "clock", required_argument, NULL, OPT_CLOCK },
        { "console", required_argument, NULL, OPT_CONSOLE },
        { "hang-after", required_argument, NULL, OPT_HANG_AFTER },
        { "gdb", required_argument, NULL, OPT_GDB },
        { "s", no_argument, NULL, OPT_GDB_DEFAULT },
        { "S", no_argument, NULL, OPT_GDB_WAIT },
        { "symbols", required_argument, NULL, OPT_SYMBOLS },
        { "crash-symbol", required_argument, NULL, OPT_CRASH_SYMBOL },
        { "help", no_argument, NULL, OPT_HELP },
        { "drive", required_argument, NULL, OPT_DEVICE },
        { "disk", required_argument, NULL, OPT_DEVICE },
        { "netdev", required_argument, NULL, OPT_DEVICE },
        { "net", required_argument, NULL, OPT_DEVICE },
        { "device", required_argument, NULL, OPT_DEVICE },
        { "rng", no_argument, NULL, OPT_DEVICE },
        { "hvc", no_argument, NULL, OPT_DEVICE },
        { "disk-persist", no_argument, NULL, OPT_DEVICE },
        { 0 },
    };
    optind = 1;
    int c, index = 0;
    while ((c = getopt_long_only(argc, argv, "", opts, &index)) != -1) {
        switch (c) {
        case OPT_DEVICE:
            if (cli_device_option(&o->dev, opts[index].name, optarg))
                return -1;
            break;
        case OPT_KERNEL: o->kernel = optarg; break;
        case OPT_BIOS: o->bios = optarg; break;
        case OPT_INITRD: o->initrd = optarg; break;
        case OPT_APPEND: o->append = optarg; break;
        case OPT_MEMORY:
            if (parse_mib(optarg, &o->ram_mb)) {
                fprintf(stderr, "rewind: -m needs a size in MiB (1..65536, or with M/G), not '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_SMP:
            if (parse_u64(optarg, &o->harts) || o->harts < 1 || o->harts > 8) {
                fprintf(stderr, "rewind: -smp needs a number of harts from 1 to 8, not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_QUANTUM:
            if (parse_u64(optarg, &o->quantum) || o->quantum == 0 || o->quantum > 100000000) {
                fprintf(stderr, "rewind: --quantum needs 1..100000000 instructions\n");
                return -1;
            }
            break;
        case OPT_MAX_INSNS:
            if (parse_u64(optarg, &o->max_insns) || o->max_insns == 0) {
                fprintf(stderr, "rewind: --max-insns needs a positive integer, not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_STATS: o->stats = true; break;
        case OPT_NOGRAPHIC: break;
        case OPT_MACHINE:
            /* QEMU's -M: the board follows from the boot path; `virt` is what rewind builds. */
            if (strcmp(optarg, "virt") && strncmp(optarg, "virt,", 5)) {
                fprintf(stderr, "rewind: -M %s: rewind emulates the virt board only\n", optarg);
                return -1;
            }
            break;
        case OPT_NO_REBOOT: o->no_reboot = true; break;
        case OPT_SIGNATURE: o->signature = optarg; break;
        case OPT_SIGNATURE_GRANULARITY:
            if (parse_u64(optarg, &o->granularity) ||
                (o->granularity != 1 && o->granularity != 2 && o->granularity != 4 &&
                 o->granularity != 8)) {
                fprintf(stderr, "rewind: --signature-granularity must be 1, 2, 4 or 8\n");
                return -1;
            }
            break;
        case OPT_OUTPUT:
            if (!record) {
                fprintf(stderr, "rewind: -o is for record\n");
                return -1;
            }
            o->output = optarg;
            break;
        case OPT_FORCE: o->force = true; break;
        case OPT_SYMBOLS:
        case OPT_CRASH_SYMBOL:
            if (!record) {
                fprintf(stderr, "rewind: --symbols/--crash-symbol are for record\n");
                return -1;
            }
            if (c == OPT_SYMBOLS)
                o->symbols = optarg;
            else
                o->crash_symbol = optarg;
            break;
        case OPT_GDB:
            if (record) {
                fprintf(stderr, "rewind: --gdb is for run (recordings are debugged with replay)\n");
                return -1;
            }
            o->gdb = optarg;
            break;
        case OPT_GDB_DEFAULT:
            if (!o->gdb)
                o->gdb = "tcp::1234";
            break;
        case OPT_GDB_WAIT: o->gdb_wait = true; break;
        case OPT_HANG_AFTER:
            if (parse_u64(optarg, &o->hang_after)) {
                fprintf(stderr, "rewind: --hang-after needs an instruction count (0: never)\n");
                return -1;
            }
            break;
        case OPT_CONSOLE:
            if (!strncmp(optarg, "unix:", 5) && optarg[5]) {
                o->console_socket = optarg + 5;
            } else if (!strcmp(optarg, "stdio")) {
                o->console_socket = NULL;
            } else {
                fprintf(stderr, "rewind: --console is 'stdio' or 'unix:PATH', not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_CLOCK:
            if (!strcmp(optarg, "host")) {
                o->host_clock = true;
            } else if (!strcmp(optarg, "virtual")) {
                o->host_clock = false;
            } else {
                fprintf(stderr, "rewind: --clock is 'virtual' or 'host', not '%s'\n", optarg);
                return -1;
            }
            break;
        case OPT_CHECKPOINT_EVERY:
            if (!record || parse_u64(optarg, &o->checkpoint_every)) {
                fprintf(stderr, "rewind: --checkpoint-every N (record only; 0 for none)\n");
                return -1;
            }
            o->checkpoint_set = true;
            break;
        case OPT_DEBUG_CRASH:
            if (parse_u64(optarg, &o->debug_crash_at) || o->debug_crash_at == 0) {
                fprintf(stderr, "rewind: --debug-crash-at needs an instruction count\n");
                return -1;
            }
            break;
        case OPT_HELP: usage(stdout); return 1;
        default: usage(stderr); return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rewind: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (cli_devices_check(&o->dev, record))
        return -1;
    return machine_options_check(o);
}

int machine_options_check(const struct machine_options *o)
{
    if (!o->kernel && !o->bios) {
        fprintf(stderr, "rewind: needs --kernel FILE (and/or --bios FILE)\n");
        return -1;
    }
    bool linux_image = o->kernel && !o->bios && vm_file_is_linux_image(o->kernel);
    if ((o->initrd || o->append) && !o->bios && !linux_image) {
        fprintf(stderr, "rewind: --initrd/--append need a Linux Image or --bios firmware\n");
        return -1;
    }
    if ((o->dev.num_disks || o->dev.num_nics || o->dev.rng || o->dev.virtio_console) && !o->bios &&
        !linux_image) {
        fprintf(stderr, "rewind: virtio devices need the virt board: a Linux Image or --bios "
                        "firmware (a bare-metal --kernel program runs without devices)\n");
        return -1;
    }
    return 0;
}

struct vm *cli_build_vm(const struct machine_options *o, const struct vm_config *base)
{
    char err[512];
    struct vm_config cfg = *base;
    cfg.ram_size = o->ram_mb << 20;
    cfg.num_harts = (unsigned)o->harts;
    cfg.quantum = o->quantum;
    cfg.no_reboot = o->no_reboot;
    cfg.clock = o->host_clock ? VM_CLOCK_HOST : VM_CLOCK_VIRTUAL;
    cfg.hang_after = o->hang_after;
    cli_devices_configure(&o->dev, &cfg);
    struct vm *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm) {
        fprintf(stderr, "rewind: %s\n", err);
        return NULL;
    }
    bool linux_image = o->kernel && !o->bios && vm_file_is_linux_image(o->kernel);
    int rc;
    if (o->bios)
        rc = vm_load_firmware(vm, o->bios, o->kernel, o->initrd, o->append, err, sizeof(err));
    else if (linux_image)
        rc = vm_load_kernel(vm, o->kernel, o->initrd, o->append, err, sizeof(err));
    else
        rc = vm_load_program(vm, o->kernel, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "rewind: %s\n", err);
        vm_destroy(vm);
        return NULL;
    }
    if (!o->bios && !linux_image && !vm_has_htif(vm))
        fprintf(stderr, "rewind: warning: %s has no 'tohost' symbol, so it cannot print or exit "
                        "through HTIF\n", o->kernel);
    return vm;
}

static const char *priv_name(enum priv p)
{
    return p == PRIV_M ? "M" : p == PRIV_S ? "S" : "U";
}

void cli_report_where(struct vm *vm, const struct host_console *con)
{
    for (unsigned i = 0; i < vm_num_harts(vm); i++) {
        struct hart *h = vm_hart(vm, i);
        fprintf(stderr, "rewind:   hart %u: pc=0x%" PRIx64 " mode=%s icount=%" PRIu64 "%s\n", i,
                h->pc, priv_name(h->priv), h->icount, h->wfi ? " (in wfi)" : "");
    }
    if (con && con->last_len)
        fprintf(stderr, "rewind:   last console line: \"%s\"\n", host_console_last_line(con));
}

const char *cli_exit_reason_name(enum vm_exit_reason r)
{
    switch (r) {
    case VM_EXIT_GUEST: return "guest-exit";
    case VM_EXIT_REBOOT: return "reboot";
    case VM_EXIT_INSN_LIMIT: return "instruction-limit";
    case VM_EXIT_IDLE: return "idle-forever";
    case VM_EXIT_STUCK: return "trap-storm";
    case VM_EXIT_HUNG: return "hung";
    default: return "stopped";
    }
}

int cli_exit_status(struct vm *vm, const struct vm_exit *ex, const struct host_console *con)
{
    switch (ex->reason) {
    case VM_EXIT_GUEST:
        return (int)(ex->exit_code & 0xff);
    case VM_EXIT_REBOOT:
        fprintf(stderr, "rewind: the guest rebooted (-no-reboot)\n");
        return 0;
    case VM_EXIT_QUIT:
        return 0;
    case VM_EXIT_INSN_LIMIT:
        fprintf(stderr, "rewind: stopped after %" PRIu64 " instructions (--max-insns)\n",
                ex->icount);
        cli_report_where(vm, con);
        return EXIT_INSN_LIMIT;
    case VM_EXIT_HUNG: {
        struct hart *h = vm_hart(vm, ex->hart);
        fprintf(stderr, "rewind: hart %u is hung: it ran the last %" PRIu64 " instructions with "
                        "an interrupt pending that it keeps disabled (mip 0x%" PRIx64 ", mie 0x%"
                        PRIx64 ", mstatus 0x%" PRIx64 ")\n", ex->hart, vm_hang_after(vm),
                h->mip, h->mie, h->mstatus);
        cli_report_where(vm, con);
        return EXIT_REWIND_ERROR;
    }
    case VM_EXIT_STUCK: {
        struct hart *h = vm_hart(vm, ex->hart);
        fprintf(stderr, "rewind: hart %u is stuck in a trap storm: %d traps in a row without "
                        "executing an instruction (mcause 0x%" PRIx64 ", mtvec 0x%" PRIx64
                        ", scause 0x%" PRIx64 ", stvec 0x%" PRIx64 ")\n", ex->hart,
                HART_STUCK_TRAPS, h->mcause, h->mtvec, h->scause, h->stvec);
        cli_report_where(vm, con);
        return EXIT_REWIND_ERROR;
    }
    default:
        fprintf(stderr, "rewind: every hart waits for an interrupt (wfi) that nothing can "
                        "raise; stopped after %" PRIu64 " instructions\n", ex->icount);
        cli_report_where(vm, con);
        return EXIT_REWIND_ERROR;
    }
}

/* What the devices want the user to know at the end of a run: disk writes of a plain run
 * live in an overlay that ends with it, and a guest that broke the virtio rules. */
static void report_devices(struct vm *vm, const struct machine_options *o)
{
    uint64_t errors = 0;
    const char *last = vm_virtio_error(vm, &errors);
    if (errors)
        fprintf(stderr, "rewind: virtio: the guest broke the rules %" PRIu64 " time%s (the "
                        "device was set to NEEDS_RESET); last: %s\n", errors,
                errors == 1 ? "" : "s", last);
    for (unsigned i = 0; i < o->dev.num_disks && !o->dev.disk_persist; i++) {
        struct disk_image *d = vm_disk(vm, i);
        uint64_t blocks = d ? disk_image_overlay_blocks(d) : 0;
        if (blocks)
            fprintf(stderr, "rewind: disk%u: the guest wrote %" PRIu64 " KiB; %s is unchanged "
                            "(--disk-persist writes to the image)\n", i, blocks * 4,
                    o->dev.disks[i].path);
    }
}

/* `rewind run` once the options are parsed. */
static int run_machine(struct machine_options *o)
{
    struct host_console con;
    host_console_init(&con, STDIN_FILENO);
    if (o->gdb && !strcmp(o->gdb, "stdio")) {
        /* stdin/stdout carry the gdb protocol: the console goes to stderr, without input. */
        con.in_fd = -1;
        con.out_fd = STDERR_FILENO;
    }
    char err[512];
    if (o->console_socket && host_console_listen_unix(&con, o->console_socket, err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    struct vm_config cfg = { .console_write = host_console_write, .console_ctx = &con,
                             .gate = host_gate(&con) };
    if (cli_open_nets(&o->dev, &con, &cfg)) {
        host_console_close(&con);
        return EXIT_REWIND_ERROR;
    }
    struct vm *vm = cli_build_vm(o, &cfg);
    if (!vm) {
        cli_close_nets(&con);
        host_console_close(&con);
        return EXIT_REWIND_ERROR;
    }

    if (o->gdb) {
        int status = cli_serve_gdb(vm, o, &con);
        cli_close_nets(&con);
        host_console_close(&con);
        vm_destroy(vm);
        return status;
    }
    host_console_enter_raw(&con);
    double t0 = cli_now_seconds();
    struct vm_exit ex;
    vm_run(vm, o->max_insns, &ex);
    double secs = cli_now_seconds() - t0;
    host_console_restore(&con);
    fflush(stdout);
    if (o->stats)
        fprintf(stderr, "rewind: icount=%" PRIu64 " seconds=%.6f mips=%.1f\n", ex.icount, secs,
                secs > 0 ? (double)ex.icount / secs / 1e6 : 0.0);
    report_devices(vm, o);
    cli_close_nets(&con);
    host_console_close(&con);
    if (o->signature && vm_write_signature(vm, o->signature, (unsigned)o->granularity, err,
                                          sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        vm_destroy(vm);
        return EXIT_REWIND_ERROR;
    }
    int status = cli_exit_status(vm, &ex, &con);
    vm_destroy(vm);
    return status;
}

static int cmd_run(int argc, char **argv)
{
    struct machine_options o;
    machine_options_default(&o);
    int rc = machine_options_parse(&o, argc, argv, false);
    if (rc)
        rc = rc > 0 ? 0 : EXIT_REWIND_ERROR;
    else
        rc = run_machine(&o);
    cli_devices_free(&o.dev);
    return rc;
}

static void crash_restore_terminal(void *ctx, const char *reason)
{
    (void)ctx;
    (void)reason;
    host_console_restore_terminal();
}

int main(int argc, char **argv)
{
    crash_handler_install(crash_restore_terminal, NULL);
    if (argc < 2) {
        usage(stderr);
        return EXIT_REWIND_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "record"))
        return cmd_record(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return cmd_replay(argc - 1, argv + 1, false);
    if (!strcmp(cmd, "verify"))
        return cmd_replay(argc - 1, argv + 1, true);
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "pack"))
        return cmd_pack(argc - 1, argv + 1);
    if (!strcmp(cmd, "gdb"))
        return cmd_gdb(argc - 1, argv + 1);
    if (!strcmp(cmd, "export-pcap"))
        return cmd_export_pcap(argc - 1, argv + 1);
    if (!strcmp(cmd, "export-disk"))
        return cmd_export_disk(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("rewind %s\n", REWIND_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "rewind: unknown command '%s' (try 'rewind help')\n", cmd);
    return EXIT_REWIND_ERROR;
}
