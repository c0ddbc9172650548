/* cli_devices.c — the virtio device options of `rewind run/record`: QEMU's spellings
 * (-drive file=...,if=virtio|none, -netdev user|socket,id=..., -device virtio-blk-device,
 * virtio-net-device, virtio-rng-device) so that QEMU command lines carry over, and rewind's
 * shorter ones (--disk FILE[,readonly], --net user[,hostfwd=...], --rng, --disk-persist). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/host_net.h"

const char cli_devices_usage[] =
    "  --disk FILE[,readonly]  a virtio disk (raw image); -drive file=FILE,if=virtio\n"
    "                    [,format=raw][,readonly=on] and -drive if=none,id=ID,file=FILE with\n"
    "                    -device virtio-blk-device,drive=ID work too. The image is never\n"
    "                    written: the guest's writes go to an overlay (kept in a recording)\n"
    "  --disk-persist    (run) let the guest's writes reach the image files\n"
    "  --net BACKEND     a virtio network card: user[,hostfwd=tcp::HOSTPORT-:GUESTPORT...]\n"
    "                    (slirp: DHCP, gateway/host 10.0.2.2, DNS 10.0.2.3) or\n"
    "                    socket,connect=HOST:PORT|listen=HOST:PORT; QEMU's -netdev TYPE,id=ID,...\n"
    "                    with -device virtio-net-device,netdev=ID[,mac=52:54:00:..] too\n"
    "  --rng             a virtio entropy device (-device virtio-rng-device)\n"
    "  --hvc             a virtio console, Linux's hvc0 (-device virtio-serial-device): it\n"
    "                    takes the console input; use console=hvc0 on the kernel command line\n";

/* The end of the item starting at p in a QEMU option string: the next comma that is not
 * doubled (",," is a literal comma), or the end of the string. */
static const char *item_end(const char *p)
{
    while (*p && !(*p == ',' && p[1] != ',')) {
        if (*p == ',' && p[1] == ',')
            p++;
        p++;
    }
    return p;
}

/* The value of key=value in a comma-separated QEMU option string (",," is a literal comma)
 * copied into out; returns 1 if present, 0 if not, -1 if it does not fit. */
static int opt_value(const char *spec, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);
    const char *p = spec;
    while (*p) {
        const char *start = p;
        const char *e = item_end(p);
        if ((size_t)(e - start) > klen && !strncmp(start, key, klen) && start[klen] == '=') {
            size_t n = 0;
            for (const char *q = start + klen + 1; q < e; q++) {
                if (*q == ',' && q[1] == ',')
                    q++;
                if (n + 1 >= len)
                    return -1;
                out[n++] = *q;
            }
            out[n] = 0;
            return 1;
        }
        p = *e ? e + 1 : e;
    }
    return 0;
}

/* The first item (the type): "user" of "user,id=n0". */
static void opt_type(const char *spec, char *out, size_t len)
{
    size_t n = strcspn(spec, ",");
    if (n >= len)
        n = len - 1;
    memcpy(out, spec, n);
    out[n] = 0;
}

/* Only these keys may appear (each spec lists its own). */
static int only_keys(const char *what, const char *spec, const char *const *keys, bool first_is_type)
{
    const char *p = spec;
    bool first = true;
    while (*p) {
        const char *e = item_end(p);
        if (!(first && first_is_type)) {
            size_t klen = strcspn(p, "=,");
            bool known = false;
            for (const char *const *k = keys; *k; k++)
                if (strlen(*k) == klen && !strncmp(p, *k, klen))
                    known = true;
            if (!known) {
                fprintf(stderr, "rewind: %s: unknown or unsupported option '%.*s'\n", what,
                        (int)(e - p), p);
                return -1;
            }
        }
        first = false;
        p = *e ? e + 1 : e;
    }
    return 0;
}

static int parse_bool(const char *what, const char *v, bool *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
        *out = true;
    else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
        *out = false;
    else {
        fprintf(stderr, "rewind: %s: '%s' is not on or off\n", what, v);
        return -1;
    }
    return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    char extra;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
               &extra) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return (mac[0] & 1) ? -1 : 0;   /* a multicast address cannot be a card's */
}

/* Keep a string made while parsing, so that cli_devices_free can free it. */
static char *own(struct cli_devices *d, char *s)
{
    if (s && d->num_owned < sizeof(d->owned) / sizeof(d->owned[0])) {
        d->owned[d->num_owned++] = s;
        return s;
    }
    free(s);
    fprintf(stderr, "rewind: too many device options\n");
    return NULL;
}

void cli_devices_free(struct cli_devices *d)
{
    for (unsigned i = 0; i < d->num_owned; i++)
        free(d->owned[i]);
    d->num_owned = 0;
}

static int add_disk(struct cli_devices *d, const char *path, bool readonly)
{
    if (d->num_disks >= VM_MAX_DISKS) {
        fprintf(stderr, "rewind: at most %d virtio disks\n", VM_MAX_DISKS);
        return -1;
    }
    d->disks[d->num_disks++] = (struct cli_disk){ .path = path, .readonly = readonly };
    return 0;
}

static int add_nic(struct cli_devices *d, const char *netdev, const uint8_t *mac)
{
    if (d->num_nics >= VM_MAX_NICS) {
        fprintf(stderr, "rewind: at most %d network cards\n", VM_MAX_NICS);
        return -1;
    }
    struct cli_nic *n = &d->nics[d->num_nics++];
    n->netdev = netdev;
    n->has_mac = mac != NULL;
    if (mac)
        memcpy(n->mac, mac, 6);
    return 0;
}

/* -drive file=...,if=virtio|none[,id=][,format=raw][,readonly=on] (and --disk). */
static int drive_option(struct cli_devices *d, const char *spec)
{
    static const char *const keys[] = { "file", "if", "format", "readonly", "id", "media",
                                        "cache", "aio", "discard", "detect-zeroes", NULL };
    if (only_keys("-drive", spec, keys, false))
        return -1;
    char file[4096], iface[16] = "virtio", format[16] = "raw", ro[8] = "off", id[32] = "";
    if (opt_value(spec, "file", file, sizeof(file)) != 1 || !file[0]) {
        fprintf(stderr, "rewind: -drive needs file=IMAGE\n");
        return -1;
    }
    if (opt_value(spec, "if", iface, sizeof(iface)) < 0 ||
        opt_value(spec, "format", format, sizeof(format)) < 0 ||
        opt_value(spec, "readonly", ro, sizeof(ro)) < 0 || opt_value(spec, "id", id, sizeof(id)) < 0) {
        fprintf(stderr, "rewind: -drive %s: a value is too long\n", spec);
        return -1;
    }
    if (strcmp(format, "raw")) {
        fprintf(stderr, "rewind: -drive format=%s: rewind reads raw images only (convert with "
                        "qemu-img convert -O raw)\n", format);
        return -1;
    }
    bool readonly;
    if (parse_bool("-drive readonly", ro, &readonly))
        return -1;
    char *path = own(d, strdup(file));   /* lives as long as the options */
    if (!path)
        return -1;
    if (!strcmp(iface, "virtio"))
        return add_disk(d, path, readonly);
    if (strcmp(iface, "none")) {
        fprintf(stderr, "rewind: -drive if=%s: the virt board has virtio disks only (if=virtio, "
                        "or if=none with -device virtio-blk-device)\n", iface);
        return -1;
    }
    if (!id[0] || d->num_drives >= CLI_MAX_DEFS) {
        fprintf(stderr, "rewind: -drive if=none needs id=NAME (at most %d)\n", CLI_MAX_DEFS);
        return -1;
    }
    snprintf(d->drives[d->num_drives].id, sizeof(d->drives[0].id), "%s", id);
    d->drives[d->num_drives].path = path;
    d->drives[d->num_drives].readonly = readonly;
    d->num_drives++;
    return 0;
}

static int netdev_option(struct cli_devices *d, const char *spec, bool with_card)
{
    char type[16], id[32] = "";
    opt_type(spec, type, sizeof(type));
    if (strcmp(type, "user") && strcmp(type, "socket")) {
        fprintf(stderr, "rewind: -netdev %s: the backends are 'user' (slirp) and 'socket'\n", type);
        return -1;
    }
    if (opt_value(spec, "id", id, sizeof(id)) < 0) {
        fprintf(stderr, "rewind: -netdev: id too long\n");
        return -1;
    }
    const char *full = spec;
    if (!id[0]) {
        if (!with_card) {
            fprintf(stderr, "rewind: -netdev %s needs id=NAME\n", spec);
            return -1;
        }
        /* --net: name it for the backend, which wants an id */
        char *named = own(d, malloc(strlen(spec) + 32));
        if (!named)
            return -1;
        size_t tl = strlen(type);
        sprintf(named, "%s,id=net%u%s", type, d->auto_ids++, spec + tl);
        full = named;
    }
    if (with_card)
        return add_nic(d, full, NULL);
    if (d->num_netdevs >= CLI_MAX_DEFS) {
        fprintf(stderr, "rewind: too many -netdev options\n");
        return -1;
    }
    snprintf(d->netdevs[d->num_netdevs].id, sizeof(d->netdevs[0].id), "%s", id);
    d->netdevs[d->num_netdevs].spec = spec;
    d->num_netdevs++;
    return 0;
}

static int device_option(struct cli_devices *d, const char *spec)
{
    char type[40], ref[32] = "", mac_s[32] = "";
    opt_type(spec, type, sizeof(type));
    if (!strcmp(type, "virtio-rng-device")) {
        static const char *const keys[] = { "id", "rng", NULL };
        if (only_keys("-device virtio-rng-device", spec, keys, true))
            return -1;
        if (d->rng) {
            fprintf(stderr, "rewind: one virtio-rng device at most\n");
            return -1;
        }
        d->rng = true;
        return 0;
    }
    if (!strcmp(type, "virtio-serial-device") || !strcmp(type, "virtconsole")) {
        /* QEMU's pair (a virtio-serial bus and a console port on it) is one device here */
        static const char *const keys[] = { "id", "chardev", "bus", NULL };
        if (only_keys("-device virtio-serial-device", spec, keys, true))
            return -1;
        d->virtio_console = true;
        return 0;
    }
    if (!strcmp(type, "virtio-blk-device")) {
        static const char *const keys[] = { "drive", "id", "serial", NULL };
        if (only_keys("-device virtio-blk-device", spec, keys, true))
            return -1;
        if (opt_value(spec, "drive", ref, sizeof(ref)) != 1) {
            fprintf(stderr, "rewind: -device virtio-blk-device needs drive=ID\n");
            return -1;
        }
        for (unsigned i = 0; i < d->num_drives; i++)
            if (!strcmp(d->drives[i].id, ref) && !d->drives[i].used) {
                d->drives[i].used = true;
                return add_disk(d, d->drives[i].path, d->drives[i].readonly);
            }
        fprintf(stderr, "rewind: -device virtio-blk-device: no unused -drive with id=%s (define "
                        "the -drive first)\n", ref);
        return -1;
    }
    if (!strcmp(type, "virtio-net-device")) {
        static const char *const keys[] = { "netdev", "mac", "id", NULL };
        if (only_keys("-device virtio-net-device", spec, keys, true))
            return -1;
        uint8_t mac[6];
        bool has_mac = opt_value(spec, "mac", mac_s, sizeof(mac_s)) == 1;
        if (has_mac && parse_mac(mac_s, mac)) {
            fprintf(stderr, "rewind: -device virtio-net-device: mac=%s is not a unicast "
                            "xx:xx:xx:xx:xx:xx address\n", mac_s);
            return -1;
        }
        if (opt_value(spec, "netdev", ref, sizeof(ref)) != 1) {
            fprintf(stderr, "rewind: -device virtio-net-device needs netdev=ID\n");
            return -1;
        }
        for (unsigned i = 0; i < d->num_netdevs; i++)
            if (!strcmp(d->netdevs[i].id, ref) && !d->netdevs[i].used) {
                d->netdevs[i].used = true;
                return add_nic(d, d->netdevs[i].spec, has_mac ? mac : NULL);
            }
        fprintf(stderr, "rewind: -device virtio-net-device: no unused -netdev with id=%s "
                        "(define the -netdev first)\n", ref);
        return -1;
    }
    if (strstr(type, "-pci")) {
        fprintf(stderr, "rewind: -device %s: the virt board has no PCI; use the virtio-mmio "
                        "devices (virtio-blk-device, virtio-net-device, virtio-rng-device)\n", type);
        return -1;
    }
    fprintf(stderr, "rewind: -device %s: unknown device (rewind has virtio-blk-device, "
                    "virtio-net-device, virtio-rng-device, virtio-serial-device)\n", type);
    return -1;
}

int cli_device_option(struct cli_devices *d, const char *option, const char *arg)
{
    if (!strcmp(option, "drive"))
        return drive_option(d, arg);
    if (!strcmp(option, "disk")) {
        size_t n = strlen(arg);
        bool ro = n > 9 && !strcmp(arg + n - 9, ",readonly");
        char *path = own(d, strndup(arg, ro ? n - 9 : n));
        return path ? add_disk(d, path, ro) : -1;
    }
    if (!strcmp(option, "netdev"))
        return netdev_option(d, arg, false);
    if (!strcmp(option, "net"))
        return netdev_option(d, arg, true);
    if (!strcmp(option, "device"))
        return device_option(d, arg);
    if (!strcmp(option, "rng")) {
        d->rng = true;
        return 0;
    }
    if (!strcmp(option, "hvc")) {
        d->virtio_console = true;
        return 0;
    }
    if (!strcmp(option, "disk-persist")) {
        d->disk_persist = true;
        return 0;
    }
    fprintf(stderr, "rewind: unknown device option '%s'\n", option);
    return -1;
}

int cli_devices_check(struct cli_devices *d, bool record)
{
    if (record && d->disk_persist) {
        fprintf(stderr, "rewind: --disk-persist is for run: a recording never changes its "
                        "images (the guest's writes are kept with the trace)\n");
        return -1;
    }
    for (unsigned i = 0; i < d->num_drives; i++)
        if (!d->drives[i].used) {
            fprintf(stderr, "rewind: -drive id=%s is not used by any -device virtio-blk-device\n",
                    d->drives[i].id);
            return -1;
        }
    for (unsigned i = 0; i < d->num_netdevs; i++)
        if (!d->netdevs[i].used) {
            fprintf(stderr, "rewind: -netdev id=%s is not used by any -device virtio-net-device\n",
                    d->netdevs[i].id);
            return -1;
        }
    if (d->num_disks + d->num_nics + (d->rng ? 1 : 0) + (d->virtio_console ? 1 : 0) > 8) {
        fprintf(stderr, "rewind: the virt board has 8 virtio slots\n");
        return -1;
    }
    return 0;
}

void cli_devices_configure(const struct cli_devices *d, struct vm_config *cfg)
{
    cfg->num_disks = d->num_disks;
    for (unsigned i = 0; i < d->num_disks; i++)
        cfg->disks[i] = (struct vm_disk_config){ .path = d->disks[i].path,
                                                 .readonly = d->disks[i].readonly,
                                                 .persist = d->disk_persist };
    cfg->num_nics = d->num_nics;
    for (unsigned i = 0; i < d->num_nics; i++) {
        if (d->nics[i].has_mac)
            memcpy(cfg->nic_mac[i], d->nics[i].mac, 6);
        else
            memset(cfg->nic_mac[i], 0, 6);
    }
    cfg->rng = d->rng;
    cfg->virtio_console = d->virtio_console;
}

int cli_open_nets(const struct cli_devices *d, struct host_console *con, struct vm_config *cfg)
{
    for (unsigned i = 0; i < d->num_nics && i < HOST_CONSOLE_MAX_NETS; i++) {
        char err[512];
        con->nets[i] = host_net_create(d->nics[i].netdev, err, sizeof(err));
        if (!con->nets[i]) {
            fprintf(stderr, "rewind: -netdev %s: %s\n", d->nics[i].netdev, err);
            cli_close_nets(con);
            return -1;
        }
        con->num_nets = i + 1;
    }
    cfg->net_transmit = host_console_net_transmit;
    cfg->net_ctx = con;
    return 0;
}

void cli_close_nets(struct host_console *con)
{
    for (unsigned i = 0; i < con->num_nets; i++)
        host_net_destroy(con->nets[i]);
    con->num_nets = 0;
}
