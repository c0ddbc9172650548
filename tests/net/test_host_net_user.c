/* test_host_net_user.c — the "user" backend of vmm/host_net.c against the real libslirp and
 * real loopback sockets: ARP, DHCP, a guest TCP connection to a host listener (through
 * 10.0.2.2), a hostfwd connection towards the guest, the poll integration with the caller's
 * own fds. Frames are built by hand (net_frames.c) with correct checksums. */
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
#include <time.h>
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

/* Answer slirp's ARP requests for the guest's address, as a guest would. */
static bool answer_arp(struct host_net *n, const struct parsed *p)
{
    if (p->ethertype != ETH_ARP || p->arp_op != 1 || p->arp_tpa != GUEST_IP)
        return false;
    uint8_t f[64];
    size_t len = build_arp(f, 2, guest_mac, GUEST_IP, p->arp_sha, p->arp_spa);
    host_net_send(n, f, len);
    return true;
}

/* The guest asks who 10.0.2.2 is (which also teaches slirp the guest's MAC); returns the
 * reply. */
static void arp_gateway(struct host_net *n, struct parsed *reply, uint8_t *buf)
{
    uint8_t f[64];
    static const uint8_t zero[6] = { 0 };
    size_t len = build_arp(f, 1, guest_mac, GUEST_IP, zero, SLIRP_HOST_IP);
    host_net_send(n, f, len);
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (!host_net_pending(n) && now_ms() < deadline)
        host_net_pump(n, 5);
    size_t rlen = host_net_receive(n, buf, 2048);
    assert_true(rlen > 0);
    assert_true(parse_frame(buf, rlen, reply));
}

/* Pump until a frame for which want() is true arrives (answering ARP meanwhile); the frame is
 * left in buf/p. False at the deadline. */
static bool wait_frame(struct host_net *n, uint8_t *buf, struct parsed *p,
                       bool (*want)(const struct parsed *, void *), void *ctx,
                       void (*each_round)(void *), void *round_ctx)
{
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (now_ms() < deadline) {
        if (each_round)
            each_round(round_ctx);
        size_t len;
        while ((len = host_net_receive(n, buf, 2048)) > 0) {
            if (!parse_frame(buf, len, p))
                continue;
            if (answer_arp(n, p))
                continue;
            if (want(p, ctx))
                return true;
        }
        host_net_pump(n, 5);
    }
    return false;
}

static void test_arp_reply_for_gateway(void **state)
{
    (void)state;
    struct host_net *n = make("user,id=n0");
    assert_string_equal(host_net_id(n), "n0");
    assert_string_equal(host_net_backend(n), "user");
    assert_true(host_net_connected(n));
    assert_false(host_net_pending(n));

    uint8_t buf[2048];
    struct parsed r;
    arp_gateway(n, &r, buf);
    assert_int_equal(r.ethertype, ETH_ARP);
    assert_int_equal(r.arp_op, 2);
    assert_int_equal(r.arp_spa, SLIRP_HOST_IP);
    assert_int_equal(r.arp_tpa, GUEST_IP);
    assert_memory_equal(r.arp_tha, guest_mac, 6);
    assert_memory_equal(r.eth_dst, guest_mac, 6);
    /* slirp's MAC: 52:55 followed by the IPv4 address it answers for */
    static const uint8_t host_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
    assert_memory_equal(r.arp_sha, host_mac, 6);
    assert_memory_equal(r.eth_src, host_mac, 6);
    assert_false(host_net_pending(n));

    /* an ARP for an address nobody has gets no answer */
    uint8_t f[64];
    static const uint8_t zero[6] = { 0 };
    host_net_send(n, f, build_arp(f, 1, guest_mac, GUEST_IP, zero, 0x0a000263));
    host_net_pump(n, 0);
    assert_false(host_net_pending(n));

    struct host_net_stats s;
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_frames, 2);
    assert_int_equal(s.tx_bytes, 120);
    assert_int_equal(s.rx_frames, 1);
    assert_int_equal(s.rx_dropped, 0);
    assert_int_equal(s.rx_queued, 0);
    host_net_destroy(n);
}

static bool is_dhcp_offer(const struct parsed *p, void *ctx)
{
    (void)ctx;
    return p->ethertype == ETH_IP && p->proto == IPPROTO_UDP_ && p->sport == 67 && p->dport == 68;
}

static void test_dhcp_discover_gets_offer(void **state)
{
    (void)state;
    struct host_net *n = make("user,id=n0,hostname=guest1");
    uint8_t f[1600], buf[2048];
    size_t len = build_dhcp_discover(f, 0xdeadbeef);
    host_net_send(n, f, len);
    struct parsed p;
    assert_true(wait_frame(n, buf, &p, is_dhcp_offer, NULL, NULL, NULL));
    assert_true(p.ip_csum_ok);
    assert_true(p.l4_csum_ok);
    assert_int_equal(p.ip_src, SLIRP_HOST_IP);
    uint32_t yiaddr = 0;
    assert_int_equal(dhcp_message_type(p.payload, p.plen, &yiaddr), 2); /* DHCPOFFER */
    assert_int_equal(yiaddr, GUEST_IP);
    assert_int_equal(p.payload[0], 2);                     /* BOOTREPLY */
    assert_int_equal(get32(p.payload + 4), 0xdeadbeef);    /* xid */
    assert_memory_equal(p.payload + 28, guest_mac, 6);     /* chaddr */
    host_net_destroy(n);
}

struct tcp_want {
    uint16_t sport, dport;
    uint8_t flags_set, flags_clear;
    size_t min_payload;
};

static bool is_tcp(const struct parsed *p, void *ctx)
{
    const struct tcp_want *w = ctx;
    return p->ethertype == ETH_IP && p->proto == IPPROTO_TCP_ && p->sport == w->sport &&
           p->dport == w->dport && (p->flags & w->flags_set) == w->flags_set &&
           !(p->flags & w->flags_clear) && p->plen >= w->min_payload;
}

struct accept_ctx {
    int listen_fd;
    int conn_fd;
};

static void try_accept(void *ctx)
{
    struct accept_ctx *a = ctx;
    if (a->conn_fd < 0)
        a->conn_fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static void test_guest_tcp_connect_to_host(void **state)
{
    (void)state;
    uint16_t port;
    int lfd = listen_loopback(&port);
    assert_true(lfd >= 0);
    struct host_net *n = make("user,id=n0");
    uint8_t f[1600], buf[2048];
    struct parsed p;
    arp_gateway(n, &p, buf);
    const uint8_t *gw_mac = (const uint8_t[6]){ 0x52, 0x55, 10, 0, 2, 2 };

    /* SYN from 10.0.2.15:40000 to 10.0.2.2:port: slirp connects to 127.0.0.1:port */
    const uint32_t iss = 1000;
    host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40000, port, iss, 0,
                                  TCP_SYN, NULL, 0));
    struct accept_ctx ac = { lfd, -1 };
    struct tcp_want synack = { port, 40000, TCP_SYN | TCP_ACK, TCP_RST, 0 };
    assert_true(wait_frame(n, buf, &p, is_tcp, &synack, try_accept, &ac));
    assert_int_equal(p.ip_src, SLIRP_HOST_IP);
    assert_int_equal(p.ip_dst, GUEST_IP);
    assert_true(p.ip_csum_ok);
    assert_true(p.l4_csum_ok);
    assert_int_equal(p.ack, iss + 1);
    uint32_t server_seq = p.seq;
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (ac.conn_fd < 0 && now_ms() < deadline) {
        try_accept(&ac);
        host_net_pump(n, 5);
    }
    assert_true(ac.conn_fd >= 0); /* the host saw the connection */

    /* the guest completes the handshake and sends "ping"; the host reads it */
    host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40000, port, iss + 1,
                                  server_seq + 1, TCP_ACK | TCP_PSH, (const uint8_t *)"ping", 4));
    char got[8] = "";
    size_t have = 0;
    deadline = now_ms() + DEADLINE_MS;
    while (have < 4 && now_ms() < deadline) {
        host_net_pump(n, 5);
        ssize_t r = recv(ac.conn_fd, got + have, 4 - have, MSG_DONTWAIT);
        if (r > 0)
            have += (size_t)r;
    }
    assert_int_equal(have, 4);
    assert_memory_equal(got, "ping", 4);

    /* the host answers "pong"; it reaches the guest as a data segment */
    assert_int_equal(send(ac.conn_fd, "pong", 4, MSG_NOSIGNAL), 4);
    struct tcp_want data = { port, 40000, TCP_ACK, TCP_SYN | TCP_RST, 4 };
    assert_true(wait_frame(n, buf, &p, is_tcp, &data, NULL, NULL));
    assert_true(p.l4_csum_ok);
    assert_int_equal(p.seq, server_seq + 1);
    assert_int_equal(p.ack, iss + 5);
    assert_int_equal(p.plen, 4);
    assert_memory_equal(p.payload, "pong", 4);

    close(ac.conn_fd);
    close(lfd);
    host_net_destroy(n);
}

struct connect_ctx {
    int fd;
    uint16_t port;
};

static void test_hostfwd_connection_reaches_guest(void **state)
{
    (void)state;
    uint16_t hp = free_port();
    assert_true(hp != 0);
    char spec[128];
    snprintf(spec, sizeof(spec), "user,id=fw,hostfwd=tcp:127.0.0.1:%u-:22", hp);
    struct host_net *n = make(spec);
    uint8_t f[1600], buf[2048];
    struct parsed p;
    arp_gateway(n, &p, buf);

    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    assert_true(c >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(hp),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int r = connect(c, (struct sockaddr *)&a, sizeof(a));
    assert_true(r == 0 || errno == EINPROGRESS);

    /* slirp accepts and opens the connection to 10.0.2.15:22 with a SYN */
    struct tcp_want syn = { 0, 22, TCP_SYN, TCP_ACK | TCP_RST, 0 };
    int64_t deadline = now_ms() + DEADLINE_MS;
    bool seen = false;
    while (!seen && now_ms() < deadline) {
        size_t len;
        while (!seen && (len = host_net_receive(n, buf, sizeof(buf))) > 0) {
            if (!parse_frame(buf, len, &p) || answer_arp(n, &p))
                continue;
            syn.sport = p.sport;
            seen = is_tcp(&p, &syn);
        }
        if (!seen)
            host_net_pump(n, 5);
    }
    assert_true(seen);
    assert_int_equal(p.ip_dst, GUEST_IP);
    assert_int_equal(p.ip_src, SLIRP_HOST_IP); /* the host appears as 10.0.2.2 */
    assert_memory_equal(p.eth_dst, guest_mac, 6);
    assert_true(p.ip_csum_ok);
    assert_true(p.l4_csum_ok);

    /* the guest accepts; data from the host then flows to port 22 */
    uint16_t sport = p.sport;
    uint32_t their = p.seq, ours = 5000;
    host_net_send(n, f, build_tcp(f, p.eth_src, GUEST_IP, p.ip_src, 22, sport, ours, their + 1,
                                  TCP_SYN | TCP_ACK, NULL, 0));
    struct pollfd pw = { .fd = c, .events = POLLOUT };
    assert_int_equal(poll(&pw, 1, DEADLINE_MS), 1);
    assert_true(write_exact(c, "hi", 2));
    struct tcp_want data = { sport, 22, TCP_ACK, TCP_SYN | TCP_RST, 2 };
    assert_true(wait_frame(n, buf, &p, is_tcp, &data, NULL, NULL));
    assert_memory_equal(p.payload, "hi", 2);
    assert_int_equal(p.seq, their + 1);
    assert_true(p.l4_csum_ok);

    close(c);
    host_net_destroy(n);
}

/* The caller's loop owns fds[0] (here a pipe standing for stdin); the backend fills after it
 * and its timers never raise the caller's timeout. */
static void test_poll_integration_with_caller_fds(void **state)
{
    (void)state;
    uint16_t port;
    int lfd = listen_loopback(&port);
    assert_true(lfd >= 0);
    struct host_net *n = make("user,id=n0");
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);

    struct pollfd fds[32];
    int timeout = -1;
    fds[0] = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
    int k = host_net_poll_fill(n, fds + 1, 31, &timeout);
    assert_true(k >= 0);
    /* slirp always bounds the wait (at most 1 s) */
    assert_true(timeout >= 0 && timeout <= 1000);
    int t2 = 3;
    host_net_poll_fill(n, fds + 1, 31, &t2);
    assert_true(t2 >= 0 && t2 <= 3);
    assert_int_equal(host_net_poll_fill(n, fds + 1, 0, &t2), 0);

    /* a guest connection, driven only through fill/poll/dispatch */
    uint8_t f[1600], buf[2048];
    struct parsed p;
    arp_gateway(n, &p, buf);
    const uint8_t *gw_mac = (const uint8_t[6]){ 0x52, 0x55, 10, 0, 2, 2 };
    host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40001, port, 77, 0,
                                  TCP_SYN, NULL, 0));
    bool synack = false;
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (!synack && now_ms() < deadline) {
        timeout = 20;
        k = host_net_poll_fill(n, fds + 1, 31, &timeout);
        assert_true(timeout <= 20);
        assert_true(poll(fds, (nfds_t)(1 + k), timeout) >= 0);
        assert_int_equal(fds[0].revents, 0); /* nobody wrote the pipe */
        host_net_poll_dispatch(n, fds + 1, k);
        size_t len;
        while ((len = host_net_receive(n, buf, sizeof(buf))) > 0)
            if (parse_frame(buf, len, &p) && p.proto == IPPROTO_TCP_ &&
                p.flags == (TCP_SYN | TCP_ACK) && p.ack == 78)
                synack = true;
    }
    assert_true(synack);
    int conn = accept(lfd, NULL, NULL);
    assert_true(conn >= 0);
    close(conn);
    close(pipefd[0]);
    close(pipefd[1]);
    close(lfd);
    host_net_destroy(n);
}

static void test_receive_drops_frames_too_big_for_buffer(void **state)
{
    (void)state;
    struct host_net *n = make("user,id=n0");
    uint8_t f[64], buf[2048];
    static const uint8_t zero[6] = { 0 };
    host_net_send(n, f, build_arp(f, 1, guest_mac, GUEST_IP, zero, SLIRP_HOST_IP));
    host_net_send(n, f, build_arp(f, 1, guest_mac, GUEST_IP, zero, 0x0a000203)); /* DNS */
    int64_t deadline = now_ms() + DEADLINE_MS;
    struct host_net_stats s;
    do {
        host_net_pump(n, 1);
        host_net_get_stats(n, &s);
    } while (s.rx_queued < 2 && now_ms() < deadline);
    assert_int_equal(s.rx_queued, 2);
    /* 20 bytes hold neither reply: both are dropped on the way and counted */
    assert_int_equal(host_net_receive(n, buf, 20), 0);
    host_net_get_stats(n, &s);
    assert_int_equal(s.rx_dropped, 2);
    assert_int_equal(s.rx_queued, 0);

    /* runts and giants from the guest are not passed on */
    host_net_send(n, f, 10);
    host_net_send(n, NULL, 0);
    host_net_get_stats(n, &s);
    assert_int_equal(s.tx_dropped, 2);
    host_net_destroy(n);
}

/* The host closes its end while the guest keeps sending: slirp writes to a dead socket, which
 * must not raise SIGPIPE in the process (the backend blocks and discards it). */
static void test_guest_writes_to_closed_host_socket(void **state)
{
    (void)state;
    uint16_t port;
    int lfd = listen_loopback(&port);
    assert_true(lfd >= 0);
    struct host_net *n = make("user,id=n0");
    uint8_t f[1600], buf[2048];
    struct parsed p;
    arp_gateway(n, &p, buf);
    const uint8_t *gw_mac = (const uint8_t[6]){ 0x52, 0x55, 10, 0, 2, 2 };
    const uint32_t iss = 9000;
    host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40002, port, iss, 0,
                                  TCP_SYN, NULL, 0));
    struct accept_ctx ac = { lfd, -1 };
    struct tcp_want synack = { port, 40002, TCP_SYN | TCP_ACK, TCP_RST, 0 };
    assert_true(wait_frame(n, buf, &p, is_tcp, &synack, try_accept, &ac));
    uint32_t server_seq = p.seq;
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (ac.conn_fd < 0 && now_ms() < deadline) {
        try_accept(&ac);
        host_net_pump(n, 5);
    }
    assert_true(ac.conn_fd >= 0);
    host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40002, port, iss + 1,
                                  server_seq + 1, TCP_ACK, NULL, 0));
    close(ac.conn_fd);
    close(lfd);
    /* segments in a row, without letting slirp poll: the later ones hit EPIPE */
    uint32_t seq = iss + 1;
    for (int i = 0; i < 6; i++) {
        host_net_send(n, f, build_tcp(f, gw_mac, GUEST_IP, SLIRP_HOST_IP, 40002, port, seq,
                                      server_seq + 1, TCP_ACK | TCP_PSH,
                                      (const uint8_t *)"data", 4));
        seq += 4;
        struct timespec ms = { 0, 2000000 };
        nanosleep(&ms, NULL); /* let the host's RST come back to slirp's socket */
    }
    for (int i = 0; i < 5; i++)
        host_net_pump(n, 1);
    host_net_destroy(n); /* still alive: no SIGPIPE */
}

/* Two user networks in one process are independent (two machines, or two NICs). */
static void test_two_instances(void **state)
{
    (void)state;
    struct host_net *a = make("user,id=a");
    struct host_net *b = make("user,id=b");
    uint8_t buf[2048];
    struct parsed r;
    arp_gateway(a, &r, buf);
    assert_int_equal(r.arp_op, 2);
    assert_false(host_net_pending(b));
    arp_gateway(b, &r, buf);
    assert_int_equal(r.arp_op, 2);
    assert_false(host_net_pending(a));
    struct host_net_stats sa, sb;
    host_net_get_stats(a, &sa);
    host_net_get_stats(b, &sb);
    assert_int_equal(sa.rx_frames, 1);
    assert_int_equal(sb.rx_frames, 1);
    host_net_destroy(b);
    arp_gateway(a, &r, buf);
    host_net_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arp_reply_for_gateway),
        cmocka_unit_test(test_dhcp_discover_gets_offer),
        cmocka_unit_test(test_guest_tcp_connect_to_host),
        cmocka_unit_test(test_hostfwd_connection_reaches_guest),
        cmocka_unit_test(test_poll_integration_with_caller_fds),
        cmocka_unit_test(test_receive_drops_frames_too_big_for_buffer),
        cmocka_unit_test(test_guest_writes_to_closed_host_socket),
        cmocka_unit_test(test_two_instances),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
