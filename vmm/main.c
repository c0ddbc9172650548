/* main.c — the `rewind` command line: parses options (QEMU's spellings too), builds a VM for
 * one of the boot paths, runs it, and turns library errors into one clear message. The only
 * place that prints. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/host_console.h"
#include "vmm/vm.h"

#define EXIT_INSN_LIMIT 124
#define EXIT_REWIND_ERROR 125

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rewind COMMAND [OPTIONS]\n"
            "\n"
            "commands:\n"
            "  run       run a guest\n"
            "  version   print the version\n"
            "  help      this text\n"
            "\n"
            "rewind run options (QEMU's single-dash spellings are accepted too):\n"
            "  --kernel FILE     a bare-metal RISC-V ELF program (M-mode, HTIF), or a Linux\n"
            "                    Image: without --bios it boots on the built-in SBI\n"
            "  --bios FILE       M-mode firmware (e.g. OpenSBI fw_jump.bin/fw_dynamic.bin) at\n"
            "                    0x80000000; --kernel is then its payload at 0x80200000\n"
            "  --initrd FILE     initial ramdisk for the kernel\n"
            "  --append ARGS     kernel command line (device tree /chosen/bootargs)\n"
            "  -m MB             guest RAM in MiB at 0x80000000 (default %d; QEMU's 256M works)\n"
            "  -smp N            number of harts, 1..8 (default 1)\n"
            "  --quantum N       instructions a hart runs before the next one (default %d)\n"
            "  --max-insns N     stop after N instructions in all (exit status %d)\n"
            "  --stats           print icount, time and MIPS on stderr at the end\n"
            "  --signature FILE  at exit, write memory between begin_signature and\n"
            "                    end_signature (as Spike's +signature, for compliance suites)\n"
            "  --signature-granularity N  bytes per signature line: 1, 2, 4 (default) or 8\n"
            "  -nographic        accepted for QEMU compatibility (the console is the terminal)\n"
            "  -no-reboot        exit when the guest reboots instead of restarting it\n"
            "\n"
            "The console is stdin/stdout; on a terminal, Ctrl-A x quits.\n"
            "Exit status: the guest's exit code (HTIF exit, syscon/SBI poweroff), %d when\n"
            "--max-insns was reached, %d when rewind itself failed (the message says why).\n",
            VM_DEFAULT_RAM_MB, VM_DEFAULT_QUANTUM, EXIT_INSN_LIMIT, EXIT_INSN_LIMIT,
            EXIT_REWIND_ERROR);
}

static int parse_u64(const char *s, uint64_t *out)
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

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *priv_name(enum priv p)
{
    return p == PRIV_M ? "M" : p == PRIV_S ? "S" : "U";
}

/* Where every hart was, and the last console line: for budget and idle reports. */
static void report_where(struct vm *vm, const struct host_console *con)
{
    for (unsigned i = 0; i < vm_num_harts(vm); i++) {
        struct hart *h = vm_hart(vm, i);
        fprintf(stderr, "rewind:   hart %u: pc=0x%" PRIx64 " mode=%s icount=%" PRIu64 "%s\n", i,
                h->pc, priv_name(h->priv), h->icount, h->wfi ? " (in wfi)" : "");
    }
    if (con->last_len)
        fprintf(stderr, "rewind:   last console line: \"%s\"\n", host_console_last_line(con));
}

enum {
    OPT_KERNEL = 256, OPT_BIOS, OPT_INITRD, OPT_APPEND, OPT_MEMORY, OPT_SMP, OPT_QUANTUM,
    OPT_MAX_INSNS, OPT_STATS, OPT_HELP, OPT_NOGRAPHIC, OPT_SIGNATURE, OPT_SIGNATURE_GRANULARITY,
    OPT_NO_REBOOT,
};

static int cmd_run(int argc, char **argv)
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
        { "no-reboot", no_argument, NULL, OPT_NO_REBOOT },
        { "signature", required_argument, NULL, OPT_SIGNATURE },
        { "signature-granularity", required_argument, NULL, OPT_SIGNATURE_GRANULARITY },
        { "help", no_argument, NULL, OPT_HELP },
        { 0 },
    };
    const char *kernel = NULL, *bios = NULL, *initrd = NULL, *append = NULL, *signature = NULL;
    uint64_t max_insns = 0, ram_mb = VM_DEFAULT_RAM_MB, smp = 1, quantum = 0, granularity = 4;
    int stats = 0;
    bool no_reboot = false;
    optind = 1;
    int c;
    while ((c = getopt_long_only(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KERNEL: kernel = optarg; break;
        case OPT_BIOS: bios = optarg; break;
        case OPT_INITRD: initrd = optarg; break;
        case OPT_APPEND: append = optarg; break;
        case OPT_MEMORY:
            if (parse_mib(optarg, &ram_mb)) {
                fprintf(stderr, "rewind: -m needs a size in MiB (1..65536, or with M/G), not '%s'\n",
                        optarg);
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_SMP:
            if (parse_u64(optarg, &smp) || smp < 1 || smp > 8) {
                fprintf(stderr, "rewind: -smp needs a number of harts from 1 to 8, not '%s'\n", optarg);
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_QUANTUM:
            if (parse_u64(optarg, &quantum) || quantum == 0 || quantum > 100000000) {
                fprintf(stderr, "rewind: --quantum needs 1..100000000 instructions\n");
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_MAX_INSNS:
            if (parse_u64(optarg, &max_insns) || max_insns == 0) {
                fprintf(stderr, "rewind: --max-insns needs a positive integer, not '%s'\n", optarg);
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_STATS: stats = 1; break;
        case OPT_NOGRAPHIC: break;
        case OPT_NO_REBOOT: no_reboot = true; break;
        case OPT_SIGNATURE: signature = optarg; break;
        case OPT_SIGNATURE_GRANULARITY:
            if (parse_u64(optarg, &granularity) ||
                (granularity != 1 && granularity != 2 && granularity != 4 && granularity != 8)) {
                fprintf(stderr, "rewind: --signature-granularity must be 1, 2, 4 or 8\n");
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_HELP: usage(stdout); return 0;
        default: usage(stderr); return EXIT_REWIND_ERROR;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rewind: unexpected argument '%s'\n", argv[optind]);
        return EXIT_REWIND_ERROR;
    }
    if (!kernel && !bios) {
        fprintf(stderr, "rewind: run needs --kernel FILE (and/or --bios FILE)\n");
        return EXIT_REWIND_ERROR;
    }
    bool linux_image = kernel && !bios && vm_file_is_linux_image(kernel);
    if ((initrd || append) && !bios && !linux_image) {
        fprintf(stderr, "rewind: --initrd/--append need a Linux Image or --bios firmware\n");
        return EXIT_REWIND_ERROR;
    }

    struct host_console con;
    host_console_init(&con, STDIN_FILENO);
    char err[512];
    struct vm_config cfg = {
        .ram_size = ram_mb << 20, .num_harts = (unsigned)smp, .quantum = quantum,
        .console_write = host_console_write, .console_ctx = &con,
        .gate = host_gate(&con), .no_reboot = no_reboot,
    };
    struct vm *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    int rc;
    if (bios)
        rc = vm_load_firmware(vm, bios, kernel, initrd, append, err, sizeof(err));
    else if (linux_image)
        rc = vm_load_kernel(vm, kernel, initrd, append, err, sizeof(err));
    else
        rc = vm_load_program(vm, kernel, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "rewind: %s\n", err);
        vm_destroy(vm);
        return EXIT_REWIND_ERROR;
    }
    if (!bios && !linux_image && !vm_has_htif(vm))
        fprintf(stderr, "rewind: warning: %s has no 'tohost' symbol, so it cannot print or exit "
                        "through HTIF\n", kernel);

    host_console_enter_raw(&con);
    double t0 = now_seconds();
    struct vm_exit ex;
    vm_run(vm, max_insns, &ex);
    double secs = now_seconds() - t0;
    host_console_restore(&con);
    fflush(stdout);
    if (stats)
        fprintf(stderr, "rewind: icount=%" PRIu64 " seconds=%.6f mips=%.1f\n", ex.icount, secs,
                secs > 0 ? (double)ex.icount / secs / 1e6 : 0.0);
    int status;
    if (signature && vm_write_signature(vm, signature, (unsigned)granularity, err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        vm_destroy(vm);
        return EXIT_REWIND_ERROR;
    }
    switch (ex.reason) {
    case VM_EXIT_GUEST:
        status = (int)(ex.exit_code & 0xff);
        break;
    case VM_EXIT_REBOOT:
        fprintf(stderr, "rewind: the guest rebooted (-no-reboot)\n");
        status = 0;
        break;
    case VM_EXIT_QUIT:
        status = 0;
        break;
    case VM_EXIT_INSN_LIMIT:
        fprintf(stderr, "rewind: stopped after %" PRIu64 " instructions (--max-insns)\n",
                ex.icount);
        report_where(vm, &con);
        status = EXIT_INSN_LIMIT;
        break;
    default:
        fprintf(stderr, "rewind: every hart waits for an interrupt (wfi) that nothing can "
                        "raise; stopped after %" PRIu64 " instructions\n", ex.icount);
        report_where(vm, &con);
        status = EXIT_REWIND_ERROR;
        break;
    }
    vm_destroy(vm);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_REWIND_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
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
