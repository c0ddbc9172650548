/* net_frames.c — test helpers of tests/net: frame builders and parsers with the Internet
 * checksum (RFC 1071), and loopback socket utilities (see net_frames.h). */
#define _GNU_SOURCE
#include "net_frames.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* checksum of an L4 segment with the IPv4 pseudo header */
static uint16_t l4_checksum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *seg,
                            size_t len)
{
    uint8_t ph[12];
    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return fold(sum_words(sum_words(0, ph, sizeof(ph)), seg, len));
}

static size_t eth_header(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    memcpy(buf, dst, 6);
    memcpy(buf + 6, src, 6);
    put16(buf + 12, type);
    return 14;
}

size_t build_arp(uint8_t *buf, uint16_t op, const uint8_t src_mac[6], uint32_t src_ip,
                 const uint8_t dst_mac[6], uint32_t dst_ip)
{
    memset(buf, 0, 60);
    eth_header(buf, op == 1 ? bcast_mac : dst_mac, src_mac, ETH_ARP);
    uint8_t *a = buf + 14;
    put16(a, 1);          /* Ethernet */
    put16(a + 2, ETH_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, src_mac, 6);
    put32(a + 14, src_ip);
    if (op == 2)
        memcpy(a + 18, dst_mac, 6);
    put32(a + 24, dst_ip);
    return 60; /* padded to Ethernet's minimum */
}

static size_t ip_header(uint8_t *ip, uint8_t proto, uint32_t src, uint32_t dst, size_t l4len)
{
    static uint16_t ident = 0x1234;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + l4len));
    put16(ip + 4, ident++);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum_words(0, ip, 20)));
    return 20;
}

size_t build_udp(uint8_t *buf, const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                 uint16_t sport, uint16_t dport, const uint8_t *payload, size_t plen)
{
    size_t off = eth_header(buf, dst_mac, guest_mac, ETH_IP);
    off += ip_header(buf + off, IPPROTO_UDP_, src_ip, dst_ip, 8 + plen);
    uint8_t *u = buf + off;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + plen));
    put16(u + 6, 0);
    memcpy(u + 8, payload, plen);
    uint16_t c = l4_checksum(src_ip, dst_ip, IPPROTO_UDP_, u, 8 + plen);
    put16(u + 6, c ? c : 0xffff);
    off += 8 + plen;
    if (off < 60) {
        memset(buf + off, 0, 60 - off);
        off = 60;
    }
    return off;
}

size_t build_tcp(uint8_t *buf, const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                 const uint8_t *payload, size_t plen)
{
    size_t off = eth_header(buf, dst_mac, guest_mac, ETH_IP);
    bool mss = flags & TCP_SYN;
    size_t hlen = mss ? 24 : 20;
    off += ip_header(buf + off, IPPROTO_TCP_, src_ip, dst_ip, hlen + plen);
    uint8_t *t = buf + off;
    memset(t, 0, hlen);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = (uint8_t)((hlen / 4) << 4);
    t[13] = flags;
    put16(t + 14, 65535); /* window */
    if (mss) {
        t[20] = 2; /* MSS */
        t[21] = 4;
        put16(t + 22, 1460);
    }
    if (plen)
        memcpy(t + hlen, payload, plen);
    put16(t + 16, l4_checksum(src_ip, dst_ip, IPPROTO_TCP_, t, hlen + plen));
    off += hlen + plen;
    if (off < 60) {
        memset(buf + off, 0, 60 - off);
        off = 60;
    }
    return off;
}

size_t build_dhcp_discover(uint8_t *buf, uint32_t xid)
{
    uint8_t b[300];
    memset(b, 0, sizeof(b));
    b[0] = 1; /* BOOTREQUEST */
    b[1] = 1; /* Ethernet */
    b[2] = 6;
    put32(b + 4, xid);
    put16(b + 10, 0x8000); /* broadcast reply */
    memcpy(b + 28, guest_mac, 6);
    put32(b + 236, 0x63825363); /* magic cookie */
    size_t o = 240;
    b[o++] = 53; b[o++] = 1; b[o++] = 1;       /* DHCPDISCOVER */
    b[o++] = 55; b[o++] = 3; b[o++] = 1; b[o++] = 3; b[o++] = 6; /* mask, router, DNS */
    b[o++] = 255;
    return build_udp(buf, bcast_mac, 0, BROADCAST_IP, 68, 67, b, sizeof(b));
}

bool parse_frame(const uint8_t *f, size_t len, struct parsed *p)
{
    memset(p, 0, sizeof(*p));
    if (len < 14)
        return false;
    p->eth_dst = f;
    p->eth_src = f + 6;
    p->ethertype = get16(f + 12);
    const uint8_t *l3 = f + 14;
    size_t l3len = len - 14;
    if (p->ethertype == ETH_ARP) {
        if (l3len < 28)
            return false;
        p->arp_op = get16(l3 + 6);
        p->arp_sha = l3 + 8;
        p->arp_spa = get32(l3 + 14);
        p->arp_tha = l3 + 18;
        p->arp_tpa = get32(l3 + 24);
        return true;
    }
    if (p->ethertype != ETH_IP || l3len < 20 || (l3[0] >> 4) != 4)
        return false;
    size_t ihl = (size_t)(l3[0] & 15) * 4;
    size_t tot = get16(l3 + 2);
    if (ihl < 20 || tot < ihl || tot > l3len)
        return false;
    p->proto = l3[9];
    p->ip_src = get32(l3 + 12);
    p->ip_dst = get32(l3 + 16);
    p->ip_csum_ok = fold(sum_words(0, l3, ihl)) == 0;
    const uint8_t *l4 = l3 + ihl;
    size_t l4len = tot - ihl;
    if (p->proto == IPPROTO_UDP_) {
        if (l4len < 8)
            return false;
        p->sport = get16(l4);
        p->dport = get16(l4 + 2);
        p->l4_csum_ok = get16(l4 + 6) == 0 ||
                        l4_checksum(p->ip_src, p->ip_dst, IPPROTO_UDP_, l4, l4len) == 0;
        p->payload = l4 + 8;
        p->plen = l4len - 8;
        return true;
    }
    if (p->proto == IPPROTO_TCP_) {
        if (l4len < 20)
            return false;
        size_t thl = (size_t)(l4[12] >> 4) * 4;
        if (thl < 20 || thl > l4len)
            return false;
        p->sport = get16(l4);
        p->dport = get16(l4 + 2);
        p->seq = get32(l4 + 4);
        p->ack = get32(l4 + 8);
        p->flags = l4[13];
        p->l4_csum_ok = l4_checksum(p->ip_src, p->ip_dst, IPPROTO_TCP_, l4, l4len) == 0;
        p->payload = l4 + thl;
        p->plen = l4len - thl;
        return true;
    }
    return true;
}

int dhcp_message_type(const uint8_t *b, size_t len, uint32_t *yiaddr)
{
    if (len < 240 || get32(b + 236) != 0x63825363)
        return 0;
    *yiaddr = get32(b + 16);
    size_t o = 240;
    while (o < len && b[o] != 255) {
        if (b[o] == 0) {
            o++;
            continue;
        }
        if (o + 1 >= len || o + 2 + b[o + 1] > len)
            return 0;
        if (b[o] == 53 && b[o + 1] == 1)
            return b[o + 2];
        o += 2 + (size_t)b[o + 1];
    }
    return 0;
}

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int listen_loopback(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8) ||
        getsockname(fd, (struct sockaddr *)&a, &al)) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

uint16_t free_port(void)
{
    uint16_t port = 0;
    int fd = listen_loopback(&port);
    if (fd >= 0)
        close(fd);
    return port;
}

bool read_exact(int fd, void *buf, size_t len, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    size_t got = 0;
    while (got < len) {
        int left = (int)(deadline - now_ms());
        if (left < 0)
            return false;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, left) <= 0)
            continue;
        ssize_t r = recv(fd, (uint8_t *)buf + got, len - got, MSG_DONTWAIT);
        if (r == 0)
            return false;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

bool write_exact(int fd, const void *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t w = send(fd, (const uint8_t *)buf + done, len - done, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            poll(&p, 1, 100);
            continue;
        }
        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}
