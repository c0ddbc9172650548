/*
 * init.c — PID 1 of rewind's Linux test guest (static, no busybox).
 *
 * Prints a banner, mounts the pseudo filesystems, runs a few self-checks of
 * the kernel and the virtual machine under it (clock, fork/wait, pipes, RTC,
 * hart count), one line each with PASS/FAIL, prints a summary and powers the
 * machine off.  With `rewind.shell=1` on the kernel command line it runs a
 * small command loop on the console instead of powering off; scripted tests
 * drive it through the serial port.
 *
 * Build: riscv64-linux-gnu-gcc -static -O2 -o init init.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TAG "rewind-init: "
#define MIN_RTC_YEAR 2024

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

/* Runs every check, prints one line each and the summary; returns the failures. */
static int run_checks(void)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        char detail[256] = "";
        bool ok = checks[i].run(detail, sizeof detail);
        say("%s %s: %s", ok ? "PASS" : "FAIL", checks[i].name, detail);
        failed += !ok;
    }
    if (failed)
        say("%d checks FAILED", failed);
    else
        say("all checks passed");
    return failed;
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

    run_checks();

    if (cmdline_has("rewind.shell=1"))
        shell();
    power(RB_POWER_OFF, "powering off");
}
