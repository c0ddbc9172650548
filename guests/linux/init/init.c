/*
 * init.c — PID 1 of rewind's Linux test guest (static, no busybox).
 *
 * Prints a banner, mounts the pseudo filesystems, runs a few self-checks of
 * the kernel and the virtual machine under it (clock, fork/wait, pipes, RTC,
 * hart count), one line each with PASS/FAIL, then the virtio device checks
 * (entropy from /dev/hwrng, a TCP fetch over eth0, an ext4 disk on /dev/vda),
 * each PASS/FAIL, or SKIP when its device (or its command-line key) is absent,
 * prints a summary and powers the machine off.  With `rewind.shell=1` on the
 * kernel command line it runs a small command loop on the console instead of
 * powering off; scripted tests drive it through the serial port.  With
 * `rewind.bench=disk:MB` or `rewind.bench=net:IP:PORT:MB` it measures disk or
 * network throughput instead of running the checks (see README.md).
 *
 * The device checks print the values a test compares between a recording and
 * its replay (the hwrng bytes, the fetched byte count and FNV-1a hash, the
 * hashes of what was read from and written to the disk).
 *
 * Build: riscv64-linux-gnu-gcc -static -O2 -o init init.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAG "rewind-init: "
#define MIN_RTC_YEAR 2024
#define MIB (1024 * 1024)

/* ------------------------------------------------------------------------ */
/* small helpers                                                             */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    fputs(TAG, stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

/* Read a whole (small) file into buf, NUL-terminated.  Returns bytes read or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t len = 0;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    return (ssize_t)len;
}

static int64_t timespec_ns(const struct timespec *t)
{
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void format_utc(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Write all of buf to fd; returns 0 or -1. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Appends printf-style text to the NUL-terminated string in buf (truncating). */
static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strnlen(buf, size);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* Read up to len bytes, retrying short reads; returns the bytes read (less
 * than len only at end of file) or -1. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static int64_t monotonic_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return timespec_ns(&t);
}

/* MiB per second for `bytes` moved in `ns` nanoseconds. */
static double mib_per_s(uint64_t bytes, int64_t ns)
{
    return ns > 0 ? (double)bytes / MIB / ((double)ns / 1e9) : 0.0;
}

/* 64-bit FNV-1a: start with FNV64_OFFSET, feed any number of buffers. */
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

static uint64_t fnv1a64(uint64_t hash, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= FNV64_PRIME;
    }
    return hash;
}

/* splitmix64: the deterministic generator behind the data written to disk. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Fills buf (len a multiple of 8) with the next words of the generator,
 * little-endian whatever the host. */
static void fill_pattern(uint64_t *state, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i += 8) {
        uint64_t w = splitmix64(state);
        for (int b = 0; b < 8; b++)
            buf[i + (size_t)b] = (uint8_t)(w >> (8 * b));
    }
}

static bool path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ------------------------------------------------------------------------ */
/* early setup                                                               */

static bool is_mounted(const char *dir)
{
    char mounts[8192];
    if (read_file("/proc/self/mounts", mounts, sizeof mounts) < 0)
        return false;
    for (char *line = strtok(mounts, "\n"); line; line = strtok(NULL, "\n")) {
        char *mnt = strchr(line, ' ');          /* "<dev> <dir> <type> ..." */
        if (!mnt)
            continue;
        mnt++;
        size_t n = strlen(dir);
        if (strncmp(mnt, dir, n) == 0 && mnt[n] == ' ')
            return true;
    }
    return false;
}

static void mount_fs(const char *type, const char *dir)
{
    mkdir(dir, 0755);
    if (mount(type, dir, type, MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
        say("warning: mount %s on %s: %s", type, dir, strerror(errno));
}

static void mount_pseudo_filesystems(void)
{
    mount_fs("proc", "/proc");
    mount_fs("sysfs", "/sys");
    /* CONFIG_DEVTMPFS_MOUNT does not apply to an initramfs root: mount it here. */
    if (!is_mounted("/dev")) {
        mkdir("/dev", 0755);
        if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) != 0 && errno != EBUSY)
            say("warning: mount devtmpfs on /dev: %s", strerror(errno));
    }
}

/* The kernel gives PID 1 /dev/console as fds 0-2 if the node exists in the
 * initramfs.  If it did not, open it now from devtmpfs. */
static void ensure_console(void)
{
    if (fcntl(1, F_GETFD) >= 0)
        return;
    int fd = open("/dev/console", O_RDWR);
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++)
        if (fd != i)
            dup2(fd, i);
    if (fd > 2)
        close(fd);
}

/* Does the kernel command line contain the exact word `word`? */
static bool cmdline_has(const char *word)
{
    char cmdline[4096];
    if (read_file("/proc/cmdline", cmdline, sizeof cmdline) < 0)
        return false;
    for (char *tok = strtok(cmdline, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
        if (strcmp(tok, word) == 0)
            return true;
    return false;
}

/* Copies the value of the first `key=value` word of the kernel command line
 * (key given with its '=') into out; false if there is none or it is too long. */
static bool cmdline_value(const char *key, char *out, size_t size)
{
    char cmdline[4096];
    if (read_file("/proc/cmdline", cmdline, sizeof cmdline) < 0)
        return false;
    size_t klen = strlen(key);
    for (char *tok = strtok(cmdline, " \t\n"); tok; tok = strtok(NULL, " \t\n")) {
        if (strncmp(tok, key, klen) == 0) {
            if (strlen(tok + klen) >= size)
                return false;
            strcpy(out, tok + klen);
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* checks: each fills `detail` and returns true on success                    */

typedef bool (*check_fn)(char *detail, size_t size);

static bool check_monotonic_clock(char *detail, size_t size)
{
    enum { ITERATIONS = 1000000 };
    struct timespec t0, t1;
    if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0) {
        snprintf(detail, size, "clock_gettime: %s", strerror(errno));
        return false;
    }
    for (volatile uint32_t i = 0; i < ITERATIONS; i++)
        ;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int64_t delta = timespec_ns(&t1) - timespec_ns(&t0);
    snprintf(detail, size, "advanced %lld ns over a %d-iteration busy loop",
             (long long)delta, ITERATIONS);
    return delta > 0;
}

static bool check_fork_wait(char *detail, size_t size)
{
    enum { CHILD_STATUS = 42 };
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(detail, size, "fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0)
        _exit(CHILD_STATUS);
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        snprintf(detail, size, "waitpid: %s", strerror(errno));
        return false;
    }
    if (!WIFEXITED(status)) {
        snprintf(detail, size, "child %d did not exit normally (status 0x%x)", (int)pid, status);
        return false;
    }
    snprintf(detail, size, "child %d exited with %d (expected %d)",
             (int)pid, WEXITSTATUS(status), CHILD_STATUS);
    return WEXITSTATUS(status) == CHILD_STATUS;
}

/* Parent sends a message down one pipe; a child reads it, upper-cases it and
 * sends it back up another.  The reply must be the upper-cased message. */
static bool check_pipe_round_trip(char *detail, size_t size)
{
    static const char message[] = "ping from pid 1";
    static const char expected[] = "PING FROM PID 1";
    int down[2], up[2];
    if (pipe2(down, O_CLOEXEC) != 0 || pipe2(up, O_CLOEXEC) != 0) {
        snprintf(detail, size, "pipe: %s", strerror(errno));
        return false;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(detail, size, "fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        char buf[sizeof message];
        close(down[1]);
        close(up[0]);
        size_t len = 0;
        ssize_t n;
        while (len < sizeof buf && (n = read(down[0], buf + len, sizeof buf - len)) > 0)
            len += (size_t)n;
        for (size_t i = 0; i < len; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 'a' + 'A');
        _exit(write_all(up[1], buf, len) == 0 ? 0 : 1);
    }
    close(down[0]);
    close(up[1]);
    bool sent = write_all(down[1], message, sizeof message) == 0;
    close(down[1]);
    char reply[64] = "";
    size_t len = 0;
    ssize_t n;
    while (len < sizeof reply - 1 && (n = read(up[0], reply + len, sizeof reply - 1 - len)) > 0)
        len += (size_t)n;
    close(up[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    reply[sizeof reply - 1] = '\0';
    bool ok = sent && len == sizeof expected && memcmp(reply, expected, sizeof expected) == 0;
    snprintf(detail, size, "sent \"%s\", got back \"%s\" (%zu bytes)", message, reply, len);
    return ok;
}

/* Wall-clock time from the RTC: /dev/rtc0 (RTC_RD_TIME), else sysfs. */
static bool read_rtc(time_t *out, const char **source)
{
    int fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct rtc_time rt;
        int rc = ioctl(fd, RTC_RD_TIME, &rt);
        close(fd);
        if (rc == 0) {
            struct tm tm = {
                .tm_sec = rt.tm_sec, .tm_min = rt.tm_min, .tm_hour = rt.tm_hour,
                .tm_mday = rt.tm_mday, .tm_mon = rt.tm_mon, .tm_year = rt.tm_year,
            };
            *out = timegm(&tm);
            *source = "/dev/rtc0";
            return true;
        }
    }
    char buf[32];
    if (read_file("/sys/class/rtc/rtc0/since_epoch", buf, sizeof buf) > 0) {
        *out = (time_t)strtoll(buf, NULL, 10);
        *source = "/sys/class/rtc/rtc0/since_epoch";
        return true;
    }
    return false;
}

static bool check_rtc(char *detail, size_t size)
{
    time_t t;
    const char *source;
    if (!read_rtc(&t, &source)) {
        snprintf(detail, size, "no RTC: neither /dev/rtc0 nor /sys/class/rtc/rtc0 is readable");
        return false;
    }
    struct tm tm;
    char when[40];
    gmtime_r(&t, &tm);
    format_utc(t, when, sizeof when);
    snprintf(detail, size, "%s reads %s (year must be >= %d)", source, when, MIN_RTC_YEAR);
    return tm.tm_year + 1900 >= MIN_RTC_YEAR;
}

static bool check_harts(char *detail, size_t size)
{
    static char cpuinfo[65536];
    if (read_file("/proc/cpuinfo", cpuinfo, sizeof cpuinfo) < 0) {
        snprintf(detail, size, "/proc/cpuinfo: %s", strerror(errno));
        return false;
    }
    int harts = 0;
    for (const char *line = cpuinfo; line; ) {
        if (strncmp(line, "processor", 9) == 0)
            harts++;
        const char *newline = strchr(line, '\n');
        line = newline ? newline + 1 : NULL;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(detail, size, "%d hart%s in /proc/cpuinfo, %ld online", harts,
             harts == 1 ? "" : "s", online);
    return harts >= 1 && harts == online;
}

/* ------------------------------------------------------------------------ */
/* virtio device checks: each fills `detail` and returns a verdict; SKIP     */
/* when the device (or the command-line key the check needs) is absent       */

enum verdict { VERDICT_FAIL, VERDICT_PASS, VERDICT_SKIP };
typedef enum verdict (*device_check_fn)(char *detail, size_t size);

/* What this boot took from its devices.  The entropy and network checks run
 * first and fill it; the disk check folds it into the data it writes, so a
 * replay that delivers a different input writes (and prints) other bytes. */
static struct run_inputs {
    bool have_hwrng;
    uint8_t hwrng[32];
    bool have_payload;
    uint64_t payload_bytes;
    uint64_t payload_fnv;
} inputs;

/* --- entropy: /dev/hwrng (virtio-rng) --- */

#define HWRNG_CURRENT "/sys/class/misc/hw_random/rng_current"

/* The name of the hwrng driver in use, or false when there is none: /dev/hwrng
 * exists whenever CONFIG_HW_RANDOM is on, device or not. */
static bool hwrng_present(char *name, size_t size)
{
    if (read_file(HWRNG_CURRENT, name, size) <= 0)
        return false;
    name[strcspn(name, "\n")] = '\0';
    return *name && strcmp(name, "none") != 0;
}

static enum verdict check_entropy(char *detail, size_t size)
{
    char rng[64];
    inputs.have_hwrng = false;
    if (!hwrng_present(rng, sizeof rng)) {
        snprintf(detail, size, "no hardware RNG (%s: none)", HWRNG_CURRENT);
        return VERDICT_SKIP;
    }
    int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(detail, size, "%s: open /dev/hwrng: %s", rng, strerror(errno));
        return VERDICT_FAIL;
    }
    uint8_t bytes[sizeof inputs.hwrng];
    ssize_t n = read_full(fd, bytes, sizeof bytes);
    int err = errno;
    close(fd);
    if (n != (ssize_t)sizeof bytes) {
        snprintf(detail, size, "%s: read /dev/hwrng: %s", rng,
                 n < 0 ? strerror(err) : "short read");
        return VERDICT_FAIL;
    }
    char hex[2 * sizeof bytes + 1];
    bool all_zero = true;
    for (size_t i = 0; i < sizeof bytes; i++) {
        snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
        all_zero = all_zero && bytes[i] == 0;
    }
    memcpy(inputs.hwrng, bytes, sizeof bytes);
    inputs.have_hwrng = true;
    snprintf(detail, size, "%s: %zu bytes %s%s", rng, sizeof bytes, hex,
             all_zero ? " (all zero)" : "");
    return all_zero ? VERDICT_FAIL : VERDICT_PASS;
}

/* --- network: eth0 (virtio-net) and a TCP fetch --- */

#define NET_IF "eth0"
/* QEMU's user network (slirp) and rewind's: guest, gateway (= the host's
 * loopback), netmask.  Used when the kernel's ip= did not configure eth0. */
#define FALLBACK_ADDR "10.0.2.15"
#define FALLBACK_GATEWAY "10.0.2.2"
#define FALLBACK_NETMASK "255.255.255.0"
#define NET_TIMEOUT_S 30
#define FETCH_REQUEST "GET\n"

/* Parses "A.B.C.D:PORT". */
static bool parse_ip_port(const char *text, struct sockaddr_in *out)
{
    char host[INET_ADDRSTRLEN];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return false;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port == 0 || port > 65535)
        return false;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

static void set_sockaddr(struct sockaddr *sa, const char *ip)
{
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof *in);
    in->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &in->sin_addr);
}

/* The interface's IPv4 address, false when it has none (SIOCGIFADDR). */
static bool if_address(int sock, const char *ifname, struct in_addr *addr)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    if (ioctl(sock, SIOCGIFADDR, &ifr) != 0)
        return false;
    *addr = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
    return true;
}

/* Static fallback: FALLBACK_ADDR/24 on eth0, up, default route via
 * FALLBACK_GATEWAY.  Returns false with the failing step in err. */
static bool configure_fallback(int sock, char *err, size_t size)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", NET_IF);
    set_sockaddr(&ifr.ifr_addr, FALLBACK_ADDR);
    if (ioctl(sock, SIOCSIFADDR, &ifr) != 0) {
        snprintf(err, size, "SIOCSIFADDR %s: %s", FALLBACK_ADDR, strerror(errno));
        return false;
    }
    set_sockaddr(&ifr.ifr_netmask, FALLBACK_NETMASK);
    if (ioctl(sock, SIOCSIFNETMASK, &ifr) != 0) {
        snprintf(err, size, "SIOCSIFNETMASK: %s", strerror(errno));
        return false;
    }
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0) {
        snprintf(err, size, "SIOCGIFFLAGS: %s", strerror(errno));
        return false;
    }
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0) {
        snprintf(err, size, "SIOCSIFFLAGS up: %s", strerror(errno));
        return false;
    }
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sockaddr(&rt.rt_dst, "0.0.0.0");
    set_sockaddr(&rt.rt_genmask, "0.0.0.0");
    set_sockaddr(&rt.rt_gateway, FALLBACK_GATEWAY);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    rt.rt_dev = (char *)NET_IF;
    if (ioctl(sock, SIOCADDRT, &rt) != 0 && errno != EEXIST) {
        snprintf(err, size, "SIOCADDRT default via %s: %s", FALLBACK_GATEWAY, strerror(errno));
        return false;
    }
    return true;
}

/* Makes sure eth0 has an address: the kernel's ip= autoconfiguration (ip=dhcp)
 * normally gave it one before /init ran; otherwise the static fallback.  On
 * success `how` reads e.g. "eth0 10.0.2.15 (kernel ip=)"; on failure it holds
 * the error. */
static bool configure_net(char *how, size_t size)
{
    if (!path_exists("/sys/class/net/" NET_IF)) {
        snprintf(how, size, "no %s (no virtio-net device)", NET_IF);
        return false;
    }
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        snprintf(how, size, "socket: %s", strerror(errno));
        return false;
    }
    struct in_addr addr;
    const char *source = "kernel ip=";
    bool ok = true;
    if (!if_address(sock, NET_IF, &addr)) {
        source = "static fallback";
        ok = configure_fallback(sock, how, size) && if_address(sock, NET_IF, &addr);
    }
    close(sock);
    if (ok) {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addr, text, sizeof text);
        snprintf(how, size, "%s %s (%s)", NET_IF, text, source);
    }
    return ok;
}

/* Connects to `to`, sends FETCH_REQUEST and reads until the server closes.
 * Counts the bytes and, with want_hash, hashes them (FNV-1a 64).  Returns
 * false with the reason in err. */
static bool tcp_fetch(const struct sockaddr_in *to, bool want_hash, uint64_t *bytes,
                      uint64_t *hash, int64_t *ns, char *err, size_t size)
{
    static uint8_t buf[256 * 1024];
    int64_t start = monotonic_ns();
    int sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        snprintf(err, size, "socket: %s", strerror(errno));
        return false;
    }
    /* SO_SNDTIMEO also bounds connect(). */
    struct timeval tv = { .tv_sec = NET_TIMEOUT_S };
    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(sock, (const struct sockaddr *)to, sizeof *to) != 0) {
        snprintf(err, size, "connect: %s", strerror(errno));
        close(sock);
        return false;
    }
    if (write_all(sock, FETCH_REQUEST, strlen(FETCH_REQUEST)) != 0) {
        snprintf(err, size, "send: %s", strerror(errno));
        close(sock);
        return false;
    }
    *bytes = 0;
    *hash = FNV64_OFFSET;
    for (;;) {
        ssize_t n = read(sock, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, size, "recv after %llu bytes: %s", (unsigned long long)*bytes,
                     strerror(errno));
            close(sock);
            return false;
        }
        if (n == 0)
            break;
        *bytes += (uint64_t)n;
        if (want_hash)
            *hash = fnv1a64(*hash, buf, (size_t)n);
    }
    close(sock);
    *ns = monotonic_ns() - start;
    return true;
}

static enum verdict check_network(char *detail, size_t size)
{
    char target[64];
    inputs.have_payload = false;
    if (!cmdline_value("rewind.fetch=", target, sizeof target)) {
        snprintf(detail, size, "no rewind.fetch=IP:PORT on the command line");
        return VERDICT_SKIP;
    }
    struct sockaddr_in to;
    if (!parse_ip_port(target, &to)) {
        snprintf(detail, size, "rewind.fetch=%s is not IP:PORT", target);
        return VERDICT_FAIL;
    }
    char how[128];
    if (!configure_net(how, sizeof how)) {
        snprintf(detail, size, "%s", how);
        return VERDICT_FAIL;
    }
    uint64_t bytes, hash;
    int64_t ns = 0;
    char err[128];
    if (!tcp_fetch(&to, true, &bytes, &hash, &ns, err, sizeof err)) {
        snprintf(detail, size, "%s; fetch %s: %s", how, target, err);
        return VERDICT_FAIL;
    }
    inputs.have_payload = true;
    inputs.payload_bytes = bytes;
    inputs.payload_fnv = hash;
    snprintf(detail, size, "%s; fetched %llu bytes fnv1a64=%016llx from %s in %lld ms", how,
             (unsigned long long)bytes, (unsigned long long)hash, target,
             (long long)(ns / 1000000));
    return VERDICT_PASS;
}

/* --- disk: ext4 (or ext2) on /dev/vda (virtio-blk) --- */

#define DISK_DEV "/dev/vda"
#define DISK_MNT "/mnt"
/* make-disk.sh creates the image with this file and exactly this content. */
#define HELLO_FILE "hello.txt"
#define HELLO_CONTENT "hello from rewind's test disk\n"
/* Written by every run; several hundred KB so it spans many blocks. */
#define RUN_FILE "rewind-run.bin"
#define RUN_FILE_BYTES (512 * 1024)
#define PATTERN_CHUNK (64 * 1024)

/* Mounts dev on dir as ext4, else ext2 (both served by the ext4 driver);
 * returns the type or NULL. */
static const char *mount_ext(const char *dev, const char *dir)
{
    static const char *const types[] = { "ext4", "ext2" };
    mkdir(dir, 0755);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (mount(dev, dir, types[i], 0, NULL) == 0)
            return types[i];
    return NULL;
}

/* Length and FNV-1a 64 of a file; with `expect`, also whether it holds
 * exactly those bytes.  Returns false if it cannot be read. */
static bool hash_file(const char *path, uint64_t *len, uint64_t *hash,
                      const char *expect, bool *matches)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    uint8_t buf[4096];
    size_t expect_len = expect ? strlen(expect) : 0;
    bool same = true;
    ssize_t n;
    *len = 0;
    *hash = FNV64_OFFSET;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (expect && (*len + (uint64_t)n > expect_len ||
                       memcmp(buf, expect + *len, (size_t)n) != 0))
            same = false;
        *hash = fnv1a64(*hash, buf, (size_t)n);
        *len += (uint64_t)n;
    }
    close(fd);
    if (matches)
        *matches = same && *len == expect_len;
    return n == 0;
}

/* The seed of this run's file: the hwrng bytes and the fetched payload when
 * those checks ran, and the monotonic clock, hashed together. */
static uint64_t run_file_seed(void)
{
    uint64_t seed = fnv1a64(FNV64_OFFSET, RUN_FILE, sizeof RUN_FILE);
    if (inputs.have_hwrng)
        seed = fnv1a64(seed, inputs.hwrng, sizeof inputs.hwrng);
    if (inputs.have_payload) {
        seed = fnv1a64(seed, &inputs.payload_bytes, sizeof inputs.payload_bytes);
        seed = fnv1a64(seed, &inputs.payload_fnv, sizeof inputs.payload_fnv);
    }
    int64_t now = monotonic_ns();
    return fnv1a64(seed, &now, sizeof now);
}

/* Writes RUN_FILE_BYTES of the pattern seeded by `seed` to path and fsyncs it
 * and its directory; returns the FNV-1a 64 of what was written in *hash. */
static bool write_run_file(const char *path, uint64_t seed, uint64_t *hash, char *err,
                           size_t size)
{
    static uint8_t chunk[PATTERN_CHUNK];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, size, "create %s: %s", path, strerror(errno));
        return false;
    }
    uint64_t state = seed;
    *hash = FNV64_OFFSET;
    for (size_t done = 0; done < RUN_FILE_BYTES; done += sizeof chunk) {
        fill_pattern(&state, chunk, sizeof chunk);
        *hash = fnv1a64(*hash, chunk, sizeof chunk);
        if (write_all(fd, (const char *)chunk, sizeof chunk) != 0) {
            snprintf(err, size, "write %s: %s", path, strerror(errno));
            close(fd);
            return false;
        }
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, size, "fsync %s: %s", path, strerror(errno));
        return false;
    }
    int dir = open(DISK_MNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
    return true;
}

/* Drops the clean page cache so the next reads come from the device. */
static bool drop_caches(void)
{
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = write_all(fd, "3\n", 2) == 0;
    close(fd);
    return ok;
}

/* Reads path back and compares it with the pattern seeded by `seed`;
 * returns the FNV-1a 64 of what was read. */
static bool verify_run_file(const char *path, uint64_t seed, uint64_t *hash, char *err,
                            size_t size)
{
    static uint8_t want[PATTERN_CHUNK], got[PATTERN_CHUNK];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, size, "open %s: %s", path, strerror(errno));
        return false;
    }
    uint64_t state = seed;
    bool ok = true;
    *hash = FNV64_OFFSET;
    for (size_t done = 0; ok && done < RUN_FILE_BYTES; done += sizeof got) {
        ssize_t n = read_full(fd, got, sizeof got);
        fill_pattern(&state, want, sizeof want);
        if (n != (ssize_t)sizeof got) {
            snprintf(err, size, "read %s at %zu: %s", path, done,
                     n < 0 ? strerror(errno) : "short file");
            ok = false;
        } else if (memcmp(got, want, sizeof got) != 0) {
            snprintf(err, size, "%s differs from what was written in bytes %zu..%zu", path,
                     done, done + sizeof got - 1);
            ok = false;
        } else {
            *hash = fnv1a64(*hash, got, sizeof got);
        }
    }
    if (ok && read(fd, got, 1) != 0) {
        snprintf(err, size, "%s is longer than %d bytes", path, RUN_FILE_BYTES);
        ok = false;
    }
    close(fd);
    return ok;
}

/* "name name dir/ ..." of a directory, sorted, without . and .. */
static void list_dir(const char *dir, char *out, size_t size)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    out[0] = '\0';
    if (n < 0) {
        snprintf(out, size, "(%s)", strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
            appendf(out, size, "%s%s%s", out[0] ? " " : "", name,
                    names[i]->d_type == DT_DIR ? "/" : "");
        free(names[i]);
    }
    free(names);
}

/* Everything the disk check does between mount and umount; appends to detail. */
static bool exercise_disk(char *detail, size_t size)
{
    uint64_t hello_len, hello_fnv;
    bool hello_ok;
    if (!hash_file(DISK_MNT "/" HELLO_FILE, &hello_len, &hello_fnv, HELLO_CONTENT, &hello_ok)) {
        appendf(detail, size, "read %s: %s", HELLO_FILE, strerror(errno));
        return false;
    }
    appendf(detail, size, "%s %llu bytes fnv1a64=%016llx%s", HELLO_FILE,
            (unsigned long long)hello_len, (unsigned long long)hello_fnv,
            hello_ok ? "" : " (not make-disk.sh's content)");

    uint64_t seed = run_file_seed(), wrote, read_back;
    char err[160];
    if (!write_run_file(DISK_MNT "/" RUN_FILE, seed, &wrote, err, sizeof err)) {
        appendf(detail, size, "; %s", err);
        return false;
    }
    bool dropped = drop_caches();
    if (!verify_run_file(DISK_MNT "/" RUN_FILE, seed, &read_back, err, sizeof err)) {
        appendf(detail, size, "; %s", err);
        return false;
    }
    char names[128];
    list_dir(DISK_MNT, names, sizeof names);
    appendf(detail, size, "; %s %d bytes seed=%016llx fnv1a64=%016llx, read back %s; ls: %s",
            RUN_FILE, RUN_FILE_BYTES, (unsigned long long)seed, (unsigned long long)wrote,
            dropped ? "equal after drop_caches" : "equal (from the page cache)", names);
    return hello_ok && wrote == read_back;
}

static enum verdict check_disk(char *detail, size_t size)
{
    if (!path_exists(DISK_DEV)) {
        snprintf(detail, size, "no %s (no virtio-blk device)", DISK_DEV);
        return VERDICT_SKIP;
    }
    const char *type = mount_ext(DISK_DEV, DISK_MNT);
    if (!type) {
        snprintf(detail, size, "mount %s on %s as ext4 or ext2: %s", DISK_DEV, DISK_MNT,
                 strerror(errno));
        return VERDICT_FAIL;
    }
    snprintf(detail, size, "%s mounted as %s: ", DISK_DEV, type);
    bool ok = exercise_disk(detail, size);
    sync();
    if (umount(DISK_MNT) != 0) {
        appendf(detail, size, "; umount: %s", strerror(errno));
        return VERDICT_FAIL;
    }
    return ok ? VERDICT_PASS : VERDICT_FAIL;
}

/* In this order: the disk check folds in what the first two read. */
static const struct device_check {
    const char *name;
    device_check_fn run;
} device_checks[] = {
    { "entropy", check_entropy },
    { "network", check_network },
    { "disk", check_disk },
};

static const struct check {
    const char *name;
    check_fn run;
} checks[] = {
    { "monotonic-clock", check_monotonic_clock },
    { "fork-wait", check_fork_wait },
    { "pipe-round-trip", check_pipe_round_trip },
    { "rtc", check_rtc },
    { "harts", check_harts },
};

/* Runs every check, prints one line each and the summary; returns the failures.
 * A skipped device check is neither a pass nor a failure. */
static int run_checks(void)
{
    static const char *const verdicts[] = { "FAIL", "PASS", "SKIP" };
    int failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        char detail[256] = "";
        bool ok = checks[i].run(detail, sizeof detail);
        say("%s %s: %s", ok ? "PASS" : "FAIL", checks[i].name, detail);
        failed += !ok;
    }
    for (size_t i = 0; i < sizeof device_checks / sizeof device_checks[0]; i++) {
        char detail[512] = "";
        enum verdict v = device_checks[i].run(detail, sizeof detail);
        say("%s %s: %s", verdicts[v], device_checks[i].name, detail);
        failed += v == VERDICT_FAIL;
    }
    if (failed)
        say("%d checks FAILED", failed);
    else
        say("all checks passed");
    return failed;
}

/* ------------------------------------------------------------------------ */
/* throughput benchmarks (rewind.bench=...): instead of the checks            */

#define BENCH_DISK_RAW "/dev/vdb"
#define BENCH_DISK_FILE "rewind-bench.bin"
#define BENCH_CHUNK MIB
#define BENCH_SEED 0x72657769ull   /* the data written needs no run input */

/* Opens the disk benchmark's target for writing: /dev/vdb raw when there is a
 * second disk (it must hold `bytes`), else a file on /dev/vda's filesystem
 * mounted at /mnt.  Sets path; returns the fd or -1 with err. */
static int bench_disk_open(uint64_t bytes, char *path, size_t path_size, bool *mounted,
                           char *err, size_t size)
{
    *mounted = false;
    if (path_exists(BENCH_DISK_RAW)) {
        snprintf(path, path_size, "%s", BENCH_DISK_RAW);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, size, "open %s: %s", path, strerror(errno));
            return -1;
        }
        off_t capacity = lseek(fd, 0, SEEK_END);
        if (capacity < 0 || (uint64_t)capacity < bytes || lseek(fd, 0, SEEK_SET) != 0) {
            snprintf(err, size, "%s holds %lld bytes, fewer than the %llu asked", path,
                     (long long)capacity, (unsigned long long)bytes);
            close(fd);
            return -1;
        }
        return fd;
    }
    if (!path_exists(DISK_DEV) || !mount_ext(DISK_DEV, DISK_MNT)) {
        snprintf(err, size, "no %s, and %s cannot be mounted: %s", BENCH_DISK_RAW, DISK_DEV,
                 strerror(errno));
        return -1;
    }
    *mounted = true;
    snprintf(path, path_size, "%s/%s", DISK_MNT, BENCH_DISK_FILE);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        snprintf(err, size, "create %s: %s", path, strerror(errno));
    return fd;
}

/* Writes `chunks` MiB of the pattern (each MiB stamped with its index in its
 * first 4 bytes) and fsyncs; the time includes the fsync. */
static bool bench_disk_write(int fd, uint8_t *buf, unsigned chunks, int64_t *ns, char *err,
                             size_t size)
{
    int64_t start = monotonic_ns();
    for (unsigned i = 0; i < chunks; i++) {
        memcpy(buf, &i, sizeof i);
        if (write_all(fd, (const char *)buf, BENCH_CHUNK) != 0) {
            snprintf(err, size, "write MiB %u: %s", i, strerror(errno));
            return false;
        }
    }
    if (fsync(fd) != 0) {
        snprintf(err, size, "fsync: %s", strerror(errno));
        return false;
    }
    *ns = monotonic_ns() - start;
    return true;
}

/* Reads the `chunks` MiB back, O_DIRECT (so from the device, not the page
 * cache) when the kernel allows it, else buffered after drop_caches.  Checks
 * every MiB's index stamp and, after the timed loop, the whole last MiB. */
static bool bench_disk_read(const char *path, const uint8_t *pattern, uint8_t *buf,
                            unsigned chunks, int64_t *ns, const char **mode, char *err,
                            size_t size)
{
    drop_caches();
    *mode = "O_DIRECT";
    int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
    if (fd < 0 && errno == EINVAL) {
        *mode = "buffered after drop_caches";
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        snprintf(err, size, "open %s: %s", path, strerror(errno));
        return false;
    }
    int64_t start = monotonic_ns();
    bool ok = true;
    for (unsigned i = 0; ok && i < chunks; i++) {
        ssize_t n = read_full(fd, buf, BENCH_CHUNK);
        unsigned stamp;
        memcpy(&stamp, buf, sizeof stamp);
        if (n != BENCH_CHUNK) {
            snprintf(err, size, "read MiB %u: %s", i, n < 0 ? strerror(errno) : "end of file");
            ok = false;
        } else if (stamp != i) {
            snprintf(err, size, "MiB %u reads back as MiB %u", i, stamp);
            ok = false;
        }
    }
    *ns = monotonic_ns() - start;
    close(fd);
    if (ok && chunks > 0 &&
        memcmp(buf + sizeof(unsigned), pattern + sizeof(unsigned),
               BENCH_CHUNK - sizeof(unsigned)) != 0) {
        snprintf(err, size, "the last MiB read back differs from what was written");
        ok = false;
    }
    return ok;
}

static bool bench_disk(unsigned mb, char *detail, size_t size)
{
    uint8_t *pattern, *buf;
    /* O_DIRECT wants aligned buffers. */
    if (posix_memalign((void **)&pattern, 4096, BENCH_CHUNK) != 0 ||
        posix_memalign((void **)&buf, 4096, BENCH_CHUNK) != 0) {
        snprintf(detail, size, "out of memory");
        return false;
    }
    uint64_t state = BENCH_SEED;
    fill_pattern(&state, pattern, BENCH_CHUNK);
    memcpy(buf, pattern, BENCH_CHUNK);

    char path[64], err[160];
    bool mounted;
    int64_t write_ns = 0, read_ns = 0;
    const char *mode = "";
    int fd = bench_disk_open((uint64_t)mb * MIB, path, sizeof path, &mounted, err, sizeof err);
    bool ok = fd >= 0 && bench_disk_write(fd, buf, mb, &write_ns, err, sizeof err);
    if (fd >= 0)
        close(fd);
    if (ok)
        ok = bench_disk_read(path, pattern, buf, mb, &read_ns, &mode, err, sizeof err);
    if (mounted) {
        unlink(path);
        sync();
        umount(DISK_MNT);
    }
    free(pattern);
    free(buf);
    if (!ok) {
        snprintf(detail, size, "%s%s%s", fd >= 0 ? path : "", fd >= 0 ? ": " : "", err);
        return false;
    }
    snprintf(detail, size,
             "%s%s: write %u MiB in %.3f s = %.2f MiB/s (fsync included); "
             "read %u MiB in %.3f s = %.2f MiB/s (%s)",
             path, mounted ? " (file on " DISK_DEV ")" : " (raw)", mb, write_ns / 1e9,
             mib_per_s((uint64_t)mb * MIB, write_ns), mb, read_ns / 1e9,
             mib_per_s((uint64_t)mb * MIB, read_ns), mode);
    return true;
}

static bool bench_net(const char *target, unsigned mb, char *detail, size_t size)
{
    struct sockaddr_in to;
    if (!parse_ip_port(target, &to)) {
        snprintf(detail, size, "%s is not IP:PORT", target);
        return false;
    }
    char how[128], err[128];
    if (!configure_net(how, sizeof how)) {
        snprintf(detail, size, "%s", how);
        return false;
    }
    uint64_t bytes, hash;
    int64_t ns = 0;
    if (!tcp_fetch(&to, false, &bytes, &hash, &ns, err, sizeof err)) {
        snprintf(detail, size, "%s; %s: %s", how, target, err);
        return false;
    }
    snprintf(detail, size, "%s; received %llu bytes (%u MiB asked) from %s in %.3f s = %.2f MiB/s",
             how, (unsigned long long)bytes, mb, target, ns / 1e9, mib_per_s(bytes, ns));
    return bytes == (uint64_t)mb * MIB;
}

/* Parses an unsigned MiB count (1..1048576). */
static bool parse_mb(const char *text, unsigned *mb)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (end == text || *end || v == 0 || v > 1048576)
        return false;
    *mb = (unsigned)v;
    return true;
}

/* rewind.bench=disk:MB or rewind.bench=net:IP:PORT:MB; prints one line
 * "PASS|FAIL bench-disk|bench-net: ..." */
static void run_bench(const char *spec)
{
    char detail[512] = "", target[64];
    const char *name = "bench";
    bool ok = false;
    unsigned mb;
    const char *colon = strrchr(spec, ':');
    if (strncmp(spec, "disk:", 5) == 0 && parse_mb(spec + 5, &mb)) {
        name = "bench-disk";
        ok = bench_disk(mb, detail, sizeof detail);
    } else if (strncmp(spec, "net:", 4) == 0 && colon > spec + 4 &&
               (size_t)(colon - spec - 4) < sizeof target && parse_mb(colon + 1, &mb)) {
        name = "bench-net";
        memcpy(target, spec + 4, (size_t)(colon - spec - 4));
        target[colon - spec - 4] = '\0';
        ok = bench_net(target, mb, detail, sizeof detail);
    } else {
        snprintf(detail, sizeof detail, "rewind.bench=%s: expected disk:MB or net:IP:PORT:MB",
                 spec);
    }
    say("%s %s: %s", ok ? "PASS" : "FAIL", name, detail);
}

/* ------------------------------------------------------------------------ */
/* power                                                                     */

static void __attribute__((noreturn)) power(int how, const char *what)
{
    say("%s", what);
    sync();
    reboot(how);
    /* PID 1 must never exit (the kernel would panic): report and park. */
    say("reboot(%s) failed: %s", what, strerror(errno));
    for (;;)
        pause();
}

/* ------------------------------------------------------------------------ */
/* the command loop (rewind.shell=1)                                         */

static void cmd_help(char *args);
static void cmd_echo(char *args) { printf("%s\n", args); }

static void cmd_cat(char *args)
{
    if (!*args) {
        printf("usage: cat FILE\n");
        return;
    }
    int fd = open(args, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("cat: %s: %s\n", args, strerror(errno));
        return;
    }
    fflush(stdout);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        write_all(STDOUT_FILENO, buf, (size_t)n);
    if (n < 0)
        printf("cat: %s: %s\n", args, strerror(errno));
    close(fd);
}

static void cmd_ls(char *args)
{
    const char *dir = *args ? args : ".";
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        printf("ls: %s: %s\n", dir, strerror(errno));
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
            printf("%s%s\n", name, names[i]->d_type == DT_DIR ? "/" : "");
        free(names[i]);
    }
    free(names);
}

static void cmd_uptime(char *args)
{
    (void)args;
    struct timespec t;
    clock_gettime(CLOCK_BOOTTIME, &t);
    printf("up %lld.%03ld s\n", (long long)t.tv_sec, t.tv_nsec / 1000000);
}

static void cmd_date(char *args)
{
    (void)args;
    char when[40];
    format_utc(time(NULL), when, sizeof when);
    printf("%s\n", when);
}

static void cmd_poweroff(char *args) { (void)args; power(RB_POWER_OFF, "powering off"); }
static void cmd_reboot(char *args) { (void)args; power(RB_AUTOBOOT, "rebooting"); }
static void cmd_run_checks(char *args) { (void)args; run_checks(); }

static const struct command {
    const char *name;
    const char *usage;
    void (*run)(char *args);
} commands[] = {
    { "help", "help            this list", cmd_help },
    { "echo", "echo ARGS       print ARGS", cmd_echo },
    { "cat", "cat FILE        print a file", cmd_cat },
    { "ls", "ls [DIR]        list a directory", cmd_ls },
    { "uptime", "uptime          time since boot", cmd_uptime },
    { "date", "date            wall-clock time (UTC)", cmd_date },
    { "run-checks", "run-checks      run the self-checks again", cmd_run_checks },
    { "poweroff", "poweroff        power the machine off", cmd_poweroff },
    { "reboot", "reboot          reset the machine", cmd_reboot },
};

static void cmd_help(char *args)
{
    (void)args;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        printf("  %s\n", commands[i].usage);
}

/* Splits "name  args..." in place; trims the trailing newline/spaces. */
static void run_line(char *line)
{
    line[strcspn(line, "\r\n")] = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    size_t len = strlen(line);
    while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
    if (!*line)
        return;
    char *args = line + strcspn(line, " \t");
    if (*args) {
        *args++ = '\0';
        args += strspn(args, " \t");
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(line, commands[i].name) == 0) {
            commands[i].run(args);
            return;
        }
    }
    printf("unknown command: %s (try help)\n", line);
}

static void __attribute__((noreturn)) shell(void)
{
    say("shell on the console (rewind.shell=1); type help");
    char line[1024];
    for (;;) {
        fputs("rewind# ", stdout);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            power(RB_POWER_OFF, "end of console input: powering off");
        run_line(line);
        fflush(stdout);
    }
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    mount_pseudo_filesystems();
    ensure_console();

    struct utsname u;
    say("hello from PID %d", (int)getpid());
    if (uname(&u) == 0)
        say("kernel %s %s %s (%s)", u.sysname, u.release, u.machine, u.version);

    char bench[96];
    if (cmdline_value("rewind.bench=", bench, sizeof bench)) {
        run_bench(bench);
        power(RB_POWER_OFF, "powering off");
    }

    run_checks();

    if (cmdline_has("rewind.shell=1"))
        shell();
    power(RB_POWER_OFF, "powering off");
}
