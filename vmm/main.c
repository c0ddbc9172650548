/* main.c — the `rewind` command line: parses options, builds a VM, runs it, and turns
 * library errors into one clear message. The only place that prints. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
            "  --kernel FILE, -kernel FILE   RISC-V ELF program to run (bare metal, M-mode,\n"
            "                                HTIF tohost/fromhost for console and exit)\n"
            "  -m MB, --memory MB            guest RAM in MiB at 0x80000000 (default %d)\n"
            "  --max-insns N                 stop after N instructions (exit status %d)\n"
            "  --stats                       print icount, time and MIPS on stderr at the end\n"
            "  --signature FILE              at exit, write memory between the symbols\n"
            "                                begin_signature and end_signature (as Spike's\n"
            "                                +signature, for compliance suites)\n"
            "  --signature-granularity N     bytes per signature line: 1, 2, 4 (default) or 8\n"
            "\n"
            "exit status: the guest's exit code (HTIF), %d when --max-insns was reached,\n"
            "%d when rewind itself failed (the message says why).\n",
            VM_DEFAULT_RAM_MB, EXIT_INSN_LIMIT, EXIT_INSN_LIMIT, EXIT_REWIND_ERROR);
}

static void console_to_stdout(void *ctx, const uint8_t *bytes, size_t len)
{
    (void)ctx;
    fwrite(bytes, 1, len, stdout);
    fflush(stdout);
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

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum { OPT_KERNEL = 256, OPT_MAX_INSNS, OPT_STATS, OPT_MEMORY, OPT_HELP, OPT_NOGRAPHIC,
       OPT_SIGNATURE, OPT_SIGNATURE_GRANULARITY };

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "kernel", required_argument, NULL, OPT_KERNEL },
        { "max-insns", required_argument, NULL, OPT_MAX_INSNS },
        { "stats", no_argument, NULL, OPT_STATS },
        { "memory", required_argument, NULL, OPT_MEMORY },
        { "m", required_argument, NULL, OPT_MEMORY },
        { "nographic", no_argument, NULL, OPT_NOGRAPHIC },
        { "help", no_argument, NULL, OPT_HELP },
        { "signature", required_argument, NULL, OPT_SIGNATURE },
        { "signature-granularity", required_argument, NULL, OPT_SIGNATURE_GRANULARITY },
        { 0 },
    };
    const char *kernel = NULL;
    uint64_t max_insns = 0, ram_mb = VM_DEFAULT_RAM_MB;
    int stats = 0;
    const char *signature = NULL;
    uint64_t granularity = 4;
    optind = 1;
    int c;
    while ((c = getopt_long_only(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_KERNEL: kernel = optarg; break;
        case OPT_MAX_INSNS:
            if (parse_u64(optarg, &max_insns) || max_insns == 0) {
                fprintf(stderr, "rewind: --max-insns needs a positive integer, not '%s'\n", optarg);
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_STATS: stats = 1; break;
        case OPT_MEMORY:
            if (parse_u64(optarg, &ram_mb) || ram_mb == 0 || ram_mb > 65536) {
                fprintf(stderr, "rewind: -m needs a size in MiB (1..65536), not '%s'\n", optarg);
                return EXIT_REWIND_ERROR;
            }
            break;
        case OPT_NOGRAPHIC: break; /* the console is always the terminal */
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
    if (!kernel) {
        fprintf(stderr, "rewind: run needs --kernel FILE\n");
        return EXIT_REWIND_ERROR;
    }
    char err[512];
    struct vm_config cfg = { .ram_size = ram_mb << 20, .console_write = console_to_stdout };
    struct vm *vm = vm_create(&cfg, err, sizeof(err));
    if (!vm) {
        fprintf(stderr, "rewind: %s\n", err);
        return EXIT_REWIND_ERROR;
    }
    if (vm_load_program(vm, kernel, err, sizeof(err))) {
        fprintf(stderr, "rewind: %s\n", err);
        vm_destroy(vm);
        return EXIT_REWIND_ERROR;
    }
    if (!vm_has_htif(vm))
        fprintf(stderr, "rewind: warning: %s has no 'tohost' symbol, so it cannot print or exit "
                        "through HTIF\n", kernel);
    double t0 = now_seconds();
    struct vm_exit ex;
    vm_run(vm, max_insns, &ex);
    double secs = now_seconds() - t0;
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
    case VM_EXIT_INSN_LIMIT:
        fprintf(stderr, "rewind: stopped after %" PRIu64 " instructions (--max-insns), pc=0x%" PRIx64 "\n",
                ex.icount, vm_hart(vm, 0)->pc);
        status = EXIT_INSN_LIMIT;
        break;
    default:
        fprintf(stderr, "rewind: the guest waits for an interrupt (wfi) that no device can raise; "
                        "stopped at pc=0x%" PRIx64 " after %" PRIu64 " instructions\n",
                vm_hart(vm, 0)->pc, ex.icount);
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
