/* test_host_net_socket.c — the "socket" backend of vmm/host_net.c over real loopback TCP:
 * QEMU's stream framing (4-byte big-endian length, then the frame) in both directions with
 * connect= and listen=, frames split and merged by the stream, the bounded receive queue
 * (backpressure, order kept), runts, an oversized length, peers leaving and coming back. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net_frames.h"
#include "vmm/host_net.h"

#define DEADLINE_MS 800

static struct host_net *make(const char *spec)
{
    char err[256] = "";
    struct host_net *n = host_net_create(spec, err, sizeof(err));
    if (!n)
        fail_msg("host_net_create(%s): %s", spec, err);
    return n;
}

/* A frame of len bytes whose content depends on tag. */
static void fill_frame(uint8_t *f, size_t len, unsigned tag)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(tag * 31 + i * 7);
    put32(f, tag); /* somewhere to read the tag back */
}

/* Length prefix + frame into out; returns bytes written. */
static size_t framed(uint8_t *out, const uint8_t *f, size_t len)
{
    put32(out, (uint32_t)len);
    memcpy(out + 4, f, len);
    return 4 + len;
}

/* Pump until a frame is waiting, then take it. */
static size_t next_frame(struct host_net *n, uint8_t *buf, size_t max)
{
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (!host_net_pending(n) && now_ms() < deadline)
        host_net_pump(n, 5);
    return host_net_receive(n, buf, max);
}

/* connect=: the backend connects to our listener; we accept. */
static struct host_net *connect_pair_rcvbuf(int *peer, int rcvbuf)
{
    uint16_t port;
    int lfd = listen_loopback(&port);
    assert_true(lfd >= 0);
    if (rcvbuf) /* before the connection exists, so the window starts small */
        setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    char spec[96];
    snprintf(spec, sizeof(spec), "socket,id=s0,connect=127.0.0.1:%u", port);
    struct host_net *n = make(spec);
    assert_true(host_net_connected(n));
    struct pollfd p = { .fd = lfd, .events = POLLIN };
    assert_int_equal(poll(&p, 1, DEADLINE_MS), 1);
    *peer = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(*peer >= 0);
    close(lfd);
    return n;
}

static struct host_net *connect_pair(int *peer)
{
    return connect_pair_rcvbuf(peer, 0);
}

static void test_connect_exchanges_frames_both_ways(void **state)
{
    (void)state;
    int peer;
    struct host_net *n = connect_pair(&peer);
    assert_string_equal(host_net_backend(n), "socket");
    assert_string_equal(host_net_id(n), "s0");

    /* peer -> guest: two frames in one write, then one split inside its length prefix */
    uint8_t a[60], b[1514], c[100], wire[4096], buf[2048];
    fill_frame(a, sizeof(a), 1);
    fill_frame(b, sizeof(b), 2);
    fill_frame(c, sizeof(c), 3);
    size_t w = framed(wire, a, sizeof(a));
    w += framed(wire + w, b, sizeof(b));
    assert_true(write_exact(peer, wire, w));
    w = framed(wire, c, sizeof(c));
    assert_true(write_exact(peer, wire, 2));
    host_net_pump(n, 5);
    assert_true(write_exact(peer, wire + 2, 50));
    host_net_pump(n, 5);
    assert_true(write_exact(peer, wire + 52, w - 52));

    assert_int_equal(next_frame(n, buf, sizeof(buf)), sizeof(a));
    assert_memory_equal(buf, a, sizeof(a));
    assert_int_equal(next_frame(n, buf, sizeof(buf)), sizeof(b));
    assert_memory_equal(buf, b, sizeof(b));
    assert_int_equal(next_frame(n, buf, sizeof(buf)), sizeof(c));
    assert_memory_equal(buf, c, sizeof(c));
    assert_false(host_net_pending(n));

    /* guest -> peer */
    host_net_send(n, a, sizeof(a));
    host_net_send(n, c, sizeof(c));
    uint8_t hdr[4];
    assert_true(read_exact(peer, hdr, 4, DEADLINE_MS));
    assert_int_equal(get32(hdr), sizeof(a));
    assert_true(read_exact(peer, buf, sizeof(a), DEADLINE_MS));
    assert_memory_equal(buf, a, sizeof(a));
    assert_true(read_exact(peer, hdr, 4, DEADLINE_MS));
    assert_int_equal(get32(hdr), sizeof(c));
    assert_true(read_exact(peer, buf, sizeof(c), DEADLINE_MS));
    assert_memory_equal(buf, c, sizeof(c));

    struct host_net_stats s;
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_frames, 2);
    assert_int_equal(s.tx_bytes, sizeof(a) + sizeof(c));
    assert_int_equal(s.rx_frames, 3);
    assert_int_equal(s.rx_bytes, sizeof(a) + sizeof(b) + sizeof(c));
    assert_int_equal(s.rx_dropped + s.tx_dropped, 0);

    /* the peer leaves: the backend notices, and frames from the guest are dropped */
    close(peer);
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (host_net_connected(n) && now_ms() < deadline)
        host_net_pump(n, 5);
    assert_false(host_net_connected(n));
    assert_non_null(strstr(host_net_last_error(n), "closed"));
    host_net_send(n, a, sizeof(a));
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_dropped, 1);
    host_net_destroy(n);
}

static void test_listen_accepts_lazily_and_again(void **state)
{
    (void)state;
    uint16_t port = free_port();
    char spec[96];
    snprintf(spec, sizeof(spec), "socket,id=s1,listen=127.0.0.1:%u", port);
    struct host_net *n = make(spec); /* returns at once: nobody has connected */
    assert_false(host_net_connected(n));
    uint8_t a[64], buf[2048], wire[128];
    fill_frame(a, sizeof(a), 7);
    host_net_send(n, a, sizeof(a)); /* no peer yet: dropped */
    struct host_net_stats s;
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_dropped, 1);
    host_net_pump(n, 0);
    assert_false(host_net_connected(n));

    for (int round = 0; round < 2; round++) {
        int peer = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(port),
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        assert_int_equal(connect(peer, (struct sockaddr *)&addr, sizeof(addr)), 0);
        int64_t deadline = now_ms() + DEADLINE_MS;
        while (!host_net_connected(n) && now_ms() < deadline)
            host_net_pump(n, 5);
        assert_true(host_net_connected(n));

        fill_frame(a, sizeof(a), 10 + (unsigned)round);
        host_net_send(n, a, sizeof(a));
        uint8_t hdr[4];
        assert_true(read_exact(peer, hdr, 4, DEADLINE_MS));
        assert_int_equal(get32(hdr), sizeof(a));
        assert_true(read_exact(peer, buf, sizeof(a), DEADLINE_MS));
        assert_memory_equal(buf, a, sizeof(a));

        fill_frame(a, sizeof(a), 20 + (unsigned)round);
        assert_true(write_exact(peer, wire, framed(wire, a, sizeof(a))));
        assert_int_equal(next_frame(n, buf, sizeof(buf)), sizeof(a));
        assert_memory_equal(buf, a, sizeof(a));

        close(peer); /* then the next round's peer is accepted */
        deadline = now_ms() + DEADLINE_MS;
        while (host_net_connected(n) && now_ms() < deadline)
            host_net_pump(n, 5);
        assert_false(host_net_connected(n));
    }
    host_net_destroy(n);
}

/* More frames than the queue holds: the backend stops reading (the peer waits in the kernel's
 * buffers), nothing is lost, order is kept. */
static void test_queue_is_bounded_with_backpressure(void **state)
{
    (void)state;
    int peer;
    struct host_net *n = connect_pair(&peer);
    const unsigned total = HOST_NET_QUEUE_FRAMES + 100;
    size_t wlen = total * (4 + 60);
    uint8_t *wire = malloc(wlen);
    assert_non_null(wire);
    uint8_t f[60];
    size_t w = 0;
    for (unsigned i = 0; i < total; i++) {
        fill_frame(f, sizeof(f), i);
        w += framed(wire + w, f, sizeof(f));
    }
    assert_true(write_exact(peer, wire, w));

    struct host_net_stats s;
    int64_t deadline = now_ms() + DEADLINE_MS;
    do {
        host_net_pump(n, 2);
        host_net_get_stats(n, &s);
    } while (s.rx_queued < HOST_NET_QUEUE_FRAMES && now_ms() < deadline);
    for (int i = 0; i < 5; i++)
        host_net_pump(n, 0);
    host_net_get_stats(n, &s);
    assert_int_equal(s.rx_queued, HOST_NET_QUEUE_FRAMES);
    assert_int_equal(s.rx_dropped, 0);

    uint8_t buf[128];
    for (unsigned i = 0; i < total; i++) {
        size_t len = host_net_receive(n, buf, sizeof(buf));
        if (!len)
            len = next_frame(n, buf, sizeof(buf));
        assert_int_equal(len, sizeof(f));
        assert_int_equal(get32(buf), i);
    }
    host_net_get_stats(n, &s);
    assert_int_equal(s.rx_frames, total);
    assert_int_equal(s.rx_dropped, 0);
    assert_int_equal(s.rx_queued, 0);
    free(wire);
    close(peer);
    host_net_destroy(n);
}

static void test_bad_lengths_from_peer(void **state)
{
    (void)state;
    int peer;
    struct host_net *n = connect_pair(&peer);
    uint8_t wire[256], buf[2048], a[60];

    /* a runt (5 bytes) and an empty frame are skipped; the next frame is fine */
    uint8_t runt[5] = { 1, 2, 3, 4, 5 };
    size_t w = framed(wire, runt, sizeof(runt));
    put32(wire + w, 0);
    w += 4;
    fill_frame(a, sizeof(a), 99);
    w += framed(wire + w, a, sizeof(a));
    assert_true(write_exact(peer, wire, w));
    assert_int_equal(next_frame(n, buf, sizeof(buf)), sizeof(a));
    assert_memory_equal(buf, a, sizeof(a));
    struct host_net_stats s;
    host_net_get_stats(n, &s);
    assert_int_equal(s.rx_dropped, 1);

    /* a frame bigger than the buffer given to receive is dropped and counted */
    assert_true(write_exact(peer, wire, framed(wire, a, sizeof(a))));
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (!host_net_pending(n) && now_ms() < deadline)
        host_net_pump(n, 5);
    assert_int_equal(host_net_receive(n, buf, 59), 0);
    host_net_get_stats(n, &s);
    assert_int_equal(s.rx_dropped, 2);

    /* a length beyond any frame breaks the stream: the peer is disconnected */
    put32(wire, 0x7fffffff);
    assert_true(write_exact(peer, wire, 4));
    deadline = now_ms() + DEADLINE_MS;
    while (host_net_connected(n) && now_ms() < deadline)
        host_net_pump(n, 5);
    assert_false(host_net_connected(n));
    assert_non_null(strstr(host_net_last_error(n), "2147483647"));
    assert_false(read_exact(peer, buf, 1, 200)); /* EOF on the peer's side */
    close(peer);
    host_net_destroy(n);
}

/* Read len bytes from the peer while pumping the backend (which flushes its output). */
static bool read_pumping(struct host_net *n, int peer, uint8_t *buf, size_t len)
{
    int64_t deadline = now_ms() + DEADLINE_MS;
    size_t got = 0;
    while (got < len && now_ms() < deadline) {
        ssize_t r = recv(peer, buf + got, len - got, MSG_DONTWAIT);
        if (r > 0)
            got += (size_t)r;
        else if (r == 0)
            return false;
        else
            host_net_pump(n, 1);
    }
    return got == len;
}

/* Frames from the guest while the peer does not read: kept (up to a bound) and delivered in
 * order once it does. */
static void test_slow_peer_gets_everything_in_order(void **state)
{
    (void)state;
    int peer;
    struct host_net *n = connect_pair_rcvbuf(&peer, 4096);
    static uint8_t f[1500];
    /* send until the kernel's buffers (up to tcp_wmem's 4 MB) are full and the backend keeps
     * the rest, then some more (well within the backend's own 4 MB bound) */
    unsigned count = 0;
    struct host_net_stats s;
    do {
        fill_frame(f, sizeof(f), count++);
        host_net_send(n, f, sizeof(f));
        host_net_get_stats(n, &s);
    } while (s.tx_backlog == 0 && count < 5000);
    for (int i = 0; i < 50; i++, count++) {
        fill_frame(f, sizeof(f), count);
        host_net_send(n, f, sizeof(f));
    }
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_frames, count);
    assert_int_equal(s.tx_dropped, 0);
    assert_true(s.tx_backlog > 0); /* the kernel took only part of it */

    uint8_t hdr[4], buf[1500];
    for (unsigned i = 0; i < count; i++) {
        assert_true(read_pumping(n, peer, hdr, 4));
        assert_int_equal(get32(hdr), sizeof(f));
        assert_true(read_pumping(n, peer, buf, sizeof(buf)));
        assert_int_equal(get32(buf), i);
    }
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_dropped, 0);
    assert_int_equal(s.tx_backlog, 0);
    close(peer);
    host_net_destroy(n);
}

/* A peer that never reads: the backlog stops at the backend's bound, later frames are dropped
 * whole, and the stream stays well framed. */
static void test_backlog_is_bounded(void **state)
{
    (void)state;
    int peer;
    struct host_net *n = connect_pair_rcvbuf(&peer, 4096);
    static uint8_t f[1500];
    struct host_net_stats s;
    unsigned sent = 0;
    do {
        fill_frame(f, sizeof(f), sent++);
        host_net_send(n, f, sizeof(f));
        host_net_get_stats(n, &s);
    } while (s.tx_dropped == 0 && sent < 20000);
    assert_int_equal(s.tx_dropped, 1);
    assert_true(s.tx_backlog > 0 && s.tx_backlog <= (4u << 20));
    uint64_t accepted = s.tx_frames;
    assert_int_equal(accepted, sent - 1);

    uint8_t hdr[4], buf[1500];
    for (unsigned i = 0; i < accepted; i++) {
        assert_true(read_pumping(n, peer, hdr, 4));
        assert_int_equal(get32(hdr), sizeof(f));
        assert_true(read_pumping(n, peer, buf, sizeof(buf)));
        assert_int_equal(get32(buf), i);
    }
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_backlog, 0);
    close(peer);
    host_net_destroy(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_exchanges_frames_both_ways),
        cmocka_unit_test(test_listen_accepts_lazily_and_again),
        cmocka_unit_test(test_queue_is_bounded_with_backpressure),
        cmocka_unit_test(test_bad_lengths_from_peer),
        cmocka_unit_test(test_slow_peer_gets_everything_in_order),
        cmocka_unit_test(test_backlog_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
