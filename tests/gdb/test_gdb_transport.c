/* test_gdb_transport.c — the transports: TCP and Unix listeners (with port reporting, stale
 * sockets, errors), pipes, stdio, transport errors reported by gdb_serve, and a peer reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gdb_fixture.h"

struct server {
    pthread_t thread;
    struct gdb_transport *t;
    /* for the blocking constructors */
    const char *unix_path;
    int tcp_port;
    struct fake_target fake;
    struct gdb_target_ops ops;
    int rc;
    char err[256];
};

static void *serve_main(void *arg)
{
    struct server *s = arg;
    if (!s->t && s->unix_path)
        s->t = gdb_transport_unix(s->unix_path, s->err, sizeof(s->err));
    else if (!s->t)
        s->t = gdb_transport_tcp(NULL, s->tcp_port, false, s->err, sizeof(s->err));
    if (!s->t) {
        s->rc = -2;
        return NULL;
    }
    s->rc = gdb_serve(s->t, &s->ops, s->err, sizeof(s->err));
    gdb_transport_close(s->t);
    return NULL;
}

static struct server *server_start(struct gdb_transport *t, const char *unix_path, int port)
{
    struct server *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    fake_target_init(&s->fake);
    fake_target_ops(&s->ops, &s->fake, false);
    s->t = t;
    s->unix_path = unix_path;
    s->tcp_port = port;
    assert_int_equal(pthread_create(&s->thread, NULL, serve_main, s), 0);
    return s;
}

static int server_join(struct server *s)
{
    pthread_join(s->thread, NULL);
    int rc = s->rc;
    free(s);
    return rc;
}

static void read_exact(int fd, const char *expected)
{
    size_t n = strlen(expected);
    char buf[128] = { 0 };
    assert_true(n < sizeof(buf));
    size_t got = 0;
    while (got < n) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        assert_int_equal(poll(&p, 1, 5000), 1);
        ssize_t r = read(fd, buf + got, n - got);
        assert_true(r > 0);
        got += (size_t)r;
    }
    assert_string_equal(buf, expected);
}

static void write_str(int fd, const char *s)
{
    assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* One exchange over a connected client fd. */
static void talk(int fd)
{
    write_str(fd, "$qC#b4");
    read_exact(fd, "+$QC1#c5");
    write_str(fd, "+");
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (int i = 0; i < 500; i++) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        usleep(10000);
    }
    fail_msg("cannot connect to port %d: %s", port, strerror(errno));
    return -1;
}

static int unix_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    assert_true(strlen(path) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    for (int i = 0; i < 500; i++) {
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        usleep(10000);
    }
    fail_msg("cannot connect to %s: %s", path, strerror(errno));
    return -1;
}

static void test_tcp_listener(void **state)
{
    (void)state;
    char err[256] = "";
    struct gdb_listener *l = gdb_listen_tcp(NULL, 0, false, err, sizeof(err));
    assert_non_null(l);
    int port = gdb_listener_port(l);
    assert_true(port > 0 && port < 65536);
    assert_true(gdb_listener_fd(l) >= 0);
    int fd = tcp_connect(port);
    struct gdb_transport *t = gdb_listener_accept(l, err, sizeof(err));
    assert_non_null(t);
    gdb_listener_close(l);
    struct server *s = server_start(t, NULL, 0);
    talk(fd);
    close(fd);
    assert_int_equal(server_join(s), 0);
}

static void test_tcp_bind_any_and_in_use(void **state)
{
    (void)state;
    char err[256] = "";
    struct gdb_listener *l = gdb_listen_tcp("ignored-when-bind-any", 0, true, err, sizeof(err));
    assert_non_null(l);
    int port = gdb_listener_port(l);
    int fd = tcp_connect(port);   /* reachable on loopback */
    close(fd);
    /* The port is taken now. */
    struct gdb_listener *l2 = gdb_listen_tcp("127.0.0.1", port, false, err, sizeof(err));
    assert_null(l2);
    assert_non_null(strstr(err, "cannot listen"));
    gdb_listener_close(l);
}

static void test_tcp_errors(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(gdb_transport_tcp(NULL, -1, false, err, sizeof(err)));
    assert_non_null(strstr(err, "out of range"));
    assert_null(gdb_transport_tcp(NULL, 65536, false, err, sizeof(err)));
    err[0] = 0;
    /* TEST-NET-1: not a local address. */
    assert_null(gdb_transport_tcp("192.0.2.1", 0, false, err, sizeof(err)));
    assert_non_null(strstr(err, "192.0.2.1"));
    /* A NULL or short error buffer is fine. */
    assert_null(gdb_transport_tcp(NULL, -1, false, NULL, 0));
    char tiny[4];
    assert_null(gdb_transport_tcp(NULL, -1, false, tiny, sizeof(tiny)));
    assert_int_equal(strlen(tiny), 3);
}

static void test_tcp_blocking(void **state)
{
    (void)state;
    char err[256];
    struct gdb_listener *l = gdb_listen_tcp(NULL, 0, false, err, sizeof(err));
    assert_non_null(l);
    int port = gdb_listener_port(l);
    gdb_listener_close(l);
    struct server *s = server_start(NULL, NULL, port);
    int fd = tcp_connect(port);
    talk(fd);
    close(fd);
    assert_int_equal(server_join(s), 0);
}

static void test_tcp_peer_reset(void **state)
{
    (void)state;
    char err[256];
    struct gdb_listener *l = gdb_listen_tcp(NULL, 0, false, err, sizeof(err));
    assert_non_null(l);
    int fd = tcp_connect(gdb_listener_port(l));
    struct gdb_transport *t = gdb_listener_accept(l, err, sizeof(err));
    assert_non_null(t);
    gdb_listener_close(l);
    struct server *s = server_start(t, NULL, 0);
    write_str(fd, "$qC#b4");
    read_exact(fd, "+$QC1#c5");
    write_str(fd, "junk");   /* unread data makes close() send a reset */
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(fd);
    assert_int_equal(server_join(s), 0);
}

static char *temp_dir(void)
{
    char *dir = strdup("/tmp/rewind-gdb-test-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void test_unix(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[256];
    snprintf(path, sizeof(path), "%s/gdb.sock", dir);
    struct server *s = server_start(NULL, path, 0);
    int fd = unix_connect(path);
    talk(fd);
    struct stat st;
    assert_int_equal(stat(path, &st), -1);   /* unlinked once the client was accepted */
    close(fd);
    assert_int_equal(server_join(s), 0);
    rmdir(dir);
    free(dir);
}

static void test_unix_stale_socket_and_errors(void **state)
{
    (void)state;
    char *dir = temp_dir();
    char path[256], err[256] = "";
    snprintf(path, sizeof(path), "%s/stale.sock", dir);
    /* A socket left behind by a dead process is replaced. */
    int old = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    assert_true(strlen(path) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    assert_int_equal(bind(old, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(old);
    struct gdb_listener *l = gdb_listen_unix(path, err, sizeof(err));
    assert_non_null(l);
    assert_int_equal(gdb_listener_port(l), -1);
    int fd = unix_connect(path);
    struct gdb_transport *t = gdb_listener_accept(l, err, sizeof(err));
    assert_non_null(t);
    gdb_listener_close(l);
    struct server *s = server_start(t, NULL, 0);
    talk(fd);
    close(fd);
    assert_int_equal(server_join(s), 0);
    /* A regular file is never removed. */
    snprintf(path, sizeof(path), "%s/file", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_null(gdb_listen_unix(path, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot bind"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    unlink(path);
    /* Missing directory, too long, empty. */
    snprintf(path, sizeof(path), "%s/no/such/dir.sock", dir);
    assert_null(gdb_transport_unix(path, err, sizeof(err)));
    char longpath[300];
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = 0;
    assert_null(gdb_transport_unix(longpath, err, sizeof(err)));
    assert_non_null(strstr(err, "too long"));
    assert_null(gdb_transport_unix("", err, sizeof(err)));
    assert_null(gdb_transport_unix(NULL, err, sizeof(err)));
    rmdir(dir);
    free(dir);
}

static void test_pipes(void **state)
{
    (void)state;
    int to_server[2], from_server[2];
    assert_int_equal(pipe(to_server), 0);
    assert_int_equal(pipe(from_server), 0);
    struct gdb_transport *t = gdb_transport_fds(to_server[0], from_server[1]);
    assert_non_null(t);
    struct server *s = server_start(t, NULL, 0);
    write_str(to_server[1], "$qC#b4");
    read_exact(from_server[0], "+$QC1#c5");
    write_str(to_server[1], "+$qAttached#8f");
    read_exact(from_server[0], "+$1#31");
    close(to_server[1]);
    assert_int_equal(server_join(s), 0);
    close(from_server[0]);
}

static void test_stdio_and_null_arguments(void **state)
{
    (void)state;
    char err[128];
    struct gdb_transport *t = gdb_transport_stdio(err, sizeof(err));
    assert_non_null(t);
    gdb_transport_close(t);
    assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);    /* borrowed, not closed */
    assert_true(fcntl(STDOUT_FILENO, F_GETFD) >= 0);
    assert_null(gdb_transport_fd(-1));
    assert_null(gdb_transport_fds(-1, 1));
    assert_null(gdb_transport_fds(0, -1));
    gdb_transport_close(NULL);
    gdb_listener_close(NULL);
    assert_int_equal(gdb_listener_port(NULL), -1);
    assert_int_equal(gdb_listener_fd(NULL), -1);
    assert_null(gdb_listener_accept(NULL, err, sizeof(err)));
    struct fake_target fake;
    struct gdb_target_ops ops;
    fake_target_init(&fake);
    fake_target_ops(&ops, &fake, false);
    assert_int_equal(gdb_serve(NULL, &ops, err, sizeof(err)), -1);
    assert_true(strlen(err) > 0);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    t = gdb_transport_fd(sv[0]);
    assert_int_equal(gdb_serve(t, NULL, NULL, 0), -1);
    gdb_transport_close(t);
    close(sv[1]);
}

static void test_transport_errors(void **state)
{
    (void)state;
    struct fake_target fake;
    struct gdb_target_ops ops;
    fake_target_init(&fake);
    fake_target_ops(&ops, &fake, false);
    char err[256] = "";
    /* Reading from a write-only fd fails. */
    int wr = open("/dev/null", O_WRONLY);
    assert_true(wr >= 0);
    struct gdb_transport *t = gdb_transport_fds(wr, dup(wr));
    assert_int_equal(gdb_serve(t, &ops, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "read"));
    gdb_transport_close(t);
    /* Writing to a read-only fd fails. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    write_str(p[1], "$qC#b4");
    close(p[1]);
    int rd = open("/dev/null", O_RDONLY);
    assert_true(rd >= 0);
    t = gdb_transport_fds(p[0], rd);
    err[0] = 0;
    assert_int_equal(gdb_serve(t, &ops, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "write"));
    gdb_transport_close(t);
    /* A reader that went away: EPIPE counts as a disconnect. */
    int in[2], out[2];
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    write_str(in[1], "$qC#b4");
    close(in[1]);
    close(out[0]);
    t = gdb_transport_fds(in[0], out[1]);
    /* (pipes raise SIGPIPE: the library's user ignores it, as documented) */
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    sigaction(SIGPIPE, &ign, &old);
    assert_int_equal(gdb_serve(t, &ops, err, sizeof(err)), 0);
    sigaction(SIGPIPE, &old, NULL);
    gdb_transport_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_listener),
        cmocka_unit_test(test_tcp_bind_any_and_in_use),
        cmocka_unit_test(test_tcp_errors),
        cmocka_unit_test(test_tcp_blocking),
        cmocka_unit_test(test_tcp_peer_reset),
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_unix_stale_socket_and_errors),
        cmocka_unit_test(test_pipes),
        cmocka_unit_test(test_stdio_and_null_arguments),
        cmocka_unit_test(test_transport_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
