/* transport.c — gdb_transport (a connected byte stream: socket, pipe pair, stdio) and
 * gdb_listener (TCP or Unix listening socket that accepts one client). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

struct gdb_transport {
    int rfd, wfd;
    bool close_fds;   /* stdio is borrowed, everything else is owned */
    bool wsocket;     /* wfd is a socket: write with send(MSG_NOSIGNAL) */
};

struct gdb_listener {
    int fd;
    int port;         /* -1 for Unix */
    char *unix_path;  /* unlinked on close */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool fd_is_socket(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

static struct gdb_transport *transport_new(int rfd, int wfd, bool close_fds)
{
    struct gdb_transport *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->rfd = rfd;
    t->wfd = wfd;
    t->close_fds = close_fds;
    t->wsocket = fd_is_socket(wfd);
    return t;
}

struct gdb_transport *gdb_transport_fd(int fd)
{
    if (fd < 0)
        return NULL;
    return transport_new(fd, fd, true);
}

struct gdb_transport *gdb_transport_fds(int rfd, int wfd)
{
    if (rfd < 0 || wfd < 0)
        return NULL;
    return transport_new(rfd, wfd, true);
}

struct gdb_transport *gdb_transport_stdio(char *err, size_t errlen)
{
    if (fcntl(STDIN_FILENO, F_GETFD) < 0 || fcntl(STDOUT_FILENO, F_GETFD) < 0) {
        set_err(err, errlen, "gdb stdio transport: stdin or stdout is closed");
        return NULL;
    }
    struct gdb_transport *t = transport_new(STDIN_FILENO, STDOUT_FILENO, false);
    if (!t)
        set_err(err, errlen, "gdb stdio transport: out of memory");
    return t;
}

void gdb_transport_close(struct gdb_transport *t)
{
    if (!t)
        return;
    if (t->close_fds) {
        close(t->rfd);
        if (t->wfd != t->rfd)
            close(t->wfd);
    }
    free(t);
}

static bool peer_gone(int e)
{
    return e == ECONNRESET || e == EPIPE || e == ENOTCONN || e == ESHUTDOWN;
}

ssize_t gdb_transport_read(struct gdb_transport *t, void *buf, size_t len, int timeout_ms)
{
    if (timeout_ms >= 0) {
        struct pollfd p = { .fd = t->rfd, .events = POLLIN };
        int r;
        do
            r = poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return GDB_IO_ERROR;
        if (r == 0)
            return GDB_IO_AGAIN;
        if (p.revents & POLLNVAL) {
            errno = EBADF;
            return GDB_IO_ERROR;
        }
    }
    for (;;) {
        ssize_t n = read(t->rfd, buf, len);
        if (n > 0)
            return n;
        if (n == 0)
            return GDB_IO_EOF;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (timeout_ms >= 0)
                return GDB_IO_AGAIN;
            /* A non-blocking fd used for a blocking read: wait for it. */
            struct pollfd p = { .fd = t->rfd, .events = POLLIN };
            if (poll(&p, 1, -1) < 0 && errno != EINTR)
                return GDB_IO_ERROR;
            continue;
        }
        if (peer_gone(errno))
            return GDB_IO_EOF;
        return GDB_IO_ERROR;
    }
}

ssize_t gdb_transport_write(struct gdb_transport *t, const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0;
    while (done < len) {
        ssize_t n;
        if (t->wsocket)
            n = send(t->wfd, p + done, len - done, MSG_NOSIGNAL);
        else
            n = write(t->wfd, p + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = { .fd = t->wfd, .events = POLLOUT };
            if (poll(&pf, 1, -1) < 0 && errno != EINTR)
                return GDB_IO_ERROR;
            continue;
        }
        if (n == 0 || peer_gone(errno))
            return GDB_IO_EOF;
        return GDB_IO_ERROR;
    }
    return (ssize_t)len;
}

/* ---- listeners ---- */

struct gdb_listener *gdb_listen_tcp(const char *host, int port, bool bind_any, char *err, size_t errlen)
{
    if (port < 0 || port > 65535) {
        set_err(err, errlen, "gdb: TCP port %d out of range", port);
        return NULL;
    }
    const char *node = bind_any ? NULL : (host && *host ? host : "127.0.0.1");
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(node, service, &hints, &res);
    if (gai != 0) {
        set_err(err, errlen, "gdb: cannot resolve %s: %s", node ? node : "*", gai_strerror(gai));
        return NULL;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        set_err(err, errlen, "gdb: cannot listen on %s:%d: %s", node ? node : "*", port,
                strerror(saved));
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int bound = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET)
            bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        else if (ss.ss_family == AF_INET6)
            bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
    struct gdb_listener *l = calloc(1, sizeof(*l));
    if (!l) {
        close(fd);
        set_err(err, errlen, "gdb: out of memory");
        return NULL;
    }
    l->fd = fd;
    l->port = bound;
    return l;
}

struct gdb_listener *gdb_listen_unix(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (!path || !*path) {
        set_err(err, errlen, "gdb: empty Unix socket path");
        return NULL;
    }
    size_t plen = strlen(path);
    if (plen >= sizeof(sa.sun_path)) {
        set_err(err, errlen, "gdb: Unix socket path too long (%zu bytes, at most %zu): %s", plen,
                sizeof(sa.sun_path) - 1, path);
        return NULL;
    }
    memcpy(sa.sun_path, path, plen + 1);
    /* A stale socket from an earlier run is replaced; any other file is left alone. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    char *copy = strdup(path);
    if (!copy) {
        set_err(err, errlen, "gdb: out of memory");
        return NULL;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        set_err(err, errlen, "gdb: socket: %s", strerror(errno));
        free(copy);
        return NULL;
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        set_err(err, errlen, "gdb: cannot bind %s: %s", path, strerror(errno));
        close(fd);
        free(copy);
        return NULL;
    }
    if (listen(fd, 1) != 0) {
        set_err(err, errlen, "gdb: cannot listen on %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        free(copy);
        return NULL;
    }
    struct gdb_listener *l = calloc(1, sizeof(*l));
    if (!l) {
        set_err(err, errlen, "gdb: out of memory");
        close(fd);
        unlink(path);
        free(copy);
        return NULL;
    }
    l->fd = fd;
    l->port = -1;
    l->unix_path = copy;
    return l;
}

int gdb_listener_port(const struct gdb_listener *l)
{
    return l ? l->port : -1;
}

int gdb_listener_fd(const struct gdb_listener *l)
{
    return l ? l->fd : -1;
}

struct gdb_transport *gdb_listener_accept(struct gdb_listener *l, char *err, size_t errlen)
{
    if (!l) {
        set_err(err, errlen, "gdb: no listener");
        return NULL;
    }
    int fd;
    do
        fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
    while (fd < 0 && (errno == EINTR || errno == ECONNABORTED));
    if (fd < 0) {
        set_err(err, errlen, "gdb: accept: %s", strerror(errno));
        return NULL;
    }
    if (l->port >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    struct gdb_transport *t = gdb_transport_fd(fd);
    if (!t) {
        close(fd);
        set_err(err, errlen, "gdb: out of memory");
    }
    return t;
}

void gdb_listener_close(struct gdb_listener *l)
{
    if (!l)
        return;
    close(l->fd);
    if (l->unix_path) {
        unlink(l->unix_path);
        free(l->unix_path);
    }
    free(l);
}

struct gdb_transport *gdb_transport_tcp(const char *host, int port, bool bind_any, char *err, size_t errlen)
{
    struct gdb_listener *l = gdb_listen_tcp(host, port, bind_any, err, errlen);
    if (!l)
        return NULL;
    struct gdb_transport *t = gdb_listener_accept(l, err, errlen);
    gdb_listener_close(l);
    return t;
}

struct gdb_transport *gdb_transport_unix(const char *path, char *err, size_t errlen)
{
    struct gdb_listener *l = gdb_listen_unix(path, err, errlen);
    if (!l)
        return NULL;
    struct gdb_transport *t = gdb_listener_accept(l, err, errlen);
    gdb_listener_close(l);
    return t;
}
