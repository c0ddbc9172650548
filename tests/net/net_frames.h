/* net_frames.h — test helpers of tests/net: builds Ethernet frames by hand (ARP, IPv4 with
 * UDP/DHCP and TCP, correct checksums), picks them apart, and small socket/time utilities. */
#ifndef REWIND_TESTS_NET_FRAMES_H
#define REWIND_TESTS_NET_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* The guest of the tests: MAC 52:54:00:12:34:56, 10.0.2.15. */
extern const uint8_t guest_mac[6];
#define GUEST_IP 0x0a00020fu
#define SLIRP_HOST_IP 0x0a000202u
#define BROADCAST_IP 0xffffffffu

uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);

/* Each builder writes a whole frame into buf (at least 1514 bytes) and returns its length. */
size_t build_arp(uint8_t *buf, uint16_t op, const uint8_t src_mac[6], uint32_t src_ip,
                 const uint8_t dst_mac[6], uint32_t dst_ip);
size_t build_udp(uint8_t *buf, const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                 uint16_t sport, uint16_t dport, const uint8_t *payload, size_t plen);
size_t build_tcp(uint8_t *buf, const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                 const uint8_t *payload, size_t plen);
/* A DHCP DISCOVER from the guest (0.0.0.0:68 -> 255.255.255.255:67). */
size_t build_dhcp_discover(uint8_t *buf, uint32_t xid);

/* A parsed frame (only what the tests look at). Lengths are checked: parse_* returns false on
 * anything malformed. */
struct parsed {
    uint16_t ethertype;
    const uint8_t *eth_dst, *eth_src;
    /* ARP */
    uint16_t arp_op;
    const uint8_t *arp_sha, *arp_tha;
    uint32_t arp_spa, arp_tpa;
    /* IPv4 */
    uint8_t proto;
    uint32_t ip_src, ip_dst;
    bool ip_csum_ok, l4_csum_ok;
    uint16_t sport, dport;
    /* TCP */
    uint32_t seq, ack;
    uint8_t flags;
    const uint8_t *payload;
    size_t plen;
};
bool parse_frame(const uint8_t *f, size_t len, struct parsed *p);
/* The DHCP message type (option 53) of a BOOTP payload, 0 if none; *yiaddr = its yiaddr. */
int dhcp_message_type(const uint8_t *bootp, size_t len, uint32_t *yiaddr);

/* Milliseconds of the host's monotonic clock (test deadlines). */
int64_t now_ms(void);
/* A TCP socket listening on 127.0.0.1 at an ephemeral port (non-blocking); *port set. */
int listen_loopback(uint16_t *port);
/* A port on 127.0.0.1 that was free a moment ago. */
uint16_t free_port(void);
/* Read exactly len bytes from fd within timeout_ms; false on timeout/EOF/error. */
bool read_exact(int fd, void *buf, size_t len, int timeout_ms);
bool write_exact(int fd, const void *buf, size_t len);

#endif
