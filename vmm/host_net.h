/* host_net.h — the host side of a virtual NIC: where the frames a guest transmits go, and
 * where the frames it receives come from. Two backends, chosen by a QEMU -netdev value:
 *
 *   user,id=ID[,hostfwd=tcp|udp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT]...
 *       [,restrict=on|off][,hostname=NAME][,ipv4=on][,ipv6=off]
 *     libslirp: network 10.0.2.0/24, gateway and host 10.0.2.2 (connections to it reach the
 *     host's loopback), DNS 10.0.2.3 (forwarded to the host's resolver), DHCP from 10.0.2.15,
 *     no IPv6. A hostfwd's HOSTADDR defaults to 0.0.0.0, its GUESTADDR to 10.0.2.15.
 *   socket,id=ID,connect=HOST:PORT   or   socket,id=ID,listen=HOST:PORT
 *     QEMU's stream framing over TCP: every frame is preceded by its length, 4 bytes big-endian.
 *     connect= connects while creating (bounded wait); listen= binds while creating and accepts
 *     one peer later, from the poll loop (another peer is accepted after that one leaves).
 *
 * This is the host side of the gate: it talks to the real network and keeps its own timers in
 * host time. It never touches the machine; the caller moves frames between it and the guest's
 * NIC through the gate (so received frames are logged inputs). Frames are Ethernet frames
 * without any virtio header. Everything runs on the caller's thread: the caller's event loop
 * polls the backend's fds (host_net_poll_fill / host_net_poll_dispatch) or calls
 * host_net_pump. No function prints; problems are counted, and the latest one is kept as text
 * (host_net_last_error). */
#ifndef REWIND_HOST_NET_H
#define REWIND_HOST_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct host_net;

/* Bounds of the receive queue (frames waiting for the guest). Beyond either, user drops
 * slirp's frames (counted in rx_dropped; slirp's TCP retransmits), and socket stops reading
 * its peer until the guest has taken frames (nothing lost; the peer waits, as with QEMU). */
#define HOST_NET_QUEUE_FRAMES 1024
#define HOST_NET_QUEUE_BYTES (4u << 20)
/* The largest frame either direction carries (a socket peer announcing more is a protocol
 * error and is disconnected); frames shorter than an Ethernet header are dropped. */
#define HOST_NET_MAX_FRAME 65536
#define HOST_NET_MIN_FRAME 14

struct host_net_stats {
    uint64_t tx_frames, tx_bytes;   /* sent by the guest and handed to the backend */
    uint64_t tx_dropped;            /* sent by the guest but dropped: no peer, peer too slow,
                                       bad length */
    uint64_t rx_frames, rx_bytes;   /* delivered to the guest by host_net_receive */
    uint64_t rx_dropped;            /* for the guest but dropped: queue full, or larger than the
                                       buffer host_net_receive was given */
    uint64_t rx_queued;             /* waiting in the queue now */
    uint64_t tx_backlog;            /* socket: bytes waiting for the peer to read them, now */
    uint64_t guest_errors;          /* guest misbehaviour reported by slirp */
};

/* Parse spec and open the backend. NULL on error, with a one-line reason in err (unknown
 * backend, unknown or malformed option, missing id, bad hostfwd, address in use, connection
 * refused, ...). */
struct host_net *host_net_create(const char *spec, char *err, size_t errlen);
void host_net_destroy(struct host_net *n);

/* The id= value. */
const char *host_net_id(const struct host_net *n);
/* "user" or "socket". */
const char *host_net_backend(const struct host_net *n);
/* user: always true; socket: a peer is connected (frames sent meanwhile are dropped). */
bool host_net_connected(const struct host_net *n);

/* The guest transmitted a frame. */
void host_net_send(struct host_net *n, const uint8_t *frame, size_t len);
/* Take the oldest frame waiting for the guest: copy it into buf, return its length; 0 when
 * none is waiting. Frames longer than max are dropped (counted) on the way. */
size_t host_net_receive(struct host_net *n, uint8_t *buf, size_t max);
/* A frame is waiting. */
bool host_net_pending(const struct host_net *n);

/* Event-loop integration. fill: add this backend's fds to fds[] (at most max; sockets that do
 * not fit are just not polled this round, host_net_pump sizes its own array), lower
 * *timeout_ms (ms, -1 = infinite) to its next timer, never raise it (libslirp always lowers
 * it to 1000 ms at most, so a loop polling a user backend wakes at least once a second);
 * returns how many fds it added. dispatch: after poll(),
 * with exactly the fds and count fill gave (revents set by poll): do the I/O that is ready and
 * run the timers that are due; received frames are queued. */
int host_net_poll_fill(struct host_net *n, struct pollfd *fds, int max, int *timeout_ms);
void host_net_poll_dispatch(struct host_net *n, struct pollfd *fds, int nfds);
/* fill + poll(timeout_ms, lowered by the backend's timers) + dispatch. */
void host_net_pump(struct host_net *n, int timeout_ms);

void host_net_get_stats(const struct host_net *n, struct host_net_stats *out);
/* The latest problem seen after creation (a slirp guest-error message, a peer that left or
 * broke the framing, a failed write), or "" if none. */
const char *host_net_last_error(const struct host_net *n);

#endif
