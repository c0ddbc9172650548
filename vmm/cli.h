/* cli.h — what the rewind command's files share: machine options as parsed from the command
 * line (or read back from a trace), building a VM from them, and the exit-status rules. */
#ifndef REWIND_CLI_H
#define REWIND_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/host_console.h"
#include "vmm/vm.h"

#define EXIT_INSN_LIMIT 124
#define EXIT_REWIND_ERROR 125
#define DEFAULT_HANG_AFTER 2000000000ull

/* virtio devices as the command line names them (QEMU's -drive/-netdev/-device spellings or
 * rewind's --disk/--net/--rng), resolved into the machine's disk and card lists. */
#define CLI_MAX_DEFS 8
struct cli_disk {
    const char *path;
    bool readonly;
};
struct cli_nic {
    const char *netdev;        /* the host backend spec as given to -netdev ("user,id=n0,...") */
    uint8_t mac[6];
    bool has_mac;
};
struct cli_devices {
    struct cli_disk disks[VM_MAX_DISKS];
    unsigned num_disks;
    struct cli_nic nics[VM_MAX_NICS];
    unsigned num_nics;
    bool rng;
    bool virtio_console;       /* --hvc: a virtio console (hvc0) takes the console */
    bool disk_persist;         /* --disk-persist: writes reach the image (run only) */
    /* definitions waiting for a -device that uses them */
    struct { char id[32]; const char *path; bool readonly; bool used; } drives[CLI_MAX_DEFS];
    unsigned num_drives;
    struct { char id[32]; const char *spec; bool used; } netdevs[CLI_MAX_DEFS];
    unsigned num_netdevs;
    unsigned auto_ids;
    char *owned[2 * CLI_MAX_DEFS];    /* strings made while parsing, freed by cli_devices_free */
    unsigned num_owned;
};

struct machine_options {
    const char *kernel, *bios, *initrd, *append;
    uint64_t ram_mb, harts, quantum;
    bool no_reboot;
    bool host_clock;          /* --clock host */
    const char *console_socket; /* --console unix:PATH */
    uint64_t hang_after;        /* --hang-after N */
    const char *gdb;            /* --gdb tcp::PORT | tcp:HOST:PORT | unix:PATH | stdio */
    bool gdb_wait;              /* -S: wait for gdb before starting (always for stdio) */
    /* run and record */
    uint64_t max_insns;
    bool stats;
    const char *signature;
    uint64_t granularity;
    /* record */
    const char *output;
    bool force;
    /* testing the crash path: rewind itself crashes (SIGSEGV) at this many instructions */
    uint64_t debug_crash_at;
    uint64_t checkpoint_every;   /* record: instructions between checkpoints (0: none) */
    const char *symbols;         /* record: ELF with the guest's symbols */
    const char *crash_symbol;    /* its panic function (default "panic") */
    bool checkpoint_set;
    struct cli_devices dev;
};

void machine_options_default(struct machine_options *o);
/* Parse `run`/`record` arguments. Returns 0, 1 for --help (printed), or -1 (message printed). */
int machine_options_parse(struct machine_options *o, int argc, char **argv, bool record);
/* Check the combination; returns 0 or -1 (message printed). */
int machine_options_check(const struct machine_options *o);

/* cli_devices.c: -drive, -netdev, -device, --disk, --net, --rng, --disk-persist. Each
 * returns 0 or -1 (message printed). */
int cli_device_option(struct cli_devices *d, const char *option, const char *arg);
/* After all options: every -device names something defined, nothing is left over. */
int cli_devices_check(struct cli_devices *d, bool record);
/* Free what parsing allocated (the options' strings are unusable afterwards). */
void cli_devices_free(struct cli_devices *d);
/* Put the devices into a VM configuration. */
void cli_devices_configure(const struct cli_devices *d, struct vm_config *cfg);
/* Open the network cards' host backends into con and route transmitted frames to them
 * (run and record; a replay opens none). 0, or -1 with a message printed. */
int cli_open_nets(const struct cli_devices *d, struct host_console *con, struct vm_config *cfg);
void cli_close_nets(struct host_console *con);
/* The usage lines for these options. */
extern const char cli_devices_usage[];

/* Create the VM and load what the options name. Returns NULL with a message printed. */
struct vm *cli_build_vm(const struct machine_options *o, const struct vm_config *base);

/* Where every hart was, and the last console line. */
void cli_report_where(struct vm *vm, const struct host_console *con);
/* The exit status and message for how a run ended. */
int cli_exit_status(struct vm *vm, const struct vm_exit *ex, const struct host_console *con);
const char *cli_exit_reason_name(enum vm_exit_reason r);

int parse_u64(const char *s, uint64_t *out);
double cli_now_seconds(void);

int cmd_record(int argc, char **argv);
int cmd_replay(int argc, char **argv, bool verify_only);
int cmd_info(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_gdb(int argc, char **argv);
int cmd_export_pcap(int argc, char **argv);
int cmd_export_disk(int argc, char **argv);
/* Serve vm to gdb on o->gdb until the session ends; returns the run's exit status. */
int cli_serve_gdb(struct vm *vm, const struct machine_options *o, struct host_console *con);
/* Serve a replay to gdb (forward only; writes refused) until the session ends. end_icount:
 * where the recording ends. Returns 0 or EXIT_REWIND_ERROR. */
struct timetravel;
int cli_serve_replay_gdb(struct timetravel *tt, const char *where, uint64_t end_icount);

#endif
